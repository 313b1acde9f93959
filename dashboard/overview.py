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


# Per month over the given stations: each station's latest round on or before the month's last day.
_COMPLIANCE_SERIES = """
WITH months AS (SELECT DISTINCT month FROM mart_workload UNION SELECT DISTINCT month FROM mart_pulssi),
rounds AS (
    SELECT * FROM mart_compliance WHERE task_group IS NULL AND list_contains(?::VARCHAR[], station_id)
),
latest AS (
    SELECT m.month, r.station_id, max(r.mapping_date) AS mapping_date
    FROM months AS m JOIN rounds AS r ON r.mapping_date <= last_day(m.month)
    GROUP BY m.month, r.station_id
)
SELECT l.month,
       sum(r.compliant_hours_week) / nullif(sum(r.total_hours_week), 0) AS compliance_share,
       sum(r.clinician_admin_hours_week) AS clinician_admin_hours_week,
       count(*) AS stations_mapped
FROM latest AS l JOIN rounds AS r USING (station_id, mapping_date)
GROUP BY l.month ORDER BY l.month
"""
_FIRST_ROUND_HOURS = """
SELECT sum(clinician_admin_hours_week) AS first_round_clinician_hours_week
FROM mart_compliance
WHERE task_group IS NULL AND list_contains(?::VARCHAR[], station_id)
  AND (station_id, mapping_date) IN (SELECT station_id, min(mapping_date) FROM mart_compliance GROUP BY station_id)
"""

def _compliance_series(db: str | Path, station_ids: list[str]) -> pl.DataFrame:
    """Per month over the given stations (the caller checks the scope): compliance and clinician hours."""
    return queries.frame(db, _COMPLIANCE_SERIES, (sorted(station_ids),))


def _first_round_clinician_hours(db: str | Path, station_ids: list[str]) -> float | None:
    """Clinician admin hours per week of the given stations' first mapping rounds."""
    value = queries.frame(db, _FIRST_ROUND_HOURS, (sorted(station_ids),))["first_round_clinician_hours_week"][0]
    return None if value is None else float(value)


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
    live = months.with_columns(
        pl.col("month").map_elements(
            lambda m: int(rollout.filter(pl.col("go_live") <= _month_end(m)).height), return_dtype=pl.Int64
        ).alias("stations_live"),
        pl.lit(rollout.height, pl.Int64).alias("stations_total"),
    )
    # Compliance is not personal data: aggregate over every station of the unit, whatever the scope.
    comp_series = _compliance_series(db, ids)
    first_hours = _first_round_clinician_hours(db, ids)
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
