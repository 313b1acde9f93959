"""Switching the language in a real browser: the sidebar's kept choices change language at once, not only their
labels (a keyed selectbox would otherwise go on showing "lokakuu 2026" and "Koko alue" in Swedish mode)."""

from __future__ import annotations

from typing import Any

import pytest
from browser_support import chromium_browser_fixture  # noqa: F401 - registers the `chromium_browser` fixture
from test_browser_pages import (  # the module's server and page helpers
    WAIT,
    Server,
    as_project_manager,
    expect,
    page,  # noqa: F401 - fixture
    page_errors,
    server,  # noqa: F401 - fixture
)

from dashboard import fmt
from dashboard.i18n import t

pytestmark = pytest.mark.browser


def test_switching_to_swedish_relabels_every_kept_choice(server: Server, page: Any) -> None:  # noqa: F811
    as_project_manager(page, server.url)
    sidebar = page.get_by_test_id("stSidebar")
    month = sidebar.get_by_role("combobox", name="Kuukausi", exact=True)
    expect(month).to_be_visible(timeout=WAIT)
    finnish_month = month.input_value()
    # choose() waits on the same label, which the switch itself renames: pick the option by hand.
    sidebar.get_by_role("combobox", name="Kieli", exact=True).click()
    page.get_by_role("option", name="svenska", exact=True).click()
    expect(sidebar.get_by_role("combobox", name="Språk", exact=True)).to_have_value("svenska", timeout=WAIT)
    expect(sidebar.get_by_role("combobox", name="Månad", exact=True)).to_be_visible(timeout=WAIT)
    shown = {
        label: sidebar.get_by_role("combobox", name=label, exact=True).input_value()
        for label in ("Roll", "Månad", "Kommun", "Station")
    }
    # The month is the same month, now written in Swedish; the totals and the role speak Swedish too.
    swedish_months = {fmt.month_name(d, "sv") for d in _months_named(finnish_month)}
    assert shown["Månad"] in swedish_months, shown
    assert shown["Kommun"] == t("filter.region", lang="sv"), shown
    assert shown["Station"] == t("filter.all_stations", lang="sv"), shown
    assert shown["Roll"] == t("role.projektipaallikko", lang="sv"), shown
    assert page_errors(page) == []


def _months_named(finnish: str) -> list[Any]:
    """The first days of the months whose Finnish name is `finnish` (e.g. "lokakuu 2026"), around today's data."""
    from datetime import date

    return [date(y, m, 1) for y in range(2020, 2031) for m in range(1, 13) if fmt.month_name(date(y, m, 1), "fi")
            == finnish]
