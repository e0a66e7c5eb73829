"""Layer loaders: districts, sub-districts, streets, facilities, population, zones."""
