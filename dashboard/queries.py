"""Query layer: the only way pages and downloads read the warehouse; enforces the user's scope.

Every function takes the warehouse path and a Scope and returns a polars frame. Station-level rows
of stations outside the scope never leave this module; region and municipality totals do, because
their small groups are already suppressed in the warehouse (primary and secondary suppression).
The functions bind station, municipality, month, role group, question and the scope's stations
(dashboard/scope.py `stations_param`) as SQL parameters, so they read only the rows they return; a limited scope's
hidden totals are left out in SQL too (`scope.totals_condition`).
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import polars as pl
import streamlit as st

from core.settings import settings
from dashboard import scope as scope_rules
from dashboard.access import Scope
from warehouse import db as wdb

MART_TABLES = (
    "mart_workload", "mart_workload_unit", "mart_sick_leave", "mart_compliance", "mart_compliance_unit",
    "mart_compliance_round_unit", "mart_compliance_tasks", "mart_pulssi",
    "mart_pulssi_comments", "mart_rollout", "mart_goal_progress", "load_log",
)


Params = tuple[object, ...] | dict[str, object]


@st.cache_data(show_spinner=False, max_entries=1024)
def _cached(db: str, version: str, sql: str, params: Params) -> pl.DataFrame:
    # `version` changes with every published warehouse version, so results live for one load only. `wdb.read`
    # attaches the file anew after `version` was taken (never an open instance of a replaced file), so a result is
    # never older than its key: an old result is never cached under a new load's key.
    with wdb.read(db) as con:
        return con.sql(sql, params=params if isinstance(params, dict) else list(params)).pl()


def frame(db: str | Path, sql: str, params: Params = ()) -> pl.DataFrame:
    """Run a module-constant query with bound parameters (positional, or named in a dict), cached per version."""
    return _cached(str(db), wdb.version_token(db), sql, params)


# The scope helpers live in dashboard/scope.py; these names stay for the callers of this layer.
_restrict = scope_rules.restrict
_check_station = scope_rules.check_station


# --- status -------------------------------------------------------------------------------------------

_TABLES = "SELECT table_name FROM information_schema.tables"
_META = "SELECT key, value FROM meta"
_FRESHNESS = """
SELECT source, max(loaded_at) AS last_loaded, count(*) FILTER (WHERE outcome = 'loaded') AS loads,
       max(loaded_at) FILTER (WHERE outcome = 'loaded') AS last_success
FROM load_log WHERE source IS NOT NULL GROUP BY source ORDER BY source
"""
_LAST_LOAD = """
SELECT max(loaded_at) FILTER (WHERE outcome = 'loaded') AS last_loaded, max(load_id) AS load_id FROM load_log
"""
_BUILT_SETTINGS = "SELECT * FROM ref_settings"
_DATA_MONTHS = """
SELECT 'henkilosto' AS source, min(month) AS first_month, max(month) AS last_month, count(*) AS rows
FROM mart_workload
UNION ALL
SELECT 'pulssi', min(month), max(month), count(*) FROM mart_pulssi WHERE municipality IS NULL
UNION ALL
SELECT 'kartoitus', min(mapping_date), max(mapping_date), count(*) FROM mart_compliance WHERE task_group IS NULL
"""


def warehouse_state(db: str | Path) -> dict[str, object]:
    """Whether the warehouse exists and holds marts, its origin, and its last load."""
    path = Path(db)
    if not path.exists():
        return {"exists": False, "ready": False, "origin": None, "last_loaded": None, "load_id": None}
    tables = set(frame(db, _TABLES)["table_name"].to_list())
    ready = set(MART_TABLES) <= tables
    meta = dict(frame(db, _META).rows()) if "meta" in tables else {}
    last = frame(db, _LAST_LOAD).row(0, named=True) if "load_log" in tables else {}
    return {
        "exists": True,
        "ready": ready,
        "origin": meta.get("data_origin"),
        "last_loaded": last.get("last_loaded"),
        "load_id": last.get("load_id"),
    }


def freshness(db: str | Path) -> pl.DataFrame:
    """Per source: last load attempt and last successful load."""
    return frame(db, _FRESHNESS)


def built_settings(db: str | Path) -> dict[str, object]:
    """The settings the warehouse was built with (k, weekly hours, load-ratio band): its figures follow these."""
    df = frame(db, _BUILT_SETTINGS)
    return df.row(0, named=True) if not df.is_empty() else {}


def built_k(db: str | Path) -> int:
    """The k the warehouse's suppression was decided with (today's setting for a warehouse that does not say)."""
    value = built_settings(db).get("k_anonymity")
    return int(value) if isinstance(value, int) else settings().k_anonymity


def data_months(db: str | Path) -> pl.DataFrame:
    """First and last month present per figure family."""
    return frame(db, _DATA_MONTHS)


# --- dimensions ---------------------------------------------------------------------------------------

_STATIONS = """
SELECT station_id, name_fi, name_sv, municipality, wave, planned_go_live, go_live, status, closed_on
FROM mart_rollout ORDER BY municipality, name_fi
"""
_MONTHS = "SELECT DISTINCT month FROM mart_workload UNION SELECT DISTINCT month FROM mart_pulssi ORDER BY month"
_QUESTIONS = """
SELECT question_id, text_fi, text_sv, question_type, scale_min, scale_max, goal_id FROM stg_questions
ORDER BY question_type DESC, question_id
"""


def stations(db: str | Path) -> pl.DataFrame:
    """Every station with its municipality and status (master data, no personal figures)."""
    return frame(db, _STATIONS)


def station_choices(db: str | Path, scope: Scope, month: date | None = None) -> pl.DataFrame:
    """Stations whose detail the scope may open; with a month, those not closed before it began."""
    df = _restrict(stations(db), scope)
    if month is not None:
        df = df.filter(pl.col("closed_on").is_null() | (pl.col("closed_on") >= month))
    return df


def months(db: str | Path) -> list[date]:
    """Months that hold staffing or Pulssi data, oldest first."""
    return frame(db, _MONTHS)["month"].to_list()


def questions(db: str | Path) -> pl.DataFrame:
    """The Pulssi question catalogue."""
    return frame(db, _QUESTIONS)


# --- workload -----------------------------------------------------------------------------------------

_IN_SCOPE = scope_rules.stations_condition("w.station_id")
# Station rows of the month, station and municipality asked for (each NULL = any), of the stations in the scope.
_WORKLOAD = f"""
SELECT w.station_id, s.name_fi, s.name_sv, s.municipality, w.month, w.secretary_fte, w.secretary_net_fte,
       w.capacity_hours_week, w.required_hours_week, w.load_ratio, w.headcount, w.sick_leave_rate,
       w.sick_leave_suppressed, w.fte, w.net_fte, w.other_absence_days, w.mapping_date, w.capacity_estimated,
       w.sick_leave_suppression_reason
FROM mart_workload AS w LEFT JOIN mart_rollout AS s USING (station_id)
WHERE ($month::DATE IS NULL OR w.month = $month::DATE)
  AND ($station::VARCHAR IS NULL OR w.station_id = $station::VARCHAR)
  AND ($municipality::VARCHAR IS NULL OR s.municipality = $municipality::VARCHAR)
  AND {_IN_SCOPE}
ORDER BY w.month, s.municipality, s.name_fi
"""
# The region's (municipality NULL) or one municipality's rows of mart_workload_unit, where every figure is defined.
_WORKLOAD_SERIES = """
SELECT month, load_ratio, required_hours_week, capacity_hours_week, secretary_fte, secretary_net_fte, load_ratio_cv,
       overload_share, load_ratio_min, load_ratio_max, load_ratio_range, stations_with_ratio, stations,
       overload_threshold
FROM mart_workload_unit
WHERE level = CASE WHEN $municipality::VARCHAR IS NULL THEN 'region' ELSE 'municipality' END
  AND municipality IS NOT DISTINCT FROM $municipality::VARCHAR
ORDER BY month
"""


def workload(db: str | Path, scope: Scope, month: date | None = None, station_id: str | None = None,
             municipality: str | None = None) -> pl.DataFrame:
    """Workload per station and month (stations outside the scope are left out)."""
    _check_station(scope, station_id)
    params = {"month": month, "station": station_id, "municipality": municipality,
              "stations": scope_rules.stations_param(scope)}
    return frame(db, _WORKLOAD, params)


def workload_series(db: str | Path, municipality: str | None = None, threshold: float | None = None) -> pl.DataFrame:
    """Per month for the region (municipality None) or one municipality: load ratio, its spread, overload share.

    The overload share is the warehouse's, at the `overload_ratio` of config/asetukset.toml it was built with; a
    different `threshold` is refused (ValueError) rather than computed here a second way.
    """
    df = frame(db, _WORKLOAD_SERIES, {"municipality": municipality})
    built = set(df["overload_threshold"].to_list())
    if threshold is not None and built and built != {threshold}:
        raise ValueError(f"ylikuormitusraja {threshold} ≠ varaston {sorted(built)} (config/asetukset.toml)")
    return df.drop("overload_threshold")


def workload_region(db: str | Path) -> pl.DataFrame:
    """Region per month: load ratio (Σ required / Σ capacity), its spread and the overload share."""
    return workload_series(db)


# --- sick leave ---------------------------------------------------------------------------------------

def _by_scope(sql: str, table: str, alias: str) -> dict[bool, str]:
    """`sql` with its `{TOTALS}` condition: TRUE for a scope that sees every station, the total rule for a limited one.

    Two module-constant statements, so a scope that sees every station never pays for the rule's subquery.
    """
    limited = scope_rules.totals_condition(table, alias)
    return {False: sql.replace("{TOTALS}", "TRUE"), True: sql.replace("{TOTALS}", limited)}


def _scoped(sql: dict[bool, str], scope: Scope) -> str:
    return sql[not scope.all_stations]


# One unit's rows (a station's, or the municipality's / region's total) of one role group (NULL = all roles).
_SICK = _by_scope(f"""
SELECT t.month, t.municipality, t.station_id, t.role_group, t.headcount, t.sick_leave_rate, t.suppressed
FROM mart_sick_leave AS t
WHERE CASE WHEN $station::VARCHAR IS NULL
           THEN t.station_id IS NULL AND t.municipality IS NOT DISTINCT FROM $municipality::VARCHAR
           ELSE t.station_id = $station::VARCHAR END
  AND t.role_group IS NOT DISTINCT FROM $role_group::VARCHAR
  AND (t.station_id IS NULL OR {scope_rules.stations_condition("t.station_id")})
  AND {{TOTALS}}
ORDER BY t.month
""", "mart_sick_leave", "t")


def sick_leave(db: str | Path, scope: Scope, municipality: str | None = None, station_id: str | None = None,
               role_group: str | None = None) -> pl.DataFrame:
    """Sick-leave rate per month of one unit (region when both are None) and role group (None = all)."""
    _check_station(scope, station_id)
    params = {"station": station_id, "municipality": None if station_id is not None else municipality,
              "role_group": role_group, "stations": scope_rules.stations_param(scope)}
    return frame(db, _scoped(_SICK, scope), params)


# --- division of labour -------------------------------------------------------------------------------

# Rounds of the stations asked for (station / municipality NULL = any) in the scope. The filters keep or drop whole
# stations, so each station's round number and latest flag are those of all its rounds.
_COMPLIANCE = f"""
SELECT c.station_id, s.name_fi, s.name_sv, s.municipality, c.mapping_date, c.task_group, c.total_hours_week,
       c.compliant_hours_week, c.compliance_share, c.clinician_admin_hours_week, c.secretary_task_hours_week,
       dense_rank() OVER (PARTITION BY c.station_id ORDER BY c.mapping_date) AS round_no,
       c.mapping_date = max(c.mapping_date) OVER (PARTITION BY c.station_id) AS is_latest
FROM mart_compliance AS c LEFT JOIN mart_rollout AS s USING (station_id)
WHERE ($station::VARCHAR IS NULL OR c.station_id = $station::VARCHAR)
  AND ($municipality::VARCHAR IS NULL OR s.municipality = $municipality::VARCHAR)
  AND {scope_rules.stations_condition("c.station_id")}
ORDER BY s.municipality, s.name_fi, c.mapping_date, c.task_group NULLS FIRST
"""
_TASKS = """
SELECT t.station_id, s.name_fi AS station_name, t.mapping_date, t.task_id, t.task_name, t.task_group, t.owner_role,
       t.owner_role_group, t.performer_role, t.performer_role_group, t.hours_week, t.compliant
FROM mart_compliance_tasks AS t LEFT JOIN mart_rollout AS s USING (station_id)
WHERE t.station_id = $1
ORDER BY t.mapping_date, t.task_group, t.task_name, t.hours_week DESC
"""


def compliance(db: str | Path, scope: Scope, municipality: str | None = None,
               station_id: str | None = None) -> pl.DataFrame:
    """Compliance per station × mapping round × task group (task_group null = all groups)."""
    _check_station(scope, station_id)
    params = {"station": station_id, "municipality": municipality, "stations": scope_rules.stations_param(scope)}
    return frame(db, _COMPLIANCE, params)


def task_detail(db: str | Path, scope: Scope, station_id: str) -> pl.DataFrame:
    """Who performs each task at one station, per mapping round (hours per week)."""
    _check_station(scope, station_id)
    return frame(db, _TASKS, (station_id,))


# --- Pulssi -------------------------------------------------------------------------------------------

_PULSSI_SELECT = """
SELECT p.month, p.municipality, p.station_id, s.name_fi AS station_name, s.name_sv AS station_name_sv,
       p.role_group, p.question_id, q.text_fi, q.text_sv, p.question_type,
       p.respondents, p.responses, p.headcount, p.participation_rate, p.mean_score, p.favourable_share, p.enps,
       p.suppressed
FROM mart_pulssi AS p
LEFT JOIN mart_rollout AS s USING (station_id)
LEFT JOIN stg_questions AS q USING (question_id)
"""
_IN_SCOPE_P = scope_rules.stations_condition("p.station_id")
_PULSSI = _by_scope(_PULSSI_SELECT + f"""
WHERE (p.station_id IS NULL OR {_IN_SCOPE_P}) AND {{TOTALS}}
ORDER BY p.month, p.question_id
""", "mart_pulssi", "p")
# The rows a Pulssi view shows: optionally one month / question / question type, one role group (NULL = all roles),
# the total of one unit ($total: the region's, or $total_municipality's, and with $with_region the region's too)
# and the station rows of one station or
# municipality ($with_stations; each NULL = any) in the scope.
_PULSSI_ROWS = _by_scope(_PULSSI_SELECT + f"""
WHERE ($month::DATE IS NULL OR p.month = $month::DATE)
  AND ($question::VARCHAR IS NULL OR p.question_id = $question::VARCHAR)
  AND ($qtype::VARCHAR IS NULL OR p.question_type = $qtype::VARCHAR)
  AND p.role_group IS NOT DISTINCT FROM $role_group::VARCHAR
  AND CASE WHEN p.station_id IS NULL
           THEN $total::BOOLEAN AND (p.municipality IS NOT DISTINCT FROM $total_municipality::VARCHAR
                                     OR $with_region::BOOLEAN AND p.municipality IS NULL)
           ELSE $with_stations::BOOLEAN AND ($station::VARCHAR IS NULL OR p.station_id = $station::VARCHAR)
                AND ($municipality::VARCHAR IS NULL OR p.municipality = $municipality::VARCHAR) AND {_IN_SCOPE_P} END
  AND {{TOTALS}}
ORDER BY p.month, p.question_id, p.station_id NULLS FIRST
""", "mart_pulssi", "p")
_COMMENTS = f"""
SELECT c.comment FROM mart_pulssi_comments AS c
WHERE c.month = $month::DATE
  AND (c.station_id IS NULL OR {scope_rules.stations_condition("c.station_id")})
  AND ($station::VARCHAR IS NULL OR c.station_id = $station::VARCHAR)
  AND ($station::VARCHAR IS NOT NULL OR $municipality::VARCHAR IS NULL OR c.municipality = $municipality::VARCHAR)
ORDER BY c.comment
"""


def pulssi(db: str | Path, scope: Scope) -> pl.DataFrame:
    """Every Pulssi group the scope may see (suppressed scores are already empty)."""
    return frame(db, _scoped(_PULSSI, scope), {"stations": scope_rules.stations_param(scope)})


def pulssi_rows(db: str | Path, scope: Scope, *, month: date | None = None, question_id: str | None = None,
                question_type: str | None = None, role_group: str | None = None, total: bool = False,
                total_municipality: str | None = None, with_region: bool = False, with_stations: bool = False,
                station_id: str | None = None, municipality: str | None = None) -> pl.DataFrame:
    """The Pulssi rows of one view, selected in SQL: a unit's total and / or station rows in the scope (`pulssi`'s
    columns); `role_group` None = the all-roles rows."""
    _check_station(scope, station_id)
    params = {"month": month, "question": question_id, "qtype": question_type, "role_group": role_group,
              "total": total, "total_municipality": total_municipality, "with_region": with_region,
              "with_stations": with_stations,
              "station": station_id, "municipality": municipality, "stations": scope_rules.stations_param(scope)}
    return frame(db, _scoped(_PULSSI_ROWS, scope), params)


def pulssi_unit(db: str | Path, scope: Scope, municipality: str | None = None, station_id: str | None = None,
                role_group: str | None = None) -> pl.DataFrame:
    """Pulssi rows of one unit (region, municipality or station) and role group, all months and questions."""
    return _pulssi_unit(db, scope, municipality, station_id, role_group)


def _pulssi_unit(db: str | Path, scope: Scope, municipality: str | None, station_id: str | None,
                 role_group: str | None, month: date | None = None, question_id: str | None = None) -> pl.DataFrame:
    if station_id is not None:
        return pulssi_rows(db, scope, month=month, question_id=question_id, role_group=role_group,
                           with_stations=True, station_id=station_id)
    return pulssi_rows(db, scope, month=month, question_id=question_id, role_group=role_group, total=True,
                       total_municipality=municipality)


def pulssi_index(db: str | Path, scope: Scope, municipality: str | None = None, station_id: str | None = None,
                 role_group: str | None = None) -> pl.DataFrame:
    """Per month: the Pulssi index (mean of the shown likert question means), participation and eNPS."""
    df = pulssi_unit(db, scope, municipality, station_id, role_group)
    likert = df.filter(pl.col("question_type") == "likert")
    index = likert.group_by("month").agg(
        pl.col("mean_score").mean().alias("pulssi_index"),
        pl.col("suppressed").all().alias("suppressed"),
        pl.col("participation_rate").max().alias("participation_rate"),
        pl.col("responses").max().alias("responses"),
        pl.col("headcount").max().alias("headcount"),
    )
    enps = df.filter(pl.col("question_type") == "enps").group_by("month").agg(pl.col("enps").first().alias("enps"))
    return index.join(enps, on="month", how="left").sort("month")


def comments(db: str | Path, scope: Scope, month: date, municipality: str | None = None,
             station_id: str | None = None) -> pl.DataFrame:
    """Free-text comments shown for one unit and month: its own pools (each comment is in exactly one pool)."""
    _check_station(scope, station_id)
    params = {"month": month, "station": station_id, "municipality": municipality,
              "stations": scope_rules.stations_param(scope)}
    return frame(db, _COMMENTS, params)


# --- rollout ------------------------------------------------------------------------------------------

_ROLLOUT = f"""
SELECT station_id, name_fi, name_sv, municipality, wave, planned_go_live, go_live, status, open_questions,
       resolved_questions, median_days_to_resolve
FROM mart_rollout WHERE status <> 'lakkautettu' AND {scope_rules.stations_condition()}
  AND ($station::VARCHAR IS NULL OR station_id = $station::VARCHAR)
  AND ($municipality::VARCHAR IS NULL OR municipality = $municipality::VARCHAR)
ORDER BY wave NULLS LAST, coalesce(go_live, planned_go_live) NULLS LAST, name_fi
"""
_ROLLOUT_SUMMARY = """
SELECT municipality, status, count(*) AS stations, sum(open_questions) AS open_questions
FROM mart_rollout WHERE status <> 'lakkautettu' GROUP BY ALL ORDER BY municipality, status
"""
_QUESTION_LOG = f"""
SELECT q.question_no, q.opened, q.station_id, s.name_fi AS station_name, q.topic, q.status, q.resolved,
       CASE WHEN q.status = 'avoin' THEN date_diff('day', q.opened, current_date)
            ELSE date_diff('day', q.opened, q.resolved) END AS age_days
FROM stg_question_log AS q LEFT JOIN mart_rollout AS s USING (station_id)
WHERE q.station_id IS NULL OR ({scope_rules.stations_condition("q.station_id")}
  AND ($station::VARCHAR IS NULL OR q.station_id = $station::VARCHAR)
  AND ($municipality::VARCHAR IS NULL OR s.municipality = $municipality::VARCHAR))
ORDER BY q.status, q.opened
"""


def rollout(db: str | Path, scope: Scope) -> pl.DataFrame:
    """Rollout status per station in the scope."""
    return _rollout(db, scope)


def _rollout(db: str | Path, scope: Scope, municipality: str | None = None, station_id: str | None = None
             ) -> pl.DataFrame:
    return _in_unit(db, _ROLLOUT, scope, municipality, station_id)


def _in_unit(db: str | Path, sql: str, scope: Scope, municipality: str | None, station_id: str | None
             ) -> pl.DataFrame:
    """Rows of a query bound to a unit (station or municipality, each None = any) and the scope's stations."""
    _check_station(scope, station_id)
    params = {"station": station_id, "municipality": municipality, "stations": scope_rules.stations_param(scope)}
    return frame(db, sql, params)


def rollout_summary(db: str | Path) -> pl.DataFrame:
    """Stations per municipality and status (a total any user may see)."""
    return frame(db, _ROLLOUT_SUMMARY)


def question_log(db: str | Path, scope: Scope) -> pl.DataFrame:
    """Rollout questions: region-wide ones and those of stations in the scope."""
    return _question_log(db, scope)


def _question_log(db: str | Path, scope: Scope, municipality: str | None = None, station_id: str | None = None
                  ) -> pl.DataFrame:
    return _in_unit(db, _QUESTION_LOG, scope, municipality, station_id)


# --- goals --------------------------------------------------------------------------------------------

_GOALS = "SELECT * FROM mart_goal_progress ORDER BY goal_id, indicator_id"


def goal_progress(db: str | Path) -> pl.DataFrame:
    """Every indicator of the five goals (region level)."""
    return frame(db, _GOALS)


# --- loads --------------------------------------------------------------------------------------------

_LOAD_LOG = """
SELECT load_id, loaded_at, file_name, source, "rows", outcome, message, content_hash FROM load_log
ORDER BY load_id DESC, file_name
"""


def load_log(db: str | Path, scope: Scope) -> pl.DataFrame:
    """The load log (project manager only)."""
    if not scope.can_upload:
        raise PermissionError("latausloki on vain projektipäällikön nähtävissä")
    return frame(db, _LOAD_LOG)
