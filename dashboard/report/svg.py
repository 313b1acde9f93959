"""Altair charts of the pages rendered to SVG for the report with vl-convert (no browser)."""

from __future__ import annotations

from typing import Any

import altair as alt
import vl_convert as vlc

# Typst embeds Libertinus Serif; the charts' text is drawn in the same face as the report's text.
REPORT_FONT = "Libertinus Serif"


def render(chart: alt.TopLevelMixin, width: int | None = None, height: int | None = None, *,
           axes: bool = True) -> str:
    """The chart as an SVG string, at a fixed width (and height) in points, in the report's font."""
    spec: dict[str, Any] = chart.to_dict(validate=False)  # the pages already validate the same builders
    if width is not None:
        spec["width"] = width
    if height is not None:
        spec["height"] = height
    config = spec.setdefault("config", {})
    config["font"] = REPORT_FONT
    config.setdefault("view", {})["stroke"] = None
    # A chart for print: no tooltips are needed, and a transparent background sits on the page.
    config["background"] = None
    if not axes:
        config["axis"] = {**config.get("axis", {}), "labels": False, "ticks": False, "domain": False, "grid": False,
                          "title": None}
        config.setdefault("axisX", {})["labels"] = False
        config.setdefault("axisY", {})["labels"] = False
        spec["padding"] = 1
    return vlc.vegalite_to_svg(spec)
