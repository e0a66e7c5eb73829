"""Analyses: coverage metrics, the plans' metric catalogue, reports and maps."""

if __name__ != "jinan_gis.analyses":  # the folder imported under its bare name from the repo root
    raise ImportError(
        "this folder is the package jinan_gis.analyses: import it as 'jinan_gis.analyses' "
        "(install the "
        f"project with `pip install -e .` or `make test`), not as {__name__!r}, which would "
        "load a second copy of its modules."
    )
