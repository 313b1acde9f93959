"""Shared builders and fixtures of the ETL, figure and concurrency tests.

Test modules call `pytest.register_assert_rewrite("etl_helpers")`, import the builders they need and
declare `pytest_plugins = ("etl_helpers",)` for the fixtures (all named `etl_*`, so that no conftest
fixture shadows them). `mart_snapshot` is the "warehouse unchanged" check.
Builders write source files exactly as the real systems do (CSV in either delimiter, UTF-8 with or
without BOM or Windows-1252, decimal comma or point; XLSX with the header on any row, date cells with
LibreOffice's custom formats, identifiers as number cells), so that every test can fail.
"""

from __future__ import annotations

import csv
import io
import os
import re
import shutil
import subprocess
import sys
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime
from pathlib import Path
from typing import Any, NamedTuple

import pytest
import xlsxwriter

PROJECT_ROOT = Path(__file__).resolve().parents[1]
if str(PROJECT_ROOT) not in sys.path:  # plain `pytest` (not `python -m pytest`) does not put the project on the path
    sys.path.insert(0, str(PROJECT_ROOT))

from etl.load import InputFile, LoadResult, load  # noqa: E402
from etl.pseudonym import PseudonymKey  # noqa: E402
from warehouse import db as wdb  # noqa: E402

TEST_KEY = "testiavain-ei-tuotantoon-0123456789"
CLI_TIMEOUT = 180


# ---------------------------------------------------------------------------------------------------------------
# Values that a style renders differently
# ---------------------------------------------------------------------------------------------------------------


class Month(NamedTuple):
    """A month value; `day` is used when the style writes months as dates."""

    year: int
    month: int
    day: int = 15

    @property
    def first(self) -> date:
        """The month's first day, as the warehouse stores it."""
        return date(self.year, self.month, 1)


class Id(str):
    """An identifier: written as text in CSV and as a number cell in XLSX (when it is all digits)."""

    __slots__ = ()


@dataclass(frozen=True)
class Style:
    """How a source file is written: one of the conventions of the data contract."""

    name: str
    fmt: str = "csv"  # csv | xlsx
    delimiter: str = ";"
    encoding: str = "utf-8"  # utf-8 | utf-8-sig (BOM) | cp1252
    newline: str = "\n"
    decimal: str = ","
    date_style: str = "fi"  # fi d.m.yyyy | fi0 dd.mm.yyyy | fi_short d.m.yy | iso yyyy-mm-dd
    month_style: str = "slash"  # slash m/yyyy | dot m.yyyy | iso yyyy-mm | date (a day of the month)
    headers: int = 0  # index into the header variants of a column: 0 canonical, 1 Finnish, 2 UPPER, 3 English
    trailing_blank_lines: int = 0
    header_row: int = 1  # xlsx: the spreadsheet row of the header
    date_format: str = "dd/mm/yy"  # xlsx number format of date cells
    month_format: str = "[$-40B]d/m/yyyy"  # xlsx number format of month cells
    numbers_as_text: bool = False  # xlsx: numbers stored as text with the style's decimal separator
    sheet: str | None = None  # xlsx: name of the data sheet (None = "Taul1")
    sheets_before: tuple[str, ...] = ()  # xlsx: other sheets before the data sheet

    @property
    def suffix(self) -> str:
        """File name extension."""
        return ".xlsx" if self.fmt == "xlsx" else ".csv"


DEFAULT = Style("default")


def render(value: Any, style: Style = DEFAULT) -> str:
    """A value as text in a CSV cell (or an XLSX text cell)."""
    if value is None:
        return ""
    if isinstance(value, Month):
        match style.month_style:
            case "slash":
                return f"{value.month}/{value.year}"
            case "dot":
                return f"{value.month}.{value.year}"
            case "iso":
                return f"{value.year}-{value.month:02d}"
            case "date":
                return render(date(value.year, value.month, value.day), style)
        raise ValueError(style.month_style)
    if isinstance(value, datetime):
        value = value.date()
    if isinstance(value, date):
        match style.date_style:
            case "fi":
                return f"{value.day}.{value.month}.{value.year}"
            case "fi0":
                return value.strftime("%d.%m.%Y")
            case "fi_short":
                return f"{value.day}.{value.month}.{value.year % 100:02d}"
            case "iso":
                return value.isoformat()
        raise ValueError(style.date_style)
    if isinstance(value, bool):
        raise TypeError("no booleans in source files")
    if isinstance(value, float):
        text = repr(value)
        text = text[:-2] if text.endswith(".0") else text
        return text.replace(".", style.decimal)
    return str(value)


def csv_bytes(rows: Sequence[Sequence[Any]], style: Style = DEFAULT) -> bytes:
    """CSV file content: rows[0] is the header; quoted where a value holds the delimiter, a quote or a line break."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=style.delimiter, lineterminator=style.newline, quoting=csv.QUOTE_MINIMAL)
    for row in rows:
        writer.writerow([render(v, style) for v in row])
    text = out.getvalue() + style.newline * style.trailing_blank_lines
    return text.encode(style.encoding)


def write_csv(path: Path, rows: Sequence[Sequence[Any]], style: Style = DEFAULT) -> Path:
    """Write a CSV file (see csv_bytes)."""
    path.write_bytes(csv_bytes(rows, style))
    return path


def write_xlsx(path: Path, rows: Sequence[Sequence[Any]], style: Style = DEFAULT) -> Path:
    """Write a workbook: rows[0] is the header, on `style.header_row`; rows above it are empty.

    str → text cell; int/float → number cell (or text with the style's decimal separator when
    `numbers_as_text`); Id of digits → number cell; date/datetime → date cell in `date_format`;
    Month → date cell (its `day`) in `month_format`; None → no cell.
    """
    wb = xlsxwriter.Workbook(str(path))
    for name in style.sheets_before:
        other = wb.add_worksheet(name)
        other.write_string(0, 0, "Täytä tiedot seuraavalle välilehdelle. Älä muuta otsikoita.")
        other.write_string(1, 0, "kuukausi")
        other.write_number(2, 0, 42)
    ws = wb.add_worksheet(style.sheet or "Taul1")
    date_fmt = wb.add_format({"num_format": style.date_format})
    month_fmt = wb.add_format({"num_format": style.month_format})
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            _write_cell(ws, style.header_row - 1 + r, c, value, style, date_fmt, month_fmt)
    wb.close()
    return path


def _write_cell(ws: Any, r: int, c: int, value: Any, style: Style, date_fmt: Any, month_fmt: Any) -> None:
    if value is None:
        return
    if isinstance(value, Month):
        ws.write_datetime(r, c, datetime(value.year, value.month, value.day), month_fmt)
    elif isinstance(value, datetime):
        ws.write_datetime(r, c, value, date_fmt)
    elif isinstance(value, date):
        ws.write_datetime(r, c, datetime(value.year, value.month, value.day), date_fmt)
    elif isinstance(value, Id) and value.isdigit():
        ws.write_number(r, c, int(value))
    elif isinstance(value, int | float) and not isinstance(value, bool):
        if style.numbers_as_text:
            ws.write_string(r, c, render(value, style))
        else:
            ws.write_number(r, c, value)
    else:
        ws.write_string(r, c, str(value))


def write_source(directory: Path, stem: str, rows: Sequence[Sequence[Any]], style: Style = DEFAULT) -> Path:
    """Write a source file in a style; the name carries no hint of the source unless `stem` does."""
    path = directory / f"{stem}{style.suffix}"
    if style.fmt == "xlsx":
        return write_xlsx(path, rows, style)
    return write_csv(path, rows, style)


def xlsx_bytes(rows: Sequence[Sequence[Any]], style: Style, tmp: Path) -> bytes:
    """Workbook content (written through a temporary file)."""
    return write_xlsx(tmp, rows, replace(style, fmt="xlsx")).read_bytes()


# ---------------------------------------------------------------------------------------------------------------
# Header variants of every column: canonical, Finnish as people type it, UPPER-HYPHEN, English alias
# ---------------------------------------------------------------------------------------------------------------

HEADERS: dict[str, tuple[str, str, str, str]] = {
    "asema_id": ("asema_id", "Asema ID", "ASEMA-ID", "station_id"),
    "nimi": ("nimi", "Nimi", "NIMI", "name"),
    "nimi_sv": ("nimi_sv", "Nimi SV", "NIMI-SV", "name_sv"),
    "kunta": ("kunta", "Kunta", "KUNTA", "municipality"),
    "aalto": ("aalto", "Aalto", "AALTO", "wave"),
    "suunniteltu_kayttoonotto": ("suunniteltu_kayttoonotto", "Suunniteltu käyttöönotto",
                                 "SUUNNITELTU-KÄYTTÖÖNOTTO", "planned_go_live"),
    "kayttoonotto": ("kayttoonotto", "Käyttöönotto", "KÄYTTÖÖNOTTO", "go_live"),
    "tehtava_id": ("tehtava_id", "Tehtävä ID", "TEHTÄVÄ-ID", "task_id"),
    "tehtava": ("tehtava", "Tehtävä", "TEHTÄVÄ", "task"),
    "tehtavaryhma": ("tehtavaryhma", "Tehtäväryhmä", "TEHTÄVÄRYHMÄ", "task_group"),
    "vastuurooli": ("vastuurooli", "Vastuurooli", "VASTUUROOLI", "owner_role"),
    "automatisoitavissa": ("automatisoitavissa", "Automatisoitavissa", "AUTOMATISOITAVISSA", "automatable"),
    "kartoituspvm": ("kartoituspvm", "Kartoituspvm", "KARTOITUSPVM", "mapping_date"),
    "suorittaja": ("suorittaja", "Suorittaja", "SUORITTAJA", "performer"),
    "tunnit_viikossa": ("tunnit_viikossa", "Tunnit viikossa", "TUNNIT-VIIKOSSA", "hours_per_week"),
    "kuukausi": ("kuukausi", "Kuukausi", "KUUKAUSI", "month"),
    "henkilo_id": ("henkilo_id", "Henkilö ID", "HENKILÖ-ID", "person_id"),
    "rooli": ("rooli", "Rooli", "ROOLI", "role"),
    "tyoaikaprosentti": ("tyoaikaprosentti", "Työaikaprosentti", "TYÖAIKAPROSENTTI", "part_time_percentage"),
    "palvelussuhde": ("palvelussuhde", "Palvelussuhde", "PALVELUSSUHDE", "employment_type"),
    "sairauspoissaolo_pv": ("sairauspoissaolo_pv", "Sairauspoissaolo pv", "SAIRAUSPOISSAOLO-PV", "sick_leave_days"),
    "muu_poissaolo_pv": ("muu_poissaolo_pv", "Muu poissaolo pv", "MUU-POISSAOLO-PV", "other_absence_days"),
    "vastaus_id": ("vastaus_id", "Vastaus ID", "VASTAUS-ID", "response_id"),
    "kommentti": ("kommentti", "Kommentti", "KOMMENTTI", "comment"),
    "kysymys_id": ("kysymys_id", "Kysymys ID", "KYSYMYS-ID", "question_id"),
    "teksti": ("teksti", "Teksti", "TEKSTI", "text"),
    "teksti_sv": ("teksti_sv", "Teksti SV", "TEKSTI-SV", "text_sv"),
    "tyyppi": ("tyyppi", "Tyyppi", "TYYPPI", "type"),
    "asteikko_min": ("asteikko_min", "Asteikko min", "ASTEIKKO-MIN", "scale_min"),
    "asteikko_max": ("asteikko_max", "Asteikko max", "ASTEIKKO-MAX", "scale_max"),
    "tavoite": ("tavoite", "Tavoite", "TAVOITE", "goal"),
    "avattu": ("avattu", "Avattu", "AVATTU", "opened"),
    "aihe": ("aihe", "Aihe", "AIHE", "topic"),
    "tila": ("tila", "Tila", "TILA", "status"),
    "ratkaistu": ("ratkaistu", "Ratkaistu", "RATKAISTU", "resolved"),
    # Pulssi question columns are question ids in any case.
    "hallinta": ("hallinta", "Hallinta", "HALLINTA", "hallinta"),
    "enps": ("enps", "eNPS", "ENPS", "enps"),
}


def header_row(columns: Iterable[str], style: Style = DEFAULT) -> list[str]:
    """The header of a file in a style's header variant."""
    return [HEADERS[c][style.headers] if c in HEADERS else c for c in columns]


# ---------------------------------------------------------------------------------------------------------------
# A small consistent data set: the base warehouse that most tests copy
# ---------------------------------------------------------------------------------------------------------------

ASEMAT = [
    ["asema_id", "nimi", "nimi_sv", "kunta", "aalto", "suunniteltu_kayttoonotto", "kayttoonotto"],
    ["A1", "Keskusta", "Centrum", "Espoo", 1, date(2025, 1, 1), date(2025, 2, 3)],
    ["A2", "Pohjoinen", None, "Espoo", 2, date(2027, 1, 15), None],
    ["B1", "Hanko", "Hangö", "Hanko", None, None, None],
]
TEHTAVAT = [
    ["tehtava_id", "tehtava", "tehtavaryhma", "vastuurooli", "automatisoitavissa"],
    ["T1", "Ajanvaraus", "Ajanvaraus ja asiakaspalvelu", "terveyskeskusavustaja", "kylla"],
    ["T2", "Sanelut", "Kirjaaminen", "toimistosihteeri", "ei"],
    ["T3", "Haavahoito", "Kliininen työ", "sairaanhoitaja", None],
]
KYSYMYKSET = [
    ["kysymys_id", "teksti", "teksti_sv", "tyyppi", "asteikko_min", "asteikko_max", "tavoite"],
    ["hallinta", "Pystyn vaikuttamaan työhöni", None, "likert", 1, 5, 1],
    ["enps", "Suosittelisitko työpaikkaasi?", None, "enps", 0, 10, None],
]
KARTOITUS = [
    ["kartoituspvm", "asema_id", "tehtava_id", "suorittaja", "tunnit_viikossa"],
    [date(2025, 1, 10), "A1", "T1", "terveyskeskusavustaja", 20],
    [date(2025, 1, 10), "A1", "T2", "sairaanhoitaja", 4.5],
]
HENKILOSTO = [
    ["kuukausi", "henkilo_id", "asema_id", "rooli", "tyoaikaprosentti", "palvelussuhde", "sairauspoissaolo_pv",
     "muu_poissaolo_pv"],
    [Month(2025, 1), Id("21833687"), "A1", "toimistosihteeri", 100, "vakinainen", 2, 0],
    [Month(2025, 1), Id("21833688"), "A1", "terveyskeskusavustaja", 80, "sijainen", 0, 3],
    [Month(2025, 1), Id("21833689"), "A1", "sairaanhoitaja", 100, "vakinainen", 1, 0],
    [Month(2025, 1), Id("21833690"), "A2", "laakari", 100, "vakinainen", 0, 0],
]
PULSSI = [
    ["kuukausi", "vastaus_id", "asema_id", "rooli", "hallinta", "enps", "kommentti"],
    [Month(2025, 1), "r1", "A1", "toimistosihteeri", 4, 9, "hyvä"],
    [Month(2025, 1), "r2", "A1", "sairaanhoitaja", 5, 10, None],
    [Month(2025, 1), "r3", "A2", "laakari", 3, 5, None],
]
KYSYMYSLOKI = [
    ["avattu", "asema_id", "aihe", "tila", "ratkaistu"],
    [date(2025, 1, 5), "A1", "Kuka hoitaa sanelut?", "avoin", None],
    [date(2025, 1, 7), None, "Koulutusten aikataulu", "ratkaistu", date(2025, 1, 20)],
]
BASE_FILES: dict[str, list[list[Any]]] = {
    "asemat": ASEMAT, "tehtavat": TEHTAVAT, "kysymykset": KYSYMYKSET, "kartoitus": KARTOITUS,
    "henkilosto": HENKILOSTO, "pulssi": PULSSI, "kysymysloki": KYSYMYSLOKI,
}


def inputs(files: dict[str, bytes]) -> list[InputFile]:
    """InputFiles from name → content."""
    return [InputFile(name, data) for name, data in files.items()]


def load_rows(db: Path, files: dict[str, Sequence[Sequence[Any]]], source: str | None = None,
              style: Style = DEFAULT) -> LoadResult:
    """Load CSV files built from rows (name → rows) in one command."""
    return load(inputs({name: csv_bytes(rows, style) for name, rows in files.items()}), db=db, source=source)


def load_ok(db: Path, files: dict[str, Sequence[Sequence[Any]]], style: Style = DEFAULT) -> LoadResult:
    """Load and insist that the command succeeded."""
    result = load_rows(db, files, style=style)
    assert result.ok, "\n".join(result.problem_lines())
    return result


# ---------------------------------------------------------------------------------------------------------------
# Looking at the warehouse
# ---------------------------------------------------------------------------------------------------------------


def _row_key(row: tuple[Any, ...]) -> tuple[str, ...]:
    return tuple("\x00" if v is None else f"{type(v).__name__}:{v!r}" for v in row)


def mart_snapshot(db_path: str | os.PathLike[str]) -> dict[str, list[tuple[Any, ...]]]:
    """Sorted contents of every table and view of the warehouse except `load_log`: marts, raw, meta, reference.

    Two equal snapshots mean "the warehouse is unchanged" in the contract's sense.
    """
    if not Path(db_path).exists():
        return {}
    with wdb.read(db_path) as con:
        names = [
            r[0]
            for r in con.sql(
                "SELECT table_name FROM information_schema.tables WHERE table_schema = 'main' "
                "AND table_name <> 'load_log' ORDER BY table_name"
            ).fetchall()
        ]
        return {n: sorted(con.sql(f'SELECT * FROM "{n}"').fetchall(), key=_row_key) for n in names}


def query(db: str | os.PathLike[str], sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
    """Rows of a query on a short-lived read-only connection (the file is not held open afterwards)."""
    try:
        with wdb.read(db) as con:
            return con.sql(sql, params=list(params)).fetchall()
    finally:
        wdb.forget(db)  # a test may open the file read-write next, which DuckDB refuses while it is attached


def load_log(db: str | os.PathLike[str]) -> list[dict[str, Any]]:
    """The load log as dicts, oldest first."""
    with wdb.read(db) as con:
        rel = con.sql("SELECT * FROM load_log ORDER BY load_id, file_name")
        cols = rel.columns
        return [dict(zip(cols, r, strict=True)) for r in rel.fetchall()]


def last_load(db: str | os.PathLike[str]) -> list[dict[str, Any]]:
    """The load-log lines of the latest command."""
    log = load_log(db)
    last = max(r["load_id"] for r in log)
    return [r for r in log if r["load_id"] == last]


def all_text(db: str | os.PathLike[str]) -> str:
    """Every value of every table and view, as text: to grep for data that must not be there."""
    parts: list[str] = []
    with wdb.read(db) as con:
        names = [r[0] for r in con.sql("SELECT table_name FROM information_schema.tables").fetchall()]
        for n in names:
            parts.extend(repr(row) for row in con.sql(f'SELECT * FROM "{n}"').fetchall())
    return "\n".join(parts)


def pseudonym(raw_id: str, key: str = TEST_KEY) -> str:
    """The pseudonym that the warehouse must hold for an employee number under a key."""
    return PseudonymKey(key.encode("utf-8"), "test").pseudonym(raw_id)


# ---------------------------------------------------------------------------------------------------------------
# Problem lines
# ---------------------------------------------------------------------------------------------------------------

_PREFIX = re.compile(r"^([^:]+):(\d+):([^:]+): \S")


def prefix(line: str) -> str:
    """The `FILE:ROW:COLUMN: ` prefix of a problem line (AssertionError if the line has none)."""
    m = _PREFIX.match(line)
    assert m, f"not a FILE:ROW:COLUMN: message line: {line!r}"
    return f"{m.group(1)}:{m.group(2)}:{m.group(3)}: "


def line_with(lines: Sequence[str], start: str) -> str:
    """The one problem line that starts with a prefix."""
    found = [ln for ln in lines if ln.startswith(start)]
    assert len(found) == 1, f"expected one line starting {start!r}, got {found!r} in {lines!r}"
    return found[0]


# ---------------------------------------------------------------------------------------------------------------
# The command line
# ---------------------------------------------------------------------------------------------------------------


def cli_env(**overrides: str | None) -> dict[str, str]:
    """The environment for `python -m etl`: the current one (with the fixtures' settings) plus the project path."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(PROJECT_ROOT), env.get("PYTHONPATH")) if p)
    for k, v in overrides.items():
        if v is None:
            env.pop(k, None)
        else:
            env[k] = v
    return env


def run_cli(*args: str, cwd: Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """Run `python -m etl ARGS` in a directory; returns the completed process (text output)."""
    return subprocess.run(
        [sys.executable, "-m", "etl", *args], cwd=cwd, env=env or cli_env(), capture_output=True, text=True,
        timeout=CLI_TIMEOUT, check=False,
    )


def stdout_lines(proc: subprocess.CompletedProcess[str]) -> list[str]:
    """Non-empty lines of a process's standard output."""
    return [ln for ln in proc.stdout.splitlines() if ln.strip()]


# ---------------------------------------------------------------------------------------------------------------
# Fixtures
# ---------------------------------------------------------------------------------------------------------------

SETTINGS_TOML = "k_anonymity = 5\ncomment_min_respondents = 10\nweekly_hours = 36.25\n"


@pytest.fixture(scope="session")
def etl_config(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the project's configuration with the contract's default settings (k = 5, 36.25 h)."""
    d = tmp_path_factory.mktemp("config")
    src = PROJECT_ROOT / "config"
    if src.is_dir():
        for f in src.iterdir():
            if f.is_file():
                shutil.copy(f, d / f.name)
    (d / "asetukset.toml").write_text(SETTINGS_TOML, encoding="utf-8")
    return d


def set_env(mp: pytest.MonkeyPatch, config: Path) -> None:
    mp.setenv("TYONJAKO_PSEUDONYM_KEY", TEST_KEY)
    mp.setenv("TYONJAKO_CONFIG_DIR", str(config))
    # Never the project's own data/: a command that forgets --db writes into the test's temporary folders.
    mp.setenv("TYONJAKO_DB", str(config.parent / "default-warehouse" / "tyonjako.duckdb"))


@pytest.fixture
def etl_env(monkeypatch: pytest.MonkeyPatch, etl_config: Path) -> None:
    """A fixed pseudonym key and settings; the default warehouse path is a temporary one."""
    set_env(monkeypatch, etl_config)


@pytest.fixture(scope="session")
def etl_base_template(tmp_path_factory: pytest.TempPathFactory, etl_config: Path) -> Path:
    """A warehouse holding BASE_FILES, built once per session."""
    d = tmp_path_factory.mktemp("base")
    db = d / "base.duckdb"
    with pytest.MonkeyPatch.context() as mp:
        set_env(mp, etl_config)
        result = load_rows(db, {f"{name}.csv": rows for name, rows in BASE_FILES.items()})
    assert result.ok, "\n".join(result.problem_lines())
    return db


@pytest.fixture
def etl_db(etl_base_template: Path, tmp_path: Path, etl_env: None) -> Path:
    """A private copy of the base warehouse in the test's directory."""
    db = tmp_path / "wh" / "tyonjako.duckdb"
    db.parent.mkdir()
    shutil.copyfile(etl_base_template, db)
    return db


@pytest.fixture
def etl_new_db(tmp_path: Path, etl_env: None) -> Path:
    """The path of a warehouse that does not exist yet."""
    d = tmp_path / "wh"
    d.mkdir()
    return d / "tyonjako.duckdb"


# ---------------------------------------------------------------------------------------------------------------
# The reader process of the concurrency test (here, so that a spawned child can import it)
# ---------------------------------------------------------------------------------------------------------------


def consistent_reader(db: str, stop_file: str, result_file: str, max_seconds: float, ready_file: str) -> None:
    """Open short-lived read-only connections in a loop and check invariants that every published version keeps.

    Every command of the concurrency test loads a henkilosto and a pulssi file of the same month with the
    same number N of rows, so in every consistent version:
      - count(raw_henkilosto) == count(raw_pulssi) == N (both files or neither),
      - Σ headcount of mart_workload == N (marts rebuilt in the same version as the raw rows),
      - the `rows` of the latest `loaded` henkilosto line of load_log == N.
    Touches ready_file after the first attempt; writes reads, versions seen and failures to result_file as JSON.
    """
    import json

    failures: list[str] = []
    seen: set[int] = set()
    reads = 0
    deadline = time.monotonic() + max_seconds
    while time.monotonic() < deadline and not os.path.exists(stop_file):
        try:
            with wdb.read(db) as con:
                row = con.sql(
                    "SELECT (SELECT count(*) FROM raw_henkilosto), (SELECT count(*) FROM raw_pulssi), "
                    "(SELECT coalesce(sum(headcount), 0) FROM mart_workload), "
                    "(SELECT \"rows\" FROM load_log WHERE source = 'henkilosto' AND outcome = 'loaded' "
                    " ORDER BY load_id DESC LIMIT 1)"
                ).fetchall()[0]
            reads += 1
            n_h, n_p, headcount, logged = row
            seen.add(int(n_h))
            if not (n_h == n_p == headcount == logged):
                failures.append(f"inconsistent version: henkilosto={n_h} pulssi={n_p} headcount={headcount} "
                                f"load_log={logged}")
        except Exception as exc:  # noqa: BLE001 - every failure of a reader is what the test looks for
            failures.append(f"{type(exc).__name__}: {exc}")
        if not os.path.exists(ready_file):
            Path(ready_file).touch()
        if len(failures) > 20:
            break
        time.sleep(0.005)  # leave the loader some CPU on a small machine
    Path(result_file).write_text(json.dumps({"reads": reads, "versions": sorted(seen), "failures": failures}))
