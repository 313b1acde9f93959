"""Limits on what one source file may hold, in one place: county-scale values with room to spare.

A county's monthly staffing extract is a few thousand rows (a few MB); a year of a large county's staffing is
about 300 000 rows, a national 10-million-row extract would be about 500 MB and is not what this tool loads.
The limits keep a hostile or broken file from taking the service down; a real file never meets them.
"""

from __future__ import annotations

import os

# Rows and columns of one file (a sheet has at most 1 048 576 rows anyway).
MAX_ROWS = 2_000_000
# The contract's widest source is Pulssi: fixed columns plus one per question (tens), and HR extracts carry
# extra columns; a thousand is far above both.
MAX_COLUMNS = 1_000
# Cells a sheet may span (rows × columns of its used range): the Excel reader allocates the whole rectangle.
MAX_CELLS = 20_000_000
# Characters of one cell; a free-text comment may be longer than a name or a code.
MAX_CELL_CHARS = 2_000
MAX_COMMENT_CHARS = 5_000
# Unpacked size of one part of an .xlsx (a sheet's XML, the shared strings) and of all parts together, and the
# largest packing ratio of a big part: real sheets pack 5–30×, a zip bomb thousands of times.
MAX_XLSX_PART_BYTES = 400 * 1024 * 1024
MAX_XLSX_TOTAL_BYTES = 600 * 1024 * 1024
MAX_XLSX_RATIO = 200
XLSX_RATIO_FROM_BYTES = 10 * 1024 * 1024
# The reading process: resident memory (watched by the caller), address space (a multiple of it: the parsers
# reserve about four times what they touch), CPU seconds, and the wall-clock wait of the caller.
READER_MEMORY_BYTES = 2 * 1024 * 1024 * 1024
READER_ADDRESS_SPACE_FACTOR = 4
MEMORY_ENV = "TYONJAKO_READER_MEMORY_MB"
READER_CPU_SECONDS = 120
READER_WALL_SECONDS = 300
# Every .xlsx, and every CSV from this size up, is parsed in a separate process with these limits; a smaller CSV
# cannot need more than a few times its size in memory, and starting the process costs far more than its parse.
ISOLATE_CSV_FROM_BYTES = 256 * 1024
# Unknown columns named one by one in the grouped warning, before "… and N more".
LISTED_UNKNOWN_COLUMNS = 10


def reader_memory_bytes() -> int:
    """The reading process's memory limit: READER_MEMORY_BYTES, or TYONJAKO_READER_MEMORY_MB when set."""
    value = os.environ.get(MEMORY_ENV, "").strip()
    return int(value) * 1024 * 1024 if value.isdigit() and int(value) > 0 else READER_MEMORY_BYTES


def reader_address_space_bytes() -> int:
    """The reading process's address-space limit: a multiple of its memory limit."""
    return READER_ADDRESS_SPACE_FACTOR * reader_memory_bytes()
