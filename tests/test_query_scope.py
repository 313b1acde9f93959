"""No query function returns a station's detail outside the requested unit or the user's scope.

Every public function of dashboard/queries*.py (and dashboard/overview.py) that takes a scope is called with a station
manager's scope on the demo warehouse, for the region, the manager's municipality and the manager's station; every
station-level row that comes back must be one of the manager's stations, of the requested municipality and station.
A new function with a parameter this test cannot fill makes it fail, so none goes unchecked.
"""

from __future__ import annotations

import dataclasses
import importlib
import inspect
import itertools
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import polars as pl
import pytest

from dashboard import queries
from dashboard import queries_labour as ql
from dashboard import scope as scope_rules
from dashboard.access import Scope

MODULES = ("queries", "queries_workload", "queries_labour", "queries_pulssi", "queries_rollout", "queries_goals",
           "overview")
OWN = ("ESP-ISO", "ESP-KAL")  # two Espoo stations of the demo's nine
MUNICIPALITY = "Espoo"
OTHER_STATION = "ESP-ESL"


def _functions() -> Iterator[tuple[str, Callable[..., Any]]]:
    for name in MODULES:
        module = importlib.import_module(f"dashboard.{name}")
        for fname, func in inspect.getmembers(module, inspect.isfunction):
            if not fname.startswith("_") and func.__module__ == module.__name__ \
                    and "scope" in inspect.signature(func).parameters:
                yield f"{name}.{fname}", func


FUNCTIONS = dict(_functions())


@pytest.fixture(scope="module")
def manager() -> Scope:
    return Scope(role="esihenkilo", stations=frozenset(OWN), user="esihenkilo@example.fi")


@pytest.fixture(scope="module")
def choices(demo_db: Path) -> dict[str, list[Any]]:
    """The values each parameter is tried with (None = the region / any, where the parameter is optional)."""
    month = max(queries.months(demo_db))
    questions = queries.questions(demo_db)["question_id"].to_list()
    goals = queries.goal_progress(demo_db)
    return {
        "month": [month], "municipality": [None, MUNICIPALITY], "station_id": [None, OWN[0]],
        "round_sel": [ql.LATEST, 1], "question_id": [questions[0]], "role_group": [None, "sihteerit"],
        "measure": ["load_ratio", "compliance_share"], "indicator_id": goals["indicator_id"].to_list()[:3],
        "lang": ["fi"], "region_label": ["Koko alue"], "municipality_label": [None], "all_groups_label": ["Kaikki"],
    }


def _calls(func: Callable[..., Any], db: Path, scope: Scope, choices: dict[str, list[Any]]
           ) -> Iterator[dict[str, Any]]:
    params = inspect.signature(func).parameters
    fixed = {k: v for k, v in {"db": db, "scope": scope}.items() if k in params}
    names = [n for n in params if n not in fixed]
    missing = [n for n in names if n not in choices and params[n].default is inspect.Parameter.empty]
    assert not missing, f"{func.__qualname__}: the test has no values for {missing}"
    names = [n for n in names if n in choices]
    for values in itertools.product(*(choices[n] for n in names)):
        kwargs = dict(zip(names, values, strict=True))
        if any(v is None and params[n].default is inspect.Parameter.empty for n, v in kwargs.items()):
            continue  # a required station cannot be "any"
        yield {**fixed, **kwargs}


def _frames(value: object) -> Iterator[pl.DataFrame]:
    """Every frame inside a result (a frame, a dataclass, a dict or a list of them)."""
    if isinstance(value, pl.DataFrame):
        yield value
    elif dataclasses.is_dataclass(value) and not isinstance(value, type):
        for f in dataclasses.fields(value):
            yield from _frames(getattr(value, f.name))
    elif isinstance(value, dict):
        if "station_id" in value:
            yield pl.DataFrame({"station_id": [value["station_id"]]}, schema={"station_id": pl.String})
        for v in value.values():
            yield from _frames(v)
    elif isinstance(value, list | tuple):
        for v in value:
            yield from _frames(v)


def _station_rows(df: pl.DataFrame) -> pl.DataFrame:
    if "station_id" not in df.columns:
        return pl.DataFrame(schema={"station_id": pl.String})
    return df.filter(pl.col("station_id").is_not_null())


def test_every_scoped_function_is_found() -> None:
    # the list the test walks: if the discovery broke, the test below would check nothing
    for name in ("queries.workload", "queries.compliance", "queries.task_detail", "queries_workload.station_month",
                 "queries_labour.heatmap_table", "overview.series", "queries_pulssi.unit_figures"):
        assert name in FUNCTIONS


@pytest.mark.parametrize("name", sorted(FUNCTIONS))
def test_no_station_outside_the_scope_or_the_requested_unit(name: str, demo_db: Path, manager: Scope,
                                                            choices: dict[str, list[Any]]) -> None:
    func = FUNCTIONS[name]
    stations = queries.stations(demo_db).select("station_id", "municipality")
    calls = 0
    for kwargs in _calls(func, demo_db, manager, choices):
        try:
            result = func(**kwargs)
        except PermissionError:
            continue  # refused outright: nothing came back
        calls += 1
        for df in _frames(result):
            rows = _station_rows(df)
            seen = set(rows["station_id"].to_list())
            assert seen <= set(OWN), f"{name}({kwargs}) returned {sorted(seen - set(OWN))}"
            if kwargs.get("station_id"):
                assert seen <= {kwargs["station_id"]}, f"{name}({kwargs}) returned {sorted(seen)}"
            if kwargs.get("municipality") and not kwargs.get("station_id") and seen:
                municipalities = set(stations.filter(pl.col("station_id").is_in(sorted(seen)))["municipality"])
                assert municipalities <= {kwargs["municipality"]}, f"{name}({kwargs}) left its municipality"
    assert calls or name in ("queries.load_log",), f"{name}: every call was refused"


@pytest.mark.parametrize("name", sorted(n for n, f in FUNCTIONS.items()
                                        if "station_id" in inspect.signature(f).parameters))
def test_another_station_is_refused(name: str, demo_db: Path, manager: Scope, choices: dict[str, list[Any]]) -> None:
    func = FUNCTIONS[name]
    kwargs = next(k for k in _calls(func, demo_db, manager, choices) if k.get("station_id") == OWN[0])
    kwargs["station_id"] = OTHER_STATION
    with pytest.raises(PermissionError):
        func(**kwargs)


def test_workload_reads_only_the_requested_rows(demo_db: Path, manager: Scope) -> None:
    month = max(queries.months(demo_db))
    everyone = Scope(role="johto")
    rows = queries.workload(demo_db, everyone, month=month, municipality=MUNICIPALITY)
    assert rows.height == 9 and set(rows["month"]) == {month}
    assert set(queries.workload(demo_db, manager)["station_id"]) == set(OWN)
    assert queries.workload(demo_db, manager, station_id=OWN[1])["station_id"].unique().to_list() == [OWN[1]]


def test_scope_parameter(manager: Scope) -> None:
    assert scope_rules.stations_param(manager) == sorted(OWN)
    assert scope_rules.stations_param(Scope(role="projektipaallikko")) is None
    # an empty scope sees no station (not every station)
    assert scope_rules.stations_param(Scope(role="esihenkilo", stations=frozenset())) == []

