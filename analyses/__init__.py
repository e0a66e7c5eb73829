"""Analyses: coverage metrics, the plans' metric catalogue, reports and maps."""
