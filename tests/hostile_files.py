"""Builders of hostile and broken source files, generated in the tests (never committed).

Every workbook is written part by part with the standard library's zipfile, so that a test controls exactly
what the file declares (its dimension, cell references, part sizes); large parts are streamed into the zip.
"""

from __future__ import annotations

import zipfile
from collections.abc import Iterable, Iterator
from pathlib import Path

_CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '{sheets}'
    '<Override PartName="/xl/sharedStrings.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>'
    '</Types>'
)
_SHEET_TYPE = ('<Override PartName="/xl/worksheets/sheet{n}.xml" '
               'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>')
_ROOT_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
    'officeDocument" Target="xl/workbook.xml"/></Relationships>'
)
_NS = ('xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
       'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"')
SHEET_HEAD = f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<worksheet {_NS}>'
MEGABYTE = 1024 * 1024


def _workbook(names: list[str]) -> str:
    sheets = "".join(f'<sheet name="{n}" sheetId="{i}" r:id="rId{i}"/>' for i, n in enumerate(names, 1))
    head = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    return f"{head}<workbook {_NS}><sheets>{sheets}</sheets></workbook>"


def _workbook_rels(count: int) -> str:
    rels = "".join(
        f'<Relationship Id="rId{i}" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
        f'worksheet" Target="worksheets/sheet{i}.xml"/>' for i in range(1, count + 1)
    )
    shared = ('<Relationship Id="rIdS" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
              'sharedStrings" Target="sharedStrings.xml"/>')
    return ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Relationships '
            f'xmlns="http://schemas.openxmlformats.org/package/2006/relationships">{rels}{shared}</Relationships>')


def cell(ref: str, text: str) -> str:
    """An inline-string cell."""
    return f'<c r="{ref}" t="inlineStr"><is><t>{text}</t></is></c>'


def sheet_xml(rows: list[list[str]], dimension: str | None = None) -> str:
    """A sheet with text cells (row i, column j → A1-style reference) and an optional declared dimension."""
    dim = f'<dimension ref="{dimension}"/>' if dimension else ""
    body = "".join(
        f'<row r="{r}">' + "".join(cell(f"{chr(65 + c)}{r}", v) for c, v in enumerate(row)) + "</row>"
        for r, row in enumerate(rows, 1)
    )
    return f"{SHEET_HEAD}{dim}<sheetData>{body}</sheetData></worksheet>"


def write_workbook(
    path: Path, sheets: dict[str, str | Iterable[bytes]], shared: str | Iterable[bytes] | None = None
) -> Path:
    """A workbook of named sheets (XML text, or chunks streamed in) and an optional shared-strings part."""
    empty_sst = ('<?xml version="1.0" encoding="UTF-8"?>'
                 '<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"/>')
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as zf:
        types = "".join(_SHEET_TYPE.format(n=i) for i in range(1, len(sheets) + 1))
        zf.writestr("[Content_Types].xml", _CONTENT_TYPES.format(sheets=types))
        zf.writestr("_rels/.rels", _ROOT_RELS)
        zf.writestr("xl/workbook.xml", _workbook(list(sheets)))
        zf.writestr("xl/_rels/workbook.xml.rels", _workbook_rels(len(sheets)))
        for i, content in enumerate(sheets.values(), 1):
            _put(zf, f"xl/worksheets/sheet{i}.xml", content)
        _put(zf, "xl/sharedStrings.xml", shared if shared is not None else empty_sst)
    return path


def _put(zf: zipfile.ZipFile, name: str, content: str | Iterable[bytes]) -> None:
    if isinstance(content, str):
        zf.writestr(name, content)
        return
    with zf.open(name, "w", force_zip64=True) as fh:
        for chunk in content:
            fh.write(chunk)


def far_cell_xlsx(path: Path, *, declare: bool = True) -> Path:
    """One cell at A1 and one at XFD1048576: about 2 KB that an Excel reader would expand to 512 GB."""
    rows = (f'<row r="1">{cell("A1", "asema_id")}</row>'
            f'<row r="1048576">{cell("XFD1048576", "x")}</row>')
    dim = '<dimension ref="A1:XFD1048576"/>' if declare else ""
    return write_workbook(path, {"Taul1": f"{SHEET_HEAD}{dim}<sheetData>{rows}</sheetData></worksheet>"})


def _repeat(chunk: bytes, total: int) -> Iterator[bytes]:
    written = 0
    while written < total:
        yield chunk
        written += len(chunk)


def shared_strings_bomb(path: Path, unpacked: int = 2 * 1024 * MEGABYTE) -> Path:
    """A sheet that uses one shared string of `unpacked` bytes: about 2 MB packed for the default 2 GB."""
    head = (b'<?xml version="1.0" encoding="UTF-8"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/'
            b'main" count="1" uniqueCount="1"><si><t>')

    def chunks() -> Iterator[bytes]:
        yield head
        yield from _repeat(b"a" * MEGABYTE, unpacked)
        yield b"</t></si></sst>"

    sheet = (f'{SHEET_HEAD}<dimension ref="A1:B2"/><sheetData><row r="1">{cell("A1", "asema_id")}'
             f'{cell("B1", "nimi")}</row><row r="2"><c r="A2" t="s"><v>0</v></c>{cell("B2", "x")}</row>'
             "</sheetData></worksheet>")
    return write_workbook(path, {"Taul1": sheet}, chunks())


def sheet_bomb(path: Path, unpacked: int = 3 * 1024 * MEGABYTE) -> Path:
    """A sheet of millions of identical rows (no references, as a writer may omit them): about 10 MB packed."""
    row = b'<row><c t="inlineStr"><is><t>aaaaaaaa</t></is></c><c t="inlineStr"><is><t>b</t></is></c></row>'

    def chunks() -> Iterator[bytes]:
        yield (SHEET_HEAD + "<sheetData>" + f'<row>{cell("A1", "asema_id")}{cell("B1", "nimi")}</row>').encode()
        yield from _repeat(row * 10_000, unpacked)
        yield b"</sheetData></worksheet>"

    return write_workbook(path, {"Taul1": chunks()})


def ods_file(path: Path) -> Path:
    """A minimal OpenDocument spreadsheet (its first part is the uncompressed mimetype)."""
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet", compress_type=zipfile.ZIP_STORED)
        zf.writestr("content.xml", '<?xml version="1.0"?><office:document-content '
                    'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0"/>')
        zf.writestr("META-INF/manifest.xml", '<?xml version="1.0"?><manifest/>')
    return path
