"""Finnish and Swedish number, date and chart-locale formatting built on Babel."""

from __future__ import annotations

import copy
import math
import re
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal
from functools import cache
from typing import Any
from zoneinfo import ZoneInfo

from babel import Locale
from babel.dates import format_date, format_time, get_day_names, get_month_names
from babel.numbers import (
    NumberPattern,
    get_currency_symbol,
    get_decimal_symbol,
    get_group_symbol,
    get_minus_sign_symbol,
    get_plus_sign_symbol,
)

MISSING = "\u2013"  # en dash, shown for missing values
NBSP = "\u00a0"
HELSINKI = ZoneInfo("Europe/Helsinki")

# The app's languages are the Finnish and the Finland-Swedish locale.
_BABEL_LOCALES = {"fi": "fi_FI", "sv": "sv_FI"}
# Finland writes dates and times the same way in both languages: 31.1.2025, 14.05.
_DATE_PATTERN = "d.M.y"
_MONTH_PATTERN = "M/y"
_MONTH_NAME_PATTERN = "LLLL y"
_TIME_PATTERN = "H.mm"
# Babel has no words or abbreviations for these.
_AT_TIME = {"fi": "klo", "sv": "kl."}
_POINTS_UNIT = {"fi": "%-yks.", "sv": "%-enh."}
_HOURS_UNIT = {"fi": "h/vko", "sv": "h/vecka"}
# d3-time-format patterns (Babel's CLDR patterns use another syntax).
_D3_PATTERNS: dict[str, dict[str, Any]] = {
    "fi": {
        "dateTime": "%A, %-d. %Bta %Y klo %X",
        "date": "%-d.%-m.%Y",
        "time": "%H:%M:%S",
        "periods": ["a.m.", "p.m."],
    },
    "sv": {"dateTime": "%A %-d %B %Y kl. %X", "date": "%-d.%-m.%Y", "time": "%H:%M:%S", "periods": ["fm", "em"]},
}


def _lang(lang: str | None) -> str:
    """The given language, else the session's (so that a page's texts and figures speak the same language)."""
    if lang:
        return lang
    from dashboard.i18n import current_lang

    return current_lang()


@cache
def babel_locale(lang: str = "fi") -> Locale:
    """The Babel locale of an app language ("fi" → fi_FI, "sv" → sv_FI, others as Babel parses them)."""
    return Locale.parse(_BABEL_LOCALES.get(lang, lang))


def _rounded(x: float, decimals: int, scale: int = 0) -> Decimal:
    """The value (times 10**scale) rounded half away from zero, as people expect of published figures."""
    return Decimal(str(x)).scaleb(scale).quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)


def _pattern(base: NumberPattern, decimals: int) -> NumberPattern:
    pattern = copy.copy(base)
    pattern.frac_prec = (decimals, decimals)
    pattern.scale = 0
    return pattern


def _format(
    x: float | None, decimals: int, lang: str | None, *, percent: bool = False, scale: int = 0, plus: bool = False
) -> str:
    """Format x·10**scale with the locale's (percent) pattern, group separator and real minus or plus sign."""
    if x is None or not math.isfinite(x):
        return MISSING
    loc = babel_locale(_lang(lang))
    value = _rounded(x, decimals, scale)
    base = loc.percent_formats[None] if percent else loc.decimal_formats[None]
    body = _pattern(base, decimals).apply(abs(value), loc)
    if value < 0:
        return get_minus_sign_symbol(loc) + body
    if plus and value > 0:
        return get_plus_sign_symbol(loc) + body
    return body


def number(x: float | None, decimals: int = 1, lang: str | None = None) -> str:
    """A number with the locale's separators: 1234.5 → "1 234,5" (no-break space), missing → "–"."""
    return _format(x, decimals, lang)


def integer(x: float | None, lang: str | None = None) -> str:
    """A whole number with the locale's group separator: 12345 → "12 345"."""
    return _format(x, 0, lang)


def percent(share: float | None, decimals: int = 1, lang: str | None = None) -> str:
    """A share as a percentage: 0.123 → "12,3 %" (no-break space before %)."""
    return _format(share, decimals, lang, percent=True, scale=2)


def signed(x: float | None, decimals: int = 1, lang: str | None = None) -> str:
    """A change with its sign: "+1,2" / "−1,2" (U+2212 minus), zero without a sign."""
    return _format(x, decimals, lang, plus=True)


def signed_points(x: float | None, decimals: int = 1, lang: str | None = None) -> str:
    """A change of a share in percentage points: 0.02 (a difference of two shares) → "+2,0 %-yks."."""
    text = _format(x, decimals, lang, scale=2, plus=True)
    return text if text == MISSING else f"{text}{NBSP}{_POINTS_UNIT.get(_lang(lang), _POINTS_UNIT['fi'])}"


def hours(x: float | None, decimals: int = 1, lang: str | None = None) -> str:
    """Weekly hours: 12.5 → "12,5 h/vko" (no-break space before the unit)."""
    text = number(x, decimals, lang)
    return text if text == MISSING else f"{text}{NBSP}{_HOURS_UNIT.get(_lang(lang), _HOURS_UNIT['fi'])}"


def date_text(d: date | None, lang: str | None = None) -> str:
    """A date without leading zeros: "31.1.2025"."""
    if d is None:
        return MISSING
    return format_date(d, _DATE_PATTERN, locale=babel_locale(_lang(lang)))


def month_text(d: date | None, lang: str | None = None) -> str:
    """A month in numbers: "1/2025"."""
    if d is None:
        return MISSING
    return format_date(d, _MONTH_PATTERN, locale=babel_locale(_lang(lang)))


def month_name(d: date | None, lang: str | None = None) -> str:
    """A month by name with the year: "tammikuu 2025" (sv "januari 2025")."""
    if d is None:
        return MISSING
    return format_date(d, _MONTH_NAME_PATTERN, locale=babel_locale(_lang(lang)))


def datetime_text(ts: datetime | None, lang: str | None = None) -> str:
    """A timestamp in Finnish time: "31.1.2025 klo 14.05" (sv "31.1.2025 kl. 14.05")."""
    if ts is None:
        return MISSING
    if ts.tzinfo is not None:
        ts = ts.astimezone(HELSINKI)
    lang = _lang(lang)
    loc = babel_locale(lang)
    at = _AT_TIME.get(lang, _AT_TIME["fi"])
    return f"{format_date(ts, _DATE_PATTERN, locale=loc)} {at} {format_time(ts, _TIME_PATTERN, locale=loc)}"


def _currency_affixes(loc: Locale, currency: str = "EUR") -> list[str]:
    pattern = loc.currency_formats["standard"]
    symbol = get_currency_symbol(currency, loc)
    return [pattern.prefix[0].replace("¤", symbol), pattern.suffix[0].replace("¤", symbol)]


def vega_locale(lang: str = "fi") -> dict[str, Any]:
    """A Vega/d3 format and time-format locale for altair charts, with names taken from Babel."""
    loc = babel_locale(lang)
    sunday_first = [6, 0, 1, 2, 3, 4, 5]
    months = get_month_names("wide", "stand-alone", loc)
    short_months = get_month_names("abbreviated", "stand-alone", loc)
    days = get_day_names("wide", "stand-alone", loc)
    short_days = get_day_names("abbreviated", "stand-alone", loc)
    return {
        "number": {
            "decimal": get_decimal_symbol(loc),
            "thousands": get_group_symbol(loc),
            "grouping": [3],
            "currency": _currency_affixes(loc),
            # d3-format writes "80%"; Finnish and Swedish put a no-break space before the sign.
            "percent": "\u00a0%",
            "minus": "\u2212",
        },
        "time": {
            **copy.deepcopy(_D3_PATTERNS.get(lang, _D3_PATTERNS["fi"])),
            "days": [days[i] for i in sunday_first],
            "shortDays": [short_days[i] for i in sunday_first],
            "months": [months[m] for m in range(1, 13)],
            "shortMonths": [short_months[m] for m in range(1, 13)],
        },
    }


# Every ASCII punctuation character that Markdown, Streamlit's directives (:red[…], :material/…:) or LaTeX ($)
# can give a meaning; CommonMark renders a backslash-escaped punctuation character as itself.
_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~$:&=\"'^%@;,/?])")


def md_text(value: object) -> str:
    """A data value (station, municipality, question, task or file name) as literal text inside Markdown."""
    text = re.sub(r"\s+", " ", str(value))
    return _MD_SPECIAL.sub(r"\\\1", text)
