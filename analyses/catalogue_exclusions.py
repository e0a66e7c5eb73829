"""Targets of ``shared/plans/METRICS.md`` (sections a1-a7) that are NOT catalogue entries, and why.

Every id of METRICS.md's tables a1-a7 is either named in a catalogue entry's ``refs`` or
here (``tests/test_catalogue.py`` walks METRICS.md and fails otherwise). Each exclusion has a
kind and a reason:

- ``no target``: the sentence states a direction (build, optimise, raise) with no value and no
  threshold, so nothing can pass or fail; the toolkit's ``coverage`` command measures reach on
  request;
- ``not spatial``: a rate of operations, records, certifications or equipment that no
  location layer holds (e-licences, smart campuses, fibre subscriptions, treatment rates);
- ``inventory``: an achieved count, checked against the user's layer in the inventory table
  (:mod:`jinan_gis.analyses.inventory`), not a target;
- ``works record``: a record of works done (km built, m² greened) that a layer of today
  cannot tell from older works;
- ``wider area``: a city- or province-wide total or a place outside the two districts, whose
  share for Licheng or Shizhong the plans do not state.

Examples
--------
>>> EXCLUSIONS["D28"][0]
'not spatial'
>>> sorted({k for k, _ in EXCLUSIONS.values()})
['inventory', 'no target', 'not spatial', 'wider area', 'works record']
"""

from __future__ import annotations

__all__ = ["EXCLUSIONS", "EXCLUSION_KINDS"]

EXCLUSION_KINDS = ("no target", "not spatial", "inventory", "works record", "wider area")

_NT = "no target"
_NS = "not spatial"
_INV = "inventory"
_WR = "works record"
_WA = "wider area"

EXCLUSIONS: dict[str, tuple[str, str]] = {
    # a2 facility provision ----------------------------------------------------------------
    "B9": (_NT, "an operating model (chain operation) and a province count of nursing beds "
                "(3万张, not split by district); no location target"),
    "B16": (_NT, "raise the coverage of museums, galleries and science museums: no value"),
    "B17": (_NT, "build fitness centres, stadiums, sports parks, trails, pitches: no value; "
                 "reach is measured by L-FITNESS-15 and S-FITNESS-15"),
    "B21": (_NT, "build town trade centres and rural service outlets: no value"),
    "B23": (_NT, "township express hubs and 快递进村 points: no value; the Licheng target "
                 "is L-LOGISTICS-VILLAGE"),
    "B27": (_NT, "build community hospitals and village clinics: no value"),
    "B28": (_NT, "build community hospitals and village clinics (city): no value"),
    "B30": (_NS, "emergency-team coverage of health facilities: an organisational rate"),
    "B31": (_NS, "a disease-surveillance network (reporting), not places"),
    "B37": (_WR, "32 roads, 64.24 km improved in 2023: a works list"),
    "B38": (_NS, "schools in education groups: an administrative arrangement"),
    "B40": (_NT, "more kindergartens and schools where migrant children concentrate: no value, "
                 "and no layer of 随迁子女"),
    "B41": (_WA, "200 schools / 200 kindergartens province-wide in 2022; no district share"),
    "B42": (_WA, "county hospitals and 50 county sub-centres province-wide; not L/S"),
    "B43": (_NS, "a cross-province settlement designation of one institution per county: a "
                 "designation, not a location property"),
    "B44": (_NS, "one cross-province chronic-disease institution: a designation"),
    "B45": (_WA, "one medical-waste disposal facility per city (Jinan), not per district"),
    "B46": (_NT, "civil-air-defence spaces used as markets and parking: no value"),
    "B47": (_NT, "strengthen emergency shelters: no value, no service radius in the plans"),
    "B48": (_NT, "shelter function of buildings: no value"),
    "B50": (_NT, "international schools and hospitals, multilingual signs: no value"),
    # a3 digital ---------------------------------------------------------------------------
    "D5": (_WA, "17,000 5G stations city-wide (~2020 baseline); district counts are "
                "L-5G-COUNT and S-5G-2000"),
    "D6": (_WA, "160,000 5G stations province-wide"),
    "D7": (_NT, "raise village 5G coverage (city): no value; Licheng's is L-5G-VILLAGES"),
    "D8": (_NS, "household fibre coverage and port shares: operator subscription statistics"),
    "D9": (_NS, "household fibre-to-the-home coverage (专栏1 row 3): subscriptions"),
    "D10": (_NS, "gigabit / 10-gigabit access capability of homes and offices"),
    "D11": (_NS, "gigabit / 10-gigabit access capability (city)"),
    "D12": (_NS, "rural households gigabit-capable: subscriptions"),
    "D13": (_NS, "gigabit to homes, NB-IoT in main urban areas: operator coverage statistics"),
    "D16": (_NS, "smart sensing devices' networking rate"),
    "D17": (_WA, "smart signal timing at 40 % of intersections province-wide; no layer holds "
                 "signal-timing equipment"),
    "D18": (_NS, "smart-campus coverage (专栏1 row 4): a certification of schools"),
    "D19": (_NS, "30 % of schools certified as smart campuses"),
    "D20": (_NS, "smart-hospital coverage (专栏1 row 5): a certification"),
    "D21": (_NS, "e-government extranet in villages: a network connection"),
    "D22": (_NS, "smart communities built: a certification of communities"),
    "D23": (_NS, "400 smart-community pilots city-wide: a certification"),
    "D24": (_NS, "1,200 smart communities province-wide"),
    "D25": (_NS, "70 % of districts rated 4-star smart cities: a rating"),
    "D26": (_NS, "Licheng rated a 4-star smart city: a rating"),
    "D27": (_NS, "province star ratings of cities and counties"),
    "D28": (_NS, "e-licence use in government services (专栏1 row 7)"),
    "D29": (_NS, "e-licence use and online services (city)"),
    # a4 green -----------------------------------------------------------------------------
    "G4": (_WA, "forest cover 13.7 % city-wide; the districts' are L-FOREST and S-FOREST-34"),
    "G6": (_NS, "a ranking among Jinan's districts (first place): needs every district"),
    "G7": (_WR, "+1.85 km² green, 20 streets, 10 mountain parks built in 2016-2020; the "
                "mountain parks are in the inventory table"),
    "G8": (_WR, "+0.84 km² greening and 87 parks built in 2016-2020; parks in the inventory"),
    "G9": (_WR, "+4.79 km² greening city-wide in 2016-2020"),
    "G10": (_NT, "build community, mountain, street and pocket parks: no value"),
    "G11": (_NT, "mountain, country and pocket parks continue: no value"),
    "G12": (_NT, "slogans (绿城花城, 千园之城): no value"),
    "G13": (_NT, "a greenway system along railways, roads and rivers: no value"),
    "G14": (_NT, "greenways along railways, roads and the Xiaoqing River: progress, no value"),
    "G15": (_NT, "eco-corridors and greenways: no value"),
    "G16": (_NT, "green corridors, rings, wedges and hearts: no value"),
    "G17": (_WA, "500 km greenways and 120 km² sponge city province-wide"),
    "G18": (_NT, "more pocket parks and street-corner green: no value"),
    "G19": (_WA, "70 % blue-green space in the 起步区, which is neither Licheng nor Shizhong"),
    "G20": (_NT, "protect green space, designate restricted zones: no value"),
    "G21": (_INV, "11 of the 72 famous springs flow in Licheng: a fact; the springs are in the "
                  "inventory table"),
    "G22": (_NT, "protect and show named spring groups and wetlands: no value"),
    # a5 transport -------------------------------------------------------------------------
    "T1": (_WR, "> 160 new roads and 50 new bus lines in 2016-2020"),
    "T3": (_WR, "10 car parks and 2,451 spaces built in 2016-2020"),
    "T4": (_NT, "parking towers and under-bridge car parks: no value"),
    "T5": (_NS, "car parks joined to the smart-parking platform: a data connection"),
    "T6": (_WA, "35,000 parking spaces and a 10 % supply rule province-wide"),
    "T7": (_WA, "400 km of urban rail province-wide"),
    "T8": (_NS, "new city buses are new-energy vehicles: the fleet, not places"),
    "T9": (_NT, "accelerate charging infrastructure: no value, no count anywhere"),
    "T10": (_NT, "EV chargers, hydrogen and swap stations: no value"),
    "T11": (_NT, "TOD, micro-circulation, walking and cycling, small blocks: no value"),
    "T12": (_NT, "build branch roads, open dead ends: no value"),
    "T13": (_WR, "7 bottleneck roads opened (2016-2020); dead ends to open: no value"),
    "T14": (_WA, "1,200 km urban and 7,000 km rural roads province-wide"),
    # a6 environment -----------------------------------------------------------------------
    "E3": (_INV, "8 plants, 14 stations, 12 units, 43 tanks, 7 pumping stations: achieved "
                 "counts in the inventory table"),
    "E4": (_NS, "reclaimed-water use rate (专栏1 row 11): a volume ratio"),
    "E5": (_NS, "sewage treatment capacity and town treatment rate: volumes"),
    "E6": (_NS, "combined sewers eliminated, effluent class, reclaimed water: network "
                "works and volumes"),
    "E7": (_WA, "2023 list of districts clearing combined sewers: Licheng and Shizhong are "
                "not in it"),
    "E8": (_NS, "harmless waste treatment, zero landfill: a treatment rate"),
    "E9": (_NS, "waste recycling rate (专栏1 row 12): a tonnage ratio"),
    "E10": (_INV, "123 sorting houses, 971 kiosks, 532 smart bins: inventory table"),
    "E11": (_INV, "350 sorting kiosks: inventory table"),
    "E12": (_INV, "26 new and 67 smart public toilets: inventory table"),
    "E13": (_NS, "street cleaning and mechanical sweeping coverage: operations"),
    "E14": (_WR, "rural sanitary toilets > 90 %, 350 km water pipes, 216 km sewers built"),
    "E15": (_NS, "rural tap-water and supply-scheme coverage of people: utility records"),
    "E16": (_INV, "84 rural water-supply schemes: inventory table"),
    "E17": (_NS, "monitoring sections meeting water-quality standards: measurements"),
    "E18": (_NS, "monitoring sections' water class, drinking-water compliance: measurements"),
    "E19": (_NS, "good-air-days ratio 2022: measurements"),
    "E20": (_NS, "good-air-days ratio (专栏1 row 8): measurements"),
    "E21": (_NS, "rivers certified as provincial model rivers: a certification"),
    "E22": (_NT, "an environmental monitoring network: no value"),
    "E23": (_NS, "sub-districts free of illegal buildings: an enforcement record"),
    "E24": (_INV, "grid management in 14 sub-districts; 117 city-management stations: "
                  "inventory table"),
    "E25": (_NS, "green-building share, green factories and parks: certifications"),
    "E26": (_WR, "sewage capacity, 13 substations and 940 km of lines built in 2016-2020; the "
                 "substations are in the inventory table"),
    # a7 per-capita ------------------------------------------------------------------------
    "H5": (_NS, "health centres meeting provincial / national standards; qualified village "
                "doctors: accreditation"),
    "H6": (_NS, "in-county treatment and primary-care share of visits: patient records"),
    "H7": (_INV, "13 elderly-care centres, 19 rural happiness homes, 43 day-care centres built "
                 "in Shizhong: inventory table"),
    "H8": (_WA, "30,000 nursing beds and 70,000 childcare places province-wide"),
    "H9": (_INV, "12 community health centres, 3 sub-district health centres, 39 stations: "
                 "inventory table (and L-CLINIC-1000 uses them)"),
    "H10": (_NS, "public-health committees and infectious-disease reporting: organisations"),
}
"""METRICS.md id -> (kind, reason) for every target that is not a catalogue entry."""
