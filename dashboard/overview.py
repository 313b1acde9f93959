"""Key figures of the Yleiskuva page: one frame of monthly series per unit, and the month's KPIs."""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import polars as pl

from dashboard import queries
from dashboard.access import Scope


@dataclass(frozen=True)
class Kpi:
    """A key figure of one month, the value it is compared with, and the difference."""

    value: float | None
    reference: float | None

    @property
    def delta(self) -> float | None:
        """value − reference, when both exist."""
        if self.value is None or self.reference is None:
            return None
        return self.value - self.reference


def _month_end(d: date) -> date:
    return d.replace(day=calendar.monthrange(d.year, d.month)[1])


# Per month for one unit: the rows of mart_compliance_unit (each station's latest round on or before the month's end).
_COMPLIANCE_SERIES = """
SELECT month, compliance_share, clinician_admin_hours_week, stations_mapped
FROM mart_compliance_unit
WHERE task_group IS NULL
  AND level = CASE WHEN $station::VARCHAR IS NOT NULL THEN 'station'
                   WHEN $municipality::VARCHAR IS NOT NULL THEN 'municipality' ELSE 'region' END
  AND ($station::VARCHAR IS NULL OR station_id = $station::VARCHAR)
  AND ($municipality::VARCHAR IS NULL OR municipality = $municipality::VARCHAR)
ORDER BY month
"""
# Σ clinician admin hours of the unit's stations' first rounds (round 1 of mart_compliance_round_unit).
_FIRST_ROUND_HOURS = """
SELECT clinician_admin_hours_week AS first_round_clinician_hours_week
FROM mart_compliance_round_unit
WHERE round_no = 1 AND task_group IS NULL
  AND level = CASE WHEN $station::VARCHAR IS NOT NULL THEN 'station'
                   WHEN $municipality::VARCHAR IS NOT NULL THEN 'municipality' ELSE 'region' END
  AND ($station::VARCHAR IS NULL OR station_id = $station::VARCHAR)
  AND ($municipality::VARCHAR IS NULL OR municipality = $municipality::VARCHAR)
"""


def _compliance_series(db: str | Path, municipality: str | None, station_id: str | None) -> pl.DataFrame:
    """Per month for one unit (compliance is not personal data: every station of the unit, whatever the scope)."""
    unit = {"municipality": None if station_id else municipality, "station": station_id}
    return queries.frame(db, _COMPLIANCE_SERIES, unit)


def _first_round_clinician_hours(db: str | Path, municipality: str | None, station_id: str | None) -> float | None:
    """Clinician admin hours per week of the unit's stations' first mapping rounds."""
    unit = {"municipality": None if station_id else municipality, "station": station_id}
    values = queries.frame(db, _FIRST_ROUND_HOURS, unit)["first_round_clinician_hours_week"]
    return None if values.is_empty() or values[0] is None else float(values[0])


def _unit_stations(db: str | Path, municipality: str | None, station_id: str | None) -> list[str]:
    st = queries.stations(db)
    if station_id:
        return [station_id]
    if municipality:
        st = st.filter(pl.col("municipality") == municipality)
    return st["station_id"].to_list()


def series(db: str | Path, scope: Scope, municipality: str | None = None,
           station_id: str | None = None) -> pl.DataFrame:
    """Per month for one unit: stations live, compliance, clinician admin hours, Pulssi, eNPS, sick leave."""
    queries._check_station(scope, station_id)  # noqa: SLF001 - same layer
    ids = _unit_stations(db, municipality, station_id)
    months = pl.DataFrame({"month": queries.months(db)}, schema={"month": pl.Date})
    if months.is_empty():
        return months
    rollout = queries.stations(db).filter(pl.col("station_id").is_in(ids))
    # Stations live by each month's end: the number of sorted go-live dates on or before it (one pass, no per-month
    # filter of the frame).
    go_lives = rollout["go_live"].drop_nulls().sort()
    ends = pl.Series([_month_end(m) for m in months["month"].to_list()], dtype=pl.Date)
    live = months.with_columns(
        go_lives.search_sorted(ends, side="right").cast(pl.Int64).alias("stations_live"),
        pl.lit(rollout.height, pl.Int64).alias("stations_total"),
    )
    # Compliance is not personal data: aggregate over every station of the unit, whatever the scope.
    comp_series = _compliance_series(db, municipality, station_id)
    first_hours = _first_round_clinician_hours(db, municipality, station_id)
    pulssi = queries.pulssi_index(db, scope, municipality if not station_id else None, station_id)
    sick = queries.sick_leave(db, scope, municipality if not station_id else None, station_id).select(
        "month", "sick_leave_rate", pl.col("suppressed").alias("sick_leave_suppressed")
    )
    out = (
        live.join(comp_series, on="month", how="left").with_columns(pl.col("stations_mapped").fill_null(0))
        .join(pulssi.rename({"suppressed": "pulssi_suppressed"}), on="month", how="left")
        .join(sick, on="month", how="left")
        .with_columns(pl.lit(first_hours, pl.Float64).alias("first_round_clinician_hours_week"))
        .sort("month")
    )
    return out


def kpis(frame: pl.DataFrame, month: date) -> dict[str, Kpi]:
    """The month's key figures, each against last month (clinician hours: against the first mapping round)."""
    if frame.is_empty():
        return {}
    before = frame.filter(pl.col("month") < month).tail(1)
    now = frame.filter(pl.col("month") == month)
    if now.is_empty():
        return {}

    def val(df: pl.DataFrame, col: str) -> float | None:
        return None if df.is_empty() or df[col][0] is None else float(df[col][0])

    out = {
        col: Kpi(val(now, col), val(before, col))
        for col in ("compliance_share", "pulssi_index", "participation_rate", "enps", "sick_leave_rate",
                    "stations_live")
    }
    out["clinician_admin_hours_week"] = Kpi(
        val(now, "clinician_admin_hours_week"), val(now, "first_round_clinician_hours_week")
    )
    out["stations_total"] = Kpi(val(now, "stations_total"), None)
    return out
