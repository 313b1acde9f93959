"""Query layer of the Arviointitavoitteet page: goal progress, trends, before/after go-live, station drill-down.

Every figure comes from the goal marts built by warehouse/goals.py (`mart_goal_progress`,
`mart_goal_progress_station`, `mart_goal_trend`, `mart_before_after`); this module only selects, joins, filters
and adds simple differences, so the page itself never computes a figure.

Scope rules:
- region rows (goal progress, trend) are totals every user may see;
- station rows (`mart_goal_progress_station`) are selected in SQL with the scope's stations as a bound parameter,
  so stations outside the scope never leave this module, and an explicitly asked station outside the scope
  raises PermissionError;
- before/after points are means over stations without a station column. For a scope limited to some stations
  (a station manager) a point or comparison value behind fewer than MIN_SCOPED_STATIONS stations is blanked,
  so that no single other station's figure can be read from it (with two stations and one's own value known,
  the other's would follow).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import polars as pl

from dashboard import queries
from dashboard import scope as scope_rules
from dashboard.access import Scope
from dashboard.present import BEFORE_AFTER_MONTHS

GOAL_MARTS = ("mart_goal_progress", "mart_goal_progress_station", "mart_goal_trend", "mart_before_after")
MIN_SCOPED_STATIONS = 3  # before/after points behind fewer stations are blanked for a limited scope
BA_MEASURES = ("pulssi_mean", "sick_leave_rate", "load_ratio", "compliance_share")
UNIT_BOUNDS: dict[str | None, tuple[float | None, float | None]] = {
    "score": (1.0, 5.0), "share": (0.0, 1.0), "enps": (-100.0, 100.0), "hours_week": (0.0, None), "ratio": (0.0, None),
}

_TABLES = "SELECT table_name FROM information_schema.tables"
_PROGRESS = """
SELECT *, "current" - baseline AS change
FROM mart_goal_progress
ORDER BY goal_id, indicator_order, indicator_id
"""
_TREND = """
SELECT t.goal_id, t.indicator_id, p.unit, t.month, t.value
FROM mart_goal_trend AS t
LEFT JOIN mart_goal_progress AS p USING (goal_id, indicator_id)
ORDER BY t.goal_id, t.indicator_id, t.month
"""
_SINCE = """
SELECT count(*) AS stations_total,
       count(go_live) AS stations_live,
       min(go_live) AS first_go_live,
       max(go_live) AS latest_go_live,
       coalesce((SELECT max(month) FROM mart_workload), (SELECT max(current_month) FROM mart_goal_progress))
         AS reference_month
FROM mart_rollout
"""
_BEFORE_AFTER = """
SELECT measure, question_id, role_group, unit, relative_month, mean_value, ci_low, ci_high, n_stations,
       comparison_value, comparison_n
FROM mart_before_after
ORDER BY measure, question_id NULLS FIRST, role_group NULLS FIRST, relative_month
"""
_BA_ANY = "SELECT 1 FROM mart_before_after WHERE n_stations > 0 LIMIT 1"
_STATION_INDICATORS = "SELECT DISTINCT indicator_id FROM mart_goal_progress_station"
_STATION_VALUES = f"""
SELECT indicator_id, station_id, "current" FROM mart_goal_progress_station
WHERE station_id IS NULL OR {scope_rules.stations_condition()}
"""
# One indicator's rows of the stations in the scope, of one municipality or station (each NULL = any).
_STATION_PROGRESS = f"""
SELECT p.*, p."current" - p.baseline AS change, r.name_fi, r.name_sv, r.municipality, r.go_live
FROM mart_goal_progress_station AS p
LEFT JOIN mart_rollout AS r USING (station_id)
WHERE p.indicator_id = $indicator::VARCHAR
  AND ($municipality::VARCHAR IS NULL OR r.municipality = $municipality::VARCHAR)
  AND ($station::VARCHAR IS NULL OR p.station_id = $station::VARCHAR)
  AND (p.station_id IS NULL OR {scope_rules.stations_condition("p.station_id")})
ORDER BY p.goal_id, p.indicator_order, r.municipality, r.name_fi, p.station_id
"""

PROGRESS_SCHEMA: dict[str, Any] = {
    "goal_id": pl.Int32, "goal_title": pl.String, "goal_title_sv": pl.String, "indicator_id": pl.String,
    "indicator_order": pl.Int32, "indicator_name": pl.String, "indicator_name_sv": pl.String,
    "metric": pl.String, "question_id": pl.String, "role_group": pl.String, "direction": pl.String,
    "unit": pl.String, "baseline_kind": pl.String, "baseline": pl.Float64, "baseline_label": pl.String,
    "baseline_start": pl.Date, "baseline_end": pl.Date, "baseline_stations": pl.Int32, "target": pl.Float64,
    "current": pl.Float64, "current_month": pl.Date, "progress": pl.Float64, "status": pl.String,
    "change": pl.Float64,
}
TREND_SCHEMA: dict[str, Any] = {
    "goal_id": pl.Int32, "indicator_id": pl.String, "unit": pl.String, "month": pl.Date, "value": pl.Float64,
}
STATION_SCHEMA: dict[str, Any] = {
    **PROGRESS_SCHEMA, "station_id": pl.String, "municipality": pl.String, "go_live": pl.Date,
    "station_name": pl.String, "title": pl.String, "name": pl.String,
}
BEFORE_AFTER_SCHEMA: dict[str, Any] = {
    "measure": pl.String, "question_id": pl.String, "role_group": pl.String, "unit": pl.String,
    "relative_month": pl.Int32, "mean_value": pl.Float64, "ci_low": pl.Float64, "ci_high": pl.Float64,
    "n_stations": pl.Int32, "comparison_value": pl.Float64, "comparison_n": pl.Int32,
}


def _tables(db: str | Path) -> set[str]:
    return set(queries.frame(db, _TABLES)["table_name"].to_list())


def has_goal_marts(db: str | Path) -> bool:
    """Whether the warehouse holds all four goal marts (an older warehouse may lack them)."""
    return set(GOAL_MARTS) <= _tables(db)


def _eq(column: str, value: str | None) -> pl.Expr:
    return pl.col(column).is_null() if value is None else pl.col(column) == value


def _localised(lang: str) -> list[pl.Expr]:
    """`title` and `name` in the UI language (Swedish falls back to Finnish)."""
    if lang == "sv":
        return [
            pl.coalesce("goal_title_sv", "goal_title").alias("title"),
            pl.coalesce("indicator_name_sv", "indicator_name").alias("name"),
        ]
    return [pl.col("goal_title").alias("title"), pl.col("indicator_name").alias("name")]


# --- goal progress (region) ---------------------------------------------------------------------------------


def goal_progress(db: str | Path, lang: str = "fi") -> pl.DataFrame:
    """Every indicator of the goals for the whole region, in goal and indicator order.

    Columns of `mart_goal_progress` plus `change` (current − baseline) and `title` / `name` in the UI language.
    """
    if "mart_goal_progress" not in _tables(db):
        return pl.DataFrame(schema=PROGRESS_SCHEMA).with_columns(_localised(lang))
    df = queries.frame(db, _PROGRESS)
    df = df.cast({c: t for c, t in PROGRESS_SCHEMA.items() if c in df.columns})  # type: ignore[arg-type]
    return df.with_columns(_localised(lang))


def has_figures(goals: pl.DataFrame) -> bool:
    """Whether any indicator has a baseline or a current value (false on an empty warehouse)."""
    return not goals.is_empty() and bool(
        goals.select(pl.col("baseline").is_not_null().any() | pl.col("current").is_not_null().any()).item()
    )


def goals_of(goals: pl.DataFrame) -> list[tuple[int, str, pl.DataFrame]]:
    """(goal id, title, its indicator rows) in goal order."""
    out = []
    for goal_id in goals["goal_id"].unique(maintain_order=True).to_list():
        rows = goals.filter(pl.col("goal_id") == goal_id).sort("indicator_order")
        out.append((int(goal_id), str(rows["title"][0]), rows))
    return out


def goal_trend(db: str | Path, indicator_id: str | None = None) -> pl.DataFrame:
    """Region value per month of every indicator (or one): goal_id, indicator_id, unit, month, value."""
    if not {"mart_goal_trend", "mart_goal_progress"} <= _tables(db):
        return pl.DataFrame(schema=TREND_SCHEMA)
    df = queries.frame(db, _TREND).cast(TREND_SCHEMA)  # type: ignore[arg-type]
    if indicator_id is not None:
        df = df.filter(pl.col("indicator_id") == indicator_id)
    return df


def since(db: str | Path) -> dict[str, Any]:
    """Rollout totals behind "since when": stations live / all, the first and latest go-live, and the reference
    month of the current values (the latest staffing month, as in warehouse/goals.py; else the latest current
    month of the goals)."""
    row = queries.frame(db, _SINCE).row(0, named=True)
    return {
        "stations_total": int(row["stations_total"] or 0),
        "stations_live": int(row["stations_live"] or 0),
        "first_go_live": row["first_go_live"],
        "latest_go_live": row["latest_go_live"],
        "reference_month": row["reference_month"],
    }


# --- before / after go-live -------------------------------------------------------------------------------


def _min_stations(scope: Scope) -> int:
    return 1 if scope.all_stations else MIN_SCOPED_STATIONS


def _before_after_all(db: str | Path, scope: Scope) -> pl.DataFrame:
    """mart_before_after with the values blanked that the scope may not see (see the module docstring)."""
    if "mart_before_after" not in _tables(db):
        return pl.DataFrame(schema=BEFORE_AFTER_SCHEMA)
    df = queries.frame(db, _BEFORE_AFTER).cast(BEFORE_AFTER_SCHEMA)  # type: ignore[arg-type]
    lo, hi = BEFORE_AFTER_MONTHS
    df = df.filter(pl.col("relative_month").is_between(lo, hi))
    k = _min_stations(scope)
    shown = pl.col("n_stations") >= k
    compared = pl.col("comparison_n") >= k
    return df.with_columns(
        [pl.when(shown).then(pl.col(c)).alias(c) for c in ("mean_value", "ci_low", "ci_high")]
        + [pl.when(compared).then(pl.col("comparison_value")).alias("comparison_value")]
        + [(~shown & (pl.col("n_stations") > 0)).alias("hidden"),
           (~compared & (pl.col("comparison_n") > 0)).alias("comparison_hidden")]
    )


def before_after_options(db: str | Path, scope: Scope) -> pl.DataFrame:
    """The before/after series that have at least one point the scope may see.

    Columns measure, question_id, role_group, unit, points (relative months with a mean).
    """
    df = _before_after_all(db, scope)
    schema = {"measure": pl.String, "question_id": pl.String, "role_group": pl.String, "unit": pl.String,
              "points": pl.UInt32}
    if df.is_empty():
        return pl.DataFrame(schema=schema)
    order = {m: i for i, m in enumerate(BA_MEASURES)}
    return (
        df.group_by("measure", "question_id", "role_group", "unit")
        .agg(pl.col("mean_value").count().cast(pl.UInt32).alias("points"))
        .filter(pl.col("points") > 0)
        .with_columns(pl.col("measure").replace_strict(order, default=len(order), return_dtype=pl.Int32).alias("o"))
        .sort("o", "question_id", "role_group", nulls_last=False)
        .drop("o")
    )


def before_after(db: str | Path, scope: Scope, measure: str, question_id: str | None = None,
                 role_group: str | None = None) -> pl.DataFrame:
    """One before/after series, relative months −6…+12 (0 = go-live month).

    mean_value with its 95 % interval ci_low..ci_high over the n_stations stations live long enough; the comparison
    line comparison_value over comparison_n stations not yet live in the same calendar months; difference =
    mean_value − comparison_value; `hidden` / `comparison_hidden` mark values blanked for a limited scope.
    The interval is cut at the bounds a value can take (a share 0..1, a Pulssi mean 1..5, a ratio ≥ 0): the mart's
    mean ± 1.96 × sd / √n of a few stations can reach below a 0 % sick-leave rate.
    """
    df = _before_after_all(db, scope).filter(
        (pl.col("measure") == measure) & _eq("question_id", question_id) & _eq("role_group", role_group)
    )
    unit = df["unit"][0] if not df.is_empty() else None
    low, high = UNIT_BOUNDS.get(unit, (None, None))
    return df.with_columns(
        pl.col("ci_low").clip(low, high),
        pl.col("ci_high").clip(low, high),
        (pl.col("mean_value") - pl.col("comparison_value")).alias("difference"),
    ).sort("relative_month")


def has_before_after(db: str | Path) -> bool:
    """Whether mart_before_after has any point at all (for any scope)."""
    return "mart_before_after" in _tables(db) and not queries.frame(db, _BA_ANY).is_empty()


def has_points(series: pl.DataFrame) -> bool:
    """Whether a before/after series has any mean to draw."""
    return not series.is_empty() and series["mean_value"].drop_nulls().len() > 0


# --- station drill-down -----------------------------------------------------------------------------------


def drilldown_allowed(scope: Scope) -> bool:
    """Station drill-down: scopes that see every station, or a manager with stations of their own."""
    return scope.all_stations or bool(scope.stations)


def station_indicators(db: str | Path, scope: Scope, lang: str = "fi") -> pl.DataFrame:
    """Indicators that have station rows: goal_id, indicator_id, name, unit and `stations_with_value` (stations
    of the scope with a current value), in goal order."""
    goals = goal_progress(db, lang)
    columns = ["goal_id", "indicator_id", "name", "unit"]
    if "mart_goal_progress_station" not in _tables(db) or goals.is_empty():
        return goals.select(columns).with_columns(pl.lit(0, pl.UInt32).alias("stations_with_value")).clear()
    rows = queries.frame(db, _STATION_VALUES, {"stations": scope_rules.stations_param(scope)})
    if not drilldown_allowed(scope):
        rows = rows.clear()
    counts = rows.group_by("indicator_id").agg(pl.col("current").count().cast(pl.UInt32).alias("stations_with_value"))
    present = queries.frame(db, _STATION_INDICATORS)["indicator_id"].to_list()
    return (
        goals.filter(pl.col("indicator_id").is_in(present))
        .select(columns)
        .join(counts, on="indicator_id", how="left", maintain_order="left")
        .with_columns(pl.col("stations_with_value").fill_null(0))
    )


def station_progress(db: str | Path, scope: Scope, indicator_id: str, municipality: str | None = None,
                     station_id: str | None = None, lang: str = "fi") -> pl.DataFrame:
    """Baseline, current, change, progress and status of one indicator per station in the scope.

    Optionally only the stations of a municipality or one station (which must be in the scope).
    """
    queries._check_station(scope, station_id)
    if "mart_goal_progress_station" not in _tables(db):
        return pl.DataFrame(schema=STATION_SCHEMA)
    params = {"indicator": indicator_id, "municipality": municipality, "station": station_id,
              "stations": scope_rules.stations_param(scope)}
    df = queries.frame(db, _STATION_PROGRESS, params)
    if not drilldown_allowed(scope):
        df = df.clear()
    primary = "name_sv" if lang == "sv" else "name_fi"
    return df.with_columns(
        pl.coalesce(pl.col(primary), pl.col("name_fi"), pl.col("station_id")).alias("station_name"),
        *_localised(lang),
    ).drop("name_fi", "name_sv")
