"""The benchmark's generated files follow the contract: `etl check` accepts a tiny set of them."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import polars as pl

from bench.generate import QUESTIONS, generate


def test_generated_files_pass_etl_check(tmp_path: Path) -> None:
    files = generate(tmp_path / "files", stations=5, staff=120, months=3, seed=3)
    assert len(files.history) == 6 and len(files.next_month) == 2  # henkilosto and pulssi per month
    env = {**os.environ, "TYONJAKO_PSEUDONYM_KEY": "bench-generator-test"}
    out = subprocess.run([sys.executable, "-m", "etl", "check", *map(str, [*files.full, *files.next_month]),
                          "--db", str(tmp_path / "check.duckdb")], capture_output=True, text=True, env=env,
                         check=False)
    assert out.returncode == 0, out.stdout + out.stderr
    pulssi = pl.read_csv(files.history[1], separator=";")
    assert set(QUESTIONS) <= set(pulssi.columns)
    staffing = pl.read_csv(files.history[0], separator=";")
    assert staffing["asema_id"].n_unique() <= 5 and staffing.height == 120


def test_generator_is_seeded(tmp_path: Path) -> None:
    a = generate(tmp_path / "a", stations=4, staff=80, months=2, seed=9)
    b = generate(tmp_path / "b", stations=4, staff=80, months=2, seed=9)
    assert [p.read_bytes() for p in a.full] == [p.read_bytes() for p in b.full]
