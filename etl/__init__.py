"""ETL for Työnjakoseuranta: read source files, validate them against the contract, load DuckDB."""
