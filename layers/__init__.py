"""Layer loaders: districts, sub-districts, streets, facilities, population, zones."""

if __name__ != "jinan_gis.layers":  # the folder imported under its bare name from the repo root
    raise ImportError(
        "this folder is the package jinan_gis.layers: import it as 'jinan_gis.layers' (install the "
        f"project with `pip install -e .` or `make test`), not as {__name__!r}, which would "
        "load a second copy of its modules."
    )
