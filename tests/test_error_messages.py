"""Errors a project manager can act on: each broken file gets the sentence that names its real cause.

Encodings (UTF-16 with and without a byte order mark, a stray invalid byte in a UTF-8 file), a workbook whose
data is on another sheet, an .ods file, a header without rows, repeated references to missing stations (one
grouped line, the file's other defects still listed), allowed values as people write them, no command-line
flags in texts the page shows, no library text, and one warning line for many unknown columns.
"""

from __future__ import annotations

import io
import struct
import zipfile
from pathlib import Path

import pytest

pytest.register_assert_rewrite("etl_helpers")

import hostile_files as hf  # noqa: E402
from etl_helpers import HENKILOSTO, csv_bytes, mart_snapshot, run_cli, stdout_lines  # noqa: E402

from etl import xlsx_guard  # noqa: E402
from etl.load import InputFile, LoadResult, load  # noqa: E402
from etl.problems import ReadError  # noqa: E402

pytest_plugins = ("etl_helpers",)
pytestmark = pytest.mark.usefixtures("etl_env")

STATIONS = "asema_id;nimi;kunta\nA1;Keskusta;Espoo\nK2;Kylä;Kirkkonummi\n"
UTF16 = ('tiedosto on UTF-16-merkistössä (Excelin "Unicode-teksti"), jota ei tueta: tallenna se CSV-muodossa '
         'UTF-8-merkistöllä (Excelissä "CSV UTF-8 (luetteloerotin)")')


def refused(db: Path, name: str, data: bytes, source: str | None = None) -> list[str]:
    """Load one file, insist that it is refused without changing the warehouse, return its problem lines."""
    before = mart_snapshot(db)
    result = load([InputFile(name, data)], db=db, source=source)
    assert not result.ok
    assert mart_snapshot(db) == before
    return result.problem_lines()


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le", "utf-16-be"])
def test_utf16_file_is_named(encoding: str, etl_db: Path) -> None:
    # "utf-16" writes a byte order mark; the -le/-be variants write none.
    assert refused(etl_db, "asemat.csv", STATIONS.encode(encoding)) == [f"asemat.csv: {UTF16}"]


@pytest.mark.parametrize("bom", [b"", b"\xef\xbb\xbf"])
def test_invalid_byte_in_a_utf8_file_is_refused_naming_the_row(bom: bytes, etl_db: Path) -> None:
    data = bom + "asema_id;nimi;kunta\nA1;Keskusta;Espoo\nK2;Kylä;Kirkkonummi\n".encode() + b"K3;Lahti\xe4;Espoo\n"
    assert refused(etl_db, "asemat.csv", data) == [
        "asemat.csv: rivillä 4 on tavu 0xE4, joka ei ole kelvollista UTF-8:aa, vaikka muu tiedosto on "
        "UTF-8-merkistössä: korjaa rivin merkki tai tallenna koko tiedosto uudelleen UTF-8-muodossa"
    ]


def test_a_windows_1252_file_still_loads(etl_new_db: Path) -> None:
    result = load([InputFile("asemat.csv", STATIONS.encode("cp1252"))], db=etl_new_db)
    assert result.ok, result.problem_lines()


def test_data_on_another_sheet_names_that_sheet(etl_db: Path, tmp_path: Path) -> None:
    path = hf.write_workbook(tmp_path / "asemat.xlsx", {
        "Ohje": hf.sheet_xml([]),
        "Asemaluettelo": hf.sheet_xml([["asema_id", "nimi", "kunta"], ["A1", "Keskusta", "Espoo"]], "A1:C2"),
    })
    assert refused(etl_db, "asemat.xlsx", path.read_bytes()) == [
        "asemat.xlsx: luettava taulukko 'Ohje' on tyhjä, mutta tietoja on taulukossa 'Asemaluettelo': siirrä tiedot "
        "työkirjan ensimmäiseen taulukkoon tai nimeä taulukko lähteen mukaan (esimerkiksi henkilosto)"
    ]


def test_ods_file_says_save_as_xlsx_or_csv(etl_db: Path, tmp_path: Path) -> None:
    data = hf.ods_file(tmp_path / "asemat.ods").read_bytes()
    assert refused(etl_db, "asemat.ods", data) == [
        "asemat.ods: tiedosto on OpenDocument-laskentataulukko (.ods), jota ei tueta: tallenna se LibreOfficessa "
        "tai Excelissä .xlsx- tai CSV-muodossa"
    ]


def test_xlsx_with_only_a_header_row(etl_db: Path, tmp_path: Path) -> None:
    path = hf.write_workbook(tmp_path / "a.xlsx", {"Taul1": hf.sheet_xml([["asema_id", "nimi", "kunta"]], "A1:C1")})
    assert refused(etl_db, "asemat.xlsx", path.read_bytes()) == [
        "asemat.xlsx: taulukossa 'Taul1' on vain otsikkorivi (rivi 1) eikä yhtään tietoriviä: tarkista, että vienti "
        "onnistui ja että valitsit oikean tiedoston"
    ]


def test_csv_with_only_a_header_row_does_not_empty_the_stations(etl_db: Path) -> None:
    assert refused(etl_db, "asemat.csv", b"asema_id;nimi;kunta\n") == [
        "asemat.csv: tiedostossa on vain otsikkorivi (rivi 1) eikä yhtään tietoriviä: tarkista, että vienti "
        "onnistui ja että valitsit oikean tiedoston"
    ]


def test_broken_workbook_gets_a_finnish_sentence_not_a_library_text(etl_db: Path) -> None:
    assert refused(etl_db, "rikki.xlsx", b"PK\x03\x04" + b"\x00rikki" * 50) == [
        "rikki.xlsx: tiedosto ei ole kelvollinen Excel-työkirja: sen zip-rakenne on rikki (tallenna tiedosto "
        "uudelleen Excelissä .xlsx-muodossa)"
    ]


def test_a_part_larger_than_its_directory_entry_is_refused_unread(tmp_path: Path) -> None:
    """A zip bomb that lies about its size in the zip directory: the checksum of the declared bytes fails."""
    path = hf.shared_strings_bomb(tmp_path / "valehteleva.xlsx", unpacked=40 * hf.MEGABYTE)
    data = bytearray(path.read_bytes())
    name = b"xl/sharedStrings.xml"
    at = data.index(b"PK\x01\x02")  # the first central directory entry
    while data[at + 46: at + 46 + len(name)] != name:
        at = data.index(b"PK\x01\x02", at + 4)
    extra_len = struct.unpack_from("<H", data, at + 30)[0]
    declared = 1000
    if struct.unpack_from("<I", data, at + 24)[0] == 0xFFFFFFFF:  # zip64: the size is in the extra field
        extra = at + 46 + len(name)
        assert extra_len >= 12
        struct.pack_into("<Q", data, extra + 4, declared)
    else:
        struct.pack_into("<I", data, at + 24, declared)
    assert zipfile.ZipFile(io.BytesIO(bytes(data))).getinfo("xl/sharedStrings.xml").file_size == declared
    with pytest.raises(ReadError, match="^tiedosto on vioittunut: sen osaa xl/sharedStrings.xml ei voi purkaa"):
        xlsx_guard.inspect(bytes(data))


def test_repeated_missing_stations_are_one_line_and_other_defects_are_still_listed(etl_db: Path) -> None:
    header = HENKILOSTO[0]
    rows = [header]
    for i in range(32):
        station = "KUR03" if i < 20 else "KUR04"
        rows.append(["1/2025", f"{5000 + i}", station, "laakari", 100, "vakinainen", 0, 0])
    rows.append(["1/2025", "6000", "A1", "laakari", 120, "vakinainen", 0, 0])       # row 34: a real defect
    rows.append(["1/2025", "6001", "A1", "sihteeri", 100, "vakinainen", 0, 0])      # row 35: an unknown role
    lines = refused(etl_db, "henkilosto.csv", csv_bytes(rows))
    assert lines == [
        "henkilosto.csv:2:asema_id: 32 riviä viittaa asemiin, joita ei ole asemaluettelossa: KUR03 (20 riviä, "
        "ensimmäinen rivi 2), KUR04 (12 riviä, ensimmäinen rivi 22); korjaa tunnus tai lataa asemat samassa "
        "erässä tai ensin",
        "henkilosto.csv:34:tyoaikaprosentti: tyoaikaprosentti 120 ei ole välillä 0–100 (pitää olla yli 0)",
        "henkilosto.csv:35:rooli: 'sihteeri' ei ole tunnettu rooli (sallitut: Toimistosihteeri, "
        "Terveyskeskusavustaja, Sairaanhoitaja, Terveydenhoitaja, Lähihoitaja, Lääkäri, Esihenkilö, Muu)",
    ]


def test_allowed_values_are_written_as_people_write_them(etl_db: Path) -> None:
    rows = [HENKILOSTO[0], ["1/2025", "7000", "A1", "Lääkäri", 100, "vakituinen", 0, 0]]
    assert refused(etl_db, "henkilosto.csv", csv_bytes(rows)) == [
        "henkilosto.csv:2:palvelussuhde: 'vakituinen' ei ole tunnettu palvelussuhde (sallitut: vakinainen, "
        "määräaikainen, sijainen)"
    ]
    tasks = [["tehtava_id", "tehtava", "tehtavaryhma", "vastuurooli", "automatisoitavissa"],
             ["T1", "Ajanvaraus", "Asiakaspalvelu", "Terveyskeskusavustaja", "joo"]]
    assert refused(etl_db, "tehtavat.csv", csv_bytes(tasks)) == [
        "tehtavat.csv:2:automatisoitavissa: 'joo' ei ole tunnettu automatisoitavuus (sallitut: kyllä, osittain, ei)"
    ]


def test_unrecognised_source_does_not_speak_of_command_line_flags(etl_db: Path) -> None:
    lines = refused(etl_db, "outo.csv", b"foo;bar\n1;2\n")
    assert len(lines) == 1
    assert "--" not in lines[0]
    assert lines[0].startswith("outo.csv: lähdettä ei tunnistettu otsikkorivistä; tarkista sarakkeiden nimet tai "
                               "valitse tiedoston lähde itse (")


def test_many_unknown_columns_give_one_warning_line(etl_new_db: Path, tmp_path: Path) -> None:
    extra = [f"lisa{i}" for i in range(600)]
    data = csv_bytes([["asema_id", "nimi", "kunta", *extra], ["A1", "Keskusta", "Espoo", *["x"] * 600]])
    result: LoadResult = load([InputFile("asemat.csv", data)], db=etl_new_db)
    assert result.ok, result.problem_lines()
    warnings = result.files[0].warnings
    assert [w.message for w in warnings] == [
        "600 tuntematonta saraketta ohitetaan: 'lisa0', 'lisa1', 'lisa2', 'lisa3', 'lisa4', 'lisa5', 'lisa6', "
        "'lisa7', 'lisa8', 'lisa9' ja 590 muuta"
    ]
    (tmp_path / "asemat.csv").write_bytes(data)
    proc = run_cli("load", "asemat.csv", "--db", str(etl_new_db), cwd=tmp_path)
    assert proc.returncode == 0, proc.stdout
    warned = [ln for ln in proc.stderr.splitlines() if "varoitus" in ln]
    assert warned == [f"asemat.csv: varoitus: {warnings[0].message}"]
    assert stdout_lines(proc) == []


def test_an_overlong_cell_is_reported_by_length_without_echo(etl_db: Path) -> None:
    rows = [["asema_id", "nimi", "kunta"], ["A1", "N" * 3000, "Espoo"]]
    assert refused(etl_db, "asemat.csv", csv_bytes(rows)) == [
        "asemat.csv:2:nimi: nimi: arvossa on 3\u00a0000 merkkiä, kun enintään 2\u00a0000 sallitaan: lyhennä arvo"
    ]
