"""Altair chart builders: one module per page, shared theme in `common`."""
