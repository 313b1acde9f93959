"""Connections to the warehouse file, and publication of a new version by atomic file swap.

Why a swap: DuckDB's file lock is exclusive across processes, so a loader holding a read-write
connection on the served file would make every dashboard query fail. The loader therefore copies the
served file, loads into the copy, CHECKPOINTs and closes it, and `os.replace`s it over the served file.
Readers open short-lived read-only connections; one already open keeps its consistent old view, the
next one sees the new file. Writers are serialised with an advisory lock file.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import shutil
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import duckdb

from warehouse.settings import default_db_path

LOCK_WAIT_SECONDS = 120.0


class WarehouseBusy(Exception):
    """Another load holds the writer lock for too long."""


def resolve(path: str | os.PathLike[str] | None) -> Path:
    """The warehouse path from an argument, TYONJAKO_DB or the project default."""
    return Path(path) if path else default_db_path()


@contextlib.contextmanager
def read(path: str | os.PathLike[str] | None = None, retries: int = 20) -> Iterator[duckdb.DuckDBPyConnection]:
    """A short-lived read-only connection; retries briefly if another tool holds the file's lock."""
    db = resolve(path)
    delay = 0.05
    for attempt in range(retries):
        try:
            con = duckdb.connect(str(db), read_only=True)
            break
        except duckdb.IOException as exc:
            # A foreign read-write connection (e.g. a BI tool) may hold the lock for a moment.
            if "lock" not in str(exc).lower() or attempt == retries - 1:
                raise
            time.sleep(delay)
            delay = min(delay * 2, 0.5)
    try:
        yield con
    finally:
        con.close()


@contextlib.contextmanager
def writer_lock(db: Path) -> Iterator[None]:
    """Serialise loaders of one warehouse across processes."""
    db.parent.mkdir(parents=True, exist_ok=True)
    lock_path = db.with_name(db.name + ".lock")
    with open(lock_path, "a+") as handle:
        deadline = time.monotonic() + LOCK_WAIT_SECONDS
        while True:
            try:
                fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError as exc:
                if time.monotonic() > deadline:
                    raise WarehouseBusy(f"{db}: toinen lataus on käynnissä; yritä hetken päästä uudelleen") from exc
                time.sleep(0.1)
        try:
            yield
        finally:
            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)


@contextlib.contextmanager
def new_version(db: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    """A read-write connection to a copy of the warehouse; published atomically if the block succeeds."""
    tmp = db.with_name(f".{db.name}.{os.getpid()}.{uuid.uuid4().hex[:8]}.tmp")
    if db.exists():
        shutil.copyfile(db, tmp)
    con = duckdb.connect(str(tmp))
    try:
        yield con
        con.execute("CHECKPOINT")
        con.close()
        os.chmod(tmp, 0o640)
        os.replace(tmp, db)
    except BaseException:
        with contextlib.suppress(Exception):
            con.close()
        for leftover in (tmp, tmp.with_name(tmp.name + ".wal")):
            with contextlib.suppress(FileNotFoundError):
                leftover.unlink()
        raise


def version_token(path: str | os.PathLike[str] | None = None) -> str:
    """Changes whenever a new warehouse version is published: the cache key of the dashboard."""
    db = resolve(path)
    try:
        st = db.stat()
    except FileNotFoundError:
        return "missing"
    return f"{st.st_ino}-{st.st_mtime_ns}-{st.st_size}"


def scalar(con: duckdb.DuckDBPyConnection, sql: str, params: list[object] | None = None) -> object:
    """The first value of a query's first row (None when there is no row)."""
    rows = con.sql(sql, params=params or []).fetchall()
    return rows[0][0] if rows else None
