"""Coordinate systems, Chinese datums (WGS84 / GCJ-02 / BD-09) and the network engine."""
