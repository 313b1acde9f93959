"""A load re-decides suppression only for the partitions whose groups changed, and equals a full rebuild exactly."""

from __future__ import annotations

from pathlib import Path

import duckdb
import polars as pl
import pytest
from test_determinism import differing_tables

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
    for pair in months:
        _load(pair, step)
    before = _decisions(step, month)
    calls: list[int] = []
    real = suppression.suppress

    def counted(people: dict[suppression.Node, int], k: int) -> dict[suppression.Node, bool]:
        calls.append(len(people))
        return real(people, k)

    monkeypatch.setattr(suppression, "suppress", counted)
    _load(corrected, step)
    monkeypatch.setattr(suppression, "suppress", real)
    # Only the corrected month's partitions were decided again: its sick leave and at most one per question.
    assert 0 < len(calls) <= 1 + QUESTIONS
    assert _decisions(step, month) != before  # the correction did change what is hidden

    full = tmp_path / "full.duckdb"
    _load([*files.master, *[p for pair in months for p in (corrected if pair is months[1] else pair)]], full)
    assert differing_tables(step, full, ("mart_", "int_", "suppression_")) == {}
