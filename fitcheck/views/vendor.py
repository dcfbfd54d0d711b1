"""plotly.js, served from the installed plotly package: no CDN, cached for a year.

The file name carries plotly's version, so a new release gets a new URL and the long
cache can never serve a stale script. Browsers that accept gzip get it compressed
(4.8 MB → about 1.4 MB); it is compressed once per process.
"""

from __future__ import annotations

import gzip
from functools import cache
from pathlib import Path

import plotly
from flask import Blueprint, Response, abort, request

bp = Blueprint("vendor", __name__, url_prefix="/vendor")

PLOTLY_JS = Path(plotly.__file__).parent / "package_data" / "plotly.min.js"
PLOTLY_VERSION = plotly.__version__
ONE_YEAR = 365 * 24 * 3600


@cache
def _plotly_bytes(compressed: bool) -> bytes:
    raw = PLOTLY_JS.read_bytes()
    return gzip.compress(raw, compresslevel=9, mtime=0) if compressed else raw


@bp.get("/plotly-<version>.min.js")
def plotly_js(version: str) -> Response:
    if version != PLOTLY_VERSION:
        abort(404)
    etag = f'"plotly-{PLOTLY_VERSION}"'
    if request.if_none_match.contains(etag.strip('"')):
        return Response(status=304, headers={"ETag": etag})
    compressed = bool(request.accept_encodings["gzip"])
    response = Response(_plotly_bytes(compressed), mimetype="text/javascript")
    if compressed:
        response.headers["Content-Encoding"] = "gzip"
    response.headers["Vary"] = "Accept-Encoding"
    response.headers["ETag"] = etag
    response.headers["Cache-Control"] = f"public, max-age={ONE_YEAR}, immutable"
    return response
