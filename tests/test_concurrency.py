"""Real processes against one warehouse: readers never fail and never see a half load; writers never lose a load."""

from __future__ import annotations

import json
import multiprocessing
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

pytest.register_assert_rewrite("etl_helpers")

from etl_helpers import (  # noqa: E402
    CLI_TIMEOUT,
    Id,
    Month,
    cli_env,
    consistent_reader,
    csv_bytes,
    load_log,
    load_ok,
    query,
)

pytest_plugins = ("etl_helpers",)
pytestmark = pytest.mark.usefixtures("etl_env")

READER_SECONDS = 15.0
JANUARY = Month(2025, 1)
ASEMAT = [["asema_id", "nimi", "kunta"], ["A1", "Keskusta", "Espoo"]]
KYSYMYKSET = [["kysymys_id", "teksti", "tyyppi", "asteikko_min", "asteikko_max"], ["hallinta", "H", "likert", 1, 5]]


def henkilosto(n: int, month: Month = JANUARY) -> list[list[Any]]:
    header = ["kuukausi", "henkilo_id", "asema_id", "rooli", "tyoaikaprosentti", "palvelussuhde",
              "sairauspoissaolo_pv"]
    return [header] + [[month, Id(str(1000 + i)), "A1", "sairaanhoitaja", 100, "vakinainen", i % 3] for i in range(n)]


def pulssi(n: int, month: Month = JANUARY) -> list[list[Any]]:
    header = ["kuukausi", "vastaus_id", "asema_id", "rooli", "hallinta"]
    return [header] + [[month, f"r{i}", "A1", "sairaanhoitaja", 1 + i % 5] for i in range(n)]


def test_readers_never_fail_and_never_see_a_half_load(tmp_path: Path) -> None:
    db = tmp_path / "wh" / "tyonjako.duckdb"
    load_ok(db, {"asemat.csv": ASEMAT, "kysymykset.csv": KYSYMYKSET, "h.csv": henkilosto(3), "p.csv": pulssi(3)})
    stop, ready, result = tmp_path / "stop", tmp_path / "ready", tmp_path / "result.json"
    ctx = multiprocessing.get_context("spawn")
    reader = ctx.Process(target=consistent_reader, args=(str(db), str(stop), str(result), READER_SECONDS, str(ready)))
    reader.start()
    try:
        deadline = time.monotonic() + 60
        while not ready.exists():
            assert reader.is_alive() and time.monotonic() < deadline, "the reader process did not start"
            time.sleep(0.05)
        # Each command changes both files together; sizes differ from one command to the next.
        sizes = [5, 9, 2, 12, 7, 4, 11, 6]
        for n in sizes:
            load_ok(db, {"h.csv": henkilosto(n), "p.csv": pulssi(n)})
    finally:
        stop.touch()
        reader.join(READER_SECONDS + 30)
        if reader.is_alive():
            reader.terminate()
    assert reader.exitcode == 0
    seen = json.loads(result.read_text())
    assert seen["failures"] == [], seen["failures"][:5]
    assert seen["reads"] >= 10, seen
    # The reader really overlapped the loads: it saw several versions.
    assert len(seen["versions"]) >= 3, seen
    assert set(seen["versions"]) <= {3, *sizes}
    assert query(db, "SELECT count(*) FROM raw_henkilosto") == [(sizes[-1],)]


def test_two_loads_at_once_are_serialised_and_neither_is_lost(tmp_path: Path) -> None:
    db = tmp_path / "wh" / "tyonjako.duckdb"
    load_ok(db, {"asemat.csv": ASEMAT, "kysymykset.csv": KYSYMYKSET})
    (tmp_path / "feb.csv").write_bytes(csv_bytes(henkilosto(40, Month(2025, 2))))
    (tmp_path / "mar.csv").write_bytes(csv_bytes(pulssi(30, Month(2025, 3))))
    procs = [
        subprocess.Popen([sys.executable, "-m", "etl", "load", name, "--db", str(db)], cwd=tmp_path, env=cli_env(),
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        for name in ("feb.csv", "mar.csv")
    ]
    outputs = [p.communicate(timeout=CLI_TIMEOUT) for p in procs]
    assert [p.returncode for p in procs] == [0, 0], outputs
    # Both loads are in the warehouse: the second writer copied the first one's published version.
    assert query(db, "SELECT count(*) FROM raw_henkilosto") == [(40,)]
    assert query(db, "SELECT count(*) FROM raw_pulssi") == [(30,)]
    log = load_log(db)
    assert sorted(r["file_name"] for r in log if r["outcome"] == "loaded") == [
        "asemat.csv", "feb.csv", "kysymykset.csv", "mar.csv"
    ]
    assert len({r["load_id"] for r in log}) == 3
    # No temporary copies are left behind.
    assert sorted(p.name for p in db.parent.iterdir() if p.name.endswith(".tmp") or p.name.endswith(".wal")) == []
