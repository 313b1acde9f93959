"""Labels built from language-neutral mart columns, and figures that follow the session language by default."""

from __future__ import annotations

from datetime import date

import pytest

from dashboard import fmt, i18n
from dashboard.labels import baseline_label, month_range

MAY, JUL = date(2025, 5, 1), date(2025, 7, 1)


@pytest.mark.parametrize(
    ("row", "station", "fi", "sv"),
    [
        ({"baseline_kind": "period", "baseline_start": MAY, "baseline_end": JUL}, False, "5–7/2025", "5–7/2025"),
        ({"baseline_kind": "first_round", "baseline_start": JUL, "baseline_end": JUL, "baseline_stations": 24}, False,
         "asemien ensimmäiset kartoitukset (7/2025)", "stationernas första kartläggningar (7/2025)"),
        ({"baseline_kind": "first_round"}, False, "ei kartoituksia", "inga kartläggningar"),
        ({"baseline_kind": "before_go_live", "baseline_stations": 5, "baseline_months": 3}, False,
         "3 kk ennen käyttöönottoa, 5 aseman keskiarvo", "3 mån. före ibruktagandet, medelvärde för 5 stationer"),
        ({"baseline_kind": "before_go_live", "baseline_start": MAY, "baseline_end": JUL, "baseline_months": 3}, False,
         "3 kk ennen ensimmäistä käyttöönottoa (5–7/2025), koko alue",
         "3 mån. före det första ibruktagandet (5–7/2025), hela området"),
        ({"baseline_kind": "before_go_live"}, False, "ei käyttöönottoja", "inga ibruktaganden"),
        ({"baseline_kind": "before_go_live", "baseline_start": MAY, "baseline_end": JUL, "baseline_months": 3}, True,
         "3 kk ennen käyttöönottoa (5–7/2025)", "3 mån. före ibruktagandet (5–7/2025)"),
    ],
)
def test_baseline_labels_in_both_languages(row: dict, station: bool, fi: str, sv: str) -> None:
    assert baseline_label(row, "fi", station=station) == fi
    assert baseline_label(row, "sv", station=station) == sv


def test_month_range() -> None:
    assert month_range(date(2024, 11, 1), date(2025, 1, 1)) == "11/2024–1/2025"
    assert month_range(JUL, JUL) == "7/2025"
    assert month_range(None, JUL) == fmt.MISSING


def test_figures_follow_the_language_of_the_session(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(i18n.LANG_ENV, "sv")
    assert fmt.signed_points(0.02) == "+2,0\u00a0%-enh."
    assert fmt.hours(12.5) == "12,5\u00a0h/vecka"
    assert fmt.month_name(date(2025, 1, 1)) == "januari 2025"
    assert fmt.signed_points(0.02, lang="fi") == "+2,0\u00a0%-yks."
    monkeypatch.delenv(i18n.LANG_ENV)
    assert fmt.month_name(date(2025, 1, 1)) == "tammikuu 2025"
