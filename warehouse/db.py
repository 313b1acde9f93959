"""Connections to the warehouse file, and publication of a new version by atomic file swap.

Why a swap: DuckDB's file lock is exclusive across processes, so a loader holding a read-write
connection on the served file would make every dashboard query fail. The loader therefore copies the
served file, loads into the copy, CHECKPOINTs and closes it, and `os.replace`s it over the served file.
Readers open short-lived read-only connections; one already open keeps its consistent old view, the
next one sees the new file. Writers are serialised with an advisory lock file.

Why readers ATTACH into an in-memory database of their own: inside one process DuckDB reuses the open database
instance of a path while any connection to it is open, so `connect(path)` after a swap could return the
replaced file's data. An attached file is opened anew by each in-memory instance, and `read` keeps one such
instance per version of the file (checked by a stat before every query) and hands out cursors of it.
"""

from __future__ import annotations

import collections
import contextlib
import errno
import fcntl
import os
import re
import shutil
import tempfile
import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import duckdb

from core.settings import default_db_path

LOCK_WAIT_SECONDS = 120.0
# Room a new version needs beside the served file: the copy itself, its write-ahead log and rebuilt marts.
SPACE_FACTOR = 2.0
SPACE_MARGIN = 16 * 1024 * 1024
_MB = 1024 * 1024
# The loader's DuckDB memory (beyond it, DuckDB spills to disk beside the copy); TYONJAKO_LOADER_MEMORY overrides it.
LOADER_MEMORY_LIMIT = os.environ.get("TYONJAKO_LOADER_MEMORY", "2GB")


class WarehouseBusy(Exception):
    """Another load holds the writer lock for too long."""


class WarehouseIOError(Exception):
    """A disk or I/O failure while publishing a new version: one sentence for the user; the served file is intact."""


def resolve(path: str | os.PathLike[str] | None) -> Path:
    """The warehouse path from an argument, TYONJAKO_DB or the project default."""
    return Path(path) if path else default_db_path()


def _sql_text(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


# One in-memory instance per served version of a file, with the file attached read-only: a query takes a cursor of
# it (well under a millisecond) instead of attaching the file again (15–25 ms, most of a page's query time). A new
# version (a load's rename gives a new inode) gets a new instance; the old one ends when its last cursor closes,
# and its cursors keep reading the old file's consistent snapshot until then.
_INSTANCES: collections.OrderedDict[str, tuple[tuple[int, ...], duckdb.DuckDBPyConnection]] = collections.OrderedDict()
_INSTANCES_LOCK = threading.Lock()
_MAX_INSTANCES = 8
# The attached file's blocks are cached within this, so ten sessions share one cache.
READER_MEMORY_LIMIT = "512MB"


def _reader_spill() -> Path:
    """Where a reading instance spills a rare large query beyond its memory limit (it would fail otherwise)."""
    return Path(tempfile.gettempdir()) / f"tyonjako-duckdb-{os.getuid()}"


def _version(db: Path) -> tuple[int, ...] | None:
    """Which version of the file the path names now, down to an in-place write by a foreign tool."""
    try:
        st = db.stat()
    except OSError:
        return None
    return st.st_dev, st.st_ino, st.st_mtime_ns, st.st_size


def _attach(db: Path, retries: int) -> tuple[tuple[int, ...] | None, duckdb.DuckDBPyConnection]:
    """A new in-memory instance with the file as it is now attached read-only as `wh`."""
    delay = 0.05
    for attempt in range(retries):
        before = _version(db)
        con = duckdb.connect(":memory:", config={"memory_limit": READER_MEMORY_LIMIT,
                                                 "temp_directory": str(_reader_spill())})
        try:
            con.execute(f"ATTACH {_sql_text(str(db))} AS wh (READ_ONLY)")
            if before != _version(db) and attempt < retries - 1:
                # A load published a new version while DuckDB opened the file, which it may open more than once:
                # the attachment could mix the old file's header with the new file's blocks. Attach again.
                con.close()
                continue
            return before, con
        except duckdb.IOException as exc:
            con.close()
            # A foreign read-write connection (e.g. a BI tool) may hold the lock for a moment.
            if "lock" not in str(exc).lower() or attempt == retries - 1:
                raise
            time.sleep(delay)
            delay = min(delay * 2, 0.5)
        except BaseException:
            con.close()
            raise
    raise AssertionError("unreachable: the last attempt returns or raises")


def _key(db: Path) -> str:
    """The shared instances' key of a path: the file it names, when there is one."""
    return str(db.resolve()) if db.exists() else str(db)


def _instance(db: Path, retries: int) -> duckdb.DuckDBPyConnection:
    key = _key(db)
    now = _version(db)
    with _INSTANCES_LOCK:
        held = _INSTANCES.get(key)
        if held is not None and held[0] == now and now is not None:
            _INSTANCES.move_to_end(key)
            return held[1]
    version, con = _attach(db, retries)
    with _INSTANCES_LOCK:
        if version is not None:
            _INSTANCES[key] = (version, con)
            _INSTANCES.move_to_end(key)
            while len(_INSTANCES) > _MAX_INSTANCES:
                _INSTANCES.popitem(last=False)
    return con


def forget(path: str | os.PathLike[str] | None = None) -> None:
    """Drop the shared reading instance of a file (or of every file), e.g. before removing it."""
    with _INSTANCES_LOCK:
        if path is None:
            _INSTANCES.clear()
        else:
            _INSTANCES.pop(_key(resolve(path)), None)


@contextlib.contextmanager
def read(path: str | os.PathLike[str] | None = None, retries: int = 20) -> Iterator[duckdb.DuckDBPyConnection]:
    """A short-lived read-only connection to the file as it is now; retries briefly if a foreign tool holds its lock."""
    db = resolve(path)
    con = _instance(db, retries).cursor()
    try:
        con.execute("USE wh")
        yield con
    finally:
        con.close()


@contextlib.contextmanager
def writer_lock(db: Path) -> Iterator[None]:
    """Serialise loaders of one warehouse across processes."""
    try:
        db.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(db.with_name(db.name + ".lock"), os.O_RDWR | os.O_CREAT, 0o600)
    except OSError as exc:
        raise WarehouseIOError(_io_sentence(db, exc)) from exc
    with os.fdopen(fd, "a+") as handle:
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


def _tmp_pattern(db: Path) -> re.Pattern[str]:
    return re.compile(rf"^\.{re.escape(db.name)}\.(\d+)\.[0-9a-f]{{8}}\.tmp(\.wal|\.spill)?$")


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def remove_stale_copies(db: Path) -> list[Path]:
    """Remove the copies (and their write-ahead logs) that killed or failed loaders left beside the warehouse."""
    removed: list[Path] = []
    if not db.parent.is_dir():
        return removed
    pattern = _tmp_pattern(db)
    for entry in db.parent.iterdir():
        m = pattern.match(entry.name)
        if m and not _pid_alive(int(m.group(1))):
            with contextlib.suppress(FileNotFoundError):
                if entry.is_dir():
                    shutil.rmtree(entry)
                else:
                    entry.unlink()
                removed.append(entry)
    return removed


def _check_space(db: Path) -> None:
    size = db.stat().st_size if db.exists() else 0
    need = int(size * SPACE_FACTOR) + SPACE_MARGIN
    free = shutil.disk_usage(db.parent).free
    if free < need:
        raise WarehouseIOError(
            f"Levytilaa ei ole tarpeeksi: latauksen kopio tarvitsee noin {need // _MB + 1} Mt kansiossa "
            f"{db.parent}, vapaana on {free // _MB} Mt. Vapauta tilaa ja yritä uudelleen; varasto on ennallaan."
        )


def _io_sentence(db: Path, exc: BaseException) -> str:
    text = str(exc)
    full = (isinstance(exc, OSError) and exc.errno == errno.ENOSPC) or "no space left" in text.lower()
    if full:
        return (f"Levy täyttyi kesken latauksen kansiossa {db.parent}; varasto on ennallaan. "
                "Vapauta levytilaa ja yritä uudelleen.")
    reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else type(exc).__name__
    return (f"Varaston uutta versiota ei voitu kirjoittaa kansioon {db.parent} (levy- tai käyttöoikeusvirhe: "
            f"{reason}); varasto on ennallaan. Tarkista levy ja oikeudet ja yritä uudelleen.")


IO_ERRORS: tuple[type[BaseException], ...] = (OSError, duckdb.IOException, duckdb.FatalException)


def new_version(db: Path) -> contextlib.AbstractContextManager[duckdb.DuckDBPyConnection]:
    """A read-write connection to a copy of the warehouse; published atomically if the block succeeds.

    Call it while holding `writer_lock`. Copies are owner-only until publication; a disk or I/O failure
    becomes a WarehouseIOError sentence and leaves the served file as it was.
    """
    return _new_version(db, copy=True)


def fresh_version(db: Path) -> contextlib.AbstractContextManager[duckdb.DuckDBPyConnection]:
    """Like new_version, but starting from an empty database: what replaces the served file holds nothing of it."""
    return _new_version(db, copy=False)


@contextlib.contextmanager
def _new_version(db: Path, copy: bool) -> Iterator[duckdb.DuckDBPyConnection]:
    tmp = db.with_name(f".{db.name}.{os.getpid()}.{uuid.uuid4().hex[:8]}.tmp")
    con: duckdb.DuckDBPyConnection | None = None
    # Owner-only while the copy is being written (the write-ahead log too); the published file gets 0640.
    old_umask = os.umask(0o077)
    try:
        remove_stale_copies(db)
        _check_space(db if copy else tmp)
        if copy and db.exists():
            _copy(db, tmp)
        # A bounded loader: DuckDB spills what does not fit to a folder beside the copy instead of taking most of the
        # machine's memory (its default is 80 %), so a national load stays within a few gigabytes.
        con = duckdb.connect(str(tmp), config={"memory_limit": LOADER_MEMORY_LIMIT,
                                               "temp_directory": str(_spill(tmp))})
        yield con
        con.execute("CHECKPOINT")
        con.close()
        os.chmod(tmp, 0o640)
        os.replace(tmp, db)
        forget(db)  # this process's reading instance of the replaced version lets its disk space go
    except BaseException as exc:
        if con is not None:
            with contextlib.suppress(Exception):
                con.close()
        for leftover in (tmp, tmp.with_name(tmp.name + ".wal")):
            with contextlib.suppress(OSError):
                leftover.unlink()
        if isinstance(exc, IO_ERRORS):
            raise WarehouseIOError(_io_sentence(db, exc)) from exc
        raise
    finally:
        shutil.rmtree(_spill(tmp), ignore_errors=True)
        os.umask(old_umask)


def _copy(src: Path, dst: Path) -> None:
    """Copy the served file to a new owner-only file: in the kernel, as a shared-extent clone where the file system
    can (XFS, Btrfs: a national warehouse in milliseconds), else as a plain copy."""
    with open(src, "rb") as fin:
        fd = os.open(dst, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as fout:
            size = os.fstat(fin.fileno()).st_size
            done = 0
            try:
                while done < size:
                    n = os.copy_file_range(fin.fileno(), fout.fileno(), size - done)
                    if n == 0:
                        break
                    done += n
            except OSError as exc:
                if exc.errno not in (errno.EXDEV, errno.ENOSYS, errno.EINVAL, errno.EOPNOTSUPP) or done:
                    raise
            if done < size:  # no kernel copy here: copy through this process
                fin.seek(done)
                fout.seek(done)
                shutil.copyfileobj(fin, fout, 4 * _MB)


def _spill(tmp: Path) -> Path:
    """The folder where the loader's DuckDB spills intermediate results (removed with the copy)."""
    return tmp.with_name(tmp.name + ".spill")


def version_token(path: str | os.PathLike[str] | None = None) -> str:
    """Changes whenever a new warehouse version is published: the cache key of the dashboard.

    `read` opens the file after this stat, so data read under a token is never older than the token.
    """
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
