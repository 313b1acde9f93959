"""Scope rules: which stations a scope may see, when it may see a total, and who may see a station's actual capacity.

The query layer binds `stations_param(scope)` as a list parameter of its SQL (`$stations IS NULL OR
list_contains($stations, station_id)`), so a query reads only the stations the scope may see; `check_station`
refuses a station outside the scope and `restrict` drops such rows from a frame read otherwise.

A station manager knows their own stations' figures in detail. A municipality or region total that, after taking
out those stations, aggregates fewer than MIN_OTHER_STATIONS other stations is another station's figure by
subtraction; such a total is hidden (the page says so in one sentence). Scopes that see every station see every
total. Every query function that returns a total calls `total_visible` or `drop_hidden_totals`, or selects with
`totals_condition` (the same rule in SQL).
"""

from __future__ import annotations

from collections.abc import Iterable

import polars as pl

from dashboard.access import Scope

MIN_OTHER_STATIONS = 2  # a total is shown to a limited scope only when it aggregates at least this many others

# The SQL condition that keeps the rows of the stations a scope may see; `$stations` is `stations_param(scope)`.
STATIONS_CONDITION = "($stations::VARCHAR[] IS NULL OR list_contains($stations::VARCHAR[], {column}))"


def stations_condition(column: str = "station_id") -> str:
    """`STATIONS_CONDITION` on one column (a module constant of SQL is built from it once, at import)."""
    return STATIONS_CONDITION.format(column=column)


def stations_param(scope: Scope) -> list[str] | None:
    """The stations whose rows the scope may see, as a SQL list parameter (None = every station)."""
    return None if scope.all_stations else sorted(scope.stations or ())


def totals_condition(table: str, alias: str) -> str:
    """SQL that keeps a total row of `alias` (a row of `table`) only when the scope may see it (`total_visible`).

    The stations behind a total are `table`'s station rows of the same month: those of its municipality for a
    municipality row, every station for a region row (`drop_hidden_totals` on the whole table, in SQL). Station rows
    pass; the scope's own stations are left out by `$stations`, so a scope that sees every station (NULL) keeps all.
    """
    return f"""({alias}.station_id IS NOT NULL OR $stations::VARCHAR[] IS NULL OR (
    SELECT count(DISTINCT o.station_id) FROM {table} AS o
    WHERE o.month = {alias}.month AND o.station_id IS NOT NULL
      AND ({alias}.municipality IS NULL OR o.municipality = {alias}.municipality)
      AND NOT list_contains($stations::VARCHAR[], o.station_id)) >= {MIN_OTHER_STATIONS})"""


def check_station(scope: Scope, station_id: str | None) -> None:
    """Refuse (PermissionError) a station whose detail the scope may not open."""
    if station_id is not None and not scope.sees_station(station_id):
        raise PermissionError(f"asema {station_id} ei kuulu käyttöoikeuksiisi")


def restrict(df: pl.DataFrame, scope: Scope, column: str = "station_id") -> pl.DataFrame:
    """Drop station-level rows outside the scope (rows without a station are totals and stay)."""
    if scope.all_stations or df.is_empty():
        return df
    allowed = sorted(scope.stations or ())
    return df.filter(pl.col(column).is_null() | pl.col(column).is_in(allowed))


def other_stations(scope: Scope, contributing: Iterable[str | None]) -> int:
    """How many stations of a total lie outside the scope's own stations."""
    own = scope.stations or frozenset()
    return len({s for s in contributing if s is not None} - own)


def total_visible(scope: Scope, contributing: Iterable[str | None]) -> bool:
    """Whether a total over these stations may be shown to the scope."""
    return scope.all_stations or other_stations(scope, contributing) >= MIN_OTHER_STATIONS


def drop_hidden_totals(df: pl.DataFrame, scope: Scope, keys: tuple[str, ...] = ("month",)) -> pl.DataFrame:
    """Drop the total rows (station_id NULL) a limited scope may not see.

    The stations behind a total are the station rows of the same frame and `keys` (e.g. the month): those of its
    municipality for a municipality row (municipality set), every station for a region row (municipality NULL).
    Call before the other stations' rows are dropped.
    """
    if scope.all_stations or df.is_empty():
        return df
    stations = df.filter(pl.col("station_id").is_not_null()).select(*keys, "municipality", "station_id").unique()
    hidden: set[tuple[object, ...]] = set()
    by_unit: dict[tuple[object, ...], set[str]] = {}
    for row in stations.iter_rows():
        *key, municipality, station_id = row
        by_unit.setdefault((*key, municipality), set()).add(station_id)
        by_unit.setdefault((*key, None), set()).add(station_id)
    totals = df.filter(pl.col("station_id").is_null()).select(*keys, "municipality").unique()
    for row in totals.iter_rows():
        if not total_visible(scope, by_unit.get(tuple(row), set())):
            hidden.add(tuple(row))
    if not hidden:
        return df
    marks = pl.DataFrame([(*h, True) for h in hidden], schema=[*keys, "municipality", "_hidden"], orient="row")
    marks = marks.cast({c: df.schema[c] for c in (*keys, "municipality")})  # type: ignore[arg-type]
    out = df.join(marks, on=[*keys, "municipality"], how="left", nulls_equal=True, maintain_order="left")
    return out.filter(~(pl.col("station_id").is_null() & pl.col("_hidden").fill_null(False))).drop("_hidden")


def sees_actual_capacity(scope: Scope, station_id: str) -> bool:
    """Only the station's own esihenkilö may see its actual (not estimated) capacity figures."""
    return scope.role == "esihenkilo" and scope.stations is not None and station_id in scope.stations
