"""Kill a loader with SIGKILL at random moments while readers query the served warehouse; check nothing breaks.

Run: .venv/bin/python -m bench.kill_trials [--trials 40] [--scale 1/64]

A generated history is loaded once; then each trial starts `etl load` of one further month (staffing and Pulssi)
and kills it after a random delay of up to 1.25 times what a load takes (so some loads get through). Meanwhile a
reader thread queries the served file without pause. A trial passes when the served file afterwards is either the
version before the load (unchanged bytes) or a whole new version, and no reader query failed or saw a month half
loaded (staffing rows of the month without its Pulssi rows or mart rows, or the reverse). After the trials one
clean load must remove every copy the kills left. Everything is written into a temporary folder.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from fractions import Fraction
from pathlib import Path

from bench.generate import generate

ROOT = Path(__file__).resolve().parent.parent


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _load(files: list[Path], db: Path) -> subprocess.Popen[bytes]:
    env = {**os.environ, "TYONJAKO_PSEUDONYM_KEY": "kill-trials"}
    return subprocess.Popen([sys.executable, "-m", "etl", "load", *map(str, files), "--db", str(db)], cwd=ROOT,
                            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def _reader(db: Path, month: str, stop: threading.Event, seen: list[str]) -> None:
    """Query the served file until stopped; record every failure or half-loaded month."""
    from warehouse import db as wdb

    sql = ("SELECT (SELECT count(*) FROM raw_henkilosto WHERE strftime(kuukausi, '%Y-%m') = ?), "
           "(SELECT count(*) FROM raw_pulssi WHERE strftime(kuukausi, '%Y-%m') = ?), "
           "(SELECT count(*) FROM mart_workload WHERE strftime(month, '%Y-%m') = ?)")
    while not stop.is_set():
        try:
            with wdb.read(db) as con:
                staff, pulssi, marts = con.sql(sql, params=[month, month, month]).fetchall()[0]
            if (staff > 0) != (pulssi > 0) or (staff > 0) != (marts > 0):
                seen.append(f"half a load: {staff} staffing, {pulssi} Pulssi, {marts} mart rows of {month}")
        except Exception as exc:  # noqa: BLE001 - any failure of a reader is what the trials look for
            seen.append(f"reader failed: {exc}")


def main(argv: list[str] | None = None) -> None:
    """Run the trials and print one line per trial and a summary; exit 1 if any failed."""
    parser = argparse.ArgumentParser(prog="python -m bench.kill_trials")
    parser.add_argument("--trials", type=int, default=40)
    parser.add_argument("--scale", default="1/64")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    rng = random.Random(args.seed)
    work = Path(tempfile.mkdtemp(prefix="tyonjako-kill-"))
    try:
        files = generate(work / "files", float(Fraction(args.scale)), months=12)
        db = work / "tyonjako.duckdb"
        if _load(files.full, db).wait() != 0:
            raise SystemExit("the first load failed")
        month = files.next_month[0].stem.split("_")[1]
        shutil.copyfile(db, work / "mittaus.duckdb")
        start = time.perf_counter()
        if _load(files.next_month, work / "mittaus.duckdb").wait() != 0:  # how long a load takes, on a copy
            raise SystemExit("the timing load failed")
        span = time.perf_counter() - start
        before = _sha(db)
        failures: list[str] = []
        killed = completed = 0
        stop, seen = threading.Event(), []
        reader = threading.Thread(target=_reader, args=(db, month, stop, seen), daemon=True)
        reader.start()
        for trial in range(1, args.trials + 1):
            proc = _load(files.next_month, db)
            time.sleep(rng.uniform(0, 1.25 * span))  # now and then the load gets through before the kill
            if proc.poll() is None:
                proc.send_signal(signal.SIGKILL)
                killed += 1
            proc.wait()
            now = _sha(db)
            if now == before:
                state = "unchanged"
            else:
                completed += 1
                state = "new version"
                before = now
            print(f"trial {trial:2d}: {'killed' if proc.returncode == -signal.SIGKILL else 'finished'}, "
                  f"served file {state}", flush=True)
        stop.set()
        reader.join()
        failures.extend(seen)
        if _load([files.master[0]], db).wait() != 0:
            failures.append("the clean load after the trials failed")
        left = [p.name for p in db.parent.iterdir() if ".tmp" in p.name]
        if left:
            failures.append(f"copies left after a clean load: {left}")
        print(f"\n{args.trials} trials: {killed} killed during a load, {completed} loads published whole; "
              f"reader failures or half loads: {len(seen)}; leftovers after a clean load: {len(left)}")
        for f in failures[:10]:
            print("FAILED:", f)
        if failures:
            raise SystemExit(1)
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
