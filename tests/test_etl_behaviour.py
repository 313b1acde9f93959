"""Loading behaviour: idempotence, replace semantics, references within one command, pseudonymisation,
`check` writing nothing, `--source`, and source detection from headers."""

from __future__ import annotations

import hashlib
import stat
from datetime import date
from pathlib import Path
from typing import Any

import pytest

pytest.register_assert_rewrite("etl_helpers")

from etl_helpers import (  # noqa: E402
    BASE_FILES,
    HENKILOSTO,
    TEST_KEY,
    Id,
    Month,
    Style,
    all_text,
    cli_env,
    csv_bytes,
    inputs,
    last_load,
    load_log,
    load_ok,
    load_rows,
    mart_snapshot,
    prefix,
    pseudonym,
    query,
    run_cli,
    stdout_lines,
    write_source,
    write_xlsx,
)

from etl.load import InputFile, check, load  # noqa: E402

pytest_plugins = ("etl_helpers",)
pytestmark = pytest.mark.usefixtures("etl_env")

HENKILOSTO_HEADER = HENKILOSTO[0]
PULSSI_HEADER = ["kuukausi", "vastaus_id", "asema_id", "rooli", "hallinta", "enps", "kommentti"]
KARTOITUS_HEADER = ["kartoituspvm", "asema_id", "tehtava_id", "suorittaja", "tunnit_viikossa"]


def person(month: Month, pid: str, station: str = "A1", role: str = "laakari", pct: int = 100) -> list[Any]:
    return [month, Id(pid), station, role, pct, "vakinainen", 0, 0]


def file_tree(directory: Path) -> dict[str, tuple[int, int, str]]:
    """Every file under a directory: size, mtime and content hash."""
    out = {}
    for p in sorted(directory.rglob("*")):
        if p.is_file():
            st = p.stat()
            digest = hashlib.sha256(p.read_bytes()).hexdigest()
            out[str(p.relative_to(directory))] = (st.st_size, st.st_mtime_ns, digest)
    return out


# ---------------------------------------------------------------------------------------------------------------
# Idempotence and the load log
# ---------------------------------------------------------------------------------------------------------------


def test_loading_the_same_files_twice_changes_nothing(etl_new_db: Path) -> None:
    files = {f"{name}.csv": csv_bytes(rows) for name, rows in BASE_FILES.items()}
    first = load(inputs(files), db=etl_new_db)
    assert first.ok and {f.outcome for f in first.files} == {"loaded"}
    before = mart_snapshot(etl_new_db)
    second = load(inputs(files), db=etl_new_db)
    assert second.ok
    assert {f.file_name: f.outcome for f in second.files} == {name: "unchanged" for name in files}
    assert mart_snapshot(etl_new_db) == before
    log = load_log(etl_new_db)
    assert [r["outcome"] for r in log] == ["loaded"] * 7 + ["unchanged"] * 7
    # The log records time, file name, content hash, source and row count of every file.
    for r in log:
        assert r["content_hash"] == hashlib.sha256(files[r["file_name"]]).hexdigest()
        assert r["source"] == r["file_name"].removesuffix(".csv")
        assert r["rows"] == len(BASE_FILES[r["source"]]) - 1
        assert r["loaded_at"] is not None


def test_the_same_xlsx_twice_is_unchanged(etl_db: Path, tmp_path: Path) -> None:
    style = Style("x", fmt="xlsx", header_row=2, headers=1)
    rows = [HENKILOSTO_HEADER, person(Month(2025, 4, 1), "21833687"), person(Month(2025, 4, 1), "21833688")]
    path = write_xlsx(tmp_path / "h.xlsx", rows, style)
    assert load([InputFile.from_path(path)], db=etl_db).files[0].outcome == "loaded"
    before = mart_snapshot(etl_db)
    assert load([InputFile.from_path(path)], db=etl_db).files[0].outcome == "unchanged"
    assert mart_snapshot(etl_db) == before


# ---------------------------------------------------------------------------------------------------------------
# Replace semantics
# ---------------------------------------------------------------------------------------------------------------


def test_henkilosto_replaces_exactly_the_months_in_the_file(etl_db: Path) -> None:
    jan_before = query(etl_db, "SELECT * EXCLUDE (load_id) FROM raw_henkilosto WHERE kuukausi = '2025-01-01'")
    assert len(jan_before) == 4
    load_ok(etl_db, {"h.csv": [HENKILOSTO_HEADER,
                                person(Month(2025, 2), "1"), person(Month(2025, 2), "2"), person(Month(2025, 2), "3"),
                                person(Month(2025, 3), "1"), person(Month(2025, 3), "4")]})
    # A new file for February only: February becomes exactly its one row; January and March stay.
    load_ok(etl_db, {"h2.csv": [HENKILOSTO_HEADER, person(Month(2025, 2), "9", "A2", "muu", 40)]})
    rows = query(etl_db, "SELECT kuukausi, henkilo_id, asema_id, rooli, tyoaikaprosentti FROM raw_henkilosto "
                          "ORDER BY kuukausi, henkilo_id")
    feb = [r for r in rows if r[0] == date(2025, 2, 1)]
    mar = [r for r in rows if r[0] == date(2025, 3, 1)]
    assert feb == [(date(2025, 2, 1), pseudonym("9"), "A2", "muu", 40.0)]
    assert sorted(r[1] for r in mar) == sorted([pseudonym("1"), pseudonym("4")])
    assert query(etl_db, "SELECT * EXCLUDE (load_id) FROM raw_henkilosto WHERE kuukausi = '2025-01-01'") == jan_before
    # The marts follow: February at A1 is gone.
    assert query(etl_db, "SELECT station_id FROM mart_workload WHERE month = '2025-02-01'") == [("A2",)]


def test_pulssi_replaces_exactly_the_months_in_the_file(etl_db: Path) -> None:
    load_ok(etl_db, {"p.csv": [PULSSI_HEADER,
                                [Month(2025, 2), "x1", "A1", "laakari", 4, 9, None],
                                [Month(2025, 2), "x2", "A1", "laakari", 2, 3, None],
                                [Month(2025, 3), "y1", "A1", "laakari", 5, 10, None]]})
    load_ok(etl_db, {"p2.csv": [PULSSI_HEADER, [Month(2025, 2), "z1", "A2", "laakari", 1, None, None]]})
    responses = query(etl_db, "SELECT kuukausi, vastaus_id FROM raw_pulssi ORDER BY ALL")
    assert responses == [
        (date(2025, 1, 1), "r1"), (date(2025, 1, 1), "r2"), (date(2025, 1, 1), "r3"),
        (date(2025, 2, 1), "z1"), (date(2025, 3, 1), "y1"),
    ]
    answers = query(etl_db, "SELECT kuukausi, vastaus_id, kysymys_id, arvo FROM raw_pulssi_vastaukset "
                              "WHERE kuukausi > '2025-01-01' ORDER BY ALL")
    assert answers == [(date(2025, 2, 1), "z1", "hallinta", 1),
                       (date(2025, 3, 1), "y1", "enps", 10), (date(2025, 3, 1), "y1", "hallinta", 5)]
    assert query(etl_db, "SELECT count(*) FROM raw_pulssi_vastaukset WHERE kuukausi = '2025-01-01'") == [(6,)]


def test_kartoitus_replaces_exactly_the_date_station_pairs_in_the_file(etl_db: Path) -> None:
    # The base holds the round (10.1.2025, A1) with T1 and T2.
    load_ok(etl_db, {"k.csv": [KARTOITUS_HEADER,
                                [date(2025, 1, 10), "A2", "T1", "terveyskeskusavustaja", 7],
                                [date(2025, 3, 1), "A1", "T1", "terveyskeskusavustaja", 8]]})
    # Replaces (10.1.2025, A1) — T2 disappears — and adds (1.5.2025, B1); (10.1., A2) and (1.3., A1) stay.
    load_ok(etl_db, {"k2.csv": [KARTOITUS_HEADER,
                                 [date(2025, 1, 10), "A1", "T1", "toimistosihteeri", 11],
                                 [date(2025, 5, 1), "B1", "T3", "sairaanhoitaja", 12]]})
    rows = query(etl_db, "SELECT kartoituspvm, asema_id, tehtava_id, suorittaja, tunnit_viikossa FROM raw_kartoitus "
                          "ORDER BY ALL")
    assert rows == [
        (date(2025, 1, 10), "A1", "T1", "toimistosihteeri", 11.0),
        (date(2025, 1, 10), "A2", "T1", "terveyskeskusavustaja", 7.0),
        (date(2025, 3, 1), "A1", "T1", "terveyskeskusavustaja", 8.0),
        (date(2025, 5, 1), "B1", "T3", "sairaanhoitaja", 12.0),
    ]


SPLIT = {
    # One month's extract split by municipality into two files of one command.
    "henkilosto": ([HENKILOSTO_HEADER, person(Month(2025, 3), "1", "A1")],
                   [HENKILOSTO_HEADER, person(Month(2025, 3), "2", "B1")],
                   "SELECT asema_id FROM raw_henkilosto WHERE kuukausi = '2025-03-01' ORDER BY ALL"),
    "pulssi": ([PULSSI_HEADER, [Month(2025, 3), "a1", "A1", "laakari", 4, 9, None]],
               [PULSSI_HEADER, [Month(2025, 3), "b1", "B1", "laakari", 4, 9, None]],
               "SELECT asema_id FROM raw_pulssi WHERE kuukausi = '2025-03-01' ORDER BY ALL"),
    "kartoitus": ([KARTOITUS_HEADER, [date(2025, 3, 1), "A1", "T1", "terveyskeskusavustaja", 8]],
                  [KARTOITUS_HEADER, [date(2025, 3, 1), "A1", "T2", "toimistosihteeri", 9]],
                  "SELECT tehtava_id FROM raw_kartoitus WHERE kartoituspvm = '2025-03-01' ORDER BY ALL"),
}


@pytest.mark.parametrize("source", list(SPLIT))
def test_two_files_of_one_command_with_the_same_scope_lose_no_rows(source: str, etl_db: Path) -> None:
    first, second, sql = SPLIT[source]
    result = load_rows(etl_db, {f"{source}_1.csv": first, f"{source}_2.csv": second})
    if result.ok:
        # Both files say `loaded`: both files' rows must be there.
        assert len(query(etl_db, sql)) == 2, query(etl_db, sql)
    else:
        # Or the command is refused with a reason.
        assert result.problem_lines()


# Full replace: codes that stored rows use stay in the file (else the load is refused, see
# test_lifecycle.py); others may go (B1, T3) and any may be renamed or added.
MASTER = {
    "asemat": ([["asema_id", "nimi", "kunta"], ["A1", "Keskusta", "Espoo"], ["A2", "Pohjoinen 2", "Espoo"],
                ["C1", "Uusi", "Lohja"]],
               "SELECT asema_id, nimi, kunta FROM raw_asemat ORDER BY ALL",
               [("A1", "Keskusta", "Espoo"), ("A2", "Pohjoinen 2", "Espoo"), ("C1", "Uusi", "Lohja")]),
    "tehtavat": ([["tehtava_id", "tehtava", "tehtavaryhma", "vastuurooli"], ["T1", "Ajanvaraus", "Uudet", "muu"],
                  ["T2", "Sanelut", "Uudet", "muu"], ["T9", "Uusi", "Uudet", "muu"]],
                 "SELECT tehtava_id, tehtava, tehtavaryhma, vastuurooli FROM raw_tehtavat ORDER BY ALL",
                 [("T1", "Ajanvaraus", "Uudet", "muu"), ("T2", "Sanelut", "Uudet", "muu"),
                  ("T9", "Uusi", "Uudet", "muu")]),
    "kysymykset": ([["kysymys_id", "teksti", "tyyppi", "asteikko_min", "asteikko_max"],
                    ["enps", "Suosittelisitko?", "enps", 0, 10], ["hallinta", "Hallinta", "likert", 1, 5],
                    ["kuormitus", "Kuormitus", "likert", 1, 5]],
                   "SELECT kysymys_id, tyyppi FROM raw_kysymykset ORDER BY ALL",
                   [("enps", "enps"), ("hallinta", "likert"), ("kuormitus", "likert")]),
    "kysymysloki": ([["avattu", "aihe", "tila"], [date(2025, 6, 1), "Uusi asia", "avoin"]],
                    "SELECT avattu, asema_id, aihe, tila, ratkaistu FROM raw_kysymysloki ORDER BY ALL",
                    [(date(2025, 6, 1), None, "Uusi asia", "avoin", None)]),
}


@pytest.mark.parametrize("source", list(MASTER))
def test_master_data_is_replaced_in_full(source: str, etl_db: Path) -> None:
    rows, sql, expected = MASTER[source]
    assert query(etl_db, sql) != expected
    load_ok(etl_db, {f"{source}.csv": rows})
    assert query(etl_db, sql) == expected


# ---------------------------------------------------------------------------------------------------------------
# References within one command
# ---------------------------------------------------------------------------------------------------------------


def test_references_resolve_within_one_command_whatever_the_file_order(etl_new_db: Path) -> None:
    # Dependent files first on the command line, into an empty warehouse.
    order = ["pulssi", "henkilosto", "kartoitus", "kysymysloki", "kysymykset", "tehtavat", "asemat"]
    result = load_rows(etl_new_db, {f"{name}.csv": BASE_FILES[name] for name in order})
    assert result.ok, result.problem_lines()
    assert query(etl_new_db, "SELECT count(*) FROM raw_henkilosto") == [(4,)]
    assert query(etl_new_db, "SELECT count(*) FROM raw_pulssi_vastaukset") == [(6,)]


def test_asemat_and_henkilosto_in_one_cli_command_warehouse_from_the_environment(tmp_path: Path) -> None:
    """References resolve within one command; TYONJAKO_DB sets the warehouse when --db is not given."""
    asemat = [["asema_id", "nimi", "kunta"], ["N1", "Uusi", "Lohja"]]
    henkilosto = [HENKILOSTO_HEADER, person(Month(2025, 6), "5", "N1")]
    work = tmp_path / "files"
    work.mkdir()
    write_source(work, "henkilosto", henkilosto)
    write_source(work, "asemat", asemat)
    target = tmp_path / "env" / "w.duckdb"
    proc = run_cli("load", "henkilosto.csv", "asemat.csv", cwd=work, env=cli_env(TYONJAKO_DB=str(target)))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert query(target, "SELECT asema_id FROM raw_henkilosto") == [("N1",)]
    assert query(target, "SELECT asema_id FROM raw_asemat") == [("N1",)]


# ---------------------------------------------------------------------------------------------------------------
# Pseudonymisation
# ---------------------------------------------------------------------------------------------------------------

RAW_IDS = ("21833687", "21833688", "21833689", "21833690", "77700001")


def test_raw_employee_numbers_never_reach_the_warehouse_the_log_or_any_message(etl_db: Path, tmp_path: Path) -> None:
    good = [HENKILOSTO_HEADER, person(Month(2025, 5), "77700001"), person(Month(2025, 5), "21833687", "A2")]
    write_source(tmp_path, "hyva", good)
    xlsx = [HENKILOSTO_HEADER, person(Month(2025, 7, 1), "21833688")]
    write_source(tmp_path, "hyva", xlsx, Style("x", fmt="xlsx"))  # the id as a number cell
    bad = [HENKILOSTO_HEADER,
           ["5/2025", "21833689", "A1", "laakari", "120", "vakinainen", "0", "0"],
           ["5/2025", "21833689", "A1", "laakari", "100", "vakinainen", "0", "0"],    # duplicate key
           ["5/2025", "21833690", "X9", "sihteeri", "100", "vakinainen", "30", "0"]]
    write_source(tmp_path, "huono", bad)
    outputs = []
    for args in (["load", "hyva.csv", "hyva.xlsx"], ["load", "huono.csv"]):
        proc = run_cli(*args, "--db", str(etl_db), cwd=tmp_path)
        outputs.append(proc.stdout + proc.stderr)
    assert "120" in outputs[1]  # the bad file was reported
    # The loads happened: the pseudonyms are there.
    ids = {r[0] for r in query(etl_db, "SELECT henkilo_id FROM raw_henkilosto")}
    assert {pseudonym(i) for i in ("77700001", "21833687", "21833688")} <= ids
    data = etl_db.read_bytes()
    text = "\n".join([*outputs, repr(load_log(etl_db))])
    everything = all_text(etl_db)
    for raw in RAW_IDS:
        assert raw.encode() not in data, f"{raw} in the warehouse file"
        assert raw not in everything, f"{raw} in a table"
        assert raw not in text, f"{raw} in a message or the load log"
    # No leftovers beside the warehouse (temporary copies, WAL files) that could hold them.
    for p in etl_db.parent.iterdir():
        if p.is_file() and p.name != etl_db.name:
            assert not any(raw.encode() in p.read_bytes() for raw in RAW_IDS), p


def test_key_file_is_created_beside_the_warehouse_readable_by_its_owner_only(
    etl_new_db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import etl.pseudonym

    monkeypatch.delenv("TYONJAKO_PSEUDONYM_KEY")
    monkeypatch.setattr(etl.pseudonym, "_from_streamlit_secrets", lambda: None)
    files = {"asemat.csv": BASE_FILES["asemat"], "henkilosto.csv": BASE_FILES["henkilosto"]}
    first = load_rows(etl_new_db, files)
    assert first.ok
    keys = [p for p in etl_new_db.parent.iterdir() if p.suffix == ".key"]
    assert len(keys) == 1, list(etl_new_db.parent.iterdir())
    key_file = keys[0]
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert any(str(key_file) in n for n in first.notices), first.notices  # "and says so"
    key = key_file.read_text().strip()
    assert key.encode() not in etl_new_db.read_bytes()
    assert key not in all_text(etl_new_db)
    # The pseudonyms are keyed with the file's key.
    assert (pseudonym("21833687", key),) in query(etl_new_db, "SELECT henkilo_id FROM raw_henkilosto")
    # A second load uses the same file and does not announce a new key.
    second = load_rows(etl_new_db, files)
    assert second.ok and not second.notices
    assert {f.outcome for f in second.files} == {"unchanged"}


def test_a_load_with_a_different_key_is_refused_cli(etl_db: Path, tmp_path: Path) -> None:
    write_source(tmp_path, "h", [HENKILOSTO_HEADER, person(Month(2025, 9), "123")])
    before = mart_snapshot(etl_db)
    proc = run_cli("load", "h.csv", "--db", str(etl_db), cwd=tmp_path,
                   env=cli_env(TYONJAKO_PSEUDONYM_KEY="joku-toinen-avain"))
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert stdout_lines(proc), "the refusal must be reported"
    assert mart_snapshot(etl_db) == before
    assert [r["outcome"] for r in last_load(etl_db)] == ["rejected"]
    # The right key still loads.
    assert load_rows(etl_db, {"h.csv": [HENKILOSTO_HEADER, person(Month(2025, 9), "123")]}).ok


def test_a_different_key_than_the_key_files_is_refused(etl_new_db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import etl.pseudonym

    monkeypatch.delenv("TYONJAKO_PSEUDONYM_KEY")
    monkeypatch.setattr(etl.pseudonym, "_from_streamlit_secrets", lambda: None)
    files = {"asemat.csv": BASE_FILES["asemat"], "henkilosto.csv": BASE_FILES["henkilosto"]}
    assert load_rows(etl_new_db, files).ok
    before = mart_snapshot(etl_new_db)
    monkeypatch.setenv("TYONJAKO_PSEUDONYM_KEY", TEST_KEY)
    result = load_rows(etl_new_db, {"henkilosto.csv": [HENKILOSTO_HEADER, person(Month(2025, 9), "123")]})
    assert not result.ok
    assert result.problem_lines()
    assert mart_snapshot(etl_new_db) == before


# ---------------------------------------------------------------------------------------------------------------
# `check` writes nothing
# ---------------------------------------------------------------------------------------------------------------


def test_check_writes_nothing(etl_db: Path, tmp_path: Path) -> None:
    work = tmp_path / "files"
    work.mkdir()
    write_source(work, "hyva", [HENKILOSTO_HEADER, person(Month(2025, 8), "55")])
    write_source(work, "huono", [HENKILOSTO_HEADER, ["8/2025", "56", "A1", "laakari", "120", "vakinainen", "0", "0"]])
    tree = file_tree(etl_db.parent)
    log = load_log(etl_db)
    proc = run_cli("check", "hyva.csv", "huono.csv", "--db", str(etl_db), cwd=work)
    assert proc.returncode == 2
    assert [prefix(ln) for ln in stdout_lines(proc)] == ["huono.csv:2:tyoaikaprosentti: "]
    assert file_tree(etl_db.parent) == tree
    assert load_log(etl_db) == log


def test_check_against_a_missing_warehouse_creates_nothing(tmp_path: Path) -> None:
    work = tmp_path / "files"
    work.mkdir()
    write_source(work, "asemat", BASE_FILES["asemat"])
    write_source(work, "h", BASE_FILES["henkilosto"])
    wh = tmp_path / "wh"
    wh.mkdir()
    results, _ = check([InputFile.from_path(work / "asemat.csv"), InputFile.from_path(work / "h.csv")],
                       wh / "tyonjako.duckdb")
    assert [r.problem_count for r in results] == [0, 0]
    proc = run_cli("check", "asemat.csv", "h.csv", "--db", str(wh / "tyonjako.duckdb"), cwd=work,
                   env=cli_env(TYONJAKO_PSEUDONYM_KEY=None))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert list(wh.iterdir()) == []


# ---------------------------------------------------------------------------------------------------------------
# --source and source detection
# ---------------------------------------------------------------------------------------------------------------


def test_source_option_overrides_detection(etl_db: Path, tmp_path: Path) -> None:
    data = csv_bytes([["tunnus", "selite"], ["A1", "x"]])
    # No source matches these headers: the file is refused as a whole.
    result = load(inputs({"outo.csv": data}), db=etl_db)
    assert not result.ok
    assert result.problem_lines()[0].startswith("outo.csv: ")
    # Told it is `asemat`, the file is checked as one: its missing required columns are on the header row.
    result = load(inputs({"outo.csv": data}), db=etl_db, source="asemat")
    assert not result.ok
    assert result.files[0].source == "asemat"
    assert sorted(prefix(ln) for ln in result.problem_lines()) == [
        "outo.csv:1:asema_id: ", "outo.csv:1:kunta: ", "outo.csv:1:nimi: "
    ]


def test_source_option_picks_the_sheet_named_after_the_source_cli(etl_new_db: Path, tmp_path: Path) -> None:
    etl_db = etl_new_db
    import xlsxwriter

    path = tmp_path / "master.xlsx"
    wb = xlsxwriter.Workbook(str(path))
    for name, rows in (("asemat", [["asema_id", "nimi", "kunta"], ["A1", "Keskusta", "Espoo"]]),
                       ("tehtavat", [["tehtava_id", "tehtava", "tehtavaryhma", "vastuurooli"],
                                     ["T8", "Posti", "Kirjaaminen", "toimistosihteeri"]])):
        ws = wb.add_worksheet(name)
        for r, row in enumerate(rows):
            ws.write_row(r, 0, row)
    wb.close()
    proc = run_cli("load", "master.xlsx", "--source", "tehtavat", "--db", str(etl_db), cwd=tmp_path)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert query(etl_db, "SELECT tehtava_id FROM raw_tehtavat") == [("T8",)]
    assert [r["source"] for r in last_load(etl_db)] == ["tehtavat"]
    # Without --source the first sheet named after a source is read.
    result = load([InputFile.from_path(path)], db=etl_db)
    assert result.ok and result.files[0].source == "asemat"
    assert query(etl_db, "SELECT asema_id FROM raw_asemat") == [("A1",)]


DETECT = {
    "asemat": [["Asema ID", "Nimi", "Kunta"]],
    "tehtavat": [["task_id", "task", "task_group", "owner_role"]],
    "kartoitus": [["Kartoituspvm", "station_id", "task_id", "performer", "hours_per_week"]],
    "henkilosto": [["month", "person_id", "station_id", "role", "part_time_percentage", "employment_type",
                    "sick_leave_days"]],
    "pulssi": [["kuukausi", "vastaus_id", "asema_id", "rooli", "hallinta"]],
    "kysymykset": [["question_id", "text", "type", "scale_min", "scale_max"]],
    "kysymysloki": [["avattu", "aihe", "tila"]],
}


@pytest.mark.parametrize("source", list(DETECT))
def test_source_is_detected_from_the_header(source: str, etl_db: Path) -> None:
    # Only the header (and at most the required columns): file names say nothing.
    results, _ = check([InputFile("data.csv", csv_bytes(DETECT[source]))], etl_db)
    assert results[0].source == source


def test_unknown_extra_columns_are_a_warning_not_an_error(etl_new_db: Path) -> None:
    etl_db = etl_new_db
    rows = [["asema_id", "nimi", "kunta", "huomautus"], ["A1", "Keskusta", "Espoo", "mitä tahansa"]]
    result = load_rows(etl_db, {"asemat.csv": rows})
    assert result.ok
    assert [w.column for w in result.files[0].warnings] == ["huomautus"]
