"""Hostile files through the command line: each is refused with a clear Finnish sentence, exit status 2, the
warehouse unchanged (but for the load log's `rejected` line, as the contract says), no employee number echoed
anywhere, and the loading process's peak memory bounded by the reader's limit.

Every file is generated here (the zip bombs once per session, about 2 MB and 11 MB). Peak memory and time of
each case are printed (`pytest -s` shows them); memory is asserted against the guarantee, time is not.
"""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

pytest.register_assert_rewrite("etl_helpers")

import hostile_files as hf  # noqa: E402
from etl_helpers import (  # noqa: E402
    CLI_TIMEOUT,
    HENKILOSTO,
    cli_env,
    csv_bytes,
    last_load,
    mart_snapshot,
)

from etl import limits, xlsx_guard  # noqa: E402
from etl.load import InputFile, load  # noqa: E402
from etl.problems import ReadError  # noqa: E402

pytest_plugins = ("etl_helpers",)

PEAK_LIMIT_BYTES = 2 * 1024**3
EMPLOYEE = "21833687"  # in the base warehouse's staffing too: the raw number must never appear
LONE_EMPLOYEE = "40817262"  # only in the shifted row


@pytest.fixture(scope="session")
def hostile_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Every hostile file of this module, generated once."""
    d = tmp_path_factory.mktemp("hostile")
    hf.far_cell_xlsx(d / "kaukainen_solu.xlsx")
    hf.far_cell_xlsx(d / "kaukainen_solu_ilman_aluetta.xlsx", declare=False)
    hf.shared_strings_bomb(d / "jaetut_merkkijonot_pommi.xlsx")
    hf.sheet_bomb(d / "taulukkopommi.xlsx")
    header = "kuukausi;vastaus_id;asema_id;rooli;hallinta;kommentti\n"
    (d / "pulssi_pitka_kommentti.csv").write_bytes(
        (header + "1/2025;r1;A1;toimistosihteeri;4;" + "a" * (10 * 1024 * 1024) + "\n"
         + "1/2025;r2;A1;toimistosihteeri;5;hyvä\n").encode()
    )
    extra = [f"lisa{i}" for i in range(10_000)]
    (d / "asemat_10000_saraketta.csv").write_bytes(csv_bytes([
        ["asema_id", "nimi", "kunta", *extra], ["A1", "Keskusta", "Espoo", *["x"] * len(extra)],
    ]))
    (d / "henkilosto_siirtynyt_rivi.csv").write_bytes(shifted_staffing())
    return d


def shifted_staffing() -> bytes:
    """A staffing file where two rows slipped by one column: employee numbers land in asema_id."""
    rows = [list(r) for r in HENKILOSTO]
    rows[2] = [rows[2][0], "A1", EMPLOYEE, "terveyskeskusavustaja", 80, "sijainen", 0, 3]
    rows.append([rows[1][0], "A1", LONE_EMPLOYEE, "toimistosihteeri", 100, "vakinainen", 0, 0])
    return csv_bytes(rows)


@dataclass
class Run:
    """One CLI run: exit status, output, peak resident memory (bytes) of the CLI and its reader, seconds."""

    code: int
    out: str
    err: str
    peak: int
    seconds: float


# A small parent process runs the CLI: a child's peak RSS starts at its parent's size at fork time, so forking
# the CLI straight from pytest would report pytest's size. RUSAGE_CHILDREN covers the CLI and its reader.
_MEASURE = (
    "import resource, subprocess, sys\n"
    "code = subprocess.run(sys.argv[2:], check=False).returncode\n"
    "open(sys.argv[1], 'w').write(str(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss))\n"
    "sys.exit(code)\n"
)


def run_measured(*args: str, cwd: Path) -> Run:
    """Run `python -m etl ARGS` and measure the peak resident memory of it and its reader process."""
    peak_file = cwd / "peak_kb.txt"
    started = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, "-c", _MEASURE, str(peak_file), sys.executable, "-m", "etl", *args], cwd=cwd,
        env=cli_env(), capture_output=True, text=True, timeout=CLI_TIMEOUT, check=False,
    )
    seconds = time.perf_counter() - started
    # ru_maxrss is in kilobytes on Linux.
    return Run(proc.returncode, proc.stdout, proc.stderr, int(peak_file.read_text()) * 1024, seconds)


CASES = {
    "kaukainen_solu.xlsx": "tiedostoa ei voi lukea turvallisesti (taulukko 'Taul1': sen käytetyksi alueeksi on "
                           "merkitty A1:XFD1048576",
    "kaukainen_solu_ilman_aluetta.xlsx": "tiedostoa ei voi lukea turvallisesti (taulukko 'Taul1': siinä on solu "
                                         "sarakkeessa XFD ja rivillä 1\u00a0048\u00a0576",
    "jaetut_merkkijonot_pommi.xlsx": "tiedostoa ei voi lukea turvallisesti (sen osa xl/sharedStrings.xml purkautuu "
                                     "2,0 Gt:ksi",
    "taulukkopommi.xlsx": "tiedostoa ei voi lukea turvallisesti (sen osa xl/worksheets/sheet1.xml purkautuu 3,0 Gt:ksi",
    "pulssi_pitka_kommentti.csv": ":2:kommentti: kommentti: arvossa on 10\u00a0485\u00a0760 merkkiä, kun enintään "
                                  "5\u00a0000 sallitaan",
    "asemat_10000_saraketta.csv": "tiedostossa on 10\u00a0003 saraketta, kun enintään 1\u00a0000 sallitaan",
    "henkilosto_siirtynyt_rivi.csv": ":3:asema_id: 2 riviä viittaa asemiin, joita ei ole asemaluettelossa: "
                                     "«henkilönumero» (rivi 3), «henkilönumero» (rivi 6)",
}
MEASURED: dict[str, tuple[float, float]] = {}


@pytest.fixture(scope="module", autouse=True)
def print_measurements() -> Iterator[None]:
    """Print each case's peak memory and time after the module (pytest -s, or the captured output of a failure)."""
    yield
    if MEASURED:
        lines = [f"  {name}: peak {peak / 1024**2:,.0f} MB, {secs:.1f} s" for name, (peak, secs) in MEASURED.items()]
        sys.__stdout__.write("\nHostile files through the CLI (peak RSS of the CLI and its reader, wall time):\n"
                             + "\n".join(lines) + "\n")


@pytest.mark.parametrize("name", list(CASES))
def test_hostile_file_is_refused_by_the_cli(name: str, hostile_dir: Path, etl_db: Path, tmp_path: Path) -> None:
    before = mart_snapshot(etl_db)
    run = run_measured("load", str(hostile_dir / name), "--db", str(etl_db), cwd=tmp_path)
    MEASURED[name] = (run.peak, run.seconds)

    assert run.code == 2, (run.out, run.err)
    assert CASES[name] in run.out, run.out
    assert "Traceback" not in run.out + run.err
    assert mart_snapshot(etl_db) == before
    log = last_load(etl_db)
    assert [r["outcome"] for r in log] == ["rejected"]
    assert run.peak < PEAK_LIMIT_BYTES, f"peak {run.peak / 1024**2:.0f} MB"
    for number in (EMPLOYEE, LONE_EMPLOYEE):
        assert number not in run.out + run.err
        assert number not in " ".join(str(v) for r in log for v in r.values())
        assert number.encode() not in etl_db.read_bytes()


def test_shifted_row_problems_keep_the_other_defects_and_mask_every_echo(etl_db: Path, hostile_dir: Path) -> None:
    data = (hostile_dir / "henkilosto_siirtynyt_rivi.csv").read_bytes()
    result = load([InputFile("h.csv", data)], db=etl_db)
    lines = result.problem_lines()
    text = "\n".join(lines)
    assert EMPLOYEE not in text and LONE_EMPLOYEE not in text
    # The row whose employee number moved left its henkilo_id cell holding "A1": nothing else refers to it.
    assert lines == [
        "h.csv:3:asema_id: 2 riviä viittaa asemiin, joita ei ole asemaluettelossa: «henkilönumero» (rivi 3), "
        "«henkilönumero» (rivi 6); korjaa tunnus tai lataa asemat samassa erässä tai ensin",
    ]


def test_a_reader_over_its_memory_limit_becomes_a_problem(tmp_path: Path, etl_db: Path,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    """Whatever the guards miss, the reading process's own limit holds: a 300 MB CSV under a 1 000 MB limit."""
    monkeypatch.setenv(limits.MEMORY_ENV, "1000")
    row = b"A1;" + b"Keskusta " * 8 + b";Espoo\n"
    data = b"asema_id;nimi;kunta\n" + row * (300 * 1024 * 1024 // len(row))
    before = mart_snapshot(etl_db)
    result = load([InputFile("asemat.csv", data)], db=etl_db)
    lines = result.problem_lines()
    assert not result.ok
    assert len(lines) == 1 and lines[0].startswith("asemat.csv: tiedostoa ei voi lukea turvallisesti ("), lines
    assert "1 Gt muistia" in lines[0], lines
    assert mart_snapshot(etl_db) == before


def test_a_part_packed_like_a_bomb_is_refused_below_the_size_limit(tmp_path: Path) -> None:
    """20 MB of one letter packs a thousandfold: refused by the ratio, though far below the size limit."""
    path = hf.shared_strings_bomb(tmp_path / "pieni_pommi.xlsx", unpacked=20 * hf.MEGABYTE)
    with pytest.raises(ReadError, match=r"^tiedostoa ei voi lukea turvallisesti \(sen osa xl/sharedStrings\.xml "
                                        r"purkautuu 20,0 Mt:ksi .*-kertaiseksi"):
        xlsx_guard.inspect(path.read_bytes())
