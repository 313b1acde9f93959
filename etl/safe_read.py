"""Read untrusted files in a child process with memory and CPU limits, and hand back their cells.

The Excel and CSV parsers are native code: a crafted file can make them allocate hundreds of gigabytes and
abort, which in the dashboard's server would end every session. A reading process sets its own resource
limits (address space, CPU time) before it imports a parser and then reads files one after another: for each,
the caller writes one JSON line (name, source, size) and the bytes; the child answers one JSON line (the
table's header facts and the size of the cells, or a problem) followed by the cells as a compressed Arrow IPC
stream. The caller watches its resident memory and wall time per file. A child that dies, hits a limit or runs
too long becomes the ordinary problem "tiedostoa ei voi lukea turvallisesti (…)", and the next file gets a new
process.

Why a process serves many files: starting one (Python, polars, pyarrow) costs about half a second, which for a
load of five years of monthly files was three quarters of the load's time.

Run as `python -m etl.safe_read` (only by `Readers`).
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import IO, TYPE_CHECKING, TypeVar

from etl import limits
from etl.problems import ReadError

if TYPE_CHECKING:
    import polars as pl

    from etl.readers import RawTable

T = TypeVar("T")
_OUT_OF_MEMORY = 3
_UNEXPECTED = 4
_WATCH_SECONDS = 0.05
# A process that holds this share of the memory limit after a file is replaced before the next one.
_RECYCLE_SHARE = 4


def _gib(n: int) -> str:
    return f"{n / 1024**3:.1f}".replace(".", ",").replace(",0", "") + " Gt"


def _unsafe(reason: str) -> ReadError:
    return ReadError(f"tiedostoa ei voi lukea turvallisesti ({reason})")


class _Worker:
    """One reading process and the files it reads one after another."""

    def __init__(self) -> None:
        env = dict(os.environ)
        # Two parser threads are plenty for one file and keep the child's reserved address space small.
        env.setdefault("POLARS_MAX_THREADS", "2")
        env.setdefault("RAYON_NUM_THREADS", "2")
        try:
            self.proc = subprocess.Popen([sys.executable, "-m", "etl.safe_read"], stdin=subprocess.PIPE,
                                         stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=env)
        except OSError as exc:
            raise ReadError(f"tiedoston lukuohjelmaa ei voitu käynnistää "
                            f"({exc.strerror or 'käyttöjärjestelmän virhe'})") from exc

    def read(self, data: bytes, display_name: str, source: str | None) -> tuple[dict[str, object], bytes]:
        """Send one file; return the answer and the cells' bytes, or raise ReadError (the worker is then gone)."""
        memory = limits.reader_memory_bytes()
        deadline = time.monotonic() + limits.READER_WALL_SECONDS
        stop, stopped_for = threading.Event(), []
        proc = self.proc

        def watch() -> None:
            while not stop.wait(_WATCH_SECONDS):
                if _resident(proc.pid) > memory:
                    stopped_for.append(f"tiedoston lukeminen olisi vaatinut yli {_gib(memory)} muistia")
                elif time.monotonic() > deadline:
                    stopped_for.append(f"lukeminen kesti yli {limits.READER_WALL_SECONDS} sekuntia")
                else:
                    continue
                proc.kill()
                return

        watcher = threading.Thread(target=watch, name="reader-watch", daemon=True)
        watcher.start()
        try:
            assert proc.stdin is not None and proc.stdout is not None
            head = json.dumps({"name": display_name, "source": source, "size": len(data)}, ensure_ascii=True)
            try:
                proc.stdin.write(head.encode() + b"\n")
                proc.stdin.write(data)
                proc.stdin.flush()
            except (BrokenPipeError, OSError):
                pass  # the child died; its exit code below says why
            meta, body = _answer_of(proc.stdout)
        finally:
            stop.set()
            watcher.join()
        if meta is None:
            self.close()
            if stopped_for:
                raise _unsafe(stopped_for[0])
            raise _child_failure(proc.wait())
        if _resident(proc.pid) > memory // _RECYCLE_SHARE:
            self.close()  # what the parser kept is given back to the machine
        return meta, body

    @property
    def alive(self) -> bool:
        """Whether the process can take another file."""
        return self.proc.poll() is None

    def close(self) -> None:
        """End the process (closing its input ends its loop; a stuck one is killed)."""
        with contextlib.suppress(OSError):
            if self.proc.stdin is not None:
                self.proc.stdin.close()
        try:
            self.proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        if self.proc.stdout is not None:
            self.proc.stdout.close()


def _answer_of(stream: IO[bytes]) -> tuple[dict[str, object] | None, bytes]:
    """The child's JSON line and the bytes it announces; (None, b"") when it ended without a whole answer."""
    line = stream.readline()
    if not line.endswith(b"\n"):
        return None, b""
    try:
        meta = json.loads(line)
    except ValueError:
        return None, b""
    size = int(meta.get("cells", 0))
    body = stream.read(size) if size else b""
    if len(body) != size:
        return None, b""
    return meta, body


class Readers:
    """Reading processes for one command: files are read in parallel, each in a limited child process."""

    def __init__(self, processes: int | None = None) -> None:
        self._free: list[_Worker] = []
        self._lock = threading.Lock()
        self.processes = processes or max(1, min(2, os.cpu_count() or 1))

    def __enter__(self) -> Readers:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    def read(self, data: bytes, display_name: str, source: str | None = None) -> RawTable:
        """Read one file's bytes in a reading process; raise ReadError for every failure."""
        import polars as pl

        from etl.readers import RawTable, content_hash

        with self._lock:
            worker = self._free.pop() if self._free else None
        worker = worker if worker is not None and worker.alive else _Worker()
        meta, body = worker.read(data, display_name, source)
        if worker.alive:
            with self._lock:
                self._free.append(worker)
        if "error" in meta:
            raise ReadError(str(meta["error"]))
        frame = pl.read_ipc_stream(io.BytesIO(body))
        return RawTable(display_name, meta["headers"], frame, meta["header_row"], content_hash(data),  # type: ignore[arg-type]
                        meta["sheet"])  # type: ignore[arg-type]

    def read_all(self, items: Sequence[tuple[T, str, str | None]],
                 read: Callable[[T, str, str | None], RawTable]) -> Iterator[RawTable | ReadError]:
        """Read many files (each item: what `read` takes), in order, the table or the ReadError of each."""
        def one(item: tuple[T, str, str | None]) -> RawTable | ReadError:
            try:
                return read(*item)
            except ReadError as exc:
                return exc

        with ThreadPoolExecutor(self.processes, thread_name_prefix="reader") as pool:
            yield from pool.map(one, items)

    def close(self) -> None:
        """End every reading process."""
        with self._lock:
            workers, self._free = self._free, []
        for w in workers:
            w.close()


def read_isolated(data: bytes, display_name: str, source: str | None = None) -> RawTable:
    """Read one file's bytes in its own limited child process; raise ReadError for every failure."""
    with Readers(1) as readers:
        return readers.read(data, display_name, source)


def _resident(pid: int) -> int:
    """A process's resident memory in bytes (0 once it has ended)."""
    try:
        with open(f"/proc/{pid}/status", encoding="ascii", errors="replace") as fh:
            for line in fh:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        return 0
    return 0


def _child_failure(code: int) -> ReadError:
    """The problem for a child that ended without an answer."""
    if code == _OUT_OF_MEMORY:
        return _unsafe(f"tiedoston lukeminen olisi vaatinut yli {_gib(limits.reader_memory_bytes())} muistia")
    if code < 0:
        sig = -code
        if sig == signal.SIGXCPU:
            return _unsafe(f"lukeminen vei yli {limits.READER_CPU_SECONDS} sekuntia suoritinaikaa")
        name = signal.Signals(sig).name if sig in signal.Signals.__members__.values() else str(sig)
        return _unsafe(f"lukija keskeytyi ({name}), luultavasti koska tiedosto olisi vaatinut yli "
                       f"{_gib(limits.reader_memory_bytes())} muistia")
    return _unsafe("lukija päättyi odottamattomaan virheeseen")


def _limit_self() -> None:
    """Set this process's address space and core dump limits (before any parser is imported)."""
    import resource

    def capped(what: int, value: int) -> None:
        _, hard = resource.getrlimit(what)
        soft = value if hard == resource.RLIM_INFINITY else min(value, hard)
        resource.setrlimit(what, (soft, soft if hard == resource.RLIM_INFINITY else hard))

    capped(resource.RLIMIT_AS, limits.reader_address_space_bytes())
    capped(resource.RLIMIT_CORE, 0)


def _cpu_budget() -> None:
    """Give the next file READER_CPU_SECONDS of CPU time beyond what this process has used (SIGXCPU after that)."""
    import resource

    usage = resource.getrusage(resource.RUSAGE_SELF)
    used = int(usage.ru_utime + usage.ru_stime) + 1
    _, hard = resource.getrlimit(resource.RLIMIT_CPU)
    soft = used + limits.READER_CPU_SECONDS
    if hard != resource.RLIM_INFINITY:
        soft = min(soft, hard)
    resource.setrlimit(resource.RLIMIT_CPU, (soft, hard))


def _answer(meta: dict[str, object], body: bytes = b"") -> None:
    out = sys.stdout.buffer
    out.write(json.dumps({**meta, "cells": len(body)}, ensure_ascii=True).encode() + b"\n")
    out.write(body)
    out.flush()


def _cells(frame: pl.DataFrame) -> bytes:
    """The cells as a zstd-compressed Arrow IPC stream (compressed, it is a fraction of the file's cells)."""
    import pyarrow as pa
    import pyarrow.ipc

    sink, table = io.BytesIO(), frame.to_arrow()
    options = pyarrow.ipc.IpcWriteOptions(compression="zstd")
    with pa.ipc.new_stream(sink, table.schema, options=options) as writer:
        writer.write_table(table, max_chunksize=64 * 1024)
    return sink.getvalue()


def _serve_one(stdin: IO[bytes]) -> bool:
    """Read one request and answer it; False at the end of input."""
    from etl.readers import read_bytes_here

    line = stdin.readline()
    if not line:
        return False
    request = json.loads(line)
    data = stdin.read(int(request["size"]))
    _cpu_budget()
    try:
        table = read_bytes_here(data, str(request["name"]), request.get("source") or None)
        del data
        body = _cells(table.frame)
        _answer({"headers": table.headers, "header_row": table.header_row, "sheet": table.sheet}, body)
    except ReadError as exc:
        _answer({"error": str(exc)})
    return True


def main() -> int:
    """The child's work: answer requests on stdin until it closes."""
    _limit_self()
    try:
        while _serve_one(sys.stdin.buffer):
            pass
    except MemoryError:
        return _OUT_OF_MEMORY
    except Exception:  # noqa: BLE001 - the parent reports a plain sentence; the details stay on stderr
        import traceback

        traceback.print_exc()
        return _UNEXPECTED
    return 0


if __name__ == "__main__":
    sys.exit(main())
