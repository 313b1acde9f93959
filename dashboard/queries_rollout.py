"""Query layer of the Käyttöönotto page: go-live timeline, status counts, status table, question log.

Station rows come from `dashboard.queries.rollout` / `question_log`, which drop stations outside the
user's scope; status counts come from `rollout_summary` (municipality totals that any user may see).
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import polars as pl

from dashboard import queries
from dashboard.access import Scope

STATUSES = ("käytössä", "viivästynyt", "suunniteltu", "ei aloitettu")
LIVE, DELAYED = "käytössä", "viivästynyt"
OPEN, RESOLVED = "avoin", "ratkaistu"

_OPEN_REGION_WIDE = """
SELECT count(*) FILTER (WHERE status = 'avoin') AS open_questions,
       count(*) FILTER (WHERE status = 'ratkaistu') AS resolved_questions
FROM stg_question_log WHERE station_id IS NULL
"""


def _name(lang: str) -> pl.Expr:
    if lang == "sv":
        return pl.coalesce(pl.col("name_sv"), pl.col("name_fi"), pl.col("station_id")).alias("name")
    return pl.coalesce(pl.col("name_fi"), pl.col("station_id")).alias("name")


def status_table(db: str | Path, scope: Scope, municipality: str | None = None, station_id: str | None = None,
                 lang: str = "fi") -> pl.DataFrame:
    """Stations in the scope (and the chosen municipality / station) with wave, dates, status and questions.

    Adds `delay_days`: actual − planned go-live for a live station, today − planned for a delayed one.
    Ordered by wave (none last), then planned go-live, then name.
    """
    queries._check_station(scope, station_id)
    df = queries._rollout(db, scope, municipality, station_id)
    today = date.today()
    return (
        df.with_columns(
            _name(lang),
            pl.when(pl.col("go_live").is_not_null() & pl.col("planned_go_live").is_not_null())
            .then((pl.col("go_live") - pl.col("planned_go_live")).dt.total_days())
            .when(pl.col("status") == DELAYED)
            .then((pl.lit(today) - pl.col("planned_go_live")).dt.total_days())
            .alias("delay_days"),
        )
        .select(
            "station_id", "name", "municipality", "wave", "planned_go_live", "go_live", "status", "delay_days",
            "open_questions", "resolved_questions", "median_days_to_resolve",
        )
        .sort(["wave", "planned_go_live", "name"], nulls_last=True)
    )


def timeline(db: str | Path, scope: Scope, municipality: str | None = None, station_id: str | None = None,
             lang: str = "fi") -> pl.DataFrame:
    """One row per station and date kind (`planned` / `actual`) for the timeline chart, stations with a date only.

    Also `segment_end`: where the line from the planned date ends (the go-live, or today while delayed);
    `order` keeps the stations of a wave in the order of their planned go-live.
    """
    table = status_table(db, scope, municipality, station_id, lang).filter(
        pl.col("planned_go_live").is_not_null() | pl.col("go_live").is_not_null()
    )
    today = date.today()
    table = table.with_row_index("order").with_columns(
        pl.when(pl.col("go_live").is_not_null()).then(pl.col("go_live"))
        .when(pl.col("status") == DELAYED).then(pl.lit(today))
        .alias("segment_end"),
    )
    planned = table.filter(pl.col("planned_go_live").is_not_null()).with_columns(
        pl.lit("planned").alias("kind"), pl.col("planned_go_live").alias("date")
    )
    actual = table.filter(pl.col("go_live").is_not_null()).with_columns(
        pl.lit("actual").alias("kind"), pl.col("go_live").alias("date")
    )
    return pl.concat([planned, actual]).sort("order", "kind")


def status_counts(db: str | Path, municipality: str | None = None) -> pl.DataFrame:
    """Stations per status in the region or one municipality (every status, zero included), with open questions.

    From `rollout_summary`, which any user may see. `open_questions` counts station questions only.
    """
    df = queries.rollout_summary(db)
    if municipality is not None:
        df = df.filter(pl.col("municipality") == municipality)
    counts = df.group_by("status").agg(
        pl.col("stations").sum().cast(pl.Int64), pl.col("open_questions").sum().cast(pl.Int64)
    )
    base = pl.DataFrame({"status": list(STATUSES)})
    return (
        base.join(counts, on="status", how="left")
        .with_columns(pl.col("stations").fill_null(0), pl.col("open_questions").fill_null(0))
        .with_columns(pl.col("status").replace_strict(dict(zip(STATUSES, range(4), strict=True))).alias("_o"))
        .sort("_o")
        .drop("_o")
    )


def region_wide_questions(db: str | Path) -> dict[str, int]:
    """Open and resolved questions that concern every station (no station in the log)."""
    row = queries.frame(db, _OPEN_REGION_WIDE).row(0, named=True)
    return {"open": int(row["open_questions"] or 0), "resolved": int(row["resolved_questions"] or 0)}


def question_log(db: str | Path, scope: Scope, municipality: str | None = None,
                 station_id: str | None = None) -> pl.DataFrame:
    """Questions of the stations in the scope and the chosen unit, plus region-wide ones.

    Open questions first (oldest first), then resolved ones (latest resolved first).
    `age_days`: days open so far (open) or days it took to resolve (resolved). `region_wide` marks the questions
    that concern every station.
    """
    queries._check_station(scope, station_id)
    df = queries._question_log(db, scope, None if station_id is not None else municipality, station_id)
    return (
        df.with_columns(pl.col("station_id").is_null().alias("region_wide"))
        .with_columns((pl.col("status") != OPEN).alias("_closed"))
        .sort(
            ["_closed", "resolved", "age_days", "question_no"], descending=[False, True, True, False],
            nulls_last=[False, False, True, False],
        )
        .drop("_closed")
    )
