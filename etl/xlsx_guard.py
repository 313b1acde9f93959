"""Look inside an .xlsx before any Excel reader parses it: part sizes, packing ratio and the sheets' extent.

The Excel reader allocates a sheet's whole used rectangle and unpacks every part in memory, so a 2 KB file
with cells at A1 and XFD1048576, or a zip bomb, would take the process down. Here the zip is read with the
standard library, part by part and in bounded chunks, and a file that exceeds the limits is refused with a
sentence that says why.
"""

from __future__ import annotations

import html
import io
import re
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import PurePosixPath

from etl import limits
from etl.problems import ReadError, thousands

_CHUNK = 1024 * 1024
_SMALL_PART = 16 * 1024 * 1024
_ODS_MIME = b"application/vnd.oasis.opendocument.spreadsheet"
_CELL_REF = re.compile(rb"<(?:\w+:)?c\b[^>]*?\sr=\"([A-Z]{1,4})([0-9]{1,9})\"")
_DIMENSION = re.compile(rb"<(?:\w+:)?dimension\b[^>]*?\sref=\"([A-Z]{1,4})([0-9]{1,9})(?::([A-Z]{1,4})([0-9]{1,9}))?\"")
_TAG = re.compile(r"<(?:\w+:)?(sheet|Relationship)\b([^>]*)>")
_ATTR = re.compile(r"([\w:]+)=\"([^\"]*)\"")
_VALUE_TAGS = (b"<v>", b"<is>", b"<v ")


@dataclass
class SheetInfo:
    """What the scan found in one sheet: its extent and how many cells hold a value."""

    name: str
    part: str
    max_row: int = 0
    max_col: int = 0
    values: int = 0
    declared: str | None = None


def column_number(letters: bytes | str) -> int:
    """Spreadsheet column letters → 1-based number (A → 1, XFD → 16 384)."""
    n = 0
    for ch in letters.decode() if isinstance(letters, bytes) else letters:
        n = n * 26 + ord(ch) - 64
    return n


def _mb(n: int) -> str:
    """Bytes as people read them: 1,5 Mt / 9,8 Gt."""
    for unit, size in (("Gt", 1024**3), ("Mt", 1024**2), ("kt", 1024)):
        if n >= size:
            return f"{n / size:.1f} {unit}".replace(".", ",")
    return f"{n} t"



def _unsafe(reason: str) -> ReadError:
    return ReadError(f"tiedostoa ei voi lukea turvallisesti ({reason})")


def inspect(data: bytes) -> list[SheetInfo]:
    """Check a workbook's parts and sheets against the limits; return its sheets in workbook order."""
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
        infos = zf.infolist()
    except (zipfile.BadZipFile, OSError, ValueError, EOFError) as exc:
        raise ReadError("tiedosto ei ole kelvollinen Excel-työkirja: sen zip-rakenne on rikki "
                        "(tallenna tiedosto uudelleen Excelissä .xlsx-muodossa)") from exc
    with zf:
        names = {i.filename for i in infos}
        _check_kind(zf, names)
        _check_sizes(infos)
        sheets = _sheets(zf, names)
        for sheet in sheets:
            _scan_sheet(zf, sheet)
        for part in names:
            if part.lower().endswith("sharedstrings.xml"):
                _read_through(zf, part)
    return sheets


def _check_kind(zf: zipfile.ZipFile, names: set[str]) -> None:
    """Refuse an OpenDocument spreadsheet or another zip that is not an Excel workbook, naming what it is."""
    small_mime = "mimetype" in names and zf.getinfo("mimetype").file_size < 200
    if small_mime and zf.read("mimetype").strip().startswith(_ODS_MIME):
        raise ReadError("tiedosto on OpenDocument-laskentataulukko (.ods), jota ei tueta: tallenna se "
                        "LibreOfficessa tai Excelissä .xlsx- tai CSV-muodossa")
    if "xl/workbook.xml" not in names:
        what = "Word-asiakirja" if "word/document.xml" in names else (
            "PowerPoint-esitys" if "ppt/presentation.xml" in names else "zip-paketti")
        raise ReadError(f"tiedosto on {what}, ei Excel-työkirja: tallenna tiedot .xlsx- tai CSV-muodossa")


def _check_sizes(infos: list[zipfile.ZipInfo]) -> None:
    """Refuse a part that unpacks beyond the limits, or packs like a zip bomb, from the zip's own directory."""
    total = 0
    for info in infos:
        size, packed = info.file_size, max(info.compress_size, 1)
        total += size
        if size > limits.MAX_XLSX_PART_BYTES:
            raise _unsafe(f"sen osa {info.filename} purkautuu {_mb(size)}:ksi, kun enintään "
                          f"{_mb(limits.MAX_XLSX_PART_BYTES)} sallitaan; onko tiedosto vioittunut tai ns. "
                          "zip-pommi? Tallenna tiedot uudelleen Excelissä tai CSV-muodossa")
        if size >= limits.XLSX_RATIO_FROM_BYTES and size / packed > limits.MAX_XLSX_RATIO:
            raise _unsafe(f"sen osa {info.filename} purkautuu {_mb(size)}:ksi {_mb(packed)}:sta eli "
                          f"{thousands(round(size / packed))}-kertaiseksi, kun tavallinen työkirja pakkautuu "
                          "enintään muutamia kymmeniä kertoja; tiedosto näyttää zip-pommilta")
    if total > limits.MAX_XLSX_TOTAL_BYTES:
        raise _unsafe(f"työkirja purkautuu yhteensä {_mb(total)}:ksi, kun enintään "
                      f"{_mb(limits.MAX_XLSX_TOTAL_BYTES)} sallitaan; jaa tiedot useampaan tiedostoon")


def _small_text(zf: zipfile.ZipFile, name: str) -> str:
    if zf.getinfo(name).file_size > _SMALL_PART:
        raise _unsafe(f"sen osa {name} on epätavallisen suuri ({_mb(zf.getinfo(name).file_size)})")
    return zf.read(name).decode("utf-8", errors="replace")


def _sheets(zf: zipfile.ZipFile, names: set[str]) -> list[SheetInfo]:
    """The workbook's sheets in order, each with the part that holds its cells."""
    targets: dict[str, str] = {}
    if "xl/_rels/workbook.xml.rels" in names:
        for tag, attrs in _TAG.findall(_small_text(zf, "xl/_rels/workbook.xml.rels")):
            a = dict(_ATTR.findall(attrs))
            if tag == "Relationship" and "Id" in a and "Target" in a:
                target = html.unescape(a["Target"])
                path = target.lstrip("/") if target.startswith("/") else str(PurePosixPath("xl") / target)
                targets[a["Id"]] = path
    sheets: list[SheetInfo] = []
    for tag, attrs in _TAG.findall(_small_text(zf, "xl/workbook.xml")):
        a = dict(_ATTR.findall(attrs))
        if tag != "sheet":
            continue
        rid = next((v for k, v in a.items() if k.endswith(":id")), "")
        part = targets.get(rid, "")
        sheets.append(SheetInfo(html.unescape(a.get("name", "")), part))
    # A part of the worksheets folder that the workbook does not list is scanned as well: a reader may open it.
    listed = {s.part for s in sheets}
    for name in sorted(names):
        if name.startswith("xl/worksheets/") and name.endswith(".xml") and name not in listed:
            sheets.append(SheetInfo(PurePosixPath(name).stem, name))
    return [s for s in sheets if s.part in names]


def _scan_sheet(zf: zipfile.ZipFile, sheet: SheetInfo) -> None:
    """Stream a sheet's XML: its declared dimension, the furthest cell it names and how many values it holds."""
    tail = b""
    max_row = max_col = values = 0
    first = True
    for chunk in _chunks(zf, sheet.part):
        buf = tail + chunk
        cut = buf.rfind(b">") + 1
        body, tail = buf[:cut], buf[cut:]
        if first and body:
            first = False
            m = _DIMENSION.search(body)
            if m:
                _check_dimension(sheet, m.groups())
        refs = _CELL_REF.findall(body)
        if refs:
            cols = max((c for c, _ in refs), key=lambda c: (len(c), c))
            max_col = max(max_col, column_number(cols))
            max_row = max(max_row, max(int(r) for _, r in refs))
            if max_col > limits.MAX_COLUMNS or max_row * max_col > limits.MAX_CELLS:
                sheet.max_row, sheet.max_col = max_row, max_col
                _refuse_extent(sheet, f"siinä on solu sarakkeessa {_letters(max_col)} ja rivillä "
                                      f"{thousands(max_row)}")
        values += sum(body.count(t) for t in _VALUE_TAGS)
    sheet.max_row, sheet.max_col, sheet.values = max_row, max_col, values


def _check_dimension(sheet: SheetInfo, groups: tuple[bytes | None, ...]) -> None:
    c1, r1, c2, r2 = groups
    rows = int(r2 or r1 or b"0")
    cols = column_number(c2 or c1 or b"A")
    sheet.declared = (c1 or b"").decode() + (r1 or b"").decode() + (
        f":{(c2 or b'').decode()}{(r2 or b'').decode()}" if c2 else "")
    if cols > limits.MAX_COLUMNS or rows * cols > limits.MAX_CELLS:
        sheet.max_row, sheet.max_col = rows, cols
        _refuse_extent(sheet, f"sen käytetyksi alueeksi on merkitty {sheet.declared}")


def _letters(n: int) -> str:
    out = ""
    while n:
        n, rem = divmod(n - 1, 26)
        out = chr(65 + rem) + out
    return out


def _refuse_extent(sheet: SheetInfo, what: str) -> None:
    raise _unsafe(
        f"taulukko '{sheet.name}': {what}, eli {thousands(sheet.max_row)} riviä × {thousands(sheet.max_col)} "
        f"saraketta; enintään {thousands(limits.MAX_COLUMNS)} saraketta ja {thousands(limits.MAX_CELLS)} solua "
        "sallitaan. Poista taulukosta tyhjät rivit ja sarakkeet tai tallenna se CSV-muodossa"
    )


def _read_through(zf: zipfile.ZipFile, name: str) -> None:
    """Unpack a part in chunks: a part whose real size differs from the directory's fails its checksum here."""
    for _ in _chunks(zf, name):
        pass


def _chunks(zf: zipfile.ZipFile, name: str) -> Iterator[bytes]:
    """The unpacked bytes of a part in bounded chunks; a part larger than its directory entry says is refused."""
    seen = 0
    try:
        with zf.open(name) as fh:
            while chunk := fh.read(_CHUNK):
                seen += len(chunk)
                if seen > limits.MAX_XLSX_PART_BYTES:
                    raise _unsafe(f"sen osa {name} purkautuu yli {_mb(limits.MAX_XLSX_PART_BYTES)}:ksi")
                yield chunk
    except (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError) as exc:
        raise ReadError(f"tiedosto on vioittunut: sen osaa {name} ei voi purkaa (tallenna tiedosto uudelleen "
                        "Excelissä .xlsx-muodossa)") from exc

