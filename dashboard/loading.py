"""The Tiedot page's loading path: the same loader as the CLI, with results as tables."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

import polars as pl

from dashboard.access import Scope
from dashboard.i18n import t
from etl import load as etl_load
from etl.contract import SOURCES
from etl.load import InputFile, LoadResult, load
from warehouse import db as wdb

OUTCOMES = ("loaded", "unchanged", "rejected")
# The warehouse could not be written or was busy: the loader's own sentence says which.
WAREHOUSE_ERRORS: tuple[type[Exception], ...] = (wdb.WarehouseIOError, wdb.WarehouseBusy)
# Reading the served warehouse failed (the disk went away, a damaged file).
IO_ERRORS = wdb.IO_ERRORS


def source_codes() -> list[str]:
    """The contract's source codes, for the upload's source choice."""
    return list(SOURCES)


def _require_upload(scope: Scope) -> None:
    if not scope.can_upload:
        raise PermissionError("tiedostojen lataus on vain projektipäällikön tehtävä")


def run_load(scope: Scope, files: Sequence[tuple[str, bytes]], db: Path, source: str | None = None,
             progress: Callable[[str, str, int], None] | None = None, *, dry_run: bool = False,
             demo_mode: bool = False, replace_demo: bool = False) -> LoadResult:
    """Check or load uploaded files exactly as `python -m etl check|load [--replace-demo]` would.

    In demo mode (no sign-in) only the check runs: nothing a visitor uploads reaches the served warehouse.
    """
    _require_upload(scope)
    inputs = [InputFile(name, data) for name, data in files]
    if dry_run:
        return etl_load.dry_run(inputs, db, source, progress)
    if demo_mode:
        raise PermissionError("esittelytilassa tiedostoja voi vain tarkistaa, ei ladata")
    return load(inputs, db=db, source=source, progress=progress, replace_demo=replace_demo)


def build_demo(db: Path) -> None:
    """Build the demo warehouse at `db` with the ETL's own demo loader (first start without data)."""
    from etl.demo import build_demo as etl_build_demo  # local: the demo data generator is needed once

    etl_build_demo(db)


def problems_frame(result: LoadResult) -> pl.DataFrame:
    """Every reported problem as rows: file, row, column, message (at most 100 per file, then a count row)."""
    rows: list[dict[str, object]] = []
    for f in result.files:
        for p in f.problems[:100]:
            rows.append({"file": f.file_name, "row": p.row, "column": p.column, "message": p.message})
        if f.problem_count > 100:
            rows.append({"file": f.file_name, "row": None, "column": None,
                         "message": f"... ja {f.problem_count - 100} muuta ongelmaa (yhteensä {f.problem_count})"})
    return pl.DataFrame(
        rows, schema={"file": pl.String, "row": pl.Int64, "column": pl.String, "message": pl.String}
    )


def summary_frame(result: LoadResult, checking: bool = False) -> pl.DataFrame:
    """One row per file: source, rows, outcome (what a check expects the load to do) and what changed."""
    outcome_key = "data.check_outcome" if checking else "data.outcome"
    return pl.DataFrame(
        [
            {"file": f.file_name, "source": t(f"data.source_name.{f.source}") if f.source else None, "rows": f.rows,
             "outcome": t(f"{outcome_key}.{f.outcome}"),
             "problems": f.problem_count, "change": f.change}
            for f in result.files
        ],
        schema={"file": pl.String, "source": pl.String, "rows": pl.Int64, "outcome": pl.String,
                "problems": pl.Int64, "change": pl.String},
    )


def with_source_names(df: pl.DataFrame) -> pl.DataFrame:
    """Source codes replaced by their names in the UI language."""
    if df.is_empty():
        return df
    return df.with_columns(pl.col("source").map_elements(lambda s: t(f"data.source_name.{s}"), return_dtype=pl.String))


def log_with_texts(df: pl.DataFrame) -> pl.DataFrame:
    """The load log with source names and outcomes in the UI language."""
    if df.is_empty():
        return df
    return with_source_names(df).with_columns(
        pl.col("outcome").map_elements(lambda o: t(f"data.outcome.{o}"), return_dtype=pl.String)
    )
