"""Which text encoding? UTF-8/UTF-16, GBK/GB18030 or Big5, decided from the bytes or refused.

Chinese tables and shapefiles arrive in UTF-8 (with or without BOM), UTF-16 (Excel's
"Unicode text"), GBK/GB18030 (Simplified Chinese Windows) or Big5 (Traditional Chinese:
Taiwan, Hong Kong). Big5 bytes nearly always *decode* as GB18030 too, into garbage
(``歷城區`` becomes ``菌跋跋``), so "it decodes" proves nothing. :func:`detect_encoding`:

1. a BOM decides (UTF-8, UTF-16 LE/BE); pure ASCII and valid UTF-8 are UTF-8; many NUL
   bytes in every other position are UTF-16 without BOM;
2. otherwise the bytes are decoded as GB18030 and as Big5 (cp950). If only one works, it is
   the answer. If both work, each decoding is scored by :func:`common_share`: the share of
   its non-ASCII characters that are *common* in that encoding (GB2312 level 1, lead bytes
   0xB0-0xD7, or its punctuation rows, for GBK; Big5's frequent characters, lead bytes
   0xA4-0xC6, or its punctuation rows, for Big5). Real text scores near 1 in its own
   encoding and 0.15-0.55 in the other (kana, Cyrillic and rare characters appear), so the
   rule is: the encoding scoring at least :data:`MARGIN` more wins;
3. otherwise (too little text, or a tie) the file is refused with
   :class:`~jinan_gis.geo.errors.InputDataError`: "declare --encoding big5 or --encoding gbk".

Examples
--------
>>> detect_encoding("历城区社区卫生服务中心".encode("gbk"), source="a.csv")
('gb18030', 'detected: GBK/GB18030 (common-character share 1.00 vs Big5 0.27)')
>>> detect_encoding("歷城區社區衛生服務中心".encode("big5"), source="a.csv")[0]
'big5'
>>> detect_encoding("\\ufeff名称".encode("utf-8"), source="a.csv")[0]
'utf-8-sig'
"""

from __future__ import annotations

import codecs
from pathlib import Path

from ..geo.errors import InputDataError

__all__ = [
    "CHAOS_MARGIN",
    "MARGIN",
    "MIN_CHARS",
    "check_encoding",
    "common_share",
    "cpg_encoding",
    "dbf_text_bytes",
    "detect_encoding",
    "python_encoding",
]

MARGIN = 0.3
"""How much higher one decoding's :func:`common_share` must be to win (see the module notes)."""

MIN_CHARS = 4
"""Fewer non-ASCII characters than this are too little text to tell GBK from Big5."""

CHAOS_MARGIN = 0.02
"""How much lower charset-normalizer's chaos of one decoding must be to decide a close call."""

_CPG: dict[str, str] = {
    "utf8": "utf-8", "utf-8": "utf-8", "65001": "utf-8", "cp65001": "utf-8",
    "936": "gb18030", "ansi936": "gb18030", "cp936": "gb18030", "gbk": "gb18030",
    "gb2312": "gb18030", "gb18030": "gb18030", "54936": "gb18030", "ms936": "gb18030",
    "950": "big5", "ansi950": "big5", "cp950": "big5", "big5": "big5",
    "1252": "cp1252", "ansi1252": "cp1252", "latin1": "latin-1", "iso88591": "latin-1",
    "88591": "latin-1",
}
"""``.cpg`` contents (lower case, spaces/underscores/dashes dropped except in utf-8) ->
Python codec: ArcGIS writes code pages ("936", "ANSI 936"), QGIS names ("UTF-8", "GBK")."""

_FIX = "declare --encoding big5 or --encoding gbk (encoding='big5' / encoding='gbk')"


def check_encoding(encoding: str | None, *, source: str) -> None:
    """Raise :class:`~jinan_gis.geo.errors.InputDataError` for an encoding Python does not know.

    Examples
    --------
    >>> check_encoding("GBK", source="poi.csv")
    >>> check_encoding("gbkk", source="poi.csv")
    Traceback (most recent call last):
    ...
    jinan_gis.geo.errors.InputDataError: poi.csv: unknown encoding 'gbkk'. ...
    """
    if encoding is None:
        return
    try:
        codecs.lookup(encoding)
    except LookupError as exc:
        raise InputDataError(
            f"{source}: unknown encoding {encoding!r}. Name one Python knows, e.g. "
            "--encoding gbk / encoding='gbk' (GB2312/GBK/GB18030 files from Chinese Windows "
            "software), 'utf-8', 'big5' or 'latin-1'."
        ) from exc


def python_encoding(encoding: str) -> str:
    """The codec to decode with: Big5 as cp950 (Windows' Big5, a superset), GBK/GB2312 as
    GB18030 (their superset); anything else as given.

    Examples
    --------
    >>> python_encoding("BIG5"), python_encoding("gbk"), python_encoding("latin-1")
    ('cp950', 'gb18030', 'latin-1')
    """
    name = codecs.lookup(encoding).name
    return {"big5": "cp950", "gbk": "gb18030", "gb2312": "gb18030"}.get(name, encoding)


def common_share(text: str, encoding: str) -> float:
    """Share of the non-ASCII characters of ``text`` that are common in ``encoding``
    (``"gb18030"`` or ``"big5"``; see the module notes). 0 for text without them.

    Examples
    --------
    >>> common_share("济南市图书馆", "gb18030"), common_share("济南市图书馆", "big5")
    (1.0, 0.3333333333333333)
    """
    chars = [c for c in text if ord(c) >= 128]
    if not chars:
        return 0.0
    gb = encoding.startswith("gb")
    good = 0
    for c in chars:
        try:
            b = c.encode("gb2312" if gb else "cp950")
        except UnicodeEncodeError:
            continue
        if len(b) != 2:
            continue
        if gb:
            good += 0xB0 <= b[0] <= 0xD7 or b[0] in (0xA1, 0xA3)
        else:
            good += (0xA4 <= b[0] <= 0xC5 or (b[0] == 0xC6 and b[1] < 0xA1)) or b[0] in (
                0xA1,
                0xA2,
            )
    return good / len(chars)


def _utf16(raw: bytes) -> str | None:
    """'utf-16-le'/'utf-16-be' for BOM-less UTF-16 of mostly ASCII/CJK text, else None."""
    sample = raw[:4000]
    if len(sample) < 4:
        return None
    even, odd = sample[0::2], sample[1::2]
    if odd.count(0) > 0.3 * len(odd) and even.count(0) < 0.05 * len(even):
        return "utf-16-le"
    if even.count(0) > 0.3 * len(even) and odd.count(0) < 0.05 * len(odd):
        return "utf-16-be"
    return None


def _decodes(raw: bytes, codec: str) -> str | None:
    try:
        return raw.decode(codec)
    except UnicodeDecodeError:
        return None


def detect_encoding(raw: bytes, *, source: str) -> tuple[str, str]:
    """The encoding of ``raw`` text and how it was decided: ``(codec, how)``.

    Raises :class:`~jinan_gis.geo.errors.InputDataError` when the bytes are neither UTF-8,
    UTF-16, GB18030 nor Big5, or when GBK and Big5 are equally plausible (module notes).

    Examples
    --------
    >>> detect_encoding("ab".encode("utf-16"), source="x.txt")[0]
    'utf-16'
    >>> detect_encoding("華山".encode("big5"), source="x.csv")
    Traceback (most recent call last):
    ...
    jinan_gis.geo.errors.InputDataError: x.csv: the text decodes as GBK/GB18030 and as Big5 ...
    """
    if raw.startswith(codecs.BOM_UTF8):
        return "utf-8-sig", "byte-order mark (UTF-8)"
    if raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16", "byte-order mark (UTF-16)"
    if _decodes(raw, "utf-8") is not None:
        return "utf-8", "valid UTF-8"
    u16 = _utf16(raw)
    if u16 is not None and _decodes(raw[: len(raw) // 2 * 2], u16) is not None:
        return u16, "UTF-16 without byte-order mark (NUL bytes)"
    gb = _decodes(raw, "gb18030")
    b5 = _decodes(raw, "cp950")
    if gb is None and b5 is None:
        raise InputDataError(
            f"{source}: the text is not UTF-8, UTF-16, GBK/GB18030 or Big5. Declare its "
            "encoding with --encoding NAME / encoding='NAME' (e.g. 'latin-1')."
        )
    if b5 is None:
        return "gb18030", "detected: GBK/GB18030 (not valid Big5)"
    if gb is None:
        return "big5", "detected: Big5 (not valid GB18030)"
    s_gb, s_b5 = common_share(gb, "gb18030"), common_share(b5, "big5")
    enough = sum(ord(c) >= 128 for c in b5) >= MIN_CHARS
    if enough and s_gb - s_b5 >= MARGIN:
        return "gb18030", (
            f"detected: GBK/GB18030 (common-character share {s_gb:.2f} vs Big5 {s_b5:.2f})"
        )
    if enough and s_b5 - s_gb >= MARGIN:
        return "big5", f"detected: Big5 (common-character share {s_b5:.2f} vs GBK {s_gb:.2f})"
    chaos = _chaos(raw) if enough else {}
    c_gb, c_b5 = chaos.get("gb18030", 1.0), chaos.get("big5", 1.0)
    if c_b5 - c_gb >= CHAOS_MARGIN:
        return "gb18030", f"detected: GBK/GB18030 (chaos {c_gb:.3f} vs Big5 {c_b5:.3f})"
    if c_gb - c_b5 >= CHAOS_MARGIN:
        return "big5", f"detected: Big5 (chaos {c_b5:.3f} vs GBK {c_gb:.3f})"
    raise InputDataError(
        f"{source}: the text decodes as GBK/GB18030 and as Big5 and neither reads clearly "
        f"better (common-character share {s_gb:.2f} vs {s_b5:.2f}; e.g. {gb[:12]!r} or "
        f"{b5[:12]!r}): {_FIX}."
    )


def _chaos(raw: bytes) -> dict[str, float]:
    """charset-normalizer's chaos (0 = reads as text) of ``raw`` as GB18030 and as Big5;
    a decoding it rejects is left out."""
    from charset_normalizer import from_bytes  # lazy: only for close calls

    found = from_bytes(raw[:20000], cp_isolation=["gb18030", "big5"])
    return {m.encoding: float(m.chaos) for m in found}


def dbf_text_bytes(dbf_path: str | Path) -> bytes:
    """The field names and records of a ``.dbf`` (its text), without the binary header.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "x.dbf"
    >>> header = bytes(8) + (65).to_bytes(2, "little") + bytes(22)
    >>> field = b"NAME".ljust(11, b"\\0") + b"C" + bytes(4) + bytes([20]) + bytes(15)
    >>> _ = p.write_bytes(header + field + b"\\r" + b" " + "经十路".encode("gbk").ljust(20))
    >>> dbf_text_bytes(p).decode("gbk").split()
    ['NAME', '经十路']
    """
    data = Path(dbf_path).read_bytes()
    if len(data) < 32:
        return b""
    header_len = int.from_bytes(data[8:10], "little")
    names = b""
    for off in range(32, max(32, header_len - 1), 32):
        desc = data[off : off + 32]
        if not desc or desc[0] == 0x0D:
            break
        names += desc[:11].split(b"\0", 1)[0] + b" "
    return names + data[header_len:].rstrip(b"\x1a")


def cpg_encoding(cpg: bytes | str | Path) -> str | None:
    """The codec a shapefile's ``.cpg`` (its path or bytes) names (:data:`_CPG` spellings),
    or None if unknown.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "x.cpg"
    >>> _ = p.write_text("ANSI 936")
    >>> cpg_encoding(p)
    'gb18030'
    """
    raw = cpg if isinstance(cpg, bytes) else Path(cpg).read_bytes()
    text = raw[:64].decode("ascii", "replace").strip().lower()
    key = text if text in ("utf-8",) else "".join(ch for ch in text if ch.isalnum())
    if key in _CPG:
        return _CPG[key]
    try:
        return python_encoding(text) if text else None
    except LookupError:
        return None
