"""Every source in every file convention of the data contract, and bad files with their exact problem lines.

Good files: each of the seven sources written in six conventions (CSV `;` + BOM + decimal comma + d.m.yyyy;
CSV `,` + Windows-1252 + decimal point + ISO dates; d.m.yy; months as dates; XLSX with the header on row 3,
date cells, ids as number cells and numbers as text; XLSX with the data on the sheet named after the source)
must load and give the canonical values in the raw table.

Bad files: at least three per source, each with the exact `FILE:ROW:COLUMN: ` prefixes of its problems,
exit status 2 (CLI) or `ok == False` (load()), the warehouse unchanged and load_log saying `rejected`.
"""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import Any

import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

pytest.register_assert_rewrite("etl_helpers")

from etl_helpers import (  # noqa: E402
    DEFAULT,
    Id,
    Month,
    Style,
    csv_bytes,
    header_row,
    inputs,
    last_load,
    line_with,
    mart_snapshot,
    prefix,
    pseudonym,
    query,
    render,
    run_cli,
    stdout_lines,
    write_source,
    xlsx_bytes,
)

from etl.contract import Col, Kind  # noqa: E402
from etl.load import InputFile, load  # noqa: E402
from etl.validate import date_expr, month_expr, parse_columns  # noqa: E402

pytest_plugins = ("etl_helpers",)
pytestmark = pytest.mark.usefixtures("etl_env")

# ---------------------------------------------------------------------------------------------------------------
# Conventions
# ---------------------------------------------------------------------------------------------------------------

STYLES = [
    Style("csv_semicolon_bom_comma", delimiter=";", encoding="utf-8-sig", newline="\r\n", decimal=",",
          date_style="fi", month_style="slash", headers=1, trailing_blank_lines=3),
    Style("csv_comma_cp1252_point", delimiter=",", encoding="cp1252", newline="\n", decimal=".",
          date_style="iso", month_style="iso", headers=3, trailing_blank_lines=1),
    Style("csv_short_year_upper", delimiter=";", encoding="utf-8", decimal=",", date_style="fi_short",
          month_style="dot", headers=2),
    Style("csv_month_as_date", delimiter=",", encoding="utf-8", newline="\r\n", decimal=".", date_style="fi0",
          month_style="date", headers=0, trailing_blank_lines=2),
    Style("xlsx_header_row3_text_numbers", fmt="xlsx", header_row=3, date_format="dd/mm/yy",
          month_format="[$-40B]d/m/yyyy", numbers_as_text=True, decimal=",", headers=1),
    Style("xlsx_named_sheet", fmt="xlsx", date_format="[$-40B]d/m/yyyy", month_format="mm/yyyy", headers=3,
          sheets_before=("Ohje",)),
]

# ---------------------------------------------------------------------------------------------------------------
# Good files: rows as people write them, and the canonical values the raw tables must hold
# ---------------------------------------------------------------------------------------------------------------

M3 = date(2025, 3, 1)
GOOD: dict[str, dict[str, Any]] = {
    "asemat": {
        "rows": [
            ["asema_id", "nimi", "nimi_sv", "kunta", "aalto", "suunniteltu_kayttoonotto", "kayttoonotto"],
            ["A1", "Keskusta", "Centrum", "Espoo", 1, date(2025, 1, 1), date(2025, 2, 3)],
            ["A2", "Pohjoinen; ylä-aula, 2. krs", None, "Mäntsälä", 2, date(2027, 1, 15), None],
            ["B1", "Hanko\nrantatie", "Hangö", "Hanko", None, None, None],
            ["C1", "Öljymäki", "Oljeberg", "Lohja", 10, date(2025, 12, 31), date(2026, 1, 2)],
        ],
        "checks": [(
            "SELECT asema_id, nimi, nimi_sv, kunta, aalto, suunniteltu_kayttoonotto, kayttoonotto FROM raw_asemat "
            "ORDER BY asema_id",
            [
                ("A1", "Keskusta", "Centrum", "Espoo", 1, date(2025, 1, 1), date(2025, 2, 3)),
                ("A2", "Pohjoinen; ylä-aula, 2. krs", None, "Mäntsälä", 2, date(2027, 1, 15), None),
                ("B1", "Hanko\nrantatie", "Hangö", "Hanko", None, None, None),
                ("C1", "Öljymäki", "Oljeberg", "Lohja", 10, date(2025, 12, 31), date(2026, 1, 2)),
            ],
        )],
    },
    "tehtavat": {
        "rows": [
            ["tehtava_id", "tehtava", "tehtavaryhma", "vastuurooli", "automatisoitavissa"],
            ["T1", "Ajanvaraus, puhelin; chat", "Ajanvaraus ja asiakaspalvelu", "Terveyskeskusavustaja", "kyllä"],
            ["T2", "Sanelut", "Kirjaaminen", "Toimistosihteeri", "Osittain"],
            ["T3", "Haavahoito", "Kliininen työ", "sjukskötare", None],
            ["T4", "Laskutus", "Talous", "byråsekreterare", "EI"],
            ["T5", "Lähetteet\nja lausunnot", "Kirjaaminen", "office secretary", "ei"],
            ["T6", "Reseptien uusinta", "Kliininen työ", "Lääkäri", "osittain"],
            ["T7", "Konsultaatio", "Kliininen työ", "läkare", None],
        ],
        "checks": [(
            "SELECT tehtava_id, tehtava, tehtavaryhma, vastuurooli, automatisoitavissa FROM raw_tehtavat "
            "ORDER BY tehtava_id",
            [
                ("T1", "Ajanvaraus, puhelin; chat", "Ajanvaraus ja asiakaspalvelu", "terveyskeskusavustaja", "kylla"),
                ("T2", "Sanelut", "Kirjaaminen", "toimistosihteeri", "osittain"),
                ("T3", "Haavahoito", "Kliininen työ", "sairaanhoitaja", None),
                ("T4", "Laskutus", "Talous", "toimistosihteeri", "ei"),
                ("T5", "Lähetteet\nja lausunnot", "Kirjaaminen", "toimistosihteeri", "ei"),
                ("T6", "Reseptien uusinta", "Kliininen työ", "laakari", "osittain"),
                ("T7", "Konsultaatio", "Kliininen työ", "laakari", None),
            ],
        )],
    },
    "kartoitus": {
        "rows": [
            ["kartoituspvm", "asema_id", "tehtava_id", "suorittaja", "tunnit_viikossa"],
            [date(2025, 3, 10), "A1", "T1", "Terveyskeskusavustaja", 20],
            [date(2025, 3, 10), "A1", "T1", "Sairaanhoitaja", 5.5],
            [date(2025, 3, 10), "A1", "T2", "physician", 2.25],
            [date(2025, 3, 10), "A1", "T3", "sairaanhoitaja", 30],
            [date(2025, 3, 10), "B1", "T2", "Toimistosihteeri", 0],
            [date(2025, 3, 10), "B1", "T3", "Lääkäri", 199.75],
        ],
        "checks": [(
            "SELECT kartoituspvm, asema_id, tehtava_id, suorittaja, tunnit_viikossa FROM raw_kartoitus "
            "WHERE kartoituspvm = DATE '2025-03-10' ORDER BY ALL",
            [
                (date(2025, 3, 10), "A1", "T1", "sairaanhoitaja", 5.5),
                (date(2025, 3, 10), "A1", "T1", "terveyskeskusavustaja", 20.0),
                (date(2025, 3, 10), "A1", "T2", "laakari", 2.25),
                (date(2025, 3, 10), "A1", "T3", "sairaanhoitaja", 30.0),
                (date(2025, 3, 10), "B1", "T2", "toimistosihteeri", 0.0),
                (date(2025, 3, 10), "B1", "T3", "laakari", 199.75),
            ],
        )],
    },
    "henkilosto": {
        # March 2025 has 21 working days: 10 + 11 absence days is allowed.
        "rows": [
            ["kuukausi", "henkilo_id", "asema_id", "rooli", "tyoaikaprosentti", "palvelussuhde",
             "sairauspoissaolo_pv", "muu_poissaolo_pv"],
            [Month(2025, 3), Id("21833687"), "A1", "Lääkäri", 100, "Vakinainen", 2, 0],
            [Month(2025, 3), Id("21833688"), "A1", "läkare", 80, "Määräaikainen", 0, 5],
            [Month(2025, 3), Id("21833689"), "A1", "physician", 50.5, "sijainen", 0, None],
            [Month(2025, 3), Id("21833690"), "A2", "Toimistosihteeri", 100, "VAKINAINEN", 1, 2],
            [Month(2025, 3), Id("21833691"), "A2", "byråsekreterare", 60, "vakinainen", 0, 0],
            [Month(2025, 3), Id("21833692"), "B1", "office secretary", 100, "vakinainen", 10, 11],
            [Month(2025, 3), Id("21833687"), "B1", "lähihoitaja", 20, "määräaikainen", 0, 0],
        ],
        "checks": [(
            "SELECT kuukausi, henkilo_id, asema_id, rooli, tyoaikaprosentti, palvelussuhde, sairauspoissaolo_pv, "
            "muu_poissaolo_pv FROM raw_henkilosto WHERE kuukausi = DATE '2025-03-01' ORDER BY asema_id, rooli, "
            "tyoaikaprosentti",
            [
                (M3, pseudonym("21833689"), "A1", "laakari", 50.5, "sijainen", 0, 0),
                (M3, pseudonym("21833688"), "A1", "laakari", 80.0, "maaraaikainen", 0, 5),
                (M3, pseudonym("21833687"), "A1", "laakari", 100.0, "vakinainen", 2, 0),
                (M3, pseudonym("21833691"), "A2", "toimistosihteeri", 60.0, "vakinainen", 0, 0),
                (M3, pseudonym("21833690"), "A2", "toimistosihteeri", 100.0, "vakinainen", 1, 2),
                (M3, pseudonym("21833687"), "B1", "lahihoitaja", 20.0, "maaraaikainen", 0, 0),
                (M3, pseudonym("21833692"), "B1", "toimistosihteeri", 100.0, "vakinainen", 10, 11),
            ],
        )],
    },
    "pulssi": {
        "rows": [
            ["kuukausi", "vastaus_id", "asema_id", "rooli", "hallinta", "enps", "kommentti"],
            [Month(2025, 3), "r1", "A1", "Lääkäri", 4, 9, 'Hyvä; mutta kiire,\nliikaa "sanelua"'],
            [Month(2025, 3), "r2", "A1", "office secretary", 5, 10, None],
            [Month(2025, 3), "r3", "A2", "läkare", None, 0, "ok"],
            [Month(2025, 3), Id("1001"), "B1", "sjukskötare", 1, None, None],
        ],
        "checks": [
            (
                "SELECT kuukausi, vastaus_id, asema_id, rooli, kommentti FROM raw_pulssi "
                "WHERE kuukausi = DATE '2025-03-01' ORDER BY vastaus_id",
                [
                    (M3, "1001", "B1", "sairaanhoitaja", None),
                    (M3, "r1", "A1", "laakari", 'Hyvä; mutta kiire,\nliikaa "sanelua"'),
                    (M3, "r2", "A1", "toimistosihteeri", None),
                    (M3, "r3", "A2", "laakari", "ok"),
                ],
            ),
            (
                "SELECT kuukausi, vastaus_id, kysymys_id, arvo FROM raw_pulssi_vastaukset "
                "WHERE kuukausi = DATE '2025-03-01' ORDER BY vastaus_id, kysymys_id",
                [
                    (M3, "1001", "hallinta", 1),
                    (M3, "r1", "enps", 9), (M3, "r1", "hallinta", 4),
                    (M3, "r2", "enps", 10), (M3, "r2", "hallinta", 5),
                    (M3, "r3", "enps", 0),
                ],
            ),
        ],
    },
    "kysymykset": {
        "rows": [
            ["kysymys_id", "teksti", "teksti_sv", "tyyppi", "asteikko_min", "asteikko_max", "tavoite"],
            ["hallinta", "Pystyn vaikuttamaan työhöni", "Jag kan påverka mitt arbete", "Likert", 1, 5, 1],
            ["kuormitus", "Työmäärä on kohtuullinen; yleensä", None, "likert", 1, 5, 2],
            ["enps", "Suosittelisinko työpaikkaani, ja miksi?", None, "eNPS", 0, 10, None],
        ],
        "checks": [(
            "SELECT kysymys_id, teksti, teksti_sv, tyyppi, asteikko_min, asteikko_max, tavoite FROM raw_kysymykset "
            "ORDER BY kysymys_id",
            [
                ("enps", "Suosittelisinko työpaikkaani, ja miksi?", None, "enps", 0, 10, None),
                ("hallinta", "Pystyn vaikuttamaan työhöni", "Jag kan påverka mitt arbete", "likert", 1, 5, 1),
                ("kuormitus", "Työmäärä on kohtuullinen; yleensä", None, "likert", 1, 5, 2),
            ],
        )],
    },
    "kysymysloki": {
        "rows": [
            ["avattu", "asema_id", "aihe", "tila", "ratkaistu"],
            [date(2025, 1, 2), "A1", "Kuka hoitaa sanelut?", "Ratkaistu", date(2025, 1, 14)],
            [date(2025, 2, 3), None, "Yhteinen koulutus; kevät,\nilmoittautuminen", "avoin", None],
            [date(2025, 2, 10), "B1", "Äänitysohjelma", "AVOIN", None],
            [date(2025, 3, 1), "A2", "Sama päivä", "ratkaistu", date(2025, 3, 1)],
        ],
        "checks": [(
            "SELECT avattu, asema_id, aihe, tila, ratkaistu FROM raw_kysymysloki ORDER BY avattu",
            [
                (date(2025, 1, 2), "A1", "Kuka hoitaa sanelut?", "ratkaistu", date(2025, 1, 14)),
                (date(2025, 2, 3), None, "Yhteinen koulutus; kevät,\nilmoittautuminen", "avoin", None),
                (date(2025, 2, 10), "B1", "Äänitysohjelma", "avoin", None),
                (date(2025, 3, 1), "A2", "Sama päivä", "ratkaistu", date(2025, 3, 1)),
            ],
        )],
    },
}


def _styled_rows(source: str, style: Style) -> list[list[Any]]:
    rows = GOOD[source]["rows"]
    return [header_row(rows[0], style), *rows[1:]]


@pytest.mark.parametrize("style", STYLES, ids=lambda s: s.name)
def test_good_files_of_every_source_load_with_canonical_values(style: Style, etl_db: Path, tmp_path: Path) -> None:
    """One file per source in this convention, all in one command; every source's raw values are checked."""
    files, names = [], {}
    for i, source in enumerate(GOOD):
        file_style = replace(style, sheet=source) if style.sheets_before else style
        # A neutral file name: the source must be recognised from the header, not the name.
        path = write_source(tmp_path, f"tiedosto{i}", _styled_rows(source, file_style), file_style)
        files.append(InputFile.from_path(path))
        names[str(path)] = source
    result = load(files, db=etl_db)
    assert result.ok, "\n".join(result.problem_lines())
    assert {f.file_name: f.source for f in result.files} == names
    assert {f.file_name: (f.outcome, f.rows) for f in result.files} == {
        name: ("loaded", len(GOOD[source]["rows"]) - 1) for name, source in names.items()
    }
    wrong = []
    for source in GOOD:
        for sql, expected in GOOD[source]["checks"]:
            got = query(etl_db, sql)
            if got != expected:
                wrong.append(f"{source}:\n  got      {got}\n  expected {expected}")
    assert not wrong, "\n".join(wrong)


def test_xlsx_identifier_number_cell_is_read_as_digits(etl_db: Path, tmp_path: Path) -> None:
    """21833687 stored as a number cell must become the pseudonym of '21833687', never of '21833687.0'."""
    style = STYLES[4]
    write_source(tmp_path, "h", _styled_rows("henkilosto", style), style)
    result = load([InputFile.from_path(tmp_path / "h.xlsx")], db=etl_db)
    assert result.ok, result.problem_lines()
    ids = {r[0] for r in query(etl_db, "SELECT henkilo_id FROM raw_henkilosto WHERE kuukausi = DATE '2025-03-01'")}
    assert pseudonym("21833687") in ids
    assert pseudonym("21833687.0") not in ids


# ---------------------------------------------------------------------------------------------------------------
# Bad files
# ---------------------------------------------------------------------------------------------------------------


def reject(db: Path, files: dict[str, bytes], tmp_path: Path, *, cli: bool = False,
           source: str | None = None) -> list[str]:
    """Load files that must be refused; check status, unchanged warehouse and load_log; return the problem lines."""
    before = mart_snapshot(db)
    if cli:
        for name, data in files.items():
            (tmp_path / name).write_bytes(data)
        args = ["load", *files, "--db", str(db)] + (["--source", source] if source else [])
        proc = run_cli(*args, cwd=tmp_path)
        assert proc.returncode == 2, proc.stdout + proc.stderr
        lines = stdout_lines(proc)
    else:
        result = load(inputs(files), db=db, source=source)
        assert not result.ok
        assert all(f.outcome == "rejected" for f in result.files)
        lines = result.problem_lines()
    assert mart_snapshot(db) == before, "a rejected command changed the warehouse"
    log = last_load(db)
    assert sorted(r["file_name"] for r in log) == sorted(Path(n).name for n in files)
    assert {r["outcome"] for r in log} == {"rejected"}
    return lines


def assert_prefixes(lines: list[str], expected: list[str]) -> None:
    """The problem lines have exactly these FILE:ROW:COLUMN: prefixes (in any order)."""
    assert sorted(prefix(ln) for ln in lines) == sorted(expected), "\n".join(lines)


def assert_one_of_columns(lines: list[str], file_row: str, columns: set[str]) -> str:
    """Exactly one line for FILE:ROW:, in one of the columns (where the contract leaves the column open)."""
    found = [ln for ln in lines if ln.startswith(file_row)]
    assert len(found) == 1, f"{file_row}: {found!r}"
    assert prefix(found[0])[len(file_row):-2] in columns, found[0]
    return found[0]


def rows_csv(rows: list[list[Any]], style: Style = DEFAULT) -> bytes:
    return csv_bytes(rows, style)


# --- asemat -------------------------------------------------------------------------------------------------------

ASEMAT_HEADER = ["asema_id", "nimi", "nimi_sv", "kunta", "aalto", "suunniteltu_kayttoonotto", "kayttoonotto"]


def test_asemat_missing_required_column_reported_on_header_row_cli(etl_db: Path, tmp_path: Path) -> None:
    data = rows_csv([["asema_id", "nimi", "aalto"], ["A1", "Keskusta", 1], ["A2", "Pohjoinen", 2]])
    lines = reject(etl_db, {"asemat.csv": data}, tmp_path, cli=True)
    assert_prefixes(lines, ["asemat.csv:1:kunta: "])
    assert "kunta" in lines[0].split(": ", 1)[1]


def test_asemat_all_problems_of_the_file_at_once(etl_db: Path, tmp_path: Path) -> None:
    data = rows_csv([
        ASEMAT_HEADER,
        ["A1", "Keskusta", None, "Espoo", 1, "1.1.2025", None],        # row 2: fine
        ["A2", "Pohjoinen", None, "Espoo", 0, None, None],             # row 3: aalto must be ≥ 1
        ["A1", "Kaksoiskappale", None, "Espoo", None, None, None],     # row 4: duplicate asema_id
        ["C1", "Uusi", None, "Lohja", None, None, "31.2.2025"],        # row 5: no such date
        ["C2", None, None, "Lohja", None, None, None],                 # row 6: nimi missing
    ])
    lines = reject(etl_db, {"asemat.csv": data}, tmp_path)
    assert_prefixes(lines, ["asemat.csv:3:aalto: ", "asemat.csv:4:asema_id: ", "asemat.csv:5:kayttoonotto: ",
                            "asemat.csv:6:nimi: "])
    assert "0" in line_with(lines, "asemat.csv:3:aalto: ").split(": ", 1)[1]
    assert "31.2.2025" in line_with(lines, "asemat.csv:5:kayttoonotto: ")


def test_asemat_xlsx_header_on_row_3_first_data_row_is_4(etl_db: Path, tmp_path: Path) -> None:
    style = Style("x", fmt="xlsx", header_row=3, headers=1)
    data = xlsx_bytes([
        header_row(ASEMAT_HEADER, style),
        ["A1", "Keskusta", None, "Espoo", 1, "ensi vuonna", None],     # row 4: not a date
        ["A2", "Pohjoinen", None, "Espoo", "kolme", None, None],       # row 5: not an integer
        ["B1", "Hanko", None, "Hanko", 2, date(2026, 5, 1), None],     # row 6: fine (a date cell)
    ], style, tmp_path / "x.xlsx")
    lines = reject(etl_db, {"asemat.xlsx": data}, tmp_path)
    # COLUMN is the header as written in the file.
    assert_prefixes(lines, ["asemat.xlsx:4:Suunniteltu käyttöönotto: ", "asemat.xlsx:5:Aalto: "])


def test_asemat_row_numbers_count_records_not_lines(etl_db: Path, tmp_path: Path) -> None:
    """A quoted field with line breaks is one spreadsheet row: the bad record after it is row 3, not row 5."""
    data = rows_csv([
        ASEMAT_HEADER,
        ["A1", "Keskusta\nsisäänkäynti B\n2. kerros", None, "Espoo", 1, None, None],
        ["A2", "Pohjoinen", None, "Espoo", -1, None, None],
    ])
    lines = reject(etl_db, {"asemat.csv": data}, tmp_path)
    assert_prefixes(lines, ["asemat.csv:3:aalto: "])


def test_asemat_blank_lines_count_as_spreadsheet_rows(etl_db: Path, tmp_path: Path) -> None:
    """Two blank lines above the header and one between records: a spreadsheet shows the header on row 3."""
    body = rows_csv([ASEMAT_HEADER, ["A1", "Keskusta", None, "Espoo", 0, None, None]], Style("s", newline="\r\n"))
    bad = rows_csv([ASEMAT_HEADER, ["A2", "Pohjoinen", None, "Espoo", 0, None, None]])
    data = b"\r\n;;;;;;\r\n" + body + b"\r\n" + bad.split(b"\n", 1)[1]
    lines = reject(etl_db, {"asemat.csv": data}, tmp_path)
    assert_prefixes(lines, ["asemat.csv:4:aalto: ", "asemat.csv:6:aalto: "])


def test_asemat_value_with_an_unquoted_delimiter_is_reported_not_cut_off(etl_db: Path, tmp_path: Path) -> None:
    """A value holding the delimiter without quotes shifts the row; it must not load as other values."""
    data = "asema_id;nimi;kunta\nA1;Keskusta;Espoo\nA2;Pohjoinen; ylä-aula;Espoo\n".encode()
    lines = reject(etl_db, {"asemat.csv": data}, tmp_path)
    assert len(lines) == 1, lines
    assert lines[0].startswith("asemat.csv:3:"), lines


# --- tehtavat -----------------------------------------------------------------------------------------------------

TEHTAVAT_HEADER = ["tehtava_id", "tehtava", "tehtavaryhma", "vastuurooli", "automatisoitavissa"]


def test_tehtavat_unknown_role(etl_db: Path, tmp_path: Path) -> None:
    data = rows_csv([
        TEHTAVAT_HEADER,
        ["T1", "Ajanvaraus", "Asiakaspalvelu", "Terveyskeskusavustaja", "kyllä"],
        ["T2", "Sanelut", "Kirjaaminen", "sihteeri", "ei"],
    ])
    lines = reject(etl_db, {"tehtavat.csv": data}, tmp_path)
    assert_prefixes(lines, ["tehtavat.csv:3:vastuurooli: "])
    assert "sihteeri" in lines[0]


def test_tehtavat_missing_required_column_with_english_headers(etl_db: Path, tmp_path: Path) -> None:
    data = rows_csv([["task_id", "task", "owner_role"], ["T1", "Ajanvaraus", "assistant"]])
    lines = reject(etl_db, {"tehtavat.csv": data}, tmp_path)
    assert_prefixes(lines, ["tehtavat.csv:1:tehtavaryhma: "])


def test_tehtavat_duplicate_bad_code_and_empty_value(etl_db: Path, tmp_path: Path) -> None:
    data = rows_csv([
        TEHTAVAT_HEADER,
        ["T1", "Ajanvaraus", "Asiakaspalvelu", "terveyskeskusavustaja", "ehkä"],   # row 2: bad code
        ["T2", None, "Kirjaaminen", "toimistosihteeri", None],                     # row 3: tehtava missing
        ["T1", "Ajanvaraus 2", "Asiakaspalvelu", "terveyskeskusavustaja", None],   # row 4: duplicate
    ])
    lines = reject(etl_db, {"tehtavat.csv": data}, tmp_path)
    assert_prefixes(lines, ["tehtavat.csv:2:automatisoitavissa: ", "tehtavat.csv:3:tehtava: ",
                            "tehtavat.csv:4:tehtava_id: "])
    assert "ehkä" in line_with(lines, "tehtavat.csv:2:")


# --- kartoitus ----------------------------------------------------------------------------------------------------

KARTOITUS_HEADER = ["kartoituspvm", "asema_id", "tehtava_id", "suorittaja", "tunnit_viikossa"]
KARTOITUS_KEY = {"kartoituspvm", "asema_id", "tehtava_id", "suorittaja"}


def test_kartoitus_hours_out_of_range(etl_db: Path, tmp_path: Path) -> None:
    data = rows_csv([
        KARTOITUS_HEADER,
        ["1.4.2025", "A1", "T1", "terveyskeskusavustaja", "250"],
        ["1.4.2025", "A1", "T2", "toimistosihteeri", "-1"],
        ["1.4.2025", "A1", "T3", "sairaanhoitaja", "200"],
    ])
    lines = reject(etl_db, {"kartoitus.csv": data}, tmp_path)
    assert_prefixes(lines, ["kartoitus.csv:2:tunnit_viikossa: ", "kartoitus.csv:3:tunnit_viikossa: "])
    assert "250" in line_with(lines, "kartoitus.csv:2:")
    assert "-1" in line_with(lines, "kartoitus.csv:3:")


def test_kartoitus_unknown_station_and_task(etl_db: Path, tmp_path: Path) -> None:
    data = rows_csv([
        KARTOITUS_HEADER,
        ["1.4.2025", "A1", "T1", "terveyskeskusavustaja", "10"],
        ["1.4.2025", "X9", "T1", "terveyskeskusavustaja", "10"],
        ["1.4.2025", "A1", "T99", "terveyskeskusavustaja", "10"],
    ])
    lines = reject(etl_db, {"kartoitus.csv": data}, tmp_path)
    assert_prefixes(lines, ["kartoitus.csv:3:asema_id: ", "kartoitus.csv:4:tehtava_id: "])
    assert "X9" in line_with(lines, "kartoitus.csv:3:")
    assert "T99" in line_with(lines, "kartoitus.csv:4:")


def test_kartoitus_duplicate_key_and_bad_date(etl_db: Path, tmp_path: Path) -> None:
    data = rows_csv([
        KARTOITUS_HEADER,
        ["1.4.2025", "A1", "T1", "terveyskeskusavustaja", "10"],
        ["10.13.2025", "A1", "T2", "toimistosihteeri", "5"],             # row 3: no month 13
        ["2025-04-01", "A1", "T1", "Terveyskeskusavustaja", "3,5"],      # row 4: same key as row 2
    ])
    lines = reject(etl_db, {"kartoitus.csv": data}, tmp_path)
    assert len(lines) == 2, lines
    assert prefix(line_with(lines, "kartoitus.csv:3:")) == "kartoitus.csv:3:kartoituspvm: "
    assert "2" in assert_one_of_columns(lines, "kartoitus.csv:4:", KARTOITUS_KEY).split(": ", 1)[1]


def test_kartoitus_missing_column_and_bad_number(etl_db: Path, tmp_path: Path) -> None:
    data = rows_csv([
        ["kartoituspvm", "asema_id", "tehtava_id", "tunnit_viikossa"],
        ["1.4.2025", "A1", "T1", "viisi"],
    ])
    lines = reject(etl_db, {"kartoitus.csv": data}, tmp_path)
    assert_prefixes(lines, ["kartoitus.csv:1:suorittaja: ", "kartoitus.csv:2:tunnit_viikossa: "])


# --- henkilosto ---------------------------------------------------------------------------------------------------

HENKILOSTO_HEADER = ["kuukausi", "henkilo_id", "asema_id", "rooli", "tyoaikaprosentti", "palvelussuhde",
                     "sairauspoissaolo_pv", "muu_poissaolo_pv"]


def test_henkilosto_part_time_percentage_out_of_range_cli(etl_db: Path, tmp_path: Path) -> None:
    data = rows_csv([
        HENKILOSTO_HEADER,
        ["3/2025", "21833687", "A1", "laakari", "120", "vakinainen", "0", "0"],
        ["3/2025", "21833688", "A1", "laakari", "0", "vakinainen", "0", "0"],
        ["3/2025", "21833689", "A1", "laakari", "100", "vakinainen", "0", "0"],
        ["3/2025", "21833690", "A1", "laakari", "0,5", "vakinainen", "0", "0"],
    ])
    lines = reject(etl_db, {"henkilosto.csv": data}, tmp_path, cli=True)
    assert_prefixes(lines, ["henkilosto.csv:2:tyoaikaprosentti: ", "henkilosto.csv:3:tyoaikaprosentti: "])
    assert "120" in line_with(lines, "henkilosto.csv:2:").split(": ", 1)[1]


def test_henkilosto_absence_days_exceed_the_months_working_days(etl_db: Path, tmp_path: Path) -> None:
    # June 2025 has 20 working days (21 weekdays less Midsummer Eve, Friday 20 June).
    data = rows_csv([
        HENKILOSTO_HEADER,
        ["6/2025", "1", "A1", "laakari", "100", "vakinainen", "15", "6"],   # row 2: 21 > 20
        ["6/2025", "2", "A1", "laakari", "100", "vakinainen", "20", "0"],   # row 3: exactly 20, allowed
        ["6/2025", "3", "A1", "laakari", "100", "vakinainen", "21", ""],    # row 4: 21 > 20
        ["6/2025", "4", "A1", "laakari", "100", "vakinainen", "0", "20"],   # row 5: allowed
    ])
    lines = reject(etl_db, {"henkilosto.csv": data}, tmp_path)
    absence = {"sairauspoissaolo_pv", "muu_poissaolo_pv"}
    assert len(lines) == 2, lines
    for row in (2, 4):
        line = assert_one_of_columns(lines, f"henkilosto.csv:{row}:", absence)
        assert "21" in line and "20" in line, line


def test_henkilosto_unknown_codes_bad_month_and_unknown_station(etl_db: Path, tmp_path: Path) -> None:
    data = rows_csv([
        HENKILOSTO_HEADER,
        ["3/2025", "1", "A1", "sihteeri", "100", "vakinainen", "0", "0"],      # row 2: unknown role
        ["13/2025", "2", "A1", "laakari", "100", "vakinainen", "0", "0"],      # row 3: no month 13
        ["3/2025", "3", "A1", "laakari", "100", "vakituinen", "0", "0"],       # row 4: unknown palvelussuhde
        ["3/2025", "4", "X9", "laakari", "100", "vakinainen", "0", "0"],       # row 5: unknown station
        ["3/2025", "5", "A1", "laakari", "100", "vakinainen", "-1", "0,5"],    # row 6: negative, not integer
    ])
    lines = reject(etl_db, {"henkilosto.csv": data}, tmp_path)
    assert_prefixes(lines, [
        "henkilosto.csv:2:rooli: ", "henkilosto.csv:3:kuukausi: ", "henkilosto.csv:4:palvelussuhde: ",
        "henkilosto.csv:5:asema_id: ", "henkilosto.csv:6:sairauspoissaolo_pv: ", "henkilosto.csv:6:muu_poissaolo_pv: ",
    ])
    assert "sihteeri" in line_with(lines, "henkilosto.csv:2:")
    assert "X9" in line_with(lines, "henkilosto.csv:5:")


def test_henkilosto_duplicate_key_does_not_echo_the_employee_number(etl_db: Path, tmp_path: Path) -> None:
    data = rows_csv([
        HENKILOSTO_HEADER,
        ["3/2025", "21833687", "A1", "laakari", "50", "vakinainen", "0", "0"],
        ["2025-03", "21833687", "A1", "sairaanhoitaja", "50", "vakinainen", "0", "0"],   # same key as row 2
        ["3/2025", "21833687", "A2", "laakari", "50", "vakinainen", "0", "0"],           # other station: fine
    ])
    lines = reject(etl_db, {"henkilosto.csv": data}, tmp_path)
    assert len(lines) == 1, lines
    assert_one_of_columns(lines, "henkilosto.csv:3:", {"kuukausi", "henkilo_id", "asema_id"})
    assert "21833687" not in lines[0]


def test_henkilosto_missing_required_column(etl_db: Path, tmp_path: Path) -> None:
    data = rows_csv([
        ["kuukausi", "henkilo_id", "asema_id", "rooli", "tyoaikaprosentti", "palvelussuhde"],
        ["3/2025", "1", "A1", "laakari", "100", "vakinainen"],
    ])
    lines = reject(etl_db, {"henkilosto.csv": data}, tmp_path)
    assert_prefixes(lines, ["henkilosto.csv:1:sairauspoissaolo_pv: "])


def test_henkilosto_xlsx_header_on_row_3(etl_db: Path, tmp_path: Path) -> None:
    style = Style("x", fmt="xlsx", header_row=3, headers=1)
    data = xlsx_bytes([
        header_row(HENKILOSTO_HEADER, style),
        [Month(2025, 3, 1), Id("21833687"), "A1", "laakari", 101, "vakinainen", 0, 0],   # row 4
        [Month(2025, 3, 1), Id("21833688"), "A1", "laakari", 100, "vakinainen", 0, 0],   # row 5: fine
        [Month(2025, 3, 1), Id("21833689"), "A1", "laakari", 100, "vakinainen", 2.5, 0],  # row 6
    ], style, tmp_path / "x.xlsx")
    lines = reject(etl_db, {"henkilosto.xlsx": data}, tmp_path)
    assert_prefixes(lines, ["henkilosto.xlsx:4:Työaikaprosentti: ", "henkilosto.xlsx:6:Sairauspoissaolo pv: "])
    assert all("21833687" not in ln for ln in lines)


# --- pulssi -------------------------------------------------------------------------------------------------------

PULSSI_HEADER = ["kuukausi", "vastaus_id", "asema_id", "rooli", "hallinta", "enps", "kommentti"]


def test_pulssi_question_column_not_in_catalogue(etl_db: Path, tmp_path: Path) -> None:
    data = rows_csv([
        ["kuukausi", "vastaus_id", "asema_id", "rooli", "hallinta", "tyytyvaisyys"],
        ["2025-03", "r1", "A1", "laakari", "4", "5"],
    ])
    lines = reject(etl_db, {"pulssi.csv": data}, tmp_path)
    assert_prefixes(lines, ["pulssi.csv:1:tyytyvaisyys: "])


def test_pulssi_answers_off_the_questions_scale(etl_db: Path, tmp_path: Path) -> None:
    data = rows_csv([
        PULSSI_HEADER,
        ["2025-03", "r1", "A1", "laakari", "6", "10", None],    # row 2: likert is 1..5
        ["2025-03", "r2", "A1", "laakari", "1", "11", None],    # row 3: enps is 0..10
        ["2025-03", "r3", "A1", "laakari", "4,5", "0", None],   # row 4: not an integer
        ["2025-03", "r4", "A1", "laakari", "0", "-1", None],    # row 5: both off scale
    ])
    lines = reject(etl_db, {"pulssi.csv": data}, tmp_path)
    assert_prefixes(lines, ["pulssi.csv:2:hallinta: ", "pulssi.csv:3:enps: ", "pulssi.csv:4:hallinta: ",
                            "pulssi.csv:5:hallinta: ", "pulssi.csv:5:enps: "])
    assert "6" in line_with(lines, "pulssi.csv:2:").split(": ", 1)[1]
    assert "11" in line_with(lines, "pulssi.csv:3:")


def test_pulssi_line_breaks_in_a_quoted_comment_before_the_bad_row(etl_db: Path, tmp_path: Path) -> None:
    """Row numbers are records: the comment spans three lines, the bad answer is still on row 3."""
    for style in (Style("semi", delimiter=";", newline="\r\n"), Style("comma", delimiter=",", decimal=".")):
        data = rows_csv([
            PULSSI_HEADER,
            ["2025-03", "r1", "A1", "laakari", "4", "9", "Eka rivi;\ntoka rivi,\n\"kolmas\" rivi"],
            ["2025-03", "r2", "A1", "laakari", "9", "9", None],
        ], style)
        lines = reject(etl_db, {"pulssi.csv": data}, tmp_path)
        assert_prefixes(lines, ["pulssi.csv:3:hallinta: "])


def test_pulssi_duplicate_response_and_unknown_role(etl_db: Path, tmp_path: Path) -> None:
    data = rows_csv([
        PULSSI_HEADER,
        ["2025-03", "r1", "A1", "laakari", "4", "9", None],
        ["3/2025", "r1", "A2", "laakari", "4", "9", None],      # row 3: same response id in the same month
        ["2025-04", "r1", "A1", "laakari", "4", "9", None],     # row 4: another month, fine
        ["2025-04", "r2", "A1", "kätilö", "4", "9", None],      # row 5: unknown role
        ["2025-04", "r3", "X9", "laakari", "4", "9", None],     # row 6: unknown station
    ])
    lines = reject(etl_db, {"pulssi.csv": data}, tmp_path)
    assert_prefixes(lines, ["pulssi.csv:3:vastaus_id: ", "pulssi.csv:5:rooli: ", "pulssi.csv:6:asema_id: "])


def test_pulssi_catalogue_of_the_same_command_is_the_catalogue(etl_db: Path, tmp_path: Path) -> None:
    """With kysymykset in the command, a question only in the warehouse's catalogue is not in the catalogue."""
    kysymykset = rows_csv([
        ["kysymys_id", "teksti", "tyyppi", "asteikko_min", "asteikko_max"],
        ["hallinta", "Hallinta", "likert", "1", "5"],
    ])
    pulssi = rows_csv([PULSSI_HEADER, ["2025-03", "r1", "A1", "laakari", "4", "9", None]])
    lines = reject(etl_db, {"kysymykset.csv": kysymykset, "pulssi.csv": pulssi}, tmp_path)
    assert_prefixes(lines, ["pulssi.csv:1:enps: "])


# --- kysymykset ---------------------------------------------------------------------------------------------------

KYSYMYKSET_HEADER = ["kysymys_id", "teksti", "tyyppi", "asteikko_min", "asteikko_max", "tavoite"]


def test_kysymykset_missing_type_column(etl_db: Path, tmp_path: Path) -> None:
    data = rows_csv([["kysymys_id", "teksti", "asteikko_min", "asteikko_max"], ["hallinta", "Hallinta", "1", "5"]])
    lines = reject(etl_db, {"kysymykset.csv": data}, tmp_path)
    assert_prefixes(lines, ["kysymykset.csv:1:tyyppi: "])


def test_kysymykset_scales_type_and_goal(etl_db: Path, tmp_path: Path) -> None:
    data = rows_csv([
        KYSYMYKSET_HEADER,
        ["hallinta", "Hallinta", "likert", "1", "7", "1"],     # row 2: likert is 1..5
        ["enps", "Suosittelu", "enps", "1", "10", None],       # row 3: enps is 0..10
        ["vapaa", "Vapaa sana", "avoin", "1", "5", None],      # row 4: unknown type
        ["tyo", "Työ", "likert", "1", "5", "6"],               # row 5: goal is 1..5
    ])
    lines = reject(etl_db, {"kysymykset.csv": data}, tmp_path)
    assert_prefixes(lines, ["kysymykset.csv:2:asteikko_max: ", "kysymykset.csv:3:asteikko_min: ",
                            "kysymykset.csv:4:tyyppi: ", "kysymykset.csv:5:tavoite: "])
    assert "7" in line_with(lines, "kysymykset.csv:2:").split(": ", 1)[1]
    assert "6" in line_with(lines, "kysymykset.csv:5:").split(": ", 1)[1]


def test_kysymykset_duplicate_and_unusable_ids(etl_db: Path, tmp_path: Path) -> None:
    data = rows_csv([
        KYSYMYKSET_HEADER,
        ["hallinta", "Hallinta", "likert", "1", "5", None],
        ["hallinta", "Hallinta 2", "likert", "1", "5", None],   # row 3: duplicate
        ["mitä?", "Mitä?", "likert", "1", "5", None],           # row 4: not usable as a column name
        ["kuukausi", "Kuukausi", "likert", "1", "5", None],     # row 5: clashes with a fixed Pulssi column
    ])
    lines = reject(etl_db, {"kysymykset.csv": data}, tmp_path)
    assert_prefixes(lines, ["kysymykset.csv:3:kysymys_id: ", "kysymykset.csv:4:kysymys_id: ",
                            "kysymykset.csv:5:kysymys_id: "])


# --- kysymysloki --------------------------------------------------------------------------------------------------

KYSYMYSLOKI_HEADER = ["avattu", "asema_id", "aihe", "tila", "ratkaistu"]


def test_kysymysloki_resolved_date_missing_or_before_opened(etl_db: Path, tmp_path: Path) -> None:
    data = rows_csv([
        KYSYMYSLOKI_HEADER,
        ["5.2.2025", "A1", "Sanelut", "ratkaistu", None],               # row 2: resolved without a date
        ["5.2.2025", "A1", "Laskutus", "Ratkaistu", "4.2.2025"],        # row 3: before opened
        ["5.2.2025", "A1", "Ajanvaraus", "ratkaistu", "5.2.2025"],      # row 4: same day, fine
        ["5.2.2025", None, "Koulutus", "avoin", None],                  # row 5: fine
    ])
    lines = reject(etl_db, {"kysymysloki.csv": data}, tmp_path)
    assert_prefixes(lines, ["kysymysloki.csv:2:ratkaistu: ", "kysymysloki.csv:3:ratkaistu: "])


def test_kysymysloki_resolved_without_the_resolved_column(etl_db: Path, tmp_path: Path) -> None:
    data = rows_csv([["avattu", "aihe", "tila"], ["5.2.2025", "Sanelut", "ratkaistu"], ["5.2.2025", "X", "avoin"]])
    lines = reject(etl_db, {"kysymysloki.csv": data}, tmp_path)
    assert_prefixes(lines, ["kysymysloki.csv:2:ratkaistu: "])


def test_kysymysloki_bad_date_status_station_and_topic(etl_db: Path, tmp_path: Path) -> None:
    data = rows_csv([
        KYSYMYSLOKI_HEADER,
        ["2025-02-30", "A1", "Sanelut", "avoin", None],     # row 2: no such date
        ["5.2.2025", "A1", "Laskutus", "kesken", None],     # row 3: unknown status
        ["5.2.2025", "X9", "Ajanvaraus", "avoin", None],    # row 4: unknown station
        ["5.2.2025", "A1", None, "avoin", None],            # row 5: topic missing
    ])
    lines = reject(etl_db, {"kysymysloki.csv": data}, tmp_path)
    assert_prefixes(lines, ["kysymysloki.csv:2:avattu: ", "kysymysloki.csv:3:tila: ", "kysymysloki.csv:4:asema_id: ",
                            "kysymysloki.csv:5:aihe: "])


# ---------------------------------------------------------------------------------------------------------------
# Files that cannot be read, many problems, several files
# ---------------------------------------------------------------------------------------------------------------


def test_unreadable_files_are_reported_as_file_colon_message_cli(etl_db: Path, tmp_path: Path) -> None:
    files = {
        "tyhja.csv": b"",
        "rikki.xlsx": b"PK\x03\x04" + b"\x00rikki" * 50,
        "vanha.xls": b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 500,
        "tuntematon.csv": b"foo;bar;baz\n1;2;3\n",
    }
    lines = reject(etl_db, files, tmp_path, cli=True)
    assert len(lines) == 4, lines
    for name in files:
        line = line_with(lines, f"{name}: ")
        assert re.match(rf"^{re.escape(name)}: \S", line), line
        assert not re.match(rf"^{re.escape(name)}:\d+:", line)


def test_missing_file_on_the_command_line(etl_db: Path, tmp_path: Path) -> None:
    before = mart_snapshot(etl_db)
    proc = run_cli("load", "ei_ole.csv", "--db", str(etl_db), cwd=tmp_path)
    assert proc.returncode == 2
    assert stdout_lines(proc)[0].startswith("ei_ole.csv: ")
    assert mart_snapshot(etl_db) == before


def test_more_than_100_problems_gives_100_lines_and_a_count_cli(etl_db: Path, tmp_path: Path) -> None:
    rows = [HENKILOSTO_HEADER] + [
        ["3/2025", str(1000 + i), "A1", "laakari", "120", "vakinainen", "0", "0"] for i in range(150)
    ]
    lines = reject(etl_db, {"henkilosto.csv": rows_csv(rows)}, tmp_path, cli=True)
    assert len(lines) == 101, lines[-3:]
    assert [prefix(ln) for ln in lines[:100]] == [f"henkilosto.csv:{r}:tyoaikaprosentti: " for r in range(2, 102)]
    assert lines[100].startswith("henkilosto.csv: ")
    assert re.search(r"\b(50|150)\b", lines[100]), lines[100]


def test_more_than_100_problems_counted_by_load(etl_db: Path, tmp_path: Path) -> None:
    rows = [HENKILOSTO_HEADER] + [
        ["3/2025", str(1000 + i), "A1", "sihteeri", "120", "vakinainen", "0", "0"] for i in range(80)
    ]
    result = load(inputs({"henkilosto.csv": rows_csv(rows)}), db=etl_db)
    assert not result.ok
    assert result.files[0].problem_count == 160
    assert len(result.files[0].problems) == 100
    assert len(result.problem_lines()) == 101


def test_a_bad_file_rejects_the_good_files_of_the_same_command_cli(etl_db: Path, tmp_path: Path) -> None:
    asemat = rows_csv([ASEMAT_HEADER, ["Z1", "Uusi", None, "Lohja", 1, None, None]])  # would replace all stations
    tehtavat = rows_csv([TEHTAVAT_HEADER, ["T9", "Uusi", "Uudet", "muu", None]])
    henkilosto = rows_csv([HENKILOSTO_HEADER, ["3/2025", "1", "Z1", "laakari", "120", "vakinainen", "0", "0"]])
    pulssi = rows_csv([PULSSI_HEADER, ["2025-03", "r1", "Z1", "laakari", "4", "11", None]])
    files = {"asemat.csv": asemat, "tehtavat.csv": tehtavat, "henkilosto.csv": henkilosto, "pulssi.csv": pulssi}
    lines = reject(etl_db, files, tmp_path, cli=True)
    # Both bad files are reported in full; the good ones only fail with them.
    assert_prefixes(lines, ["henkilosto.csv:2:tyoaikaprosentti: ", "pulssi.csv:2:enps: "])
    log = last_load(etl_db)
    assert len({r["load_id"] for r in log}) == 1
    assert {r["file_name"]: r["outcome"] for r in log} == {n: "rejected" for n in files}
    assert ("Z1",) not in query(etl_db, "SELECT asema_id FROM raw_asemat")


def test_a_bad_value_holding_a_line_break_stays_on_one_problem_line(etl_db: Path, tmp_path: Path) -> None:
    data = rows_csv([PULSSI_HEADER, ["2025-03", "r1", "A1", "laa\nkari", "4", "9", None]])
    lines = reject(etl_db, {"pulssi.csv": data}, tmp_path)
    assert_prefixes(lines, ["pulssi.csv:2:rooli: "])


# ---------------------------------------------------------------------------------------------------------------
# Every date, month and number form, for many values (parsing only: no warehouse)
# ---------------------------------------------------------------------------------------------------------------

FAST = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


@FAST
@given(days=st.lists(st.dates(min_value=date(2000, 1, 1), max_value=date(2099, 12, 31)), min_size=1, max_size=40),
       form=st.sampled_from(["fi", "fi0", "fi_short", "iso"]))
def test_every_date_form_parses(days: list[date], form: str) -> None:
    style = Style("d", date_style=form)
    frame = pl.DataFrame({"c": [render(d, style) for d in days]})
    assert frame.select(date_expr(pl.col("c")).alias("v"))["v"].to_list() == days


@FAST
@given(days=st.lists(st.dates(min_value=date(2000, 1, 1), max_value=date(2099, 12, 31)), min_size=1, max_size=40),
       form=st.sampled_from(["slash", "dot", "iso", "date"]))
def test_every_month_form_parses(days: list[date], form: str) -> None:
    style = Style("m", month_style=form)
    frame = pl.DataFrame({"c": [render(Month(d.year, d.month, d.day), style) for d in days]})
    assert frame.select(month_expr(pl.col("c")).alias("v"))["v"].to_list() == [d.replace(day=1) for d in days]


@FAST
@given(values=st.lists(st.integers(min_value=-10**9, max_value=10**9), min_size=1, max_size=40),
       decimal=st.sampled_from([",", "."]), thousands=st.sampled_from(["", " ", "\u00a0"]))
def test_every_number_form_parses(values: list[int], decimal: str, thousands: str) -> None:
    """Hundredths written with a decimal comma or point, with or without space thousands separators."""

    def write(cents: int) -> str:
        sign, cents = ("-" if cents < 0 else ""), abs(cents)
        whole = f"{cents // 100:,}".replace(",", thousands)
        return f"{sign}{whole}{decimal}{cents % 100:02d}"

    frame = pl.DataFrame({"c": [write(v) for v in values]})
    parsed = parse_columns(frame, {"v": (Col(Kind.DECIMAL), "c")})["v"].to_list()
    assert parsed == pytest.approx([v / 100 for v in values])
