"""Generation time and page count of the monthly report on the demo data (not a test: speed is measured here).

    .venv/bin/python bench/report_speed.py [--db PATH]

Builds a demo warehouse in a temporary folder unless --db is given, then makes the latest month's report for the
region in Finnish and Swedish and for one station manager, three times each, and prints the times and pages.
"""

from __future__ import annotations

import argparse
import io
import statistics
import sys
import tempfile
import time
from pathlib import Path

from pypdf import PdfReader


def main() -> int:
    """Print the report's generation time (median of three) and page count per variant."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--db")
    args = parser.parse_args()
    from dashboard import queries, report
    from dashboard.access import Scope

    with tempfile.TemporaryDirectory() as tmp:
        db = Path(args.db) if args.db else None
        if db is None:
            from etl.demo import build_demo

            db = build_demo(Path(tmp) / "demo.duckdb")
        month = queries.months(db)[-1]
        first_station = queries.stations(db)["station_id"][0]
        variants = {
            "region fi": (Scope("johto"), "fi"),
            "region sv": (Scope("johto"), "sv"),
            "esihenkilo fi": (Scope("esihenkilo", frozenset({first_station}), "bench"), "fi"),
        }
        started = time.perf_counter()
        report.pdf(db, Scope("johto"), month)  # first run: imports, vl-convert's engine, Typst's fonts
        print(f"first report (cold): {time.perf_counter() - started:.2f} s")
        for name, (scope, lang) in variants.items():
            times, pdf = [], b""
            for _ in range(3):
                t0 = time.perf_counter()
                pdf = report.pdf(db, scope, month, lang=lang)
                times.append(time.perf_counter() - t0)
            pages = len(PdfReader(io.BytesIO(pdf)).pages)
            print(f"{name}: {statistics.median(times):.2f} s (median of 3), {pages} pages, {len(pdf) // 1024} kB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
