"""How every chart looks: colours, fonts and the layout that all figures share.

Company and client keep one colour each (:data:`COMPANY_COLOUR`, :data:`CLIENT_COLOUR`,
also in ``static/fitcheck.css``), so a side is recognised at a glance on every chart and
table; the charts add a line style or marker to each trace, so that they read in greyscale
and for colour-blind users too. The text is Bootstrap's body colour and the fonts are the
page's, with Japanese fonts first for Japanese, so a chart looks part of its page.
"""

from __future__ import annotations

import html
from typing import Any, Final

__all__ = [
    "CLIENT_COLOUR",
    "COMPANY_COLOUR",
    "FONT_SIZE",
    "GRID_COLOUR",
    "MUTED_COLOUR",
    "TEXT_COLOUR",
    "TICK_FONT_SIZE",
    "base_layout",
    "font_family",
    "format_number",
    "legend_below",
    "no_data_annotation",
    "rgba",
]

#: The company's colour on every chart and table (``--fc-company`` in fitcheck.css).
COMPANY_COLOUR: Final = "#1f6fb2"
#: The client's colour on every chart and table (``--fc-client`` in fitcheck.css).
CLIENT_COLOUR: Final = "#c2570c"

TEXT_COLOUR = "#212529"  # Bootstrap's body colour, so the charts match the page.
MUTED_COLOUR = "#6c757d"
GRID_COLOUR = "#d9d9d9"
_LATIN_FONT = (
    'system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", "Noto Sans", '
    '"Liberation Sans", Arial, sans-serif'
)
# Japanese fonts first: with a generic stack, kanji may be drawn with Chinese glyph forms.
_JAPANESE_FONT = (
    '"Hiragino Sans", "Hiragino Kaku Gothic ProN", "Noto Sans JP", "Noto Sans CJK JP", '
    '"Yu Gothic UI", "Yu Gothic", Meiryo, ' + _LATIN_FONT
)
FONT_SIZE = 12
# Axis labels name the traits, the first thing read on a chart: 13 px, legible on a phone.
TICK_FONT_SIZE = 13


def font_family(locale: str) -> str:
    """The page's font stack for ``locale``."""
    return _JAPANESE_FONT if locale.lower().startswith("ja") else _LATIN_FONT


def base_layout(locale: str) -> dict[str, Any]:
    """Where the radar and the gap bars start from; each adds its axes, margins and height."""
    return {
        # "none": no plotly theme, so the figure JSON stays small and the look is ours.
        "template": "none",
        "font": {"family": font_family(locale), "size": FONT_SIZE, "color": TEXT_COLOUR},
        "paper_bgcolor": "rgba(0,0,0,0)",
        "plot_bgcolor": "rgba(0,0,0,0)",
        "hoverlabel": {"align": "left", "namelength": -1, "font": {"size": FONT_SIZE}},
        # The width follows the container (config "responsive"); each chart sets a height
        # that works from a phone to a desktop, as the server never knows the width.
        "autosize": True,
        "showlegend": True,
        "dragmode": False,
    }


def legend_below() -> dict[str, Any]:
    # One column below the chart: a horizontal legend wraps unevenly on a phone.
    return {
        "orientation": "v",
        "x": 0.5,
        "xanchor": "center",
        "y": -0.02,
        "yanchor": "top",
        "traceorder": "normal",
        "font": {"size": FONT_SIZE},
        "itemclick": "toggle",
        "itemdoubleclick": "toggleothers",
    }


def no_data_annotation(message: str, **position: Any) -> dict[str, Any]:
    """A muted note on a chart that has nothing to draw, placed by ``position``."""
    return {
        "text": html.escape(message),
        "showarrow": False,
        "font": {"color": MUTED_COLOUR, "size": TICK_FONT_SIZE},
        **position,
    }


def format_number(value: float, *, signed: bool = False) -> str:
    """Two decimals, as every page shows them; ``signed`` adds "+" (not to a zero)."""
    shown = f"{value:.2f}"
    if signed and shown.strip("-0.") and value > 0:
        shown = "+" + shown
    # U+2212 minus sign: a hyphen reads as a dash next to the wider digits; no "−0.00".
    return shown.replace("-", "−") if shown.strip("-0.") else "0.00"


def rgba(colour: str, alpha: float) -> str:
    """``#rrggbb`` made translucent, for fills that overlap."""
    red, green, blue = (int(colour[i : i + 2], 16) for i in (1, 3, 5))
    return f"rgba({red},{green},{blue},{alpha})"
