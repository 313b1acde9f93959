"""The DuckDB warehouse: schema, marts and safe publication of new versions."""

from pathlib import Path

# The warehouse's model files (.sql) live beside its code.
SQL_DIR = Path(__file__).resolve().parent
