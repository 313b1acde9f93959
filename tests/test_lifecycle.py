"""The data lifecycle: demo to real data, closing and merging stations, the dry run, freshness, safe publication."""

from __future__ import annotations

import hashlib
import os
import shutil
import signal
import subprocess
import sys
import time
from datetime import date
from pathlib import Path
from typing import Any

import duckdb
import pytest

pytest.register_assert_rewrite("etl_helpers")

from etl_helpers import (  # noqa: E402
    ASEMAT,
    BASE_FILES,
    HENKILOSTO,
    KARTOITUS,
    KYSYMYKSET,
    KYSYMYSLOKI,
    PULSSI,
    TEHTAVAT,
    Id,
    Month,
    all_text,
    cli_env,
    csv_bytes,
    inputs,
    load_log,
    load_ok,
    load_rows,
    mart_snapshot,
    query,
    run_cli,
)

from dashboard.access import Scope  # noqa: E402
from etl.load import dry_run  # noqa: E402
from warehouse import db as wdb  # noqa: E402

pytest_plugins = ("etl_helpers",)
pytestmark = pytest.mark.usefixtures("etl_env")

PM = Scope("projektipaallikko")


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def write(dir_: Path, files: dict[str, list[list[Any]]]) -> list[str]:
    for name, rows in files.items():
        (dir_ / name).write_bytes(csv_bytes(rows))
    return list(files)


def mart_tables(db: Path) -> dict[str, list[tuple[Any, ...]]]:
    return {name: rows for name, rows in mart_snapshot(db).items() if name.startswith("mart_")}


# --- demo → real ------------------------------------------------------------------------------------------------


def test_first_real_load_into_the_demo_is_refused_unless_confirmed_then_leaves_no_demo_row(
    demo_db: Path, tmp_path: Path
) -> None:
    db = tmp_path / "wh" / "tyonjako.duckdb"
    db.parent.mkdir()
    shutil.copyfile(demo_db, db)
    demo_stations = {r[0] for r in query(db, "SELECT asema_id FROM raw_asemat")}
    assert len(demo_stations) > 10
    names = write(tmp_path, {f"{name}.csv": rows for name, rows in BASE_FILES.items()})
    before = sha(db)

    refused = run_cli("load", *names, "--db", str(db), cwd=tmp_path)
    assert refused.returncode == 2, refused.stdout + refused.stderr
    assert "--replace-demo" in refused.stdout and "demoaineiston" in refused.stderr
    assert sha(db) == before

    checked = run_cli("check", *names, "--db", str(db), cwd=tmp_path)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert "Ensimmäinen oikea lataus aloittaa puhtaan varaston" in checked.stderr
    assert "--replace-demo" in checked.stderr
    # The dry run compares with the clean warehouse the load would start: every row is new.
    assert "asemat.csv: muuttaisi varastoa, lähde asemat, 3 riviä (uusia 3, korvattuja 0, poistuvia 0" in checked.stderr
    assert sha(db) == before

    loaded = run_cli("load", *names, "--db", str(db), "--replace-demo", cwd=tmp_path)
    assert loaded.returncode == 0, loaded.stdout + loaded.stderr
    assert "Demoaineisto poistettiin (24 asemaa" in loaded.stderr
    text = all_text(db)
    assert not [s for s in demo_stations if s in text]
    assert query(db, "SELECT asema_id FROM raw_asemat ORDER BY 1") == [("A1",), ("A2",), ("B1",)]
    for name, rows in mart_tables(db).items():
        with wdb.read(db) as con:
            cols = [c[0] for c in con.sql(f'DESCRIBE "{name}"').fetchall()]
        if "station_id" in cols:
            ids = {r[cols.index("station_id")] for r in rows} - {None}
            assert ids <= {"A1", "A2", "B1"}, (name, ids)
    assert query(db, "SELECT value FROM meta WHERE key = 'data_origin'") == [("loaded",)]
    log = load_log(db)
    assert {r["load_id"] for r in log} == {1}
    cleared = [r for r in log if r["outcome"] == "cleared"]
    assert len(cleared) == 1 and cleared[0]["source"] is None
    assert sorted(r["file_name"] for r in log if r["outcome"] == "loaded") == sorted(names)


# --- master data lifecycle ----------------------------------------------------------------------------------------


def test_a_master_file_that_would_orphan_history_is_refused_naming_each_code(etl_db: Path) -> None:
    before = mart_snapshot(etl_db)
    no_a2 = [row for row in ASEMAT if row[0] != "A2"]
    result = load_rows(etl_db, {"asemat.csv": no_a2})
    assert not result.ok
    assert result.problem_lines() == [
        "asemat.csv: asema_id 'A2' puuttuu tiedostosta, mutta varastossa on 2 riviä, jotka viittaavat siihen "
        "(henkilosto 1, pulssi 1); tiedostoa ei ladata, jottei niiden historia katoa. Lisää koodi takaisin "
        "tiedostoon. Jos asema on suljettu, pidä se tiedostossa ja merkitse sulkemispäivä sarakkeeseen lakkautettu."
    ]
    no_t2 = [row for row in TEHTAVAT if row[0] != "T2"]
    lines = load_rows(etl_db, {"tehtavat.csv": no_t2}).problem_lines()
    assert len(lines) == 1 and "'T2'" in lines[0] and "1 rivi, joka viittaa siihen (kartoitus 1)" in lines[0]
    no_enps = [row for row in KYSYMYKSET if row[0] != "enps"]
    lines = load_rows(etl_db, {"kysymykset.csv": no_enps}).problem_lines()
    assert len(lines) == 1 and "'enps'" in lines[0] and "(pulssi 3)" in lines[0]
    assert mart_snapshot(etl_db) == before
    # The same command may replace the rows that used the code: then nothing is orphaned.
    henkilosto = [row for row in HENKILOSTO if row[2] != "A2"]
    pulssi = [row for row in PULSSI if row[2] != "A2"]
    load_ok(etl_db, {"asemat.csv": no_a2, "henkilosto.csv": henkilosto, "pulssi.csv": pulssi})
    assert query(etl_db, "SELECT count(*) FROM raw_asemat WHERE asema_id = 'A2'") == [(0,)]


def test_closing_and_merging_stations_keeps_history_and_leaves_current_views(etl_db: Path) -> None:
    from dashboard import queries

    # A2 merges into A1 at the end of January: A2 closes, its staff work at A1 from February. B1 closes too.
    asemat = [[*ASEMAT[0], "lakkautettu"], [*ASEMAT[1], None], [*ASEMAT[2], date(2025, 1, 31)],
              [*ASEMAT[3], date(2025, 3, 31)]]
    february = [HENKILOSTO[0]] + [
        [Month(2025, 2), *row[1:2], "A1", *row[3:]] for row in HENKILOSTO[1:]
    ]
    load_ok(etl_db, {"asemat.csv": asemat, "henkilosto_02.csv": february})
    rollout = dict(query(etl_db, "SELECT station_id, status FROM mart_rollout"))
    assert rollout == {"A1": "käytössä", "A2": "lakkautettu", "B1": "lakkautettu"}
    assert query(etl_db, "SELECT closed_on FROM mart_rollout WHERE station_id = 'A2'") == [(date(2025, 1, 31),)]
    assert queries.rollout(etl_db, PM)["station_id"].to_list() == ["A1"]
    assert queries.rollout_summary(etl_db)["stations"].sum() == 1
    assert queries.station_choices(etl_db, PM, date(2025, 1, 1))["station_id"].sort().to_list() == ["A1", "A2", "B1"]
    assert queries.station_choices(etl_db, PM, date(2025, 2, 1))["station_id"].sort().to_list() == ["A1", "B1"]
    assert queries.station_choices(etl_db, PM, date(2025, 4, 1))["station_id"].to_list() == ["A1"]
    # History stays with the closed station; the moved person counts at A1 from February.
    rows = query(etl_db, "SELECT station_id, month, headcount FROM mart_workload ORDER BY month, station_id")
    assert rows == [("A1", date(2025, 1, 1), 3), ("A2", date(2025, 1, 1), 1), ("A1", date(2025, 2, 1), 4)]
    names = dict(query(etl_db, "SELECT w.station_id, s.name_fi FROM mart_workload AS w JOIN mart_rollout AS s "
                               "USING (station_id)"))
    assert names["A2"] == "Pohjoinen"
    # A closed station takes no rows of a later month; a month it closed in is still its own.
    late = [HENKILOSTO[0], [Month(2025, 2), Id("21833699"), "A2", "laakari", 100, "vakinainen", 0, 0],
            [Month(2025, 3), Id("21833699"), "B1", "laakari", 100, "vakinainen", 0, 0]]
    assert load_rows(etl_db, {"myohassa.csv": late}).problem_lines() == [
        "myohassa.csv:2:asema_id: asema 'A2' on lakkautettu 31.1.2025, eikä sille voi ladata myöhempiä rivejä; "
        "kirjaa rivi asemalle, jolle toiminta siirtyi"
    ]


# --- the dry run ----------------------------------------------------------------------------------------------------

# For every source a file that adds, replaces, removes and keeps rows of the base warehouse, with the counts by hand.
CHANGES: dict[str, tuple[list[list[Any]], tuple[int, int, int, int]]] = {
    # A1 renamed, A2 kept, B1 removed, C1 added.
    "asemat": ([ASEMAT[0], ["A1", "Keskus", "Centrum", "Espoo", 1, date(2025, 1, 1), date(2025, 2, 3)], ASEMAT[2],
                ["C1", "Uusi", None, "Lohja", 3, None, None]], (1, 1, 1, 1)),
    # T1 changed, T2 kept, T3 removed, T9 added.
    "tehtavat": ([TEHTAVAT[0], ["T1", "Ajanvaraus", "Ajanvaraus ja asiakaspalvelu", "toimistosihteeri", "kylla"],
                  TEHTAVAT[2], ["T9", "Posti", "Kirjaaminen", "toimistosihteeri", None]], (1, 1, 1, 1)),
    # hallinta's text changed, enps kept, kuormitus added.
    "kysymykset": ([KYSYMYKSET[0], ["hallinta", "Voin vaikuttaa työhöni", None, "likert", 1, 5, 1], KYSYMYKSET[2],
                    ["kuormitus", "Kuormitus", None, "likert", 1, 5, None]], (1, 1, 0, 1)),
    # Round 10.1. A1: T1 hours changed, T2 removed, T3 added; a new round 1.3. A2 (one row added).
    "kartoitus": ([KARTOITUS[0], [date(2025, 1, 10), "A1", "T1", "terveyskeskusavustaja", 18],
                   [date(2025, 1, 10), "A1", "T3", "sairaanhoitaja", 2],
                   [date(2025, 3, 1), "A2", "T1", "terveyskeskusavustaja", 5]], (2, 1, 1, 0)),
    # January: 21833687 sick days changed, 21833688 removed, 21833689 and -90 kept, 21833691 added; February: one new.
    "henkilosto": ([HENKILOSTO[0], [*HENKILOSTO[1][:6], 5, 0], HENKILOSTO[3], HENKILOSTO[4],
                    [Month(2025, 1), Id("21833691"), "A2", "toimistosihteeri", 50, "sijainen", 0, 0],
                    [Month(2025, 2), Id("21833687"), "A1", "toimistosihteeri", 100, "vakinainen", 0, 0]],
                   (2, 1, 1, 2)),
    # r1's answer changed (the response row itself is the same), r2 kept, r3 removed, r4 added.
    "pulssi": ([PULSSI[0], [Month(2025, 1), "r1", "A1", "toimistosihteeri", 3, 9, "hyvä"], PULSSI[2],
                [Month(2025, 1), "r4", "A2", "laakari", 2, None, None]], (1, 1, 1, 1)),
    # One entry kept, one changed (a whole-row log: a changed row is one removed and one added), one new.
    "kysymysloki": ([KYSYMYSLOKI[0], KYSYMYSLOKI[1], [date(2025, 1, 7), None, "Koulutusten aikataulu", "avoin", None],
                     [date(2025, 2, 1), "A2", "Uusi kysymys", "avoin", None]], (2, 0, 1, 1)),
}
# Rows of each raw table as a comparable multiset (without load_id); Pulssi responses with their answers.
ROW_VIEWS = {
    "asemat": "SELECT * EXCLUDE (load_id) FROM raw_asemat",
    "tehtavat": "SELECT * EXCLUDE (load_id) FROM raw_tehtavat",
    "kysymykset": "SELECT * EXCLUDE (load_id) FROM raw_kysymykset",
    "kartoitus": "SELECT * EXCLUDE (load_id) FROM raw_kartoitus",
    "henkilosto": "SELECT * EXCLUDE (load_id) FROM raw_henkilosto",
    "kysymysloki": "SELECT * EXCLUDE (load_id) FROM raw_kysymysloki",
    "pulssi": "SELECT p.* EXCLUDE (load_id), (SELECT list(a.kysymys_id || '=' || a.arvo ORDER BY a.kysymys_id) "
              "FROM raw_pulssi_vastaukset AS a WHERE a.kuukausi = p.kuukausi AND a.vastaus_id = p.vastaus_id) "
              "FROM raw_pulssi AS p",
}


def _multiset_minus(a: list[tuple[Any, ...]], b: list[tuple[Any, ...]]) -> int:
    rest = list(b)
    missing = 0
    for row in a:
        if row in rest:
            rest.remove(row)
        else:
            missing += 1
    return missing


@pytest.mark.parametrize("source", list(CHANGES))
def test_the_dry_run_shows_exactly_the_change_the_load_then_makes(source: str, etl_db: Path) -> None:
    rows, (added, replaced, removed, unchanged) = CHANGES[source]
    files = {f"{source}.csv": csv_bytes(rows)}
    before_rows = query(etl_db, ROW_VIEWS[source])
    before = sha(etl_db)
    planned = dry_run(inputs(files), etl_db)
    assert planned.ok, planned.problem_lines()
    assert sha(etl_db) == before
    diff = planned.files[0].diff
    assert diff is not None
    assert (diff.added, diff.replaced, diff.removed, diff.unchanged) == (added, replaced, removed, unchanged)

    result = load_rows(etl_db, {f"{source}.csv": rows})
    assert result.ok, result.problem_lines()
    after_rows = query(etl_db, ROW_VIEWS[source])
    # What really changed in the raw table: new or changed rows, and rows gone or changed.
    assert _multiset_minus(after_rows, before_rows) == added + replaced
    assert _multiset_minus(before_rows, after_rows) == removed + replaced
    assert result.files[0].change == planned.files[0].change
    logged = [r for r in load_log(etl_db) if r["load_id"] == result.load_id]
    assert [r["message"] for r in logged] == [planned.files[0].change]


def test_each_file_of_a_command_reports_its_own_share(etl_db: Path, tmp_path: Path) -> None:
    january = [HENKILOSTO[0], [*HENKILOSTO[1][:6], 5, 0], *HENKILOSTO[2:]]
    february = [HENKILOSTO[0], [Month(2025, 2), *HENKILOSTO[1][1:]], [Month(2025, 2), *HENKILOSTO[2][1:]]]
    files = {"tammi.csv": january, "helmi.csv": february}
    planned = dry_run(inputs({n: csv_bytes(r) for n, r in files.items()}), etl_db)
    by_file = {f.file_name: f.change for f in planned.files}
    assert by_file == {
        "tammi.csv": "uusia 0, korvattuja 1, poistuvia 0, ennallaan 3; kuukaudet 1/2025; asemat A1",
        "helmi.csv": "uusia 2, korvattuja 0, poistuvia 0, ennallaan 0; kuukaudet 2/2025; asemat A1",
    }
    result = load_rows(etl_db, files)
    assert {r["file_name"]: r["message"] for r in load_log(etl_db) if r["load_id"] == result.load_id} == by_file
    # Loading the same files again changes nothing, and the dry run says so first.
    again = dry_run(inputs({n: csv_bytes(r) for n, r in files.items()}), etl_db)
    assert [f.outcome for f in again.files] == ["unchanged", "unchanged"]
    assert [f.outcome for f in load_rows(etl_db, files).files] == ["unchanged", "unchanged"]
    # `check` prints the same warnings as `load`.
    (tmp_path / "asemat.csv").write_bytes(csv_bytes([[*ASEMAT[0], "huomautus"], *[[*r, "x"] for r in ASEMAT[1:]]]))
    outputs = [run_cli(cmd, "asemat.csv", "--db", str(etl_db), cwd=tmp_path) for cmd in ("check", "load")]
    warnings = [[ln for ln in p.stderr.splitlines() if "varoitus" in ln] for p in outputs]
    assert warnings[0] == warnings[1] == ["asemat.csv: varoitus: tuntematon sarake 'huomautus' ohitetaan"]


# --- a month-by-month history -----------------------------------------------------------------------------------

STAFF = [("1001", "A1", "toimistosihteeri", 100), ("1002", "A1", "terveyskeskusavustaja", 80),
         ("1003", "A1", "sairaanhoitaja", 100), ("1004", "A2", "toimistosihteeri", 60),
         ("1005", "A2", "laakari", 100), ("1006", "A2", "terveyskeskusavustaja", 100)]


def month_files(month: int, corrected: bool = False) -> tuple[list[list[Any]], list[list[Any]]]:
    m = Month(2025, month)
    staff = [HENKILOSTO[0]] + [
        [m, Id(pid), station, role, pct, "vakinainen", (month + i + (3 if corrected else 0)) % 4, (month * i) % 3]
        for i, (pid, station, role, pct) in enumerate(STAFF)
    ]
    answers = [PULSSI[0]] + [
        [m, f"{month}-{i}", station, role, 1 + (month + i + (2 if corrected else 0)) % 5, (month * 3 + i) % 11, None]
        for i, (_, station, role, _) in enumerate(STAFF)
    ]
    return staff, answers


def test_twelve_monthly_loads_and_a_correction_equal_one_load_of_the_final_files(tmp_path: Path) -> None:
    masters = {"asemat.csv": ASEMAT, "tehtavat.csv": TEHTAVAT, "kysymykset.csv": KYSYMYKSET,
               "kartoitus.csv": KARTOITUS}
    monthly = tmp_path / "monthly.duckdb"
    load_ok(monthly, masters)
    for month in range(1, 13):
        staff, answers = month_files(month)
        load_ok(monthly, {f"henkilosto_{month:02d}.csv": staff, f"pulssi_{month:02d}.csv": answers})
    staff, answers = month_files(5, corrected=True)
    result = load_ok(monthly, {"henkilosto_05.csv": staff, "pulssi_05.csv": answers})
    assert [f.outcome for f in result.files] == ["loaded", "loaded"]
    assert "kuukaudet 5/2025" in result.files[0].change

    once = tmp_path / "once.duckdb"
    final: dict[str, list[list[Any]]] = dict(masters)
    for month in range(1, 13):
        staff, answers = month_files(month, corrected=month == 5)
        final[f"henkilosto_{month:02d}.csv"] = staff
        final[f"pulssi_{month:02d}.csv"] = answers
    load_ok(once, final)
    a, b = mart_tables(monthly), mart_tables(once)
    assert a.keys() == b.keys() and len(a) >= 8
    for name in a:
        assert a[name] == b[name], name


# --- freshness ----------------------------------------------------------------------------------------------------


def test_a_held_connection_does_not_make_later_reads_or_the_cache_stale(etl_db: Path, tmp_path: Path) -> None:
    from dashboard import queries

    sql = "SELECT count(*) AS n FROM raw_henkilosto"
    assert queries.frame(etl_db, sql)["n"].to_list() == [4]
    # Another session of the same process holds connections to the file while a CLI load swaps it.
    held = duckdb.connect(str(etl_db), read_only=True)
    with wdb.read(etl_db) as held_too:
        february = [HENKILOSTO[0], [Month(2025, 2), *HENKILOSTO[1][1:]]]
        (tmp_path / "helmi.csv").write_bytes(csv_bytes(february))
        proc = run_cli("load", "helmi.csv", "--db", str(etl_db), cwd=tmp_path)
        assert proc.returncode == 0, proc.stdout + proc.stderr
        # DuckDB's per-path instance would still give the old file to a plain connect (the trap being avoided)...
        plain = duckdb.connect(str(etl_db), read_only=True)
        assert plain.sql(sql).fetchall() == [(4,)]
        plain.close()
        # ... but the query layer reads the new version, and caches it under the new version's key.
        assert queries.frame(etl_db, sql)["n"].to_list() == [5]
        with wdb.read(etl_db) as fresh:
            assert fresh.sql(sql).fetchall() == [(5,)]
        assert held_too.sql(sql).fetchall() == [(4,)]  # an open connection keeps its consistent old view
    held.close()
    assert queries.frame(etl_db, sql)["n"].to_list() == [5]


# --- publication safety -----------------------------------------------------------------------------------------


def _leftovers(d: Path) -> list[str]:
    return sorted(p.name for p in d.iterdir() if ".tmp" in p.name)


def _readable_by_others(d: Path) -> list[str]:
    return sorted(p.name for p in d.iterdir() if p.stat().st_mode & 0o004)


def test_kill_9_during_loads_leaves_nothing_behind_after_the_next_load(etl_db: Path, tmp_path: Path) -> None:
    big = [HENKILOSTO[0]] + [[Month(2025, 1 + i % 12), Id(str(30000 + i)), "A1", "sairaanhoitaja", 100,
                              "vakinainen", i % 3, 0] for i in range(40000)]
    (tmp_path / "iso.csv").write_bytes(csv_bytes(big))
    served = sha(etl_db)
    kills = 0
    for _ in range(5):
        proc = subprocess.Popen([sys.executable, "-m", "etl", "load", "iso.csv", "--db", str(etl_db)], cwd=tmp_path,
                                env=cli_env(), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        while proc.poll() is None and not _leftovers(etl_db.parent):
            time.sleep(0.005)
        if proc.poll() is None:
            copies = [etl_db.parent / n for n in _leftovers(etl_db.parent)]
            modes = {oct(p.stat().st_mode & 0o777) for p in copies if p.exists()}
            os.kill(proc.pid, signal.SIGKILL)
            kills += 1
            assert modes <= {"0o600"}, modes
        proc.wait()
        if served != sha(etl_db):
            break  # a load got through before the kill: the served file is a whole new version
    assert kills >= 3
    assert _leftovers(etl_db.parent), "the kills left no copy: the test would not show the cleanup"
    load_ok(etl_db, {"kysymysloki.csv": KYSYMYSLOKI[:2]})
    assert _leftovers(etl_db.parent) == []
    assert _readable_by_others(etl_db.parent) == []
    assert query(etl_db, "SELECT count(*) FROM raw_kysymysloki") == [(1,)]


def test_a_full_disk_leaves_the_served_file_intact_with_one_sentence(etl_base_template: Path, tmp_path: Path,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    mount = tmp_path / "pieni"
    mount.mkdir()
    size = etl_base_template.stat().st_size
    tmpfs = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size * 3 // 1024 + 512}k", "tmpfs", str(mount)],
                           capture_output=True, check=False)
    if tmpfs.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {tmpfs.stderr.decode(errors='replace').strip()}")
    try:
        db = mount / "tyonjako.duckdb"
        shutil.copyfile(etl_base_template, db)
        served = sha(db)
        (tmp_path / "helmi.csv").write_bytes(csv_bytes([HENKILOSTO[0], [Month(2025, 2), *HENKILOSTO[1][1:]]]))
        # The free-space check refuses before copying.
        proc = run_cli("load", "helmi.csv", "--db", str(db), cwd=tmp_path)
        assert proc.returncode == 1, proc.stdout + proc.stderr
        lines = proc.stdout.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("Levytilaa ei ole tarpeeksi"), proc.stdout
        assert "Traceback" not in proc.stderr
        assert sha(db) == served and _leftovers(mount) == []
        # Past the check (e.g. another program fills the disk meanwhile), the copy itself fails: one sentence too.
        (mount / "tayte").write_bytes(b"\0" * (shutil.disk_usage(mount).free - size // 2))
        monkeypatch.setattr(wdb, "_check_space", lambda _db: None)
        with pytest.raises(wdb.WarehouseIOError, match="^Levy täyttyi kesken latauksen"):
            load_rows(db, {"helmi.csv": [HENKILOSTO[0], [Month(2025, 2), *HENKILOSTO[1][1:]]]})
        assert sha(db) == served and _leftovers(mount) == []
    finally:
        wdb.forget()  # this process's reading instance holds the file open
        subprocess.run(["umount", str(mount)], check=False)


# --- demo mode ------------------------------------------------------------------------------------------------------


def test_demo_mode_checks_but_never_writes(demo_db: Path, tmp_path: Path, make_app: Any,
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    from dashboard import loading

    db = tmp_path / "demo.duckdb"
    shutil.copyfile(demo_db, db)
    before = sha(db)
    files = [("asemat.csv", csv_bytes(ASEMAT))]
    checked = loading.run_load(PM, files, db, dry_run=True, demo_mode=True)
    assert checked.ok and checked.clears_demo
    with pytest.raises(PermissionError):
        loading.run_load(PM, files, db, demo_mode=True, replace_demo=True)
    assert sha(db) == before

    monkeypatch.delenv("TYONJAKO_ALLOW_NO_AUTH", raising=False)
    at = make_app(db, page="pages/tiedot.py")
    assert not at.exception
    assert any("Lataus on pois käytöstä esittelytilassa" in c.value for c in at.caption)
    assert not at.checkbox  # no confirmation to give: loading is off
    # The operator's intranet switch trusts its visitors: a real load is offered, behind a confirmation.
    monkeypatch.setenv("TYONJAKO_ALLOW_NO_AUTH", "1")
    at = make_app(db, page="pages/tiedot.py")
    assert any("Ensimmäinen oikea lataus aloittaa puhtaan varaston" in w.value for w in at.warning)
    assert at.checkbox(key="confirm_replace_demo").value is False


def test_only_copies_of_dead_loaders_are_removed(tmp_path: Path) -> None:
    db = tmp_path / "tyonjako.duckdb"
    finished = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True,
                              text=True, check=True)
    dead, alive = int(finished.stdout), os.getpid()
    names = [f".tyonjako.duckdb.{dead}.0123abcd.tmp", f".tyonjako.duckdb.{dead}.0123abcd.tmp.wal",
             f".tyonjako.duckdb.{alive}.89abcdef.tmp", ".muu.duckdb.1.0123abcd.tmp", "tyonjako.duckdb.key"]
    for name in names:
        (tmp_path / name).write_bytes(b"x")
    removed = wdb.remove_stale_copies(db)
    assert sorted(p.name for p in removed) == sorted(names[:2])
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(names[2:])


def test_a_dry_run_writes_nothing_not_even_a_key_file(etl_new_db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("TYONJAKO_PSEUDONYM_KEY")
    files = {name: csv_bytes(rows) for name, rows in (("asemat.csv", ASEMAT), ("henkilosto.csv", HENKILOSTO))}
    planned = dry_run(inputs(files), etl_new_db)
    assert planned.ok and [f.diff.added for f in planned.files if f.diff] == [3, 4]
    assert list(etl_new_db.parent.iterdir()) == []
