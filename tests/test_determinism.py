"""The same files give the same mart values, exactly (issue 8: float sums in parallel depend on the order)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import duckdb
import pytest

from etl.demo import build_demo

# Tables whose rows record when and by which load something happened, not a figure.
NOT_FIGURES = {"load_log", "meta"}


def differing_tables(a: Path, b: Path, prefixes: tuple[str, ...] = ("mart_", "int_")) -> dict[str, tuple[int, int]]:
    """Tables (with one of the prefixes) whose rows differ between two warehouses: rows only in a, only in b."""
    con = duckdb.connect()
    try:
        con.execute(f"ATTACH '{a}' AS a (READ_ONLY)")
        con.execute(f"ATTACH '{b}' AS b (READ_ONLY)")
        names = [r[0] for r in con.sql(
            "SELECT table_name FROM duckdb_tables() WHERE database_name = 'a' "
            "UNION SELECT view_name FROM duckdb_views() WHERE database_name = 'a' AND NOT internal").fetchall()]
        out = {}
        checked = 0
        for name in sorted(names):
            if name in NOT_FIGURES or not name.startswith(prefixes):
                continue
            only_a = con.sql(f"SELECT count(*) FROM (FROM a.{name} EXCEPT ALL FROM b.{name})").fetchall()[0][0]
            only_b = con.sql(f"SELECT count(*) FROM (FROM b.{name} EXCEPT ALL FROM a.{name})").fetchall()[0][0]
            checked += 1
            if only_a or only_b:
                out[name] = (only_a, only_b)
        assert checked >= 10, names  # the comparison really looked at the marts
        return out
    finally:
        con.close()


def test_two_clean_loads_of_the_demo_files_give_identical_marts(tmp_path: Path,
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TYONJAKO_PSEUDONYM_KEY", "determinism-test-key")
    today = date(2026, 11, 15)
    first = build_demo(tmp_path / "first.duckdb", today=today)
    second = build_demo(tmp_path / "second.duckdb", today=today)
    assert differing_tables(first, second) == {}
