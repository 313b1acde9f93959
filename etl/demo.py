"""`python -m etl demo`: generate the project's realistic demo files and load them through `etl load`."""

from __future__ import annotations

import tempfile
from datetime import date
from pathlib import Path

from etl.demo_data import generate
from etl.load import InputFile, Progress, load
from warehouse import db as wdb


def data_origin(path: Path) -> str | None:
    """'demo' or 'loaded' as recorded in the warehouse's meta table, or None."""
    try:
        with wdb.read(path) as con:
            return wdb.scalar(con, "SELECT value FROM meta WHERE key = 'data_origin'")  # type: ignore[return-value]
    except Exception:  # noqa: BLE001 - an unreadable or schema-less file has no origin
        return None


def build_demo(
    db: str | Path | None = None,
    *,
    seed: int = 2026,
    today: date | None = None,
    keep_dir: str | Path | None = None,
    progress: Progress | None = None,
) -> Path:
    """Build (or rebuild) a warehouse holding only the demo data; return its path."""
    path = wdb.resolve(db)
    with tempfile.TemporaryDirectory(prefix="tyonjako-demo-") as tmp:
        out = Path(keep_dir) if keep_dir else Path(tmp)
        out.mkdir(parents=True, exist_ok=True)
        files = generate(out, seed=seed, today=today)
        if path.exists():
            if data_origin(path) == "loaded":
                raise RuntimeError(f"{path} sisältää ladattuja (ei-demo) tietoja; demoa ei rakenneta sen päälle. "
                                   "Anna demolle oma polku: --db data/demo.duckdb")
            # A demo warehouse is rebuilt from scratch so that no earlier demo data mixes in.
            path.unlink()
        result = load([InputFile.from_path(f) for f in files], db=path, progress=progress, origin="demo")
    if not result.ok:
        raise RuntimeError("demoaineisto ei läpäissyt tarkistusta:\n" + "\n".join(result.problem_lines()))
    return path
