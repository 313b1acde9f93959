"""A load re-decides suppression only for the partitions whose groups changed, and equals a full rebuild exactly."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import duckdb
import polars as pl
import pytest
from test_determinism import differing_tables

import etl.load
import warehouse.build as build
import warehouse.suppression as suppression
from bench.generate import generate
from etl.load import InputFile, load

QUESTIONS = 7  # questions of the generated Pulssi files


def _load(paths: list[Path], db: Path) -> None:
    result = load([InputFile.from_path(p) for p in paths], db=db)
    assert result.ok, result.problem_lines()


def _correct(month_files: list[Path], out: Path) -> list[Path]:
    """A corrected month: one station's Pulssi responses cut to three, and some sick days changed."""
    out.mkdir()
    staffing, pulssi = (pl.read_csv(p, separator=";", infer_schema=False) for p in month_files)
    first = pulssi["asema_id"].min()
    kept = pulssi.filter(pl.col("asema_id") != first).vstack(pulssi.filter(pl.col("asema_id") == first).head(3))
    staffing = staffing.with_columns(
        pl.when(pl.int_range(pl.len()) % 7 == 0).then(pl.lit("3")).otherwise(pl.col("sairauspoissaolo_pv"))
        .alias("sairauspoissaolo_pv"))
    paths = [out / month_files[0].name, out / month_files[1].name]
    staffing.write_csv(paths[0], separator=";")
    kept.write_csv(paths[1], separator=";")
    return paths


def _spy_on_builds(monkeypatch: pytest.MonkeyPatch) -> list[bool]:
    """Record, per load from now on, whether its build was a monthly one (build_marts' result)."""
    builds: list[bool] = []
    real_build = etl.load.build_marts

    def spied(*args: object, **kwargs: object) -> bool:
        builds.append(real_build(*args, **kwargs))  # type: ignore[arg-type]
        return builds[-1]

    monkeypatch.setattr(etl.load, "build_marts", spied)
    return builds


def _decisions(db: Path, month: str) -> list[tuple[object, ...]]:
    with duckdb.connect(str(db), read_only=True) as con:
        return con.sql(
            "SELECT question_id, municipality, station_id, role_group, suppressed FROM int_pulssi_suppressed "
            "WHERE strftime(month, '%Y-%m') = ? ORDER BY ALL", params=[month]).fetchall()


def test_month_by_month_with_a_corrected_month_equals_one_full_load(tmp_path: Path,
                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TYONJAKO_PSEUDONYM_KEY", "incremental-test-key")
    files = generate(tmp_path / "files", stations=12, staff=700, months=4, seed=5)
    months = [files.history[i:i + 2] for i in range(0, len(files.history), 2)]  # (henkilosto, pulssi) per month
    corrected = _correct(months[1], tmp_path / "corrected")
    month = months[1][0].stem.split("_")[1]

    step = tmp_path / "step.duckdb"
    _load(files.master, step)
    builds = _spy_on_builds(monkeypatch)
    for pair in months:
        _load(pair, step)
    # The first month's load is a full build (nothing built by these models yet), every later one a monthly build.
    assert builds == [False] + [True] * (len(months) - 1)
    before = _decisions(step, month)
    calls: list[int] = []
    real = suppression.suppress

    def counted(people: dict[suppression.Node, int], k: int) -> dict[suppression.Node, bool]:
        calls.append(len(people))
        return real(people, k)

    monkeypatch.setattr(suppression, "suppress", counted)
    _load(corrected, step)
    monkeypatch.setattr(suppression, "suppress", real)
    assert builds[-1] is True  # the correction, too, rebuilt only its month
    # Only the corrected month's partitions were decided again: its sick leave and at most one per question.
    assert 0 < len(calls) <= 1 + QUESTIONS
    assert _decisions(step, month) != before  # the correction did change what is hidden

    full = tmp_path / "full.duckdb"
    _load([*files.master, *[p for pair in months for p in (corrected if pair is months[1] else pair)]], full)
    # Every figure and intermediate table equals the full load's exactly. (suppression_cache is a memo keyed by each
    # partition's whole input: a monthly build keeps the earlier decisions of a corrected month, a full one does not.)
    assert differing_tables(step, full, ("mart_", "int_")) == {}


def test_the_build_order_puts_every_model_after_the_models_it_reads() -> None:
    order = build.build_order()
    models = build.sql_models()
    assert set(order) == set(models) | {p.name for p in build.PYTHON_STEPS}
    for position, name in enumerate(order):
        reads = models[name].reads if name in models else next(p.reads for p in build.PYTHON_STEPS if p.name == name)
        assert all(order.index(r) < position for r in reads if r in order), name
    # Read from the files, not declared: mart_workload reads int_workload_capacity and mart_sick_leave.
    assert {"int_workload_capacity", "mart_sick_leave"} <= set(models["mart_workload"].reads)
    assert order.index("int_sick_leave_suppressed") < order.index("mart_sick_leave") < order.index("mart_workload")


def test_a_model_built_per_month_filters_its_months(tmp_path: Path) -> None:
    # The monthly models are exactly those whose header says so, and each reads only the months of the build.
    monthly = {name for name, m in build.sql_models().items() if m.monthly}
    assert monthly == {"int_staff_months", "int_sick_leave_groups", "mart_sick_leave", "int_workload_capacity",
                       "mart_workload", "int_pulssi_groups", "mart_pulssi", "mart_pulssi_comments"}
    assert all("FROM build_months" in build.sql_models()[name].body for name in monthly)


def test_master_data_new_settings_or_changed_models_make_the_next_build_a_full_one(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TYONJAKO_PSEUDONYM_KEY", "incremental-test-key")
    files = generate(tmp_path / "files", stations=6, staff=200, months=2, seed=9)
    db = tmp_path / "w.duckdb"
    _load([*files.master, *files.history], db)
    month = [date(2021, 2, 1)]
    with duckdb.connect(str(db)) as con:
        assert build.build_marts(con, months=month) is True  # same models and settings: the month only
        s = build.settings()
        assert build.build_marts(con, s.model_copy(update={"k_anonymity": s.k_anonymity + 1}), months=month) is False
        con.execute("UPDATE meta SET value = 'other models' WHERE key = 'model_fingerprint'")
        assert build.build_marts(con, months=month) is False
    # A load with a master file (here the station list again, changed) is a full build whatever else it holds.
    changed = [g for g in files.master if g.name.startswith("asemat")]
    assert changed, files.master
    frame = pl.read_csv(changed[0], separator=";", infer_schema=False)
    frame = frame.with_columns(pl.col("nimi") + " (uusi nimi)")
    renamed = tmp_path / "asemat.csv"
    frame.write_csv(renamed, separator=";")
    builds = _spy_on_builds(monkeypatch)
    _load([renamed, files.history[0]], db)
    assert builds == [False]
