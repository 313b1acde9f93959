"""Read an untrusted file in a child process with memory and CPU limits, and hand back its cells.

The Excel and CSV parsers are native code: a crafted file can make them allocate hundreds of gigabytes and
abort, which in the dashboard's server would end every session. The child process sets its own resource
limits before it imports a parser, reads the file from stdin and writes one JSON line (the table's header
facts, or a problem) followed by the cells as Arrow IPC. A child that dies, hits a limit or runs too long
becomes the ordinary problem "tiedostoa ei voi lukea turvallisesti (…)".

Run as `python -m etl.safe_read NAME [SOURCE]` (only by `read_isolated`).
"""

from __future__ import annotations

import io
import json
import os
import signal
import subprocess
import sys
from typing import TYPE_CHECKING

from etl import limits
from etl.problems import ReadError

if TYPE_CHECKING:
    from etl.readers import RawTable

_OUT_OF_MEMORY = 3
_UNEXPECTED = 4


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
    try:
        proc = subprocess.run(
            [sys.executable, "-m", "etl.safe_read", display_name, source or ""],
            input=data, capture_output=True, timeout=limits.READER_WALL_SECONDS, env=env, check=False,
        )
    except subprocess.TimeoutExpired as exc:
        raise _unsafe(f"lukeminen kesti yli {limits.READER_WALL_SECONDS} sekuntia") from exc
    except OSError as exc:
        raise ReadError(f"tiedoston lukuohjelmaa ei voitu käynnistää ({exc.strerror or 'käyttöjärjestelmän virhe'})"
                        ) from exc
    if proc.returncode != 0:
        raise _child_failure(proc.returncode)
    head, _, body = proc.stdout.partition(b"\n")
    try:
        meta = json.loads(head)
    except ValueError as exc:
        raise _unsafe("lukuohjelma palautti tunnistamattoman vastauksen") from exc
    if "error" in meta:
        raise ReadError(meta["error"])
    frame = pl.read_ipc(io.BytesIO(body))
    return RawTable(display_name, meta["headers"], frame, meta["header_row"], content_hash(data), meta["sheet"])


def _child_failure(code: int) -> ReadError:
    """The problem for a child that ended without an answer."""
    if code == _OUT_OF_MEMORY:
        return _unsafe(f"tiedoston lukeminen olisi vaatinut yli {_gib(limits.reader_memory_bytes())} muistia")
    if code < 0:
        sig = -code
        if sig in (signal.SIGXCPU, signal.SIGKILL):
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

    capped(resource.RLIMIT_AS, limits.reader_memory_bytes())
    # The CPU hard limit a little above the soft one: SIGXCPU first, SIGKILL if that is ignored.
    capped(resource.RLIMIT_CPU, limits.READER_CPU_SECONDS, 10)
    capped(resource.RLIMIT_CORE, 0)


def _answer(meta: dict[str, object], body: bytes = b"") -> None:
    out = sys.stdout.buffer
    out.write(json.dumps(meta, ensure_ascii=True).encode() + b"\n")
    out.write(body)
    out.flush()


def main(argv: list[str]) -> int:
    """The child's work: read stdin as the named file, answer on stdout."""
    _limit_self()
    name, source = argv[0], (argv[1] or None) if len(argv) > 1 else None
    try:
        from etl.readers import read_bytes_here

        data = sys.stdin.buffer.read()
        table = read_bytes_here(data, name, source)
        del data
        sink = io.BytesIO()
        table.frame.write_ipc(sink)
        _answer({"headers": table.headers, "header_row": table.header_row, "sheet": table.sheet},
                sink.getvalue())
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
