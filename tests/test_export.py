"""Tests of the CSV and Excel downloads: Finnish Excel conventions, figures intact, no formula injection."""

from __future__ import annotations

import io
import zipfile
from datetime import date

import fastexcel
import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dashboard.export import DANGEROUS_START, neutralise, safe_sheet_name, to_csv_bytes, to_excel_bytes

PAYLOAD = "=cmd|' /C calc'!A0"


@pytest.fixture
def frame() -> pl.DataFrame:
    return pl.DataFrame(
        {
            "Asema": [PAYLOAD, "Kirkkonummi; keskus", "-3 kpl", "@SUM(A1)", "Lohja", None],
            "Tunnit": [1234.5, -1.25, 0.1, 36.25, None, -0.5],
            "Henkilöt": [12, -2, 0, 1_000_000, 7, None],
            "Kuukausi": [date(2025, 1, 31), date(2025, 12, 1), None, date(2024, 2, 29), date(2025, 6, 5), None],
        }
    )


def read_excel(data: bytes) -> pl.DataFrame:
    return fastexcel.read_excel(data).load_sheet(0, schema_sample_rows=None).to_polars()


def read_csv(data: bytes) -> pl.DataFrame:
    return pl.read_csv(data, separator=";", decimal_comma=True)


def test_neutralise_prefixes_only_dangerous_text() -> None:
    df = pl.DataFrame({"t": ["=1+1", "+358 40", "-x", "@a", "\tx", "\rx", "ok", "a=b", "", None], "n": range(10)})
    out = neutralise(df)
    assert out["t"].to_list() == ["'=1+1", "'+358 40", "'-x", "'@a", "'\tx", "'\rx", "ok", "a=b", "", None]
    assert out["n"].to_list() == list(range(10))


def test_neutralise_leaves_numbers_alone() -> None:
    df = pl.DataFrame({"f": [-1.5, 2.0, None], "i": [-3, 0, 3], "d": [date(2025, 1, 1)] * 3})
    assert neutralise(df).equals(df)


def test_neutralise_handles_categoricals() -> None:
    df = pl.DataFrame(
        {
            "c": pl.Series(["=x", "y"], dtype=pl.Categorical),
            "e": pl.Series(["-a", "b"], dtype=pl.Enum(["-a", "b"])),
        }
    )
    out = neutralise(df)
    assert out["c"].to_list() == ["'=x", "y"]
    assert out["e"].to_list() == ["'-a", "b"]


def test_csv_is_for_finnish_excel(frame: pl.DataFrame) -> None:
    data = to_csv_bytes(frame)
    assert data.startswith(b"\xef\xbb\xbf")
    lines = data.decode("utf-8-sig").split("\r\n")
    assert lines[0] == "Asema;Tunnit;Henkilöt;Kuukausi"
    assert lines[1] == "'=cmd|' /C calc'!A0;1234,5;12;31.1.2025"
    assert lines[2] == '"Kirkkonummi; keskus";-1,25;-2;1.12.2025'
    assert lines[3] == "'-3 kpl;0,1;0;"
    assert lines[6] == ";-0,5;;"


def test_csv_round_trip_keeps_the_figures(frame: pl.DataFrame) -> None:
    back = read_csv(to_csv_bytes(frame))
    assert back.columns == frame.columns
    assert back["Tunnit"].dtype == pl.Float64
    assert back["Tunnit"].to_list() == frame["Tunnit"].to_list()
    assert back["Henkilöt"].dtype.is_integer()
    assert back["Henkilöt"].to_list() == frame["Henkilöt"].to_list()
    assert back["Kuukausi"].str.to_date("%d.%m.%Y").to_list() == frame["Kuukausi"].to_list()
    assert back["Asema"].to_list() == neutralise(frame)["Asema"].to_list()
    assert back["Asema"][0] == "'=cmd|' /C calc'!A0"


def test_excel_round_trip_keeps_the_figures(frame: pl.DataFrame) -> None:
    back = read_excel(to_excel_bytes(frame))
    assert back.columns == frame.columns
    assert back["Tunnit"].dtype == pl.Float64
    assert back["Tunnit"].to_list() == frame["Tunnit"].to_list()
    assert back["Henkilöt"].dtype.is_numeric()
    assert back["Henkilöt"].to_list() == frame["Henkilöt"].cast(pl.Float64).to_list()
    assert back["Kuukausi"].dtype.is_temporal()
    assert back["Kuukausi"].cast(pl.Date).to_list() == frame["Kuukausi"].to_list()
    assert back["Asema"].to_list() == neutralise(frame)["Asema"].to_list()
    assert back["Asema"][0] == "'=cmd|' /C calc'!A0"


def test_negative_numbers_stay_numbers(frame: pl.DataFrame) -> None:
    excel = read_excel(to_excel_bytes(frame))
    csv = read_csv(to_csv_bytes(frame))
    for back in (excel, csv):
        assert back["Tunnit"][1] == -1.25
        assert back["Henkilöt"][1] == -2


def _xlsx_part(data: bytes, name: str) -> str:
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        return z.read(name).decode("utf-8")


def test_excel_cells_and_layout(frame: pl.DataFrame) -> None:
    data = to_excel_bytes(frame)
    styles = _xlsx_part(data, "xl/styles.xml")
    sheet = _xlsx_part(data, "xl/worksheets/sheet1.xml")
    assert 'formatCode="d.m.yyyy"' in styles
    assert "<b/>" in styles
    assert "<cols>" in sheet and 'customWidth="1"' in sheet
    assert "<f>" not in sheet  # no formulas at all
    assert '<c r="B2" t="s"' not in sheet  # the figure is a number cell, not a text cell


def test_nan_and_infinity_export_as_empty_cells() -> None:
    df = pl.DataFrame({"x": [1.5, float("nan"), float("inf")], "n": [1, 2, 3]})
    assert read_excel(to_excel_bytes(df))["x"].to_list() == [1.5, None, None]
    assert read_csv(to_csv_bytes(df))["x"].to_list() == [1.5, None, None]


def test_headers_are_neutralised_too() -> None:
    df = pl.DataFrame({"=SUM(A1)": [1]})
    assert read_excel(to_excel_bytes(df)).columns == ["'=SUM(A1)"]
    assert read_csv(to_csv_bytes(df)).columns == ["'=SUM(A1)"]


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("Taulukko", "Taulukko"),
        ("Työkuorma [asema]: 1/2025?", "Työkuorma asema 12025"),
        ("a*b\\c/d", "abcd"),
        ("x" * 40, "x" * 31),
        ("[]:*?/\\", "Taulukko"),
        ("'lainaus'", "lainaus"),
    ],
)
def test_safe_sheet_name(name: str, expected: str) -> None:
    assert safe_sheet_name(name) == expected


def test_sheet_name_in_the_workbook() -> None:
    data = to_excel_bytes(pl.DataFrame({"a": [1]}), sheet="Työnjaon toteutuminen: asemat [kaikki] 2025")
    assert fastexcel.read_excel(data).sheet_names == ["Työnjaon toteutuminen asemat ka"]


def test_empty_frame_exports() -> None:
    df = pl.DataFrame({"Asema": [], "Tunnit": []}, schema={"Asema": pl.String, "Tunnit": pl.Float64})
    assert to_csv_bytes(df).decode("utf-8-sig") == "Asema;Tunnit\r\n"
    assert read_excel(to_excel_bytes(df)).columns == ["Asema", "Tunnit"]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.text(max_size=12), min_size=1, max_size=6))
def test_no_exported_text_cell_starts_dangerously(texts: list[str]) -> None:
    df = pl.DataFrame({"teksti": texts, "luku": [-float(i) for i in range(len(texts))]})
    csv = pl.read_csv(to_csv_bytes(df), separator=";", infer_schema=False)
    excel = fastexcel.read_excel(to_excel_bytes(df)).load_sheet(0, dtypes={"teksti": "string"}).to_polars()
    for back in (csv, excel):
        cells = [cell for cell in back["teksti"].to_list() if cell]
        assert not [cell for cell in cells if cell.startswith(DANGEROUS_START)]
    assert neutralise(df)["teksti"].str.starts_with("'").sum() >= sum(s.startswith(DANGEROUS_START) for s in texts)
