"""Finnish working days per month, from the `holidays` package's calendar."""

from __future__ import annotations

import calendar as _cal
from datetime import date, timedelta
from functools import cache

import holidays


@cache
def _holidays(year: int) -> frozenset[date]:
    # The default Finnish calendar already holds Midsummer Eve and Christmas Eve, which the
    # municipal collective agreements treat as days off; the contract counts them out.
    return frozenset(holidays.Finland(years=year).keys())


@cache
def working_days(year: int, month: int) -> int:
    """Monday–Friday days of the month that are not Finnish holidays."""
    first = date(year, month, 1)
    days = _cal.monthrange(year, month)[1]
    off = _holidays(year)
    return sum(
        1
        for i in range(days)
        if (d := first + timedelta(days=i)).weekday() < 5 and d not in off
    )


def working_days_table(first_year: int = 2000, last_year: int = 2050) -> list[tuple[date, int]]:
    """(month, working days) for every month of the years given."""
    return [
        (date(y, m, 1), working_days(y, m)) for y in range(first_year, last_year + 1) for m in range(1, 13)
    ]
