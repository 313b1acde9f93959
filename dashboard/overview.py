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
    comp = queries.frame(db, queries._COMPLIANCE).filter(  # noqa: SLF001
        pl.col("task_group").is_null() & pl.col("station_id").is_in(ids)
    )
    rows = []
    for m in months["month"].to_list():
        latest = (
            comp.filter(pl.col("mapping_date") <= _month_end(m))
            .sort("mapping_date")
            .group_by("station_id")
            .last()
        )
        total = latest["total_hours_week"].sum() if latest.height else None
        rows.append({
            "month": m,
            "compliance_share": (latest["compliant_hours_week"].sum() / total) if total else None,
            "clinician_admin_hours_week": latest["clinician_admin_hours_week"].sum() if latest.height else None,
            "stations_mapped": latest.height,
        })
    comp_series = pl.DataFrame(
        rows,
        schema={"month": pl.Date, "compliance_share": pl.Float64, "clinician_admin_hours_week": pl.Float64,
                "stations_mapped": pl.Int64},
    )
    firsts = comp.sort("mapping_date").group_by("station_id").first()
    first_hours = float(firsts["clinician_admin_hours_week"].sum()) if firsts.height else None
    pulssi = queries.pulssi_index(db, scope, municipality if not station_id else None, station_id)
    sick = queries.sick_leave(db, scope, municipality if not station_id else None, station_id).select(
        "month", "sick_leave_rate", pl.col("suppressed").alias("sick_leave_suppressed")
    )
    out = (
        live.join(comp_series, on="month", how="left")
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
