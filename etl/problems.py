"""Problems found in a file, reported as FILE:ROW:COLUMN: message."""

from __future__ import annotations

from dataclasses import dataclass

MAX_LISTED = 100


def thousands(n: int) -> str:
    """An integer as Finnish text writes it in a message: 10 000 (with a non-breaking space)."""
    return f"{n:,}".replace(",", "\u00a0")


class ReadError(Exception):
    """The file cannot be read at all."""


@dataclass(frozen=True, order=True)
class Problem:
    """One problem of one file; row and column are None for a file that cannot be read."""

    file: str
    row: int | None
    column: str | None
    message: str
    column_index: int = 0

    def __str__(self) -> str:
        if self.row is None:
            return f"{self.file}: {self.message}"
        return f"{self.file}:{self.row}:{self.column}: {self.message}"


def report_lines(problems: list[Problem], total: int | None = None) -> list[str]:
    """The lines to print for one file: the first 100 problems, then how many more there were."""
    total = len(problems) if total is None else total
    lines = [str(p) for p in problems[:MAX_LISTED]]
    if total > MAX_LISTED and problems:
        lines.append(f"{problems[0].file}: ... ja {total - MAX_LISTED} muuta ongelmaa (yhteensä {total})")
    return lines
