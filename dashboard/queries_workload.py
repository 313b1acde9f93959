"""Query layer of the Työkuorma page: station rows of one month, unit series and the spread across stations.

Station-level rows come only through `queries.workload` (which selects only stations inside the scope). Region and
municipality series are the rows of `mart_workload_unit` (totals over the published station figures of
`mart_workload`); for a limited scope a month's total is blanked (`hidden`) when, without the scope's own stations,
it aggregates fewer than two stations (dashboard/scope.py). A station's actual capacity, where the published one is
estimated, reaches its own esihenkilö only (`actual_capacity`).
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import polars as pl

from core.settings import settings
from dashboard import fmt, queries
from dashboard import scope as scope_rules
from dashboard.access import Scope
from dashboard.overview import Kpi

# The band of a balanced station (config/asetukset.toml); the warehouse's marts read the same values from ref_settings.
LOW = settings().load_ratio_low
HIGH = settings().load_ratio_high
BANDS = ("under", "within", "over")

_SERIES_SCHEMA = {
    "month": pl.Date, "load_ratio": pl.Float64, "required_hours_week": pl.Float64,
    "capacity_hours_week": pl.Float64, "secretary_fte": pl.Float64, "secretary_net_fte": pl.Float64,
    "load_ratio_cv": pl.Float64, "overload_share": pl.Float64, "load_ratio_min": pl.Float64,
    "load_ratio_max": pl.Float64, "load_ratio_range": pl.Float64, "stations_with_ratio": pl.Int64, "stations": pl.Int64,
    "estimated_stations": pl.Int64, "hidden": pl.Boolean,
}
KPI_COLUMNS = ("load_ratio", "load_ratio_cv", "overload_share", "load_ratio_min", "load_ratio_max", "load_ratio_range")


# Per month of the unit: how many of its stations (and of those with a ratio) lie outside the scope's own stations.
_OTHERS = f"""
SELECT u.month, u.capacity_estimated_stations AS estimated_stations,
       u.stations - count(w.station_id) AS other_stations,
       u.stations_with_ratio - count(w.load_ratio) AS other_with_ratio
FROM mart_workload_unit AS u
LEFT JOIN mart_workload_unit AS w
    ON w.level = 'station' AND w.month = u.month AND (u.level = 'region' OR w.municipality = u.municipality)
   AND {scope_rules.stations_condition("w.station_id")}
WHERE u.level = CASE WHEN $municipality::VARCHAR IS NULL THEN 'region' ELSE 'municipality' END
  AND u.municipality IS NOT DISTINCT FROM $municipality::VARCHAR
GROUP BY u.month, u.capacity_estimated_stations, u.stations, u.stations_with_ratio
ORDER BY u.month
"""
_ACTUAL = """
SELECT station_id, month, actual_secretary_net_fte AS secretary_net_fte,
       actual_capacity_hours_week AS capacity_hours_week, actual_load_ratio AS load_ratio, region_secretary_sick_rate
FROM int_workload_capacity
WHERE station_id = $1 AND capacity_estimated AND secretaries > 0
ORDER BY month
"""
SERIES_VALUES = tuple(c for c in _SERIES_SCHEMA if c not in ("month", "hidden"))


def unit_series(db: str | Path, municipality: str | None = None, scope: Scope | None = None) -> pl.DataFrame:
    """Per month for the region (municipality None) or one municipality: load ratio and its spread.

    `estimated_stations` counts the stations whose capacity is the contract's estimate. For a limited scope, a
    month whose total aggregates fewer than two stations besides the scope's own has every figure blanked and
    `hidden` true (the total would be another station's figure by subtraction).
    """
    df = queries.workload_series(db, municipality)
    if df.is_empty():
        return pl.DataFrame(schema=_SERIES_SCHEMA)  # type: ignore[arg-type]
    limited = scope is not None and not scope.all_stations
    others = queries.frame(db, _OTHERS, {
        "municipality": municipality, "stations": scope_rules.stations_param(scope) if limited else [],
    })
    # The sums cover every station of the month, the ratio and its spread the stations with a ratio: a total is
    # hidden when either, without the scope's own stations, holds one other station (or the sums none).
    need = scope_rules.MIN_OTHER_STATIONS
    is_hidden = (
        (pl.col("other_stations") < need) | ((pl.col("other_with_ratio") > 0) & (pl.col("other_with_ratio") < need))
        if limited else pl.lit(False)
    )
    df = df.join(others.with_columns(is_hidden.alias("hidden")).drop("other_stations", "other_with_ratio"),
                 on="month", how="left")
    df = df.with_columns(
        [pl.when(pl.col("hidden")).then(None).otherwise(pl.col(c)).alias(c) for c in SERIES_VALUES]
    )
    return df.cast(_SERIES_SCHEMA).select(list(_SERIES_SCHEMA))  # type: ignore[arg-type]


def actual_capacity(db: str | Path, scope: Scope, station_id: str) -> pl.DataFrame:
    """The station's actual secretary net FTE, capacity and load ratio in the months its published ones are estimated.

    Health data of fewer than k people: only the station's own esihenkilö may see it (PermissionError otherwise).
    """
    if not scope_rules.sees_actual_capacity(scope, station_id):
        raise PermissionError(f"aseman {station_id} toteutunut kapasiteetti näytetään vain aseman esihenkilölle")
    return queries.frame(db, _ACTUAL, (station_id,))


def hidden_total(series: pl.DataFrame, month: date) -> bool:
    """Whether the month's total of a unit series is hidden from the scope."""
    row = series.filter(pl.col("month") == month)
    return not row.is_empty() and bool(row["hidden"][0])


def _name_expr(lang: str) -> pl.Expr:
    primary = "name_sv" if lang == "sv" else "name_fi"
    return pl.coalesce(pl.col(primary), pl.col("name_fi"), pl.col("station_id")).alias("station_name")


def _band_expr() -> pl.Expr:
    ratio = pl.col("load_ratio")
    return (
        pl.when(ratio.is_null()).then(None)
        .when(ratio > HIGH).then(pl.lit("over"))
        .when(ratio < LOW).then(pl.lit("under"))
        .otherwise(pl.lit("within"))
        .alias("band")
    )


def station_month(db: str | Path, scope: Scope, month: date, municipality: str | None = None,
                  lang: str = "fi") -> pl.DataFrame:
    """The month's workload row of every station in the scope (and in the municipality, when one is chosen).

    Adds `station_name` in the UI language, `band` (under / within / over the 0.9–1.1 band, empty without a
    ratio) and `sick_leave_pct` (the rate in per cent, empty when suppressed).
    """
    df = queries.workload(db, scope, month=month, municipality=municipality)
    return df.with_columns(
        _name_expr(lang),
        _band_expr(),
        pl.when(pl.col("sick_leave_suppressed")).then(None).otherwise(pl.col("sick_leave_rate") * 100)
        .alias("sick_leave_pct"),
    ).sort("station_name")


def has_estimated(rows: pl.DataFrame) -> bool:
    """Whether any station row with secretaries shows the contract's estimated capacity."""
    return not rows.is_empty() and bool(
        rows.select((pl.col("capacity_estimated") & (pl.col("secretary_fte") > 0)).any()).item()
    )


def k_anonymity(db: str | Path) -> int:
    """The k the warehouse's suppression was decided with."""
    return queries.built_k(db)


def with_sick_leave_text(df: pl.DataFrame, k: int, small_text: str, hidden_text: str) -> pl.DataFrame:
    """Add `sick_leave_text`: the rate in per cent with one decimal (Finnish comma), or why it is hidden.

    A station with fewer than k people gets `small_text` ("alle 5 henkilöä"); a station hidden only by secondary
    suppression gets `hidden_text`. The reason is the warehouse's (`sick_leave_suppression_reason`, decided with the
    k it was built with, see `k_anonymity`); `k` decides only for a frame without that column.
    """
    if df.is_empty():
        return df.with_columns(pl.lit(None, pl.String).alias("sick_leave_text"))
    shown = pl.col("sick_leave_pct").map_elements(lambda v: fmt.number(v, 1), return_dtype=pl.String)
    small = (pl.col("sick_leave_suppression_reason") == "small_group" if "sick_leave_suppression_reason" in df.columns
             else pl.col("headcount") < k)
    return df.with_columns(
        pl.when(pl.col("sick_leave_pct").is_not_null()).then(shown)
        .when(small).then(pl.lit(small_text))
        .otherwise(pl.lit(hidden_text))
        .alias("sick_leave_text")
    )


def station_trend(db: str | Path, scope: Scope, municipality: str | None = None, lang: str = "fi") -> pl.DataFrame:
    """Load ratio per station and month, for the stations in the scope (and municipality)."""
    df = queries.workload(db, scope, municipality=municipality)
    return df.select("station_id", _name_expr(lang), "municipality", "month", "load_ratio",
                     "required_hours_week", "capacity_hours_week")


def kpis(series: pl.DataFrame, month: date) -> dict[str, Kpi]:
    """The month's unit figures, each against the month before (empty when the month has no row)."""
    now = series.filter(pl.col("month") == month)
    if now.is_empty():
        return {}
    before = series.filter(pl.col("month") < month).sort("month").tail(1)

    def val(df: pl.DataFrame, col: str) -> float | None:
        return None if df.is_empty() or df[col][0] is None else float(df[col][0])

    return {col: Kpi(val(now, col), val(before, col)) for col in KPI_COLUMNS}


def station_kpi(db: str | Path, scope: Scope, month: date, station_id: str) -> Kpi:
    """One station's load ratio in the month, against its previous month with data."""
    df = queries.workload(db, scope, station_id=station_id).filter(pl.col("month") <= month).sort("month")
    now = df.filter(pl.col("month") == month)
    value = now["load_ratio"][0] if not now.is_empty() else None
    before = df.filter(pl.col("month") < month).tail(1)
    reference = before["load_ratio"][0] if not before.is_empty() else None
    return Kpi(value, reference)


def reference_values(db: str | Path, month: date, municipality: str | None, region_label: str,
                     municipality_label: str | None = None, scope: Scope | None = None) -> pl.DataFrame:
    """The month's region load ratio (and the municipality's, when one is chosen) as rows of label, value."""
    rows = [(region_label, unit_series(db, None, scope).filter(pl.col("month") == month)["load_ratio"])]
    if municipality is not None:
        rows.append((municipality_label or municipality,
                     unit_series(db, municipality, scope).filter(pl.col("month") == month)["load_ratio"]))
    labels = [label for label, values in rows if len(values) and values[0] is not None]
    values = [float(values[0]) for _, values in rows if len(values) and values[0] is not None]
    return pl.DataFrame({"label": labels, "value": values}, schema={"label": pl.String, "value": pl.Float64})


def reference_series(db: str | Path, municipality: str | None, region_label: str,
                     municipality_label: str | None = None, scope: Scope | None = None) -> pl.DataFrame:
    """The region's (and the municipality's) load ratio per month as rows of month, label, value."""
    parts = [unit_series(db, None, scope).select("month", pl.lit(region_label).alias("label"),
                                                 pl.col("load_ratio").alias("value"))]
    if municipality is not None:
        parts.append(unit_series(db, municipality, scope).select(
            "month", pl.lit(municipality_label or municipality).alias("label"), pl.col("load_ratio").alias("value")
        ))
    return pl.concat(parts)
