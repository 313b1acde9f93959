"""Build the warehouse: schema, reference tables, staging views and marts, in dependency order."""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable

import duckdb
import polars as pl

from core.calendar import working_days_table
from core.roles import ROLE_GROUP, ROLE_NAMES
from core.settings import Settings, settings
from warehouse import SQL_DIR
from warehouse.db import scalar
from warehouse.suppression import Node, suppress_frame

STAGING = (
    "stg_stations", "stg_tasks", "stg_mappings", "stg_staffing", "stg_pulssi_responses",
    "stg_pulssi_answers", "stg_questions", "stg_question_log",
)


def run_sql_file(con: duckdb.DuckDBPyConnection, path: str) -> None:
    """Execute one model file of the warehouse folder."""
    con.execute((SQL_DIR / path).read_text(encoding="utf-8"))


def create_schema(con: duckdb.DuckDBPyConnection) -> None:
    """Create the raw tables and fill the reference tables."""
    run_sql_file(con, "schema.sql")
    if scalar(con, "SELECT count(*) FROM ref_roles") == 0:
        con.executemany(
            "INSERT INTO ref_roles VALUES (?, ?, ?, ?)",
            [(code, *ROLE_NAMES[code], group) for code, group in ROLE_GROUP.items()],
        )
    if scalar(con, "SELECT count(*) FROM ref_working_days") == 0:
        con.executemany("INSERT INTO ref_working_days VALUES (?, ?)", working_days_table())
    for name in STAGING:
        run_sql_file(con, f"staging/{name}.sql")


def _write_settings(con: duckdb.DuckDBPyConnection, s: Settings) -> None:
    con.execute(
        "CREATE OR REPLACE TABLE ref_settings AS SELECT ?::INTEGER AS k_anonymity, "
        "?::INTEGER AS comment_min_respondents, ?::DOUBLE AS weekly_hours, ?::DOUBLE AS load_ratio_low, "
        "?::DOUBLE AS load_ratio_high, ?::DOUBLE AS overload_ratio",
        [s.k_anonymity, s.comment_min_respondents, s.weekly_hours, s.load_ratio_low, s.load_ratio_high,
         s.overload_ratio],
    )


# Suppression is a fixpoint over hierarchies that SQL cannot express: read the groups, decide in Python, write back.
# A partition's decision depends only on its own groups and k, so decisions are stored by a hash of those inputs
# (suppression_cache, internal) and a load decides again only the partitions whose inputs changed.
_SICK_GROUPS = "SELECT * FROM int_sick_leave_groups"
_SICK_DECIDED = "CREATE OR REPLACE TABLE int_sick_leave_suppressed AS SELECT * EXCLUDE (input_hash) FROM __decided"
_PULSSI_GROUPS = "SELECT * FROM int_pulssi_groups"
_PULSSI_DECIDED = "CREATE OR REPLACE TABLE int_pulssi_suppressed AS SELECT * EXCLUDE (input_hash) FROM __decided"
_CACHE_CREATE = """CREATE TABLE IF NOT EXISTS suppression_cache (
    model VARCHAR, input_hash VARCHAR, municipality VARCHAR, station_id VARCHAR, role_group VARCHAR, suppressed BOOLEAN
)"""
_CACHE_READ = ("SELECT input_hash, municipality, station_id, role_group, suppressed FROM suppression_cache "
               "WHERE model = ?")
_CACHE_DELETE = "DELETE FROM suppression_cache WHERE model = ?"
# Only the decisions this build used are kept, so the table follows the history instead of growing with every load.
_CACHE_WRITE = ("INSERT INTO suppression_cache SELECT DISTINCT ?, input_hash, municipality, station_id, role_group, "
                "suppressed FROM __decided")


def _stored_decisions(con: duckdb.DuckDBPyConnection, model: str) -> dict[str, dict[Node, bool]]:
    con.execute(_CACHE_CREATE)
    out: dict[str, dict[Node, bool]] = defaultdict(dict)
    for digest, mun, station, group, hidden in con.execute(_CACHE_READ, [model]).fetchall():
        out[digest][(mun, station, group)] = hidden
    return out


def _suppress(con: duckdb.DuckDBPyConnection, select: str, create: str, partition: list[str], people: str,
              k: int) -> None:
    model = re.search(r"TABLE\s+(\w+)", create).group(1)  # type: ignore[union-attr] - the constants above name one
    decided = suppress_frame(con.sql(select).pl(), partition, people, k, _stored_decisions(con, model))
    con.register("__decided", decided)
    con.execute(create)
    con.execute(_CACHE_DELETE, [model])
    con.execute(_CACHE_WRITE, [model])
    con.unregister("__decided")


def _suppress_sick_leave(con: duckdb.DuckDBPyConnection, s: Settings) -> None:
    _suppress(con, _SICK_GROUPS, _SICK_DECIDED, ["month"], "headcount", s.k_anonymity)


def _suppress_pulssi(con: duckdb.DuckDBPyConnection, s: Settings) -> None:
    _suppress(con, _PULSSI_GROUPS, _PULSSI_DECIDED, ["month", "question_id"], "respondents", s.k_anonymity)


def _goals(con: duckdb.DuckDBPyConnection, s: Settings) -> None:
    from warehouse.goals import build_goal_marts  # local: goals read marts built above

    build_goal_marts(con, s)


# Macros of the figure definitions shared by the marts and the what-if projection.
DEFINITIONS = "definitions.sql"

Step = tuple[str, Callable[[duckdb.DuckDBPyConnection, Settings], None] | None]

# Models in dependency order; a step with a function runs Python (fixpoints SQL cannot express).
MODELS: tuple[Step, ...] = (
    ("int_staff_months", None),
    ("int_sick_leave_groups", None),
    ("int_sick_leave_suppressed", _suppress_sick_leave),
    ("mart_sick_leave", None),
    ("int_station_month_round", None),
    ("int_workload_capacity", None),
    ("mart_workload", None),
    ("mart_workload_unit", None),
    ("mart_compliance", None),
    ("mart_compliance_unit", None),
    ("mart_compliance_round_unit", None),
    ("mart_compliance_tasks", None),
    ("int_pulssi_groups", None),
    ("int_pulssi_suppressed", _suppress_pulssi),
    ("mart_pulssi", None),
    ("mart_pulssi_comments", None),
    ("mart_rollout", None),
    ("mart_goal_progress", _goals),
)

# The published tables (see docs/marts.md); the dashboard reads only these.
MARTS: tuple[str, ...] = (
    "mart_workload", "mart_workload_unit", "mart_sick_leave", "mart_compliance", "mart_compliance_unit",
    "mart_compliance_round_unit", "mart_compliance_tasks", "mart_pulssi",
    "mart_pulssi_comments", "mart_rollout", "mart_goal_progress", "mart_goal_progress_station",
    "mart_goal_trend", "mart_before_after", "load_log",
)


def build_marts(con: duckdb.DuckDBPyConnection, s: Settings | None = None) -> None:
    """(Re)build every model from the raw tables."""
    s = s or settings()
    _write_settings(con, s)
    run_sql_file(con, DEFINITIONS)  # shared figure definitions (macros) before every model that uses them
    for name, func in MODELS:
        if func is None:
            run_sql_file(con, f"marts/{name}.sql")
        else:
            func(con, s)


def frame(con: duckdb.DuckDBPyConnection, sql: str, params: list[object] | None = None) -> pl.DataFrame:
    """Run a query with bound parameters and return a polars frame."""
    return con.sql(sql, params=params or []).pl()
