"""Saved scenarios in a small SQLite app-state database beside the warehouse.

Why not in the warehouse: every load publishes a new warehouse file that replaces the served one, which would
drop anything written into it. The app-state file is `<warehouse>.appstate.sqlite` unless TYONJAKO_APPSTATE says
otherwise; it holds no personal data (scenarios name stations, tasks and FTE, plus the author's e-mail).
"""

from __future__ import annotations

import contextlib
import json
import os
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

from dashboard.access import Scope
from dashboard.scenarios.model import Scenario

APPSTATE_ENV = "TYONJAKO_APPSTATE"
_SCHEMA = """
CREATE TABLE IF NOT EXISTS scenarios (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    name TEXT NOT NULL,
    author TEXT NOT NULL,
    saved_at TEXT NOT NULL,
    base_month TEXT NOT NULL,
    stations TEXT NOT NULL,
    body TEXT NOT NULL
)
"""


def appstate_path(db: str | os.PathLike[str]) -> Path:
    """The app-state database: TYONJAKO_APPSTATE, else beside the warehouse as <warehouse>.appstate.sqlite."""
    env = os.environ.get(APPSTATE_ENV)
    if env:
        return Path(env)
    path = Path(db)
    return path.with_name(path.name + ".appstate.sqlite")


@contextlib.contextmanager
def _connect(db: str | os.PathLike[str]) -> Iterator[sqlite3.Connection]:
    path = appstate_path(db)
    path.parent.mkdir(parents=True, exist_ok=True)
    con = sqlite3.connect(path, timeout=10)
    try:
        con.execute(_SCHEMA)
        yield con
        con.commit()
    finally:
        con.close()


@dataclass(frozen=True)
class Saved:
    """One saved scenario with who saved it and when."""

    id: int
    name: str
    author: str
    saved_at: datetime
    base_month: date
    stations: frozenset[str]
    body: dict[str, object]


def save(db: str | os.PathLike[str], scenario: Scenario, author: str) -> int:
    """Store a scenario; returns its id."""
    with _connect(db) as con:
        cur = con.execute(
            "INSERT INTO scenarios (name, author, saved_at, base_month, stations, body) VALUES (?, ?, ?, ?, ?, ?)",
            (scenario.name, author or "-", datetime.now(UTC).isoformat(timespec="seconds"),
             scenario.base_month.isoformat(), json.dumps(sorted(scenario.stations())),
             scenario.model_dump_json()),
        )
        return int(cur.lastrowid or 0)


def visible(saved: Saved, scope: Scope) -> bool:
    """A saved scenario is shown to a scope that may see every station it names."""
    return scope.all_stations or saved.stations <= (scope.stations or frozenset())


def listing(db: str | os.PathLike[str], scope: Scope) -> list[Saved]:
    """Saved scenarios the scope may open, newest first."""
    with _connect(db) as con:
        rows = con.execute(
            "SELECT id, name, author, saved_at, base_month, stations, body FROM scenarios ORDER BY id DESC"
        ).fetchall()
    out = []
    for sid, name, author, saved_at, base_month, stations, body in rows:
        item = Saved(int(sid), name, author, datetime.fromisoformat(saved_at), date.fromisoformat(base_month),
                     frozenset(json.loads(stations)), json.loads(body))
        if visible(item, scope):
            out.append(item)
    return out


def delete(db: str | os.PathLike[str], scenario_id: int, scope: Scope) -> bool:
    """Remove a saved scenario the scope may see; False when there is none."""
    if not any(s.id == scenario_id for s in listing(db, scope)):
        return False
    with _connect(db) as con:
        con.execute("DELETE FROM scenarios WHERE id = ?", (scenario_id,))
    return True
