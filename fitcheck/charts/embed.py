"""How a figure gets into a page: its JSON, safe inside HTML, and the plotly.js config.

The server draws no chart; it writes each figure's JSON into the page, where
``static/charts.js`` hands it to plotly.js. That JSON holds user-written text, so it is
made safe for an HTML element or attribute here, once for every chart.
"""

from __future__ import annotations

import plotly.graph_objects as go

__all__ = ["figure_config", "figure_json"]

# JSON is valid with these escaped, and then it can sit in a <script type="application/json">
# element (no "</script>" can close it) or in an HTML attribute, single- or double-quoted.
_HTML_SAFE = str.maketrans(
    {
        "<": "\\u003c",
        ">": "\\u003e",
        "&": "\\u0026",
        "'": "\\u0027",
        "\u2028": "\\u2028",
        "\u2029": "\\u2029",
    }
)


def figure_json(fig: go.Figure) -> str:
    """The figure as plotly JSON, safe to embed in HTML.

    For ``<script type="application/json">`` or a ``data-`` attribute, read in the browser
    with ``JSON.parse`` and drawn with ``Plotly.newPlot(element, data, layout,
    config)``. ``<``, ``>``, ``&`` and ``'`` are written as ``\\u`` escapes, which
    ``JSON.parse`` turns back into the same characters.
    """
    return str(fig.to_json()).translate(_HTML_SAFE)


def figure_config() -> dict[str, bool]:
    """The plotly.js ``config`` for every fitcheck chart: no mode bar, follow the container."""
    return {"displayModeBar": False, "responsive": True}
