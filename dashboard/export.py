"""CSV and Excel downloads that open right in Finnish Excel and cannot smuggle in formulas."""

from __future__ import annotations

import io
import re
from datetime import date, datetime, time

import polars as pl
import xlsxwriter
from xlsxwriter.format import Format
from xlsxwriter.worksheet import Worksheet

# A cell starting with one of these is read as a formula (or its start) by spreadsheet programs.
DANGEROUS_START = ("=", "+", "-", "@", "\t", "\r")
_DANGEROUS_RE = r"^([=+\-@\t\r])"
_SHEET_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")
DEFAULT_SHEET = "Taulukko"
EXCEL_DATE = "d.m.yyyy"
EXCEL_DATETIME = "d.m.yyyy h:mm"
EXCEL_TIME = "h:mm"
HELSINKI = "Europe/Helsinki"
_MAX_WIDTH = 60


def neutralise_text(text: str) -> str:
    """One text with a leading apostrophe if it starts like a formula."""
    return "'" + text if text.startswith(DANGEROUS_START) else text


def neutralise(frame: pl.DataFrame) -> pl.DataFrame:
    """Prefix with an apostrophe every text cell that starts with =, +, -, @, tab or CR (numbers stay as they are)."""
    text_columns = [name for name, dtype in frame.schema.items() if dtype in (pl.String, pl.Categorical, pl.Enum)]
    return frame.with_columns(
        pl.col(name).cast(pl.String).str.replace(_DANGEROUS_RE, "'$1") for name in text_columns
    )


def _prepared(frame: pl.DataFrame) -> pl.DataFrame:
    """Neutralised, decimals as floats, NaN and infinities empty, aware timestamps as Finnish wall-clock time."""
    frame = neutralise(frame)
    fixes: list[pl.Expr] = []
    for name, dtype in frame.schema.items():
        if dtype.is_float() or dtype.is_decimal():
            value = pl.col(name).cast(pl.Float64)
            fixes.append(pl.when(value.is_finite()).then(value).alias(name))
        elif isinstance(dtype, pl.Datetime) and dtype.time_zone is not None:
            fixes.append(pl.col(name).dt.convert_time_zone(HELSINKI).dt.replace_time_zone(None))
    return frame.with_columns(fixes) if fixes else frame


def _headers(frame: pl.DataFrame) -> list[str]:
    return [neutralise_text(name) for name in frame.columns]


def to_csv_bytes(frame: pl.DataFrame) -> bytes:
    """Semicolon-separated UTF-8 CSV with BOM, decimal comma and d.m.yyyy dates, for Finnish Excel."""
    data = _prepared(frame)
    header = pl.DataFrame({f"c{i}": [name] for i, name in enumerate(_headers(frame))})
    options = {"separator": ";", "line_terminator": "\r\n", "include_header": False}
    head = header.write_csv(**options) if frame.width else ""  # type: ignore[arg-type]
    body = data.write_csv(
        decimal_comma=True,
        date_format="%-d.%-m.%Y",
        datetime_format="%-d.%-m.%Y %H:%M:%S",
        time_format="%H:%M:%S",
        **options,  # type: ignore[arg-type]
    )
    return ("\ufeff" + head + body).encode("utf-8")


def safe_sheet_name(name: str) -> str:
    """An Excel sheet name: without []:*?/\\ and edge apostrophes, at most 31 characters, never empty."""
    cleaned = _SHEET_FORBIDDEN.sub("", name).strip("'")[:31].strip("'").strip()
    return cleaned or DEFAULT_SHEET


def _width(frame: pl.DataFrame, name: str, header: str) -> float:
    """A column width in characters that fits the header and the longest value."""
    dtype = frame.schema[name]
    if dtype == pl.Date:
        longest = 10
    elif isinstance(dtype, pl.Datetime):
        longest = 16
    else:
        lengths = frame.get_column(name).cast(pl.String, strict=False).str.len_chars()
        longest = int(lengths.max() or 0)  # type: ignore[arg-type]
    return min(max(len(header), longest) + 2, _MAX_WIDTH)


def to_excel_bytes(frame: pl.DataFrame, sheet: str = DEFAULT_SHEET) -> bytes:
    """An .xlsx file: numbers as numbers, dates as d.m.yyyy date cells, bold header, sized columns."""
    data = _prepared(frame)
    buffer = io.BytesIO()
    options = {"in_memory": True, "strings_to_formulas": False, "strings_to_urls": False, "strings_to_numbers": False}
    with xlsxwriter.Workbook(buffer, options) as book:
        ws = book.add_worksheet(safe_sheet_name(sheet))
        bold = book.add_format({"bold": True})
        formats = {
            date: book.add_format({"num_format": EXCEL_DATE}),
            datetime: book.add_format({"num_format": EXCEL_DATETIME}),
            time: book.add_format({"num_format": EXCEL_TIME}),
        }
        headers = _headers(frame)
        for col, header in enumerate(headers):
            ws.write_string(0, col, header, bold)
            ws.set_column(col, col, _width(data, data.columns[col], header))
        for row, values in enumerate(data.iter_rows(), start=1):
            for col, value in enumerate(values):
                _write_cell(ws, row, col, value, formats)
        if frame.width:
            ws.freeze_panes(1, 0)
            ws.autofilter(0, 0, max(frame.height, 1), frame.width - 1)
    return buffer.getvalue()


def _write_cell(ws: Worksheet, row: int, col: int, value: object, formats: dict[type, Format]) -> None:
    """Write one value as the matching cell type (never as a formula)."""
    if value is None:
        return
    if isinstance(value, bool):
        ws.write_boolean(row, col, value)
    elif isinstance(value, int | float):
        ws.write_number(row, col, value)
    elif isinstance(value, datetime):
        ws.write_datetime(row, col, value, formats[datetime])
    elif isinstance(value, date):
        ws.write_datetime(row, col, value, formats[date])
    elif isinstance(value, time):
        ws.write_datetime(row, col, value, formats[time])
    elif isinstance(value, str):
        ws.write_string(row, col, value)
    else:
        ws.write_string(row, col, neutralise_text(str(value)))
