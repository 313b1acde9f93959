"""Shared chart theme: Finnish number/date locale, grey-print-safe colours, sizes."""

from __future__ import annotations

import altair as alt

from dashboard.fmt import vega_locale

# Sequential scale whose lightness changes monotonically, so it still reads when printed in grey.
SEQUENTIAL = "viridis"
DIVERGING = "blueorange"
# Categorical colours of clearly different lightness (dark → light), for a few series at most.
CATEGORICAL = ["#1b3a5c", "#3d7ab8", "#8fbce6", "#e0a33a", "#7a4b0f", "#b8b8b8"]
STATUS_COLOURS = {
    "käytössä": "#1b3a5c",
    "suunniteltu": "#8fbce6",
    "viivästynyt": "#c2410c",
    "ei aloitettu": "#d4d4d4",
}
GOAL_STATUS_COLOURS = {"hyvä": "#1b7a3a", "riski": "#e0a33a", "heikko": "#c2410c", "ei tietoa": "#b8b8b8"}
HEIGHT = 320


def finish(chart: alt.TopLevelMixin, lang: str = "fi") -> alt.TopLevelMixin:
    """Apply the Finnish locale and the common look to a chart."""
    return chart.configure(locale=vega_locale(lang), font="Source Sans Pro, sans-serif").configure_axis(
        labelFontSize=12, titleFontSize=12
    ).configure_legend(labelFontSize=12, titleFontSize=12, orient="bottom")
