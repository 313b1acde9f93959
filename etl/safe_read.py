"""Read an untrusted file in a child process with memory and CPU limits, and hand back its cells.

The Excel and CSV parsers are native code: a crafted file can make them allocate hundreds of gigabytes and
abort, which in the dashboard's server would end every session. The child process sets its own resource
limits (address space, CPU time) before it imports a parser, reads the file from stdin and writes one JSON
line (the table's header facts, or a problem) followed by the cells as a compressed Arrow IPC stream; the
caller watches its resident memory and wall time. A child that dies, hits a limit or runs too long becomes
the ordinary problem "tiedostoa ei voi lukea turvallisesti (…)".

Run as `python -m etl.safe_read NAME [SOURCE]` (only by `read_isolated`).
"""

from __future__ import annotations

import io
import json
import os
import signal
import subprocess
import sys
import threading
import time
from typing import TYPE_CHECKING

from etl import limits
from etl.problems import ReadError

if TYPE_CHECKING:
    import polars as pl

    from etl.readers import RawTable

_OUT_OF_MEMORY = 3
_UNEXPECTED = 4
_WATCH_SECONDS = 0.05


def _gib(n: int) -> str:
    return f"{n / 1024**3:.1f}".replace(".", ",").replace(",0", "") + " Gt"


def _unsafe(reason: str) -> ReadError:
    return ReadError(f"tiedostoa ei voi lukea turvallisesti ({reason})")


def read_isolated(data: bytes, display_name: str, source: str | None = None) -> RawTable:
    """Read a file's bytes in a limited child process; raise ReadError for every failure."""
    import polars as pl

    from etl.readers import RawTable, content_hash

    env = dict(os.environ)
    # Two parser threads are plenty for one file and keep the child's reserved address space small.
    env.setdefault("POLARS_MAX_THREADS", "2")
    env.setdefault("RAYON_NUM_THREADS", "2")
    stdout = _run([sys.executable, "-m", "etl.safe_read", display_name, source or ""], data, env)
    head, _, body = stdout.partition(b"\n")
    try:
        meta = json.loads(head)
    except ValueError as exc:
        raise _unsafe("lukuohjelma palautti tunnistamattoman vastauksen") from exc
    if "error" in meta:
        raise ReadError(meta["error"])
    frame = pl.read_ipc_stream(io.BytesIO(body))
    return RawTable(display_name, meta["headers"], frame, meta["header_row"], content_hash(data), meta["sheet"])


def _run(cmd: list[str], data: bytes, env: dict[str, str]) -> bytes:
    """Run the reader, feeding it the file; watch its resident memory and wall time; return its output.

    The address-space limit (set by the child itself) stops a single huge allocation at once, but it must leave
    room for the parser's reserved yet unused address space; the resident memory, what the machine really
    gives, is watched here and the child is stopped at the limit.
    """
    memory = limits.reader_memory_bytes()
    deadline = time.monotonic() + limits.READER_WALL_SECONDS
    try:
        proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
    except OSError as exc:
        raise ReadError(f"tiedoston lukuohjelmaa ei voitu käynnistää ({exc.strerror or 'käyttöjärjestelmän virhe'})"
                        ) from exc
    stop, stopped_for = threading.Event(), []

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
        out, _ = proc.communicate(data)
    finally:
        stop.set()
        watcher.join()
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
    if stopped_for:
        raise _unsafe(stopped_for[0])
    if proc.returncode != 0:
        raise _child_failure(proc.returncode)
    return out


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
    """Set this process's address space, CPU time and core dump limits (before any parser is imported)."""
    import resource

    def capped(what: int, value: int, extra: int = 0) -> None:
        _, hard = resource.getrlimit(what)
        soft = value if hard == resource.RLIM_INFINITY else min(value, hard)
        resource.setrlimit(what, (soft, soft + extra if hard == resource.RLIM_INFINITY else hard))

    capped(resource.RLIMIT_AS, limits.reader_address_space_bytes())
    # The CPU hard limit a little above the soft one: SIGXCPU first, SIGKILL if that is ignored.
    capped(resource.RLIMIT_CPU, limits.READER_CPU_SECONDS, 10)
    capped(resource.RLIMIT_CORE, 0)


def _answer(meta: dict[str, object]) -> None:
    out = sys.stdout.buffer
    out.write(json.dumps(meta, ensure_ascii=True).encode() + b"\n")
    out.flush()


def _write_cells(frame: pl.DataFrame) -> None:
    """The cells as a zstd-compressed Arrow IPC stream straight to stdout (no second copy in memory, and the
    caller holds about the file's size, not four times it)."""
    import pyarrow as pa
    import pyarrow.ipc

    table = frame.to_arrow()
    options = pyarrow.ipc.IpcWriteOptions(compression="zstd")
    with pa.ipc.new_stream(sys.stdout.buffer, table.schema, options=options) as writer:
        writer.write_table(table, max_chunksize=64 * 1024)
    sys.stdout.buffer.flush()


def main(argv: list[str]) -> int:
    """The child's work: read stdin as the named file, answer on stdout."""
    _limit_self()
    name, source = argv[0], (argv[1] or None) if len(argv) > 1 else None
    try:
        from etl.readers import read_bytes_here

        data = sys.stdin.buffer.read()
        table = read_bytes_here(data, name, source)
        del data
        _answer({"headers": table.headers, "header_row": table.header_row, "sheet": table.sheet})
        _write_cells(table.frame)
    except ReadError as exc:
        _answer({"error": str(exc)})
    except MemoryError:
        return _OUT_OF_MEMORY
    except Exception:  # noqa: BLE001 - the parent reports a plain sentence; the details stay on stderr
        import traceback

        traceback.print_exc()
        return _UNEXPECTED
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
