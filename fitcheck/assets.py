"""Every file a page loads, under a name that carries a hash of its bytes, cached for a year.

fitcheck's own stylesheets and scripts (`fitcheck/static/`), the vendored Bootstrap of the
installed Bootstrap-Flask and the plotly.js bundles (`fitcheck/static/vendor/`, built by
`make plotly-bundle`) are served at `/assets/<stem>.<hash><suffixes>`, e.g.
`/assets/fitcheck.3f2a…9c.css`. A changed file gets a new name, so the browser may keep a
name for a year without asking again (`immutable`): a warm visit downloads the page and
nothing else. The names are computed when the app starts (and again in debug mode when a
file changed), so no build step and no manifest can go stale.

Compression: a file committed with precompressed siblings (`x.js.br`, `x.js.gz`: the plotly
bundles, compressed once at maximum quality) is sent as the sibling the browser accepts;
every other text file is compressed on the way out by Flask-Compress, like the pages.
"""

from __future__ import annotations

import hashlib
import mimetypes
import re
from dataclasses import dataclass
from pathlib import Path

import flask_bootstrap
from flask import Blueprint, Flask, Response, abort, current_app, request

STATIC = Path(__file__).resolve().parent / "static"
_BOOTSTRAP = Path(flask_bootstrap.__file__).resolve().parent / "static" / "bootstrap5"
#: Files of other packages served as if they were ours: the logical name → the file.
VENDORED = {
    "bootstrap.min.css": _BOOTSTRAP / "css" / "bootstrap.min.css",
    "bootstrap.min.js": _BOOTSTRAP / "js" / "bootstrap.min.js",
    "popper.min.js": _BOOTSTRAP / "umd" / "popper.min.js",
}
#: Precompressed siblings, best first, by their `Content-Encoding`.
PRECOMPRESSED = (("br", ".br"), ("gzip", ".gz"))
ONE_YEAR = 365 * 24 * 3600
IMMUTABLE = f"public, max-age={ONE_YEAR}, immutable"
_HASH_LENGTH = 16
_HASHED = re.compile(
    rf"^(?P<dir>(?:.*/)?)(?P<stem>[^/.]+)\.[0-9a-f]{{{_HASH_LENGTH}}}(?P<suffix>\..+)$"
)

bp = Blueprint("assets", __name__, url_prefix="/assets")


@dataclass(frozen=True)
class Asset:
    name: str
    path: Path
    url_name: str
    mtime_ns: int
    encodings: tuple[str, ...]


def _hashed_name(name: str, data: bytes) -> str:
    digest = hashlib.sha256(data).hexdigest()[:_HASH_LENGTH]
    folder, _, base = name.rpartition("/")
    stem, dot, suffix = base.partition(".")
    hashed = f"{stem}.{digest}{dot}{suffix}" if dot else f"{stem}.{digest}"
    return f"{folder}/{hashed}" if folder else hashed


def _asset(name: str, path: Path) -> Asset:
    encodings = tuple(
        encoding for encoding, ext in PRECOMPRESSED if path.with_name(path.name + ext).is_file()
    )
    return Asset(
        name=name,
        path=path,
        url_name=_hashed_name(name, path.read_bytes()),
        mtime_ns=path.stat().st_mtime_ns,
        encodings=encodings,
    )


def _sources() -> dict[str, Path]:
    own = {
        path.relative_to(STATIC).as_posix(): path
        for path in sorted(STATIC.rglob("*"))
        if path.is_file() and path.suffix not in {".br", ".gz"}
    }
    return {**own, **VENDORED}


class Assets:
    """The app's assets by logical name (`fitcheck.css`) and by hashed name."""

    def __init__(self, watch: bool) -> None:
        self.watch = watch
        self.by_name = {name: _asset(name, path) for name, path in _sources().items()}
        self.by_url = {asset.url_name: asset for asset in self.by_name.values()}

    def get(self, name: str) -> Asset:
        asset = self.by_name.get(name)
        if asset is None:
            raise KeyError(f"no asset named {name!r} (fitcheck/static or assets.VENDORED)")
        if self.watch and asset.path.stat().st_mtime_ns != asset.mtime_ns:
            # Debug mode: an edited file gets its new name without a restart.
            fresh = _asset(name, asset.path)
            self.by_name[name] = fresh
            self.by_url.pop(asset.url_name, None)
            self.by_url[fresh.url_name] = fresh
            asset = fresh
        return asset

    def url_name(self, name: str) -> str:
        return self.get(name).url_name


def _registry() -> Assets:
    registry: Assets = current_app.extensions["fitcheck.assets"]
    return registry


def asset_url(name: str) -> str:
    """The URL of the asset `name` (a path under fitcheck/static, or a vendored name)."""
    from flask import url_for

    return url_for("assets.serve", filename=_registry().url_name(name))


@bp.get("/<path:filename>")
def serve(filename: str) -> Response:
    registry = _registry()
    asset = registry.by_url.get(filename)
    cache_control = IMMUTABLE
    if asset is None:
        # A page rendered before an upgrade asks for a name that no longer exists: give it
        # today's file, but not for keeps, so that name never caches the wrong bytes.
        match = _HASHED.match(filename)
        logical = match and f"{match['dir']}{match['stem']}{match['suffix']}"
        if not logical or logical not in registry.by_name:
            abort(404)
        asset = registry.get(logical)
        cache_control = "no-cache"
    mimetype = mimetypes.guess_type(asset.name)[0] or "application/octet-stream"
    path, encoding = asset.path, None
    for candidate, ext in PRECOMPRESSED:
        if candidate in asset.encodings and request.accept_encodings[candidate]:
            path, encoding = asset.path.with_name(asset.path.name + ext), candidate
            break
    # Read whole (the largest is a few hundred kilobytes): Flask-Compress then compresses a
    # plain body, where a streamed file would be left open behind its compressing stream.
    response = Response(path.read_bytes(), mimetype=mimetype)
    if encoding:
        # Flask-Compress leaves a response that already has an encoding alone.
        response.headers["Content-Encoding"] = encoding
    response.headers["Cache-Control"] = cache_control
    response.vary.add("Accept-Encoding")
    return response


def init_app(app: Flask) -> None:
    app.extensions["fitcheck.assets"] = Assets(watch=app.debug)
    app.register_blueprint(bp)
    app.add_template_global(asset_url)
