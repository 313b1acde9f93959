"""Readers: CSV and XLSX files → a frame of text cells with the spreadsheet row number of each row."""

from __future__ import annotations

import csv
import hashlib
import io
import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import fastexcel
import polars as pl

from etl import limits, xlsx_guard
from etl.normalize import fold
from etl.problems import ReadError, thousands

if TYPE_CHECKING:
    from etl.safe_read import Readers

ROW = "__row"
_LEADING_BLANK_LINES = re.compile(r"(?:[ \t]*(?:\r\n|\n|\r))+")
_LINE_BREAK = re.compile(r"\r\n|\n|\r")


__all__ = ["ROW", "RawTable", "ReadError", "content_hash", "read_bytes", "read_bytes_here", "read_file"]
_VALID_UTF8_MULTIBYTE = re.compile(rb"[\xc2-\xdf][\x80-\xbf]|[\xe0-\xef][\x80-\xbf]{2}|[\xf0-\xf4][\x80-\xbf]{3}")
_UTF16 = ("tiedosto on UTF-16-merkistössä (Excelin \"Unicode-teksti\"), jota ei tueta: tallenna se CSV-muodossa "
          "UTF-8-merkistöllä (Excelissä \"CSV UTF-8 (luetteloerotin)\")")


@dataclass
class RawTable:
    """A file's cells as text: `frame` has one column per header (c0, c1, …) and `__row`."""

    file_name: str
    headers: list[str]
    frame: pl.DataFrame
    header_row: int
    content_hash: str
    sheet: str | None = None

    @property
    def data_columns(self) -> list[str]:
        """Names of the cell columns, in header order."""
        return [f"c{i}" for i in range(len(self.headers))]


def content_hash(data: bytes) -> str:
    """Hash that identifies a file's content in the load log."""
    return hashlib.sha256(data).hexdigest()


def decode(data: bytes) -> str:
    """Decode UTF-8 (with or without BOM), else Windows-1252; refuse UTF-16, binary and broken UTF-8."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")) or _looks_utf16(data[:4096]):
        raise ReadError(_UTF16)
    if b"\x00" in data[:65536]:
        raise ReadError("tiedosto ei ole tekstimuotoinen CSV-tiedosto eikä Excel-työkirja (.xlsx): tallenna tiedot "
                        "jommassakummassa muodossa")
    bom = data.startswith(b"\xef\xbb\xbf")
    try:
        return data[3:].decode("utf-8") if bom else data.decode("utf-8")
    except UnicodeDecodeError as exc:
        if bom or _VALID_UTF8_MULTIBYTE.search(data):
            # Mostly UTF-8 with a stray byte (two files pasted together, a broken export): reading the whole file
            # as Windows-1252 would turn every ä of it into "Ã¤", so the file is refused, naming the line.
            offset = exc.start + (3 if bom else 0)
            line = _line_of(data, offset)
            raise ReadError(
                f"rivillä {line} on tavu 0x{data[offset]:02X}, joka ei ole kelvollista UTF-8:aa, vaikka muu tiedosto "
                "on UTF-8-merkistössä: korjaa rivin merkki tai tallenna koko tiedosto uudelleen UTF-8-muodossa"
            ) from exc
        # Bytes undefined in cp1252 (0x81, 0x8D, …) fall back to latin-1, which maps every byte.
        return data.decode("cp1252", errors="strict") if _is_cp1252(data) else data.decode("latin-1")


def _looks_utf16(sample: bytes) -> bool:
    """UTF-16 without a byte order mark: every other byte of Latin text is zero."""
    if len(sample) < 4:
        return False
    even, odd = sample[0::2], sample[1::2]
    return max(even.count(0) / len(even), odd.count(0) / max(len(odd), 1)) > 0.4


def _line_of(data: bytes, offset: int) -> int:
    """The 1-based line of a byte offset (line breaks \\n, \\r\\n or \\r)."""
    before = data[:offset]
    return before.count(b"\n") + 1 if b"\n" in data else before.count(b"\r") + 1


def _is_cp1252(data: bytes) -> bool:
    try:
        data.decode("cp1252")
    except UnicodeDecodeError:
        return False
    return True


def sniff_delimiter(text: str) -> str:
    """Pick `;`, `,` or tab by counting them outside quotes on the header line."""
    for line in text.splitlines():
        if line.strip():
            counts = {d: _count_unquoted(line, d) for d in (";", ",", "\t")}
            best = max(counts, key=lambda d: counts[d])
            return best if counts[best] else ";"
    return ";"


def _count_unquoted(line: str, delimiter: str) -> int:
    count, quoted = 0, False
    for ch in line:
        if ch == '"':
            quoted = not quoted
        elif ch == delimiter and not quoted:
            count += 1
    return count


def read_csv(path: Path, data: bytes, display_name: str) -> RawTable:
    """Read a CSV file of either delimiter and encoding into text cells."""
    text = decode(data)
    if not text.strip():
        raise ReadError("tiedosto on tyhjä")
    delimiter = sniff_delimiter(text)
    _check_width(text, delimiter)
    # polars takes the number of columns from the first line, so blank lines above the header would cut the
    # file to one column: drop them, and count them back into the row numbers.
    lead = _LEADING_BLANK_LINES.match(text)
    skipped = len(_LINE_BREAK.findall(lead.group(0))) if lead else 0
    text = text[lead.end():] if lead else text
    try:
        frame = pl.read_csv(
            io.BytesIO(text.encode("utf-8")),
            separator=delimiter,
            has_header=False,
            infer_schema=False,
            quote_char='"',
            # A record with more fields than the first line raises, and the csv module below reads it whole:
            # an unquoted delimiter inside a value must be reported, not cut off silently.
            truncate_ragged_lines=False,
            raise_if_empty=False,
        )
    except (pl.exceptions.ComputeError, pl.exceptions.PolarsError) as exc:
        # polars cannot cope with some malformed quoting; the csv module reads what a spreadsheet would.
        try:
            rows = list(csv.reader(io.StringIO(text), delimiter=delimiter))
        except csv.Error:
            # The libraries' own texts are English and technical: the user gets the likely cause instead.
            raise ReadError("CSV-tiedostoa ei voi lukea: lainausmerkit tai rivien rakenne ovat rikki (tarkista, "
                            "että jokainen lainausmerkein alkava arvo myös päättyy lainausmerkkiin)") from exc
        width = max((len(r) for r in rows), default=0)
        if width > limits.MAX_COLUMNS:
            raise ReadError(_too_wide(width)) from exc
        frame = pl.DataFrame(
            {f"column_{i + 1}": [r[i] if i < len(r) and r[i] != "" else None for r in rows] for i in range(width)},
            schema={f"column_{i + 1}": pl.String for i in range(width)},
        )
    _check_height(frame.height)
    return _from_grid(frame, display_name, content_hash(data), None, first_row=1 + skipped, keep_extra=True)


def _check_width(text: str, delimiter: str) -> None:
    """Refuse a file whose header line has more columns than any source could use, before parsing it."""
    for line in text.splitlines():
        if line.strip():
            width = _count_unquoted(line, delimiter) + 1
            if width > limits.MAX_COLUMNS:
                raise ReadError(_too_wide(width))
            return


def _too_wide(width: int) -> str:
    return (f"tiedostossa on {thousands(width)} saraketta, kun enintään {thousands(limits.MAX_COLUMNS)} "
            "sallitaan: poista ylimääräiset sarakkeet (tai tarkista, että tiedosto on oikea)")


def _check_height(rows: int) -> None:
    if rows > limits.MAX_ROWS + 1:
        raise ReadError(f"tiedostossa on {thousands(rows)} riviä, kun yhdessä tiedostossa sallitaan enintään "
                        f"{thousands(limits.MAX_ROWS)}: jaa tiedosto osiin (esimerkiksi kuukausittain)")



def read_xlsx(path: Path, data: bytes, display_name: str, source: str | None) -> RawTable:
    """Read the source's sheet (or the first) of a workbook into text cells, after checking its size."""
    scanned = xlsx_guard.inspect(data)
    try:
        reader = fastexcel.read_excel(data)
        names = reader.sheet_names
    except Exception as exc:  # noqa: BLE001 - fastexcel raises its own exception family for corrupt files
        raise ReadError(_EXCEL_BROKEN) from exc
    if not names:
        raise ReadError("työkirjassa ei ole yhtään taulukkoa")
    sheet = _pick_sheet(names, source)
    try:
        # skip_rows=0 keeps leading empty rows, so that frame row i is spreadsheet row i + 1.
        frame = reader.load_sheet(sheet, header_row=None, skip_rows=0, dtypes="string").to_polars()
    except Exception as exc:  # noqa: BLE001 - a library text never reaches the user untranslated
        raise ReadError(f"taulukkoa '{sheet}' ei voi lukea: {_EXCEL_BROKEN}") from exc
    frame = frame.with_columns(pl.all().cast(pl.String))
    if frame.width > limits.MAX_COLUMNS:
        raise ReadError(_too_wide(frame.width))
    _check_height(frame.height)
    try:
        return _from_grid(frame, display_name, content_hash(data), sheet)
    except ReadError as exc:
        if not _is_empty(exc):
            raise
        others = [s.name for s in scanned if s.values and s.name != sheet and s.name in names]
        if others:
            where = ", ".join(f"'{n}'" for n in others[:3])
            raise ReadError(
                f"luettava taulukko '{sheet}' on tyhjä, mutta tietoja on taulukossa {where}: siirrä tiedot työkirjan "
                f"ensimmäiseen taulukkoon tai nimeä taulukko lähteen mukaan (esimerkiksi {source or 'henkilosto'})"
            ) from exc
        raise


_EMPTY = "tiedostossa ei ole otsikkoriviä eikä tietoja"
_EXCEL_BROKEN = ("Excel-tiedosto on vioittunut tai sen rakenne on tuntematon: avaa ja tallenna se uudelleen Excelissä "
                 ".xlsx-muodossa tai tallenna tiedot CSV-muodossa")


def _is_empty(exc: ReadError) -> bool:
    return str(exc) == _EMPTY


def _pick_sheet(names: list[str], source: str | None) -> str:
    from etl.contract import SOURCES  # local import: readers stay free of contract details otherwise

    folded = {fold(n): n for n in names}
    if source and source in folded:
        return folded[source]
    for name in SOURCES:
        if name in folded:
            return folded[name]
    return names[0]


def _from_grid(
    grid: pl.DataFrame, display_name: str, digest: str, sheet: str | None, first_row: int = 1,
    keep_extra: bool = False,
) -> RawTable:
    """Find the header (first non-empty row) and keep the rows below it with their row numbers.

    With `keep_extra` (CSV), cells to the right of the last header are kept under empty headers, so that the
    validation can report them: in a CSV they mean a value with an unquoted delimiter.
    """
    cols = grid.columns
    grid = grid.with_columns(
        [pl.col(c).str.strip_chars().replace("", None).alias(c) for c in cols]
    ).with_row_index(ROW, offset=first_row)
    non_empty = grid.filter(pl.any_horizontal([pl.col(c).is_not_null() for c in cols]) if cols else pl.lit(False))
    if non_empty.height == 0:
        raise ReadError(_EMPTY)
    header_row = int(non_empty[ROW][0])
    header_values = [non_empty[c][0] for c in cols]
    # Trailing empty header cells are padding from the sheet's used range, not columns.
    while header_values and header_values[-1] is None:
        header_values.pop()
    headers = [h or "" for h in header_values]
    body = non_empty.filter(pl.col(ROW) > header_row)
    if keep_extra:
        extra = [i for i, c in enumerate(cols) if i >= len(headers) and body[c].drop_nulls().len()]
        headers += [""] * (max(extra, default=len(headers) - 1) + 1 - len(headers))
    frame = body.select(
        [pl.col(c).alias(f"c{i}") for i, c in enumerate(cols[: len(headers)])] + [pl.col(ROW).cast(pl.Int64)]
    )
    return RawTable(display_name, headers, frame, header_row, digest, sheet)


def read_file(path: Path, display_name: str | None = None, source: str | None = None) -> RawTable:
    """Read a CSV or XLSX source file; raise ReadError when that is impossible."""
    name = display_name or str(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ReadError(f"tiedostoa ei voi avata: {exc.strerror or exc}") from exc
    return read_bytes(data, name, source)


def read_bytes(data: bytes, display_name: str, source: str | None = None, readers: Readers | None = None) -> RawTable:
    """Read a file's bytes in a separate process with memory and time limits (the entry point of every load).

    A file that makes a parser abort, run out of memory or run too long becomes a ReadError, never the end of
    the calling process (the dashboard's server or the command line). `readers` lends its reading processes.
    """
    from etl.safe_read import read_isolated  # local import: the worker imports this module

    if len(data) < limits.ISOLATE_CSV_FROM_BYTES and data[:4] != b"PK\x03\x04":
        # A small text file cannot make the CSV parser allocate more than a few times its size, and handing it to
        # a reading process costs more than the parse: it is read here, with the same checks.
        return read_bytes_here(data, display_name, source)
    return readers.read(data, display_name, source) if readers else read_isolated(data, display_name, source)


def read_bytes_here(data: bytes, display_name: str, source: str | None = None) -> RawTable:
    """Read a file's bytes in this process; the format is decided from the content, not the name."""
    if data[:4] == b"PK\x03\x04":
        return read_xlsx(Path(display_name), data, display_name, source)
    if data[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
        raise ReadError("vanha .xls-muoto tai salasanalla suojattu työkirja ei ole tuettu: tallenna tiedosto "
                        ".xlsx- tai CSV-muodossa ilman salasanaa")
    if not data.strip():
        raise ReadError("tiedosto on tyhjä")
    return read_csv(Path(display_name), data, display_name)
