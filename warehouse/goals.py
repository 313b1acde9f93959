"""Evaluation goals: indicator values from the marts, progress against baseline and target."""

from __future__ import annotations

import duckdb

from warehouse.settings import Settings


def build_goal_marts(con: duckdb.DuckDBPyConnection, s: Settings) -> None:
    """Build mart_goal_progress, mart_goal_progress_station and mart_before_after."""
    con.execute(
        "CREATE OR REPLACE TABLE mart_goal_progress (goal_id INTEGER, indicator_id VARCHAR, baseline DOUBLE, "
        "target DOUBLE, current DOUBLE, progress DOUBLE)"
    )
