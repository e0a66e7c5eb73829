"""Coordinate systems, Chinese datums (WGS84 / GCJ-02 / BD-09) and the network engine."""

if __name__ != "jinan_gis.geo":  # the folder imported under its bare name from the repo root
    raise ImportError(
        "this folder is the package jinan_gis.geo: import it as 'jinan_gis.geo' (install the "
        f"project with `pip install -e .` or `make test`), not as {__name__!r}, which would "
        "load a second copy of its modules."
    )
