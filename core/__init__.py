"""Shared core below etl and warehouse: role codes and groups, the working-day calendar, settings."""
