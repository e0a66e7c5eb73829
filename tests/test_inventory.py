"""The inventory check: the plans' facility counts (hand-counted from the plan text below, not
read from the module) beside a layer's, per district, with the difference in words."""

from __future__ import annotations

import geopandas as gpd
import pandas as pd
from shapely.geometry import Point, box

from jinan_gis.analyses.inventory import PLAN_COUNTS, inventory_table

CRS = "EPSG:4548"
L, S = "370112", "370103"

# (district, facility type as the plan writes it) -> (figure, the sentence it is counted from)
HAND: dict[tuple[str, str], tuple[int, str]] = {
    (L, "社区卫生服务中心"): (12, "全区现有社区卫生服务中心12家,街道卫生院3家,社区卫生服务站39家"),
    (L, "街道卫生院"): (3, "全区现有社区卫生服务中心12家,街道卫生院3家,社区卫生服务站39家"),
    (L, "社区卫生服务站"): (39, "全区现有社区卫生服务中心12家,街道卫生院3家,社区卫生服务站39家"),
    (L, "医保工作点"): (383, "全区383个村(社区)建立了医保工作点"),
    (L, "医保工作站"): (39, "在街道、医药机构建立了39家医保工作站"),
    (L, "百姓戏曲大舞台"): (14, "街道设立了14处百姓戏曲大舞台"),
    (L, "泉城书屋"): (7, "新建成7家泉城书屋"),
    (L, "亲子阅读空间"): (68, "68个亲子阅读空间"),
    (L, "数字阅读空间"): (60, "60个数字阅读空间"),
    (L, "5G基站"): (5125, "累计建成5G基站5125个"),
    (L, "社区城管工作站"): (117, "全区共建成117个社区城管工作站"),
    (L, "垃圾分类房"): (123, "目前我区共有123座分类房"),
    (L, "垃圾分类亭"): (971, "971处分类亭"),
    (L, "智能可回收箱"): (532, "设置532座智能可回收箱"),
    (L, "水质净化厂"): (8, "已建成8座水质净化厂"),
    # 14 stations of >= 50 t/d and 12 integrated units of <= 20 t/d: one category, 14 + 12
    (L, "污水处理站及一体化设备"): (
        26, "已建设14座日处理50吨以上污水处理站、12座日处理20吨以下一体化小型污水处理设备"),
    (L, "污水收集池"): (43, "建设43座污水收集池"),
    (L, "一体化提水泵站"): (7, "7座一体化提水泵站"),
    (L, "农村供水工程"): (84, "现有农村供水工程84处"),
    (L, "托位"): (5516, "2023年全区可提供托位数5516个"),
    (L, "中小学、幼儿园"): (60, "建成 60 所中小学、幼儿园"),
    (L, "变电站"): (13, "新建变电站 13 座"),
    (L, "公园"): (87, "建成各类公园 87 处"),
    (L, "名泉"): (11, "济南 72 名泉有 11 处在历城涌流"),
    (S, "街道综合养老服务中心"): (13, "新建街道综合养老服务中心13 处"),
    (S, "农村幸福院"): (19, "农村幸福院19 处"),
    (S, "老年人日间照料中心"): (43, "老年人日间照料中心43 处"),
    (S, "图书馆、文化馆分馆及农家书屋"): (30, "建成图书馆、文化馆分馆及农家书屋等文化场所30 个"),
    (S, "便民市场"): (72, "新建改造便民市场72家"),
    (S, "学校、幼儿园"): (70, "累计新建改造学校、幼儿园70 所"),
    (S, "城市公厕"): (26, "新建城市公厕26 座"),
    (S, "智慧公厕"): (67, "打造智慧公厕67 座"),
    (S, "垃圾分类亭"): (350, "垃圾分类亭350 座"),
    (S, "山体公园"): (10, "建成山体公园10 座"),
    (S, "5G基站"): (2000, "近2000 座5G 基站投入使用"),
}
FILES = {L: ("000_13695917f30c47f9.txt", "002_248ac38be71e6bc0.txt"),
         S: ("003_e346c132f88ab10b.txt",)}


def _districts() -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame({"code": [L, S]}, geometry=[box(0, 0, 100, 100),
                                                         box(100, 0, 200, 100)], crs=CRS)


def test_every_counted_type_is_in_the_table_with_the_hand_count(shared_dir) -> None:
    t = inventory_table(None, _districts())
    got = {(r.district, r.type_zh): r for r in t.itertuples()}
    assert set(got) == set(HAND)
    plans = {p.name: p.read_text(encoding="utf-8") for p in (shared_dir / "plans").glob("0*.txt")}
    for key, (figure, sentence) in HAND.items():
        r = got[key]
        assert r.plan_figure == figure, key
        assert any(sentence in plans[f] for f in FILES[key[0]]), (key, sentence)  # verbatim
        # the row's own quote is verbatim in its file and holds the figure's sentence
        assert r.source_file in FILES[key[0]]
        for frag in pd.Series([r.quote]).str.findall(r"「([^」]+)」").iloc[0]:
            assert frag in plans[r.source_file], (key, frag)
        assert sentence in r.quote, key
    assert len(PLAN_COUNTS) == len(HAND)


def test_the_layer_is_counted_per_district_with_the_difference_in_words() -> None:
    pts = ([("chc", 10, 10)] * 11 + [("chc", 150, 10)] * 2              # 11 in L, 2 in S
           + [("elderly_care_centre", 150, 50)] * 14                     # 14 in S (13 built)
           + [("day_care_centre", 150, 50)] * 40                         # 40 in S (43 built)
           + [("township_health_centre", 10, 10)] * 5)                   # 5 in L (3 exist)
    fac = gpd.GeoDataFrame({"category": [p[0] for p in pts]},
                           geometry=[Point(p[1], p[2]) for p in pts], crs=CRS)
    fac["capacity"] = float("nan")
    fac = pd.concat([fac, gpd.GeoDataFrame(
        {"category": ["childcare", "childcare", "park", "park"],
         "capacity": [30.0, 20.0, None, None],
         "name": ["甲托育", "乙托育", "英雄山山体公园", "泉城公园"]},
        geometry=[Point(5, 5), Point(6, 6), Point(120, 5), Point(130, 5)], crs=CRS)],
        ignore_index=True)
    t = inventory_table(fac, _districts()).set_index(["district", "type_zh"])
    chc = t.loc[(L, "社区卫生服务中心")]
    assert chc["layer_count"] == 11 and chc["difference"] == -1
    assert chc["status"] == "layer lacks some"
    assert chc["check"] == ("layer: 11 社区卫生服务中心; 2023 evaluation report: 12 "
                            "(the layer lacks 1)")
    more = t.loc[(L, "街道卫生院")]
    assert more["difference"] == 2 and more["status"] == "layer has more"
    assert t.loc[(S, "街道综合养老服务中心"), "status"] == "consistent"  # 14 >= 13 built
    day = t.loc[(S, "老年人日间照料中心")]
    assert day["status"] == "layer lacks some" and "at least 3" in day["check"]
    assert t.loc[(L, "托位"), "layer_count"] == 50  # the places, not the 2 points
    assert t.loc[(S, "山体公园"), "layer_count"] == 1  # by its name, among the parks
    assert t.loc[(L, "医保工作点"), "layer_count"] == 0


def test_the_demo_sample_matches_the_figures_it_is_calibrated_to() -> None:
    from jinan_gis.analyses.inputs import inputs_from_sample

    inputs = inputs_from_sample(scale=0.1)
    t = inventory_table(inputs.facilities, inputs.districts).set_index(["district", "type_zh"])
    for key in [(L, "社区卫生服务中心"), (L, "街道卫生院"), (L, "社区卫生服务站")]:
        assert t.loc[key, "status"] == "matches", key
    for key in [(S, "街道综合养老服务中心"), (S, "老年人日间照料中心")]:
        assert t.loc[key, "layer_count"] == t.loc[key, "plan_figure"], key
