"""jinan-gis: how well Licheng (历城区) and Shizhong (市中区) of Jinan are served.

Sub-packages (imports go one way only: ``analyses -> layers -> geo``):

- :mod:`jinan_gis.geo` -- coordinate systems, Chinese datums, the street-network engine;
- :mod:`jinan_gis.layers` -- loaders for districts, streets, facilities and population;
- :mod:`jinan_gis.analyses` -- coverage metrics, reports and maps.
"""

__version__ = "0.1.0"
