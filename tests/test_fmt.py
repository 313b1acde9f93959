"""Tests of Finnish and Swedish number, date and chart-locale formatting."""

from __future__ import annotations

from datetime import UTC, date, datetime

import altair as alt
import pytest

from dashboard import fmt

NBSP = "\u00a0"
MINUS = "\u2212"


@pytest.mark.parametrize(
    ("value", "decimals", "expected"),
    [
        (1234.5, 1, "1\u00a0234,5"),
        (1234567.891, 2, "1\u00a0234\u00a0567,89"),
        (0, 1, "0,0"),
        (12, 0, "12"),
        (999.95, 1, "1\u00a0000,0"),
        (2.5, 0, "3"),
        (0.05, 1, "0,1"),
        (-1234.5, 1, "\u22121\u00a0234,5"),
        (-0.04, 1, "0,0"),
    ],
)
def test_number(value: float, decimals: int, expected: str) -> None:
    assert fmt.number(value, decimals) == expected


@pytest.mark.parametrize("missing", [None, float("nan"), float("inf")])
def test_missing_values_are_a_dash(missing: float | None) -> None:
    for text in (
        fmt.number(missing),
        fmt.integer(missing),
        fmt.percent(missing),
        fmt.signed(missing),
        fmt.signed_points(missing),
        fmt.hours(missing),
    ):
        assert text == "\u2013"


def test_missing_dates_are_a_dash() -> None:
    assert fmt.date_text(None) == "–"
    assert fmt.month_text(None) == "–"
    assert fmt.month_name(None) == "–"
    assert fmt.datetime_text(None) == "–"


def test_integer() -> None:
    assert fmt.integer(12345) == "12\u00a0345"
    assert fmt.integer(12345.6) == "12\u00a0346"
    assert fmt.integer(-7) == "\u22127"
    assert fmt.integer(999) == "999"


def test_percent() -> None:
    assert fmt.percent(0.123) == "12,3\u00a0%"
    assert fmt.percent(0.5, 0) == "50\u00a0%"
    assert fmt.percent(1) == "100,0\u00a0%"
    assert fmt.percent(12.3456, 2) == "1\u00a0234,56\u00a0%"
    assert fmt.percent(0.00125, 1) == "0,1\u00a0%"
    assert fmt.percent(-0.25) == "\u221225,0\u00a0%"


def test_signed() -> None:
    assert fmt.signed(1.2) == "+1,2"
    assert fmt.signed(-1.2) == "\u22121,2"
    assert fmt.signed(1234.56, 2) == "+1\u00a0234,56"
    assert fmt.signed(0) == "0,0"
    assert fmt.signed(-0.01) == "0,0"


def test_signed_points_take_a_difference_of_shares() -> None:
    assert fmt.signed_points(0.02) == "+2,0\u00a0%-yks."
    assert fmt.signed_points(-0.0125) == "\u22121,3\u00a0%-yks."
    assert fmt.signed_points(0.0) == "0,0\u00a0%-yks."
    assert fmt.signed_points(0.02, lang="sv") == "+2,0\u00a0%-enh."


def test_hours() -> None:
    assert fmt.hours(12.5) == "12,5\u00a0h/vko"
    assert fmt.hours(36.25, 2) == "36,25\u00a0h/vko"
    assert fmt.hours(12.5, lang="sv") == "12,5\u00a0h/vecka"


def test_swedish_numbers() -> None:
    assert fmt.number(1234.5, lang="sv") == "1\u00a0234,5"
    assert fmt.percent(0.123, lang="sv") == "12,3\u00a0%"
    assert fmt.signed(-1.2, lang="sv") == "\u22121,2"


def test_dates() -> None:
    assert fmt.date_text(date(2025, 1, 31)) == "31.1.2025"
    assert fmt.date_text(date(2025, 12, 5)) == "5.12.2025"
    assert fmt.date_text(datetime(2025, 3, 4, 23, 59)) == "4.3.2025"
    assert fmt.date_text(date(2025, 1, 31), "sv") == "31.1.2025"
    assert fmt.month_text(date(2025, 1, 31)) == "1/2025"
    assert fmt.month_text(date(2024, 11, 1)) == "11/2024"


def test_month_names_are_standalone() -> None:
    assert fmt.month_name(date(2025, 1, 31)) == "tammikuu 2025"
    assert fmt.month_name(date(2025, 7, 1)) == "heinäkuu 2025"
    assert fmt.month_name(date(2025, 1, 31), "sv") == "januari 2025"
    assert fmt.month_name(date(2024, 12, 1), "sv") == "december 2024"


def test_datetime_text() -> None:
    ts = datetime(2025, 1, 31, 14, 5)
    assert fmt.datetime_text(ts) == "31.1.2025 klo 14.05"
    assert fmt.datetime_text(ts, "sv") == "31.1.2025 kl. 14.05"
    assert fmt.datetime_text(datetime(2025, 6, 1, 8, 0)) == "1.6.2025 klo 8.00"


def test_aware_timestamps_are_shown_in_finnish_time() -> None:
    assert fmt.datetime_text(datetime(2025, 1, 31, 12, 5, tzinfo=UTC)) == "31.1.2025 klo 14.05"
    assert fmt.datetime_text(datetime(2025, 7, 31, 11, 5, tzinfo=UTC)) == "31.7.2025 klo 14.05"


def test_vega_locale_fi() -> None:
    assert fmt.vega_locale() == {
        "number": {"decimal": ",", "thousands": "\u00a0", "grouping": [3], "currency": ["", "\u00a0€"],
                   "percent": "\u00a0%", "minus": "\u2212"},
        "time": {
            "dateTime": "%A, %-d. %Bta %Y klo %X",
            "date": "%-d.%-m.%Y",
            "time": "%H:%M:%S",
            "periods": ["a.m.", "p.m."],
            "days": ["sunnuntai", "maanantai", "tiistai", "keskiviikko", "torstai", "perjantai", "lauantai"],
            "shortDays": ["su", "ma", "ti", "ke", "to", "pe", "la"],
            "months": [
                "tammikuu", "helmikuu", "maaliskuu", "huhtikuu", "toukokuu", "kesäkuu",
                "heinäkuu", "elokuu", "syyskuu", "lokakuu", "marraskuu", "joulukuu",
            ],
            "shortMonths": [
                "tammi", "helmi", "maalis", "huhti", "touko", "kesä",
                "heinä", "elo", "syys", "loka", "marras", "joulu",
            ],
        },
    }


def test_vega_locale_sv() -> None:
    locale = fmt.vega_locale("sv")
    assert locale["number"]["decimal"] == ","
    assert locale["number"]["thousands"] == NBSP
    assert locale["time"]["days"][:2] == ["söndag", "måndag"]
    assert locale["time"]["months"][0] == "januari"
    assert locale["time"]["date"] == "%-d.%-m.%Y"


def test_vega_locale_is_a_fresh_copy() -> None:
    fmt.vega_locale()["time"]["periods"].append("x")
    assert fmt.vega_locale()["time"]["periods"] == ["a.m.", "p.m."]


def test_vega_locale_passes_the_altair_schema() -> None:
    chart = alt.Chart(alt.Data(values=[{"x": 1}])).mark_point().encode(x="x:Q")
    spec = chart.configure(locale=fmt.vega_locale()).to_dict()
    assert spec["config"]["locale"]["number"]["decimal"] == ","
