"""Plotly figures of what the pure core computed; no Flask, no database and no gettext.

Every number comes from :mod:`fitcheck.fit` or :mod:`fitcheck.portfolio` as it is, and every
word comes from the caller, already translated. Those words are user-written (trait labels
come from the workspace), and plotly renders a subset of HTML in tick labels, legends and
hover boxes, so every one of them is escaped before it enters a figure; the only markup in a
figure is the ``<br>`` inserted to wrap lines.

Layout choices follow ``design/README.md``: no title inside a figure (the page has it), no
mode bar, the legend in one column below the chart, long labels wrapped by hand (plotly
never wraps them) so that one figure fits a 390 px phone and a desktop alike.

One concept a module, each importing only those above it in this list:

- :mod:`.text`: wrapping (Latin and Japanese) and escaping, and where the radar's labels go;
- :mod:`.theme`: colours, fonts and the layout every figure shares;
- :mod:`.embed`: a figure's JSON, safe inside a page, and the plotly.js config;
- :mod:`.round`: the mirror radar and gap bars of a round, and a partner's trend;
- :mod:`.portfolio`: the portfolio scatter and the response surface of its analysis.

Nothing is re-exported here: import each name from the module that owns it.
"""
