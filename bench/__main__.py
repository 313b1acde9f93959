"""`python -m bench [SCALE]`: generate a data set at a scale (1/16, 1/4, 1) and print its figures in one run.

Each step runs in its own process (its peak memory is its own); the data set goes to a temporary folder that is
removed afterwards unless --keep is given. Figures are meant to be read as ratios within one run.
"""

from __future__ import annotations

import argparse
import json
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from fractions import Fraction
from pathlib import Path
from typing import Any

from bench.generate import generate


def _step(name: str, workdir: Path, *args: str) -> dict[str, Any]:
    out = subprocess.run([sys.executable, "-m", "bench.steps", name, str(workdir), *args], check=False,
                         capture_output=True, text=True, cwd=Path(__file__).resolve().parent.parent)
    if out.returncode:
        raise SystemExit(f"step {name} failed:\n{out.stderr[-3000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def main(argv: list[str] | None = None) -> None:
    """Generate, measure and print the benchmark."""
    parser = argparse.ArgumentParser(prog="python -m bench")
    parser.add_argument("scale", nargs="?", default="1/16", help="1/16, 1/4 or 1 (national)")
    parser.add_argument("--workdir", help="folder for the data set and warehouse (default: a temporary folder)")
    parser.add_argument("--keep", action="store_true", help="keep the data set and warehouse")
    parser.add_argument("--repeats", default="3", help="page runs per page and unit")
    parser.add_argument("--no-pages", action="store_true", help="skip the page and query-function timings")
    parser.add_argument("--sessions", default="10", help="browser sessions on a real server (0: skip Chromium)")
    args = parser.parse_args(argv)
    scale = Fraction(args.scale)
    workdir = Path(args.workdir or tempfile.mkdtemp(prefix="tyonjako-bench-"))
    workdir.mkdir(parents=True, exist_ok=True)
    try:
        start = time.perf_counter()
        files = generate(workdir / "files", float(scale))
        generated = time.perf_counter() - start
        (workdir / "files.json").write_text(json.dumps({
            "full": [str(p) for p in files.full], "next_month": [str(p) for p in files.next_month]}),
            encoding="utf-8")
        size = sum(p.stat().st_size for p in files.full) / 2**20
        print(f"# Benchmark, scale {scale}: {platform.node()}, {platform.processor() or platform.machine()}, "
              f"{time.strftime('%Y-%m-%d %H:%M')}")
        print(f"generated {len(files.full)} files, {size:.0f} MiB, in {generated:.1f} s")
        raw = _step("raw", workdir)
        full = _step("full", workdir)
        month = _step("refresh", workdir)
        print("\n| step | s | CPU s | peak RSS MiB | × raw read (s) | suppression s | partitions decided | "
              "child processes' CPU s |")
        print("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
        print(f"| DuckDB read_csv of the same files ({raw['rows']:,} rows) | {raw['seconds']:.1f} | "
              f"{raw['cpu_s']:.1f} | {raw['peak_rss_mb']:.0f} | 1.0 | | | |")
        for name, r in (("full load", full), ("one further month", month)):
            print(f"| {name} | {r['seconds']:.1f} | {r['cpu_s']:.1f} | {r['peak_rss_mb']:.0f} | "
                  f"{r['seconds'] / raw['seconds']:.1f} | {r['suppression_seconds']:.1f} | {r['partitions_decided']} | "
                  f"{r['children_cpu_s']:.1f} |")
        print(f"\nrefresh / full load: {month['seconds'] / full['seconds']:.0%}; "
              f"suppression share of the full load: {full['suppression_seconds'] / full['seconds']:.0%}; "
              f"warehouse {month['warehouse_mb']:.0f} MiB")
        if not args.no_pages:
            pages = _step("pages", workdir, args.repeats)
            floor = pages["empty_app_p50_s"]
            print(f"\nPage script runs (AppTest, caches cleared; empty two-page app p50 {floor * 1000:.0f} ms):")
            print("| page:unit | p50 s | × empty app |")
            print("| --- | ---: | ---: |")
            for name, p50 in sorted(pages["pages_p50_s"].items()):
                print(f"| {name} | {p50:.2f} | {p50 / floor:.1f} |")
            print("\nQuery functions (outermost calls from the pages, caches cleared):")
            print("| function:unit | calls | p50 ms | p95 ms |")
            print("| --- | ---: | ---: | ---: |")
            for name, f in sorted(pages["functions"].items()):
                if f["p95_ms"] < 1:  # helpers that only reshape a frame already read
                    continue
                print(f"| {name} | {f['n']} | {f['p50_ms']:.0f} | {f['p95_ms']:.0f} |")
            for error in pages["errors"]:
                print(f"page error: {error}")
        if int(args.sessions):
            real = _step("browser", workdir, args.sessions)
            empty, work = real["empty"], real["tyokuorma"]
            print(f"\nReal server and Chromium, {args.sessions} sessions opened one after another:")
            print("| app | first open s | open p50 s | open max s | server RSS MiB with all sessions open |")
            print("| --- | ---: | ---: | ---: | ---: |")
            for name, r in (("empty two-page app", empty), ("Työkuorma, charts drawn", work)):
                print(f"| {name} | {r['first_open_s']:.2f} | {r['open_p50_s']:.2f} | {r['open_max_s']:.2f} | "
                      f"{r['server_rss_mb']:.0f} |")
            print(f"page open / empty app (p50): {work['open_p50_s'] / empty['open_p50_s']:.1f}×")
    finally:
        if not args.keep:
            shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
