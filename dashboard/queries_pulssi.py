"""Query layer of the Pulssi page: trends, the stations × questions comparison, participation, comments.

Every function reads `mart_pulssi` / `mart_pulssi_comments` through `dashboard.queries` (which drops
station-level rows outside the user's scope) and returns a polars frame. Suppression was decided once
in the warehouse: a suppressed group's scores are NULL there and stay NULL here. This module only adds
*why* a group is hidden (`reason`): `small` when the group itself has fewer than k respondents, otherwise
`secondary` (hidden so that a small group cannot be worked out from the shown figures).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

import polars as pl

from core.settings import settings
from dashboard import queries
from dashboard.access import Scope
from dashboard.present import ENPS, LIKERT, REGION, SECONDARY, SMALL, UNIT

_MONTHS = "SELECT DISTINCT month FROM mart_pulssi ORDER BY month"


def k_anonymity(db: str | Path) -> int:
    """The k the warehouse's suppression was decided with (for the explanation text of a suppressed group)."""
    return queries.built_k(db)


def comment_min_respondents() -> int:
    """How many responses a unit needs before its free-text comments are published."""
    return settings().comment_min_respondents


def _reason(k: int) -> pl.Expr:
    return (
        pl.when(~pl.col("suppressed")).then(pl.lit(None, pl.String))
        .when(pl.col("respondents") < k).then(pl.lit(SMALL))
        .otherwise(pl.lit(SECONDARY))
        .alias("reason")
    )


def _text(lang: str) -> pl.Expr:
    if lang == "sv":
        return pl.coalesce(pl.col("text_sv"), pl.col("text_fi")).alias("question_text")
    return pl.col("text_fi").alias("question_text")


def _station_name(lang: str) -> pl.Expr:
    if lang == "sv":
        return pl.coalesce(pl.col("station_name_sv"), pl.col("station_name"), pl.col("station_id")).alias("name")
    return pl.coalesce(pl.col("station_name"), pl.col("station_id")).alias("name")


def pulssi_months(db: str | Path) -> list[date]:
    """Months that hold Pulssi responses, oldest first."""
    return queries.frame(db, _MONTHS)["month"].to_list()


def question_catalogue(db: str | Path, lang: str = "fi") -> pl.DataFrame:
    """Questions (likert first, then eNPS) with their text in the language."""
    return queries.questions(db).with_columns(_text(lang)).select(
        "question_id", "question_type", "question_text", "scale_min", "scale_max", "goal_id"
    )


def enps_question(db: str | Path) -> str | None:
    """The catalogue's eNPS question (the first, if there were several), or None."""
    ids = queries.questions(db).filter(pl.col("question_type") == ENPS)["question_id"].to_list()
    return ids[0] if ids else None


def is_region(municipality: str | None, station_id: str | None) -> bool:
    """Whether the chosen unit is the whole region."""
    return municipality is None and station_id is None


def question_trend(db: str | Path, scope: Scope, question_id: str, municipality: str | None = None,
                   station_id: str | None = None, role_group: str | None = None) -> pl.DataFrame:
    """One question per month for the region and (unless it is the region) the chosen unit.

    Columns: month, series (`region` / `unit`), question_id, question_type, value (mean score for likert,
    eNPS for enps; NULL when suppressed), favourable_share, respondents, responses, participation_rate,
    suppressed, reason. A station outside the scope raises PermissionError.
    """
    queries._check_station(scope, station_id)
    k = k_anonymity(db)
    # One query: the region's total, and the unit's total (municipality) or station rows.
    rows = queries.pulssi_rows(
        db, scope, question_id=question_id, role_group=role_group, total=True,
        total_municipality=municipality if station_id is None else None, with_region=True,
        with_stations=station_id is not None, station_id=station_id,
    )
    region = pl.col("station_id").is_null() & pl.col("municipality").is_null()
    out = rows.with_columns(pl.when(region).then(pl.lit(REGION)).otherwise(pl.lit(UNIT)).alias("series"))
    return (
        out.with_columns(
            pl.when(pl.col("question_type") == ENPS).then(pl.col("enps")).otherwise(pl.col("mean_score"))
            .alias("value"),
            _reason(k),
        )
        .select(
            "month", "series", "question_id", "question_type", "value", "favourable_share", "respondents",
            "responses", "participation_rate", "suppressed", "reason",
        )
        .sort("series", "month")
    )


@dataclass(frozen=True)
class MonthValue:
    """A series' value in the chosen month, with the change from the previous Pulssi month."""

    value: float | None
    delta: float | None
    suppressed: bool
    reason: str | None
    respondents: int | None
    present: bool  # whether the unit has any responses that month


def month_value(trend: pl.DataFrame, series: str, month: date) -> MonthValue:
    """The value of one series in one month, and its change from the series' previous month."""
    rows = trend.filter(pl.col("series") == series).sort("month")
    now = rows.filter(pl.col("month") == month)
    if now.is_empty():
        return MonthValue(None, None, False, None, None, False)
    row = now.row(0, named=True)
    before = rows.filter(pl.col("month") < month)
    previous = before["value"][-1] if not before.is_empty() else None
    delta = row["value"] - previous if row["value"] is not None and previous is not None else None
    return MonthValue(row["value"], delta, bool(row["suppressed"]), row["reason"], row["respondents"], True)


def station_comparison(db: str | Path, scope: Scope, month: date, municipality: str | None = None,
                       role_group: str | None = None, lang: str = "fi") -> pl.DataFrame:
    """Stations × likert questions of one month: the station mean and its difference from the region mean.

    Only stations in the scope (and in the municipality, when one is chosen). Columns: station_id, name,
    municipality, question_id, question_text, mean_score, region_mean, difference (NULL when either side is
    suppressed), respondents, suppressed, reason.
    """
    k = k_anonymity(db)
    df = queries.pulssi_rows(db, scope, month=month, question_type=LIKERT, role_group=role_group, total=True,
                             with_stations=True, municipality=municipality)
    region = df.filter(pl.col("municipality").is_null() & pl.col("station_id").is_null()).select(
        "question_id", pl.col("mean_score").alias("region_mean")
    )
    stations = df.filter(pl.col("station_id").is_not_null())
    if municipality is not None:
        stations = stations.filter(pl.col("municipality") == municipality)
    return (
        stations.join(region, on="question_id", how="left")
        .with_columns(
            (pl.col("mean_score") - pl.col("region_mean")).alias("difference"),
            _reason(k),
            _text(lang),
            _station_name(lang),
        )
        .select(
            "station_id", "name", "municipality", "question_id", "question_text", "mean_score", "region_mean",
            "difference", "respondents", "suppressed", "reason",
        )
        .sort("municipality", "name", "question_id")
    )


def station_participation(db: str | Path, scope: Scope, month: date, municipality: str | None = None,
                          role_group: str | None = None, lang: str = "fi") -> pl.DataFrame:
    """Per station in the scope: responses, headcount and participation in the month (role group as chosen).

    Participation stays visible for suppressed groups (the data contract). `region_participation_rate`
    is the region's rate of the same role group, for comparison.
    """
    df = queries.pulssi_rows(db, scope, month=month, role_group=role_group, total=True, with_stations=True,
                             municipality=municipality)
    region = df.filter(pl.col("municipality").is_null() & pl.col("station_id").is_null())
    region_rate = region["participation_rate"][0] if not region.is_empty() else None
    stations = df.filter(pl.col("station_id").is_not_null())
    if municipality is not None:
        stations = stations.filter(pl.col("municipality") == municipality)
    return (
        stations.group_by("station_id")
        .agg(
            pl.col("station_name").first(), pl.col("station_name_sv").first(), pl.col("municipality").first(),
            pl.col("responses").max(), pl.col("headcount").max(), pl.col("participation_rate").max(),
        )
        .with_columns(_station_name(lang), pl.lit(region_rate, pl.Float64).alias("region_participation_rate"))
        .select("station_id", "name", "municipality", "responses", "headcount", "participation_rate",
                "region_participation_rate")
        .sort("municipality", "name")
    )


def unit_figures(db: str | Path, scope: Scope, month: date, municipality: str | None = None,
                 station_id: str | None = None, role_group: str | None = None, lang: str = "fi") -> pl.DataFrame:
    """The chosen unit's figures per question in one month (likert questions first, then eNPS).

    Columns: question_id, question_text, question_type, respondents, responses, headcount, mean_score,
    favourable_share, enps, participation_rate, suppressed, reason.
    """
    k = k_anonymity(db)
    df = queries._pulssi_unit(db, scope, municipality, station_id, role_group, month=month)
    return (
        df.with_columns(_text(lang), _reason(k))
        .select(
            "question_id", "question_text", "question_type", "respondents", "responses", "headcount",
            "mean_score", "favourable_share", "enps", "participation_rate", "suppressed", "reason",
        )
        .sort(pl.col("question_type") == ENPS, "question_id")
    )


@dataclass(frozen=True)
class Comments:
    """The unit's comments of a month, or why none are shown."""

    comments: pl.DataFrame
    status: str  # "shown" | "too_few" (fewer responses than the limit) | "none" (no one commented) | "no_responses"
    responses: int
    minimum: int


def unit_comments(db: str | Path, scope: Scope, month: date, municipality: str | None = None,
                  station_id: str | None = None) -> Comments:
    """Free-text comments of the unit and month (all roles: comments never carry a role)."""
    minimum = comment_min_respondents()
    found = queries.comments(db, scope, month, municipality, station_id)
    unit = queries._pulssi_unit(db, scope, municipality, station_id, None, month=month)
    responses = int(unit["responses"].max() or 0) if not unit.is_empty() else 0
    if not found.is_empty():
        return Comments(found, "shown", responses, minimum)
    if responses == 0:
        status = "no_responses"
    elif responses < minimum:
        status = "too_few"
    else:
        status = "none"
    return Comments(found, status, responses, minimum)
