"""The SQL total rule (`scope.totals_condition`) hides exactly the totals `drop_hidden_totals` hides.

sick_leave and pulssi select their rows in SQL; the reference here is the former path: the whole mart read, then
`drop_hidden_totals` and `restrict` in polars. Scopes: every station alone, some pairs, every municipality's
stations and every municipality's stations but one (the cases where a total sits at the MIN_OTHER_STATIONS edge).
"""

from __future__ import annotations

import itertools
from pathlib import Path

import polars as pl
import pytest

from dashboard import queries
from dashboard import scope as scope_rules
from dashboard.access import Scope

_SICK_ALL = """
SELECT month, municipality, station_id, role_group, headcount, sick_leave_rate, suppressed FROM mart_sick_leave
"""
_PULSSI_ALL = "SELECT month, municipality, station_id, role_group, question_id, mean_score, suppressed FROM mart_pulssi"


def _scopes(db: Path) -> list[Scope]:
    stations = queries.stations(db).select("station_id", "municipality")
    ids = stations["station_id"].to_list()
    groups: list[frozenset[str]] = [frozenset([s]) for s in ids]
    groups += [frozenset(p) for p in itertools.islice(itertools.combinations(ids, 2), 0, None, 7)]
    for (_,), rows in stations.group_by("municipality"):
        own = rows["station_id"].to_list()
        groups += [frozenset(own), frozenset(own[1:])]
    return [Scope(role="esihenkilo", stations=g) for g in dict.fromkeys(g for g in groups if g)]


def _reference(db: Path, sql: str, scope: Scope) -> pl.DataFrame:
    return scope_rules.restrict(scope_rules.drop_hidden_totals(queries.frame(db, sql), scope), scope)


def _keys(df: pl.DataFrame, columns: list[str]) -> set[tuple[object, ...]]:
    return set(df.select(columns).iter_rows())


@pytest.fixture(scope="module")
def scopes(demo_db: Path) -> list[Scope]:
    found = _scopes(demo_db)
    assert len(found) > 12  # singles, pairs and municipalities of the demo's nine stations
    return found


def test_pulssi_hides_the_same_totals(demo_db: Path, scopes: list[Scope]) -> None:
    columns = ["month", "municipality", "station_id", "role_group", "question_id"]
    hidden_somewhere = False
    everything = queries.frame(demo_db, _PULSSI_ALL)
    for scope in scopes:
        expected = _reference(demo_db, _PULSSI_ALL, scope)
        got = queries.pulssi(demo_db, scope)
        assert _keys(got, columns) == _keys(expected, columns), sorted(scope.stations or ())
        assert got.height == expected.height
        hidden_somewhere |= expected.filter(pl.col("station_id").is_null()).height < everything.filter(
            pl.col("station_id").is_null()).height
    assert hidden_somewhere  # the scopes reach the edge of the rule, or the comparison would prove little


def test_sick_leave_hides_the_same_totals(demo_db: Path, scopes: list[Scope]) -> None:
    columns = ["month", "municipality", "station_id", "role_group"]
    municipalities = [None, *sorted(set(queries.stations(demo_db)["municipality"].to_list()))]
    roles = [None, *sorted(r for r in set(queries.frame(demo_db, _SICK_ALL)["role_group"].to_list()) if r)][:2]
    for scope in scopes:
        expected = _reference(demo_db, _SICK_ALL, scope)
        for municipality, role in itertools.product(municipalities, roles):
            want = expected.filter(pl.col("station_id").is_null()
                                   & pl.col("municipality").eq_missing(municipality)
                                   & pl.col("role_group").eq_missing(role))
            got = queries.sick_leave(demo_db, scope, municipality, None, role)
            assert _keys(got, columns) == _keys(want, columns), (sorted(scope.stations or ()), municipality, role)
        for station, role in itertools.product(sorted(scope.stations or ()), roles):
            want = expected.filter((pl.col("station_id") == station) & pl.col("role_group").eq_missing(role))
            got = queries.sick_leave(demo_db, scope, None, station, role)
            assert _keys(got, columns) == _keys(want, columns)
            assert got["month"].to_list() == sorted(got["month"].to_list())


def test_every_station_scope_sees_every_total(demo_db: Path) -> None:
    everyone = Scope(role="johto")
    columns = ["month", "municipality", "station_id", "role_group", "question_id"]
    assert _keys(queries.pulssi(demo_db, everyone), columns) == _keys(queries.frame(demo_db, _PULSSI_ALL), columns)
