"""The DuckDB warehouse: paths, settings, schema, marts and safe publication of new versions."""
