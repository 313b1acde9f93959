"""Query layer of the Työnjaon toteutuminen page: compliance per round and task group, misplaced tasks.

A "round selection" is either LATEST (each station's latest mapping round) or a round number n ≥ 1 (each
station's n-th round, counted from its first). Station-level rows come only through `queries.compliance` and
`queries.task_detail`, which select only stations inside the scope; the region and municipality totals of
`unit_compliance` are rows of the warehouse's `mart_compliance_unit` (latest rounds) and
`mart_compliance_round_unit` (n-th rounds) and cover every station of the unit (compliance is not personal data).
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import polars as pl

from dashboard import queries
from dashboard import scope as scope_rules
from dashboard.access import Scope
from dashboard.overview import Kpi

LATEST = "latest"
RoundSel = str | int

_ROUNDS = "SELECT coalesce(max(round_no), 0)::BIGINT AS rounds FROM mart_compliance_round_unit"
# Totals per task group (NULL = all groups) of the region ($municipality NULL) or a municipality. Each station's latest
# round overall is its latest on or before the end of the warehouse's last month (which no mapping date is after).
_UNIT_WHERE = """level = CASE WHEN $municipality::VARCHAR IS NULL THEN 'region' ELSE 'municipality' END
  AND municipality IS NOT DISTINCT FROM $municipality::VARCHAR"""
_UNIT_COLUMNS = """task_group, total_hours_week, compliant_hours_week, compliance_share, clinician_admin_hours_week,
       stations_mapped AS stations, first_mapping_date, last_mapping_date"""
_UNIT = f"""
SELECT {_UNIT_COLUMNS}
FROM mart_compliance_unit
WHERE $latest::BOOLEAN AND month = (SELECT max(month) FROM mart_compliance_unit) AND {_UNIT_WHERE}
UNION ALL
SELECT {_UNIT_COLUMNS}
FROM mart_compliance_round_unit
WHERE NOT $latest::BOOLEAN AND round_no = $round::BIGINT AND {_UNIT_WHERE}
ORDER BY task_group NULLS FIRST
"""


# Each station's latest round on or before the month's last day (mart_compliance_unit's station rows), in the scope.
_STATION_LATEST = f"""
SELECT u.station_id, s.name_fi, s.name_sv, s.municipality, u.last_mapping_date AS mapping_date, u.total_hours_week,
       u.compliant_hours_week, u.compliance_share, u.clinician_admin_hours_week
FROM mart_compliance_unit AS u LEFT JOIN mart_rollout AS s USING (station_id)
WHERE u.level = 'station' AND u.task_group IS NULL AND u.month = $month::DATE
  AND ($municipality::VARCHAR IS NULL OR u.municipality = $municipality::VARCHAR)
  AND ($station::VARCHAR IS NULL OR u.station_id = $station::VARCHAR)
  AND {scope_rules.stations_condition("u.station_id")}
ORDER BY s.name_fi, u.station_id
"""


def station_latest(db: str | Path, scope: Scope, month: date, municipality: str | None = None,
                   station_id: str | None = None) -> pl.DataFrame:
    """All-groups compliance of each station in the scope and unit: its latest round on or before the month's end."""
    queries._check_station(scope, station_id)  # noqa: SLF001 - same layer
    return queries.frame(db, _STATION_LATEST, {"month": month, "municipality": municipality, "station": station_id,
                                               "stations": scope_rules.stations_param(scope)})


def _name_expr(lang: str, name_fi: str = "name_fi", name_sv: str = "name_sv") -> pl.Expr:
    primary = name_sv if lang == "sv" else name_fi
    return pl.coalesce(pl.col(primary), pl.col(name_fi), pl.col("station_id")).alias("station_name")


def _round_filter(round_sel: RoundSel) -> pl.Expr:
    if round_sel == LATEST:
        return pl.col("is_latest")
    return pl.col("round_no") == int(round_sel)


def round_count(db: str | Path) -> int:
    """The largest number of mapping rounds any station has (0 when nothing is mapped)."""
    df = queries.frame(db, _ROUNDS)
    return int(df["rounds"][0]) if not df.is_empty() and df["rounds"][0] is not None else 0


def round_options(db: str | Path) -> list[RoundSel]:
    """The round selector's options: LATEST, then 1, 2, … up to the most rounds any station has; [] if none."""
    n = round_count(db)
    return [LATEST, *range(1, n + 1)] if n else []


def unit_compliance(db: str | Path, round_sel: RoundSel, municipality: str | None = None) -> pl.DataFrame:
    """Region (municipality None) or municipality totals per task group (task_group null = all groups)."""
    latest = round_sel == LATEST
    return queries.frame(db, _UNIT, {"latest": latest, "round": 0 if latest else int(round_sel),
                                     "municipality": municipality})


def _stations(db: str | Path, scope: Scope, municipality: str | None, lang: str) -> pl.DataFrame:
    return queries.compliance(db, scope, municipality=municipality).with_columns(_name_expr(lang))


def heatmap(db: str | Path, scope: Scope, round_sel: RoundSel, municipality: str | None = None,
            lang: str = "fi") -> pl.DataFrame:
    """Compliance per station in the scope × task group (task_group null = all groups) for the chosen round."""
    return _stations(db, scope, municipality, lang).filter(_round_filter(round_sel)).select(
        "station_id", "station_name", "municipality", "mapping_date", "round_no", "task_group",
        "total_hours_week", "compliant_hours_week", "compliance_share", "clinician_admin_hours_week",
    )


def station_round(db: str | Path, scope: Scope, station_id: str, round_sel: RoundSel) -> dict[str, object] | None:
    """One station's all-groups figures for the chosen round, with the previous round's share; None if absent."""
    queries._check_station(scope, station_id)  # noqa: SLF001 - same layer
    rounds = (
        queries.compliance(db, scope, station_id=station_id)
        .filter(pl.col("task_group").is_null())
        .sort("mapping_date")
    )
    chosen = rounds.filter(_round_filter(round_sel))
    if chosen.is_empty():
        return None
    row = chosen.row(0, named=True)
    before = rounds.filter(pl.col("round_no") == row["round_no"] - 1)
    row["previous_compliance_share"] = before["compliance_share"][0] if not before.is_empty() else None
    row["previous_mapping_date"] = before["mapping_date"][0] if not before.is_empty() else None
    row["change_from_previous"] = (
        row["compliance_share"] - row["previous_compliance_share"]
        if row["compliance_share"] is not None and row["previous_compliance_share"] is not None else None
    )
    return row


def rounds_by_station(db: str | Path, scope: Scope, municipality: str | None = None,
                      lang: str = "fi") -> pl.DataFrame:
    """All-groups compliance of every round of each station in the scope, with the change from the round before
    (a difference of shares; null for a station's first round)."""
    return (
        _stations(db, scope, municipality, lang)
        .filter(pl.col("task_group").is_null())
        .sort("station_name", "mapping_date")
        .with_columns(
            (pl.col("compliance_share") - pl.col("compliance_share").shift(1).over("station_id"))
            .alias("change_from_previous"),
        )
        .select("station_id", "station_name", "municipality", "round_no", "mapping_date", "is_latest",
                "total_hours_week", "compliant_hours_week", "compliance_share", "change_from_previous",
                "clinician_admin_hours_week")
    )


def clinician_hours(db: str | Path, scope: Scope, municipality: str | None = None, lang: str = "fi") -> pl.DataFrame:
    """Per station in the scope: clinician admin hours (h/week) in its first and its latest round, and the change."""
    rounds = rounds_by_station(db, scope, municipality, lang)
    if rounds.is_empty():
        return pl.DataFrame(schema={
            "station_id": pl.String, "station_name": pl.String, "municipality": pl.String,
            "first_mapping_date": pl.Date, "first_hours_week": pl.Float64, "latest_mapping_date": pl.Date,
            "latest_hours_week": pl.Float64, "rounds": pl.Int64, "change_hours_week": pl.Float64,
        })
    return (
        rounds.group_by("station_id", "station_name", "municipality", maintain_order=True)
        .agg(
            pl.col("mapping_date").first().alias("first_mapping_date"),
            pl.col("clinician_admin_hours_week").first().alias("first_hours_week"),
            pl.col("mapping_date").last().alias("latest_mapping_date"),
            pl.col("clinician_admin_hours_week").last().alias("latest_hours_week"),
            pl.len().cast(pl.Int64).alias("rounds"),
        )
        .with_columns((pl.col("latest_hours_week") - pl.col("first_hours_week")).alias("change_hours_week"))
    )


def station_rounds(db: str | Path, scope: Scope, station_id: str) -> list[date]:
    """The mapping dates of one station, oldest first."""
    detail = queries.task_detail(db, scope, station_id)
    return sorted(detail["mapping_date"].unique().to_list())


def _chosen_and_previous(rounds: list[date], round_sel: RoundSel) -> tuple[date | None, date | None]:
    if not rounds:
        return None, None
    idx = len(rounds) - 1 if round_sel == LATEST else int(round_sel) - 1
    if idx < 0 or idx >= len(rounds):
        return None, None
    return rounds[idx], (rounds[idx - 1] if idx else None)


_MISPLACED_SCHEMA = {
    "task_id": pl.String, "task_name": pl.String, "task_group": pl.String, "owner_role": pl.String,
    "performer_role": pl.String, "performer_role_group": pl.String, "mapping_date": pl.Date,
    "hours_week": pl.Float64, "previous_hours_week": pl.Float64, "change_from_previous": pl.Float64,
}


def misplaced(db: str | Path, scope: Scope, station_id: str, round_sel: RoundSel) -> pl.DataFrame:
    """Tasks one station does by another role than the owner in the chosen round (hours/week), with the hours of
    the same task and role in the round before and the change. A pair that was misplaced in the round before and
    is gone now is listed with 0 hours, so the change shows what was moved back to the owner."""
    queries._check_station(scope, station_id)  # noqa: SLF001 - same layer
    tasks = queries.task_detail(db, scope, station_id)
    chosen, previous = _chosen_and_previous(sorted(tasks["mapping_date"].unique().to_list()), round_sel)
    if chosen is None:
        return pl.DataFrame(schema=_MISPLACED_SCHEMA)
    keys = ["task_id", "task_name", "task_group", "owner_role", "performer_role", "performer_role_group"]
    wrong = tasks.filter(~pl.col("compliant"))
    now = wrong.filter(pl.col("mapping_date") == chosen).select(*keys, "hours_week")
    if previous is None:
        out = now.with_columns(
            pl.lit(None, pl.Float64).alias("previous_hours_week"),
            pl.lit(None, pl.Float64).alias("change_from_previous"),
        )
    else:
        before = wrong.filter(pl.col("mapping_date") == previous).select(
            *keys, pl.col("hours_week").alias("previous_hours_week")
        )
        out = now.join(before, on=keys, how="full", coalesce=True, nulls_equal=True).with_columns(
            pl.col("hours_week").fill_null(0.0),
            pl.col("previous_hours_week").fill_null(0.0),
        ).with_columns((pl.col("hours_week") - pl.col("previous_hours_week")).alias("change_from_previous"))
    return (
        out.with_columns(pl.lit(chosen, pl.Date).alias("mapping_date"))
        .select(list(_MISPLACED_SCHEMA))
        .cast(_MISPLACED_SCHEMA)  # type: ignore[arg-type]
        .sort(["hours_week", "task_name", "performer_role"], descending=[True, False, False])
    )


def _sum_or_null(column: str) -> pl.Expr:
    return pl.when(pl.col(column).is_null().all()).then(None).otherwise(pl.col(column).sum()).alias(column)


def misplaced_by_role(misplaced_rows: pl.DataFrame) -> pl.DataFrame:
    """The misplaced hours of one round summed per performing role, with the round before and the change."""
    return (
        misplaced_rows.group_by("performer_role", "performer_role_group")
        .agg(
            pl.col("hours_week").sum(),
            _sum_or_null("previous_hours_week"),
            _sum_or_null("change_from_previous"),
        )
        .sort(["hours_week", "performer_role"], descending=[True, False])
    )


def heatmap_table(db: str | Path, scope: Scope, round_sel: RoundSel, municipality: str | None = None,
                  lang: str = "fi", region_label: str = "Koko alue", all_groups_label: str = "Kaikki") -> pl.DataFrame:
    """The heatmap's cells: the region total row (and the municipality's, when one is chosen) on top, then every
    station in the scope; the all-groups column first, then the task groups alphabetically.

    Columns: row_label, row_kind (total / station), station_id, group_label, compliance_share,
    compliant_hours_week, total_hours_week, mapping_date, row_order, col_order.
    """
    totals = [unit_compliance(db, round_sel).with_columns(pl.lit(region_label).alias("row_label"),
                                                         pl.lit(0).alias("row_order"))]
    if municipality is not None:
        totals.append(unit_compliance(db, round_sel, municipality).with_columns(
            pl.lit(municipality).alias("row_label"), pl.lit(1).alias("row_order")
        ))
    cols = ["row_label", "row_kind", "station_id", "task_group", "compliance_share", "compliant_hours_week",
            "total_hours_week", "mapping_date", "row_order"]
    total_rows = pl.concat(totals).with_columns(
        pl.lit("total").alias("row_kind"), pl.lit(None, pl.String).alias("station_id"),
        pl.lit(None, pl.Date).alias("mapping_date"),
    ).select(cols)
    stations = heatmap(db, scope, round_sel, municipality, lang).sort("station_name").with_columns(
        pl.col("station_name").alias("row_label"), pl.lit("station").alias("row_kind"),
        (pl.col("station_name").rank("dense") + 1).cast(pl.Int32).alias("row_order"),
    ).select(cols)
    cells = pl.concat([total_rows.cast({"row_order": pl.Int32}), stations.cast({"row_order": pl.Int32})])
    groups = sorted({g for g in cells["task_group"].to_list() if g is not None})
    order = {g: i + 1 for i, g in enumerate(groups)}
    return cells.with_columns(
        pl.col("task_group").fill_null(all_groups_label).alias("group_label"),
        pl.col("task_group").replace_strict(order, default=0, return_dtype=pl.Int32).alias("col_order"),
    ).sort("row_order", "col_order")


def heatmap_wide(cells: pl.DataFrame) -> pl.DataFrame:
    """The heatmap cells as one row per station or total and one compliance-share column per task group."""
    if cells.is_empty():
        return pl.DataFrame(schema={"row_label": pl.String})
    columns = cells.sort("col_order")["group_label"].unique(maintain_order=True).to_list()
    wide = cells.sort("row_order").pivot(
        on="group_label", index=["row_order", "row_label"], values="compliance_share", aggregate_function="first",
    )
    return wide.select("row_label", *[c for c in columns if c in wide.columns])


def unit_clinician(db: str | Path, municipality: str | None = None) -> Kpi:
    """The unit's clinician admin hours/week summed over each station's latest round (value) and over each
    station's first round (reference); the delta is latest − first."""
    def total(round_sel: RoundSel) -> float | None:
        df = unit_compliance(db, round_sel, municipality).filter(pl.col("task_group").is_null())
        return None if df.is_empty() else df["clinician_admin_hours_week"][0]

    return Kpi(total(LATEST), total(1))


ROLE_CODES = ("toimistosihteeri", "terveyskeskusavustaja", "sairaanhoitaja", "terveydenhoitaja", "lahihoitaja",
              "laakari", "esihenkilo", "muu")


def with_role_names(df: pl.DataFrame, names: dict[str, str]) -> pl.DataFrame:
    """Add `owner_name` and `performer_name` (role codes in words) where the frame has those role columns."""
    exprs = [
        pl.col(code_col).replace_strict(names, default=pl.col(code_col), return_dtype=pl.String).alias(name_col)
        for code_col, name_col in (("owner_role", "owner_name"), ("performer_role", "performer_name"))
        if code_col in df.columns
    ]
    return df.with_columns(exprs) if exprs else df


def all_groups() -> pl.Expr:
    """Filter for the all-task-groups rows of a compliance frame."""
    return pl.col("task_group").is_null()


def station_rows() -> pl.Expr:
    """Filter for the station rows (not the totals) of `heatmap_table`."""
    return pl.col("row_kind") == "station"


def has_hours() -> pl.Expr:
    """Filter for the misplaced rows that still have hours in the chosen round."""
    return pl.col("hours_week") > 0
