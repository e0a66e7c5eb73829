"""Small committed data files (district polygons, sub-district facts) with provenance."""
