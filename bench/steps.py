"""One measured step of the benchmark, run in its own process so that its peak memory is its own.

`python -m bench.steps STEP WORKDIR [ARGS]` prints one JSON line: seconds, peak_rss_mb and step-specific figures.
"""

from __future__ import annotations

import json
import os
import resource
import statistics
import sys
import time
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any

PAGES = ("yleiskuva", "tyokuorma", "tyonjako", "pulssi", "tavoitteet", "kayttoonotto")
EMPTY_APP = '''import streamlit as st

pages = [st.Page(lambda: st.write("Yksi"), title="Yksi", url_path="yksi"),
         st.Page(lambda: st.write("Kaksi"), title="Kaksi", url_path="kaksi")]
st.navigation(pages).run()
'''


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _cpu_s() -> float:
    """CPU seconds of this process (all threads): steadier than wall time on a machine others share."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _files(workdir: Path, which: str) -> list[Path]:
    listing = json.loads((workdir / "files.json").read_text(encoding="utf-8"))
    return [Path(p) for p in listing[which]]


def raw_read(workdir: Path) -> dict[str, Any]:
    """DuckDB's own read_csv of the full load's files into tables: the floor a loader cannot beat."""
    import duckdb

    files = _files(workdir, "full")
    groups: dict[str, list[str]] = defaultdict(list)
    for f in files:
        groups[f.name.split("_")[0].removesuffix(".csv")].append(str(f))
    db = workdir / "raw.duckdb"
    db.unlink(missing_ok=True)
    start = time.perf_counter()
    con = duckdb.connect(str(db))
    rows = 0
    for name, paths in groups.items():
        con.execute(f"CREATE TABLE {name} AS SELECT * FROM read_csv(?, delim=';', header=true)",
                    [paths])
        rows += con.sql(f"SELECT count(*) FROM {name}").fetchall()[0][0]
    con.execute("CHECKPOINT")
    con.close()
    seconds = time.perf_counter() - start
    db.unlink()
    return {"seconds": seconds, "cpu_s": _cpu_s(), "peak_rss_mb": _peak_mb(), "rows": rows}


def _timed_load(workdir: Path, which: str) -> dict[str, Any]:
    """Load files through `etl load`, timing the suppression step and counting the partitions decided again."""
    import warehouse.build as build
    import warehouse.suppression as suppression
    from etl.load import InputFile, load

    spent = {"suppression": 0.0}
    decided: list[int] = []
    real_frame, real_decide = build.suppress_frame, suppression.decide

    def timed_frame(*args: Any, **kwargs: Any) -> Any:  # noqa: ANN401 - a transparent wrapper
        start = time.perf_counter()
        try:
            return real_frame(*args, **kwargs)
        finally:
            spent["suppression"] += time.perf_counter() - start

    def counted(todo: list[tuple[str, dict[Any, int]]], k: int) -> dict[str, dict[Any, bool]]:
        decided.extend(len(nodes) for _, nodes in todo)  # decided here or in the parallel children
        return real_decide(todo, k)

    build.suppress_frame = timed_frame
    suppression.decide = counted
    start = time.perf_counter()
    result = load([InputFile.from_path(p) for p in _files(workdir, which)], db=workdir / "bench.duckdb")
    seconds = time.perf_counter() - start
    if not result.ok:
        raise SystemExit("\n".join(result.problem_lines()[:20]))
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return {"seconds": seconds, "cpu_s": _cpu_s(), "peak_rss_mb": _peak_mb(),
            # The child processes (readers, parallel suppression): their CPU time. (Their peak memory is not told
            # apart here: a child's count starts from the parent's pages at fork. Each reader is capped at 2 GB.)
            "children_cpu_s": children.ru_utime + children.ru_stime,
            "suppression_seconds": spent["suppression"], "partitions_decided": len(decided),
            "warehouse_mb": (workdir / "bench.duckdb").stat().st_size / 2**20}


def full_load(workdir: Path) -> dict[str, Any]:
    """A full load of every file into a new warehouse."""
    (workdir / "bench.duckdb").unlink(missing_ok=True)
    return _timed_load(workdir, "full")


def refresh(workdir: Path) -> dict[str, Any]:
    """One further month of staffing and Pulssi loaded into the full warehouse."""
    return _timed_load(workdir, "next_month")


def _instrument(record: Callable[[str, float], None]) -> None:
    """Wrap every public function of the query modules: time the outermost call of each (what a page calls)."""
    import importlib
    import pkgutil

    import dashboard

    depth = [0]
    for info in pkgutil.iter_modules(dashboard.__path__):
        if not (info.name.startswith("queries") or info.name == "overview"):
            continue
        module = importlib.import_module(f"dashboard.{info.name}")
        for name, func in list(vars(module).items()):
            if name.startswith("_") or not callable(func) or getattr(func, "__module__", None) != module.__name__:
                continue
            if isinstance(func, type):
                continue

            def wrapper(*args: Any, __f: Any = func, __n: str = f"{info.name}.{name}", **kwargs: Any) -> Any:  # noqa: ANN401
                depth[0] += 1
                start = time.perf_counter()
                try:
                    return __f(*args, **kwargs)
                finally:
                    depth[0] -= 1
                    if depth[0] == 0:
                        record(__n, time.perf_counter() - start)

            setattr(module, name, wrapper)


def _units(db: Path) -> dict[str, dict[str, object]]:
    import duckdb

    with duckdb.connect(str(db), read_only=True) as con:
        station, municipality = con.sql(
            "SELECT station_id, municipality FROM mart_sick_leave WHERE station_id IS NOT NULL AND role_group IS NULL "
            "GROUP BY ALL ORDER BY max(headcount) DESC, station_id LIMIT 1").fetchall()[0]
    return {"region": {}, "municipality": {"f_municipality": municipality}, "station": {"f_station": station}}


def pages(workdir: Path, repeats: str = "3") -> dict[str, Any]:
    """Run every page (AppTest, no browser) for the region, a municipality and a station with caches cleared.

    Returns p50/p95 of every query function the pages call (outermost calls), and each page's script time
    against an empty two-page app.
    """
    import streamlit as st
    from streamlit.testing.v1 import AppTest

    from core.settings import PROJECT_ROOT

    db = workdir / "bench.duckdb"
    os.environ.update({"TYONJAKO_DB": str(db), "TYONJAKO_NO_AUTO_DEMO": "1", "TYONJAKO_ALLOW_NO_AUTH": "1"})
    calls: dict[str, dict[str, list[float]]] = defaultdict(lambda: defaultdict(list))
    unit = ["region"]
    _instrument(lambda name, s: calls[unit[0]][name].append(s))
    page_times: dict[str, list[float]] = defaultdict(list)
    empty = workdir / "empty_app.py"
    empty.write_text(EMPTY_APP, encoding="utf-8")
    floor = []
    errors: list[str] = []
    for _ in range(int(repeats)):
        at = AppTest.from_file(str(empty), default_timeout=120)
        start = time.perf_counter()
        at.run()
        floor.append(time.perf_counter() - start)
        for unit_name, state in _units(db).items():
            unit[0] = unit_name
            for page in PAGES:
                st.cache_data.clear()
                at = AppTest.from_file(str(PROJECT_ROOT / "app.py"), default_timeout=300)
                at.session_state["demo_role"] = "johto"
                for key, value in state.items():
                    at.session_state[key] = value
                at.run()
                st.cache_data.clear()
                start = time.perf_counter()
                at.switch_page(f"pages/{page}.py").run()
                page_times[f"{page}:{unit_name}"].append(time.perf_counter() - start)
                if at.exception:
                    errors.append(f"{page}:{unit_name}: {at.exception[0].value}"[:200])
    functions = {}
    for unit_name, by_name in calls.items():
        for name, times in by_name.items():
            ordered = sorted(times)
            functions[f"{name}:{unit_name}"] = {
                "n": len(times), "p50_ms": 1000 * statistics.median(ordered),
                "p95_ms": 1000 * ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]}
    return {"seconds": sum(sum(v) for v in page_times.values()), "peak_rss_mb": _peak_mb(),
            "empty_app_p50_s": statistics.median(floor),
            "pages_p50_s": {k: statistics.median(v) for k, v in page_times.items()},
            "functions": functions, "errors": sorted(set(errors))}


def _rss_mb(pid: int) -> float:
    """Resident memory of a process and its children (from /proc), in MiB."""
    total = 0
    for p in [pid, *_children(pid)]:
        try:
            status = Path(f"/proc/{p}/status").read_text(encoding="utf-8")
        except OSError:
            continue
        total += next((int(line.split()[1]) for line in status.splitlines() if line.startswith("VmRSS:")), 0)
    return total / 1024


def _children(pid: int) -> list[int]:
    try:
        direct = [int(c) for c in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:
        return []
    return [c for d in direct for c in (d, *_children(d))]


def browser(workdir: Path, sessions: str = "10") -> dict[str, Any]:
    """A real server and Chromium: page open to charts drawn, against an empty two-page app; server RSS with N sessions.

    Every session is a new browser context (its own Streamlit session) that opens the workload page, whose charts
    are drawn when `svg.marks` appears; all stay open while the server's memory is read.
    """
    from playwright.sync_api import sync_playwright

    from core.settings import PROJECT_ROOT

    sys.path.insert(0, str(PROJECT_ROOT / "tests"))
    from browser_support import chromium, start_streamlit, stop_process

    empty = workdir / "empty_app.py"
    empty.write_text(EMPTY_APP, encoding="utf-8")
    env = {"TYONJAKO_DB": str(workdir / "bench.duckdb"), "TYONJAKO_NO_AUTO_DEMO": "1", "TYONJAKO_ALLOW_NO_AUTH": "1"}
    out: dict[str, Any] = {}
    with sync_playwright() as pw:
        browser = chromium(pw)
        for name, app, path, ready in (("empty", empty, "kaksi", "text=Kaksi"),
                                       ("tyokuorma", PROJECT_ROOT / "app.py", "tyokuorma",
                                        '[data-testid="stVegaLiteChart"] svg.marks')):
            url, proc = start_streamlit(env, app=app, cwd=workdir, timeout=180)
            try:
                contexts, times = [], []
                for _ in range(int(sessions)):
                    context = browser.new_context()
                    contexts.append(context)
                    page = context.new_page()
                    start = time.perf_counter()
                    page.goto(f"{url}/{path}")
                    page.locator(ready).first.wait_for(timeout=300_000)
                    times.append(time.perf_counter() - start)
                out[name] = {"open_p50_s": statistics.median(times), "open_max_s": max(times),
                             "first_open_s": times[0], "server_rss_mb": _rss_mb(proc.pid)}
                for context in contexts:
                    context.close()
            finally:
                stop_process(proc)
        browser.close()
    return {"seconds": 0.0, "peak_rss_mb": _peak_mb(), **out}


STEPS: dict[str, Callable[..., dict[str, Any]]] = {
    "raw": raw_read, "full": full_load, "refresh": refresh, "pages": pages, "browser": browser,
}

if __name__ == "__main__":
    step, workdir, *rest = sys.argv[1:]
    os.environ.setdefault("TYONJAKO_PSEUDONYM_KEY", "bench-key")
    print(json.dumps(STEPS[step](Path(workdir), *rest)))
