"""Assets under hashed names with a year's cache; every text response compressed."""

from __future__ import annotations

import gzip
import hashlib
import os
import re
from collections.abc import Iterator
from pathlib import Path

import brotli
import pytest
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from fitcheck import assets, create_app
from fitcheck.assets import Assets

from .conftest import _config

ASSET = re.compile(r'(?:href|src)="(/assets/[^"]+)"')
HASHED = re.compile(r"^/assets/(?:.*/)?[^/.]+\.([0-9a-f]{16})(\..+)?$")
BOTH = {"Accept-Encoding": "gzip, deflate, br"}


@pytest.fixture(scope="module")
def bare_app() -> Flask:
    """Pages that read no database: the sign-in page and the assets themselves."""
    return create_app(_config("sqlite://"))


@pytest.fixture
def web(bare_app: Flask) -> Iterator[FlaskClient]:
    with bare_app.test_client() as client:
        yield client


def _get(web: FlaskClient, url: str, accept: str = "") -> TestResponse:
    """A response read whole and closed (a file's response holds the file open)."""
    response = web.get(url, headers={"Accept-Encoding": accept})
    response.get_data()
    response.close()
    return response


def _decoded(response: TestResponse) -> bytes:
    encoding = response.headers.get("Content-Encoding")
    data = response.get_data()
    if encoding == "br":
        return bytes(brotli.decompress(data))
    if encoding == "gzip":
        return gzip.decompress(data)
    assert encoding is None, encoding
    return data


def _asset_urls(html: bytes) -> list[str]:
    return ASSET.findall(html.decode())


def test_a_page_loads_every_file_under_a_hash_of_its_bytes_cached_for_a_year(web):
    urls = _asset_urls(web.get("/sign-in").data)
    names = {url.rsplit("/", 1)[-1].split(".")[0] for url in urls}
    assert {"bootstrap", "popper", "fitcheck", "favicon", "confirm"} <= names
    for url in urls:
        response = _get(web, url, BOTH["Accept-Encoding"])
        body = _decoded(response)
        digest = HASHED.match(url)
        assert digest, url
        assert hashlib.sha256(body).hexdigest().startswith(digest[1]), url
        assert response.headers["Cache-Control"] == "public, max-age=31536000, immutable"
        assert "ETag" not in response.headers  # nothing to revalidate
        # The same for everyone: a changed session cookie must not miss the cache.
        assert response.headers["Vary"] == "Accept-Encoding"
        assert "Set-Cookie" not in response.headers


def test_no_page_links_a_file_outside_the_assets(web):
    html = web.get("/sign-in").data.decode()
    links = re.findall(r'(?:href|src)="([^"#]+)"', html)
    files = [link for link in links if re.search(r"\.(css|js|svg|png|ico)$", link)]
    assert files and all(link.startswith("/assets/") for link in files), files


@pytest.mark.parametrize(
    ("accept", "encoding"),
    [("gzip, deflate, br", "br"), ("gzip", "gzip"), ("br;q=0.5, gzip", "gzip"), ("", None)],
)
def test_pages_and_assets_are_compressed_as_the_browser_accepts(web, accept, encoding):
    plain_page = web.get("/sign-in", headers={"Accept-Encoding": ""})
    page = web.get("/sign-in", headers={"Accept-Encoding": accept})
    assert page.headers.get("Content-Encoding") == encoding
    assert "Accept-Encoding" in page.headers["Vary"]
    # The CSRF token differs between two renderings: compare the page around it.
    token = re.compile(rb'value="[^"]{40,}"')
    assert token.sub(b"", _decoded(page)) == token.sub(b"", plain_page.data)

    css = next(url for url in _asset_urls(plain_page.data) if "/bootstrap." in url)
    plain_css = _get(web, css)
    packed_css = _get(web, css, accept)
    assert packed_css.headers.get("Content-Encoding") == encoding
    assert _decoded(packed_css) == plain_css.get_data()
    if encoding:
        assert len(packed_css.get_data()) < len(plain_css.get_data()) / 5


def test_json_is_compressed_too(web):
    response = web.get("/api/v1/openapi.json", headers=BOTH)
    assert response.status_code == 200
    assert response.headers["Content-Encoding"] == "br"
    assert _decoded(response).startswith(b"{")


def test_plotly_bundles_go_out_as_their_precompressed_siblings(web, bare_app):
    with bare_app.test_request_context():
        url = assets.asset_url("vendor/plotly-round.min.js")
    source = assets.STATIC / "vendor" / "plotly-round.min.js"
    for accept, encoding, suffix in (("gzip, br", "br", ".br"), ("gzip", "gzip", ".gz")):
        response = _get(web, url, accept)
        assert response.headers["Content-Encoding"] == encoding
        assert response.get_data() == source.with_name(source.name + suffix).read_bytes()
        assert response.headers["Content-Type"].startswith("text/javascript")
        assert response.headers["Cache-Control"].endswith("immutable")
    plain = _get(web, url)
    assert "Content-Encoding" not in plain.headers
    assert plain.get_data() == source.read_bytes()


def test_a_page_from_before_an_upgrade_still_gets_its_file_but_not_for_keeps(web):
    current = next(url for url in _asset_urls(web.get("/sign-in").data) if "/fitcheck." in url)
    stale = re.sub(r"\.[0-9a-f]{16}\.", ".0123456789abcdef.", current)
    assert stale != current
    response = _get(web, stale)
    assert response.status_code == 200
    assert response.get_data() == _get(web, current).get_data()
    assert response.headers["Cache-Control"] == "no-cache"


@pytest.mark.parametrize(
    "path",
    [
        "/assets/fitcheck.css",  # the bare name is not served: only hashed names are
        "/assets/nothing.0123456789abcdef.css",
        "/assets/../config.py",
        "/assets/..%2Fassets.py",
        "/assets/vendor/plotly-round.0123456789abcdef.min.js.br",
        "/static/fitcheck.css",
        "/assets/",
    ],
)
def test_unknown_names_are_not_found(web, path):
    assert _get(web, path).status_code == 404


def test_a_changed_file_gets_a_new_name_in_debug_mode(tmp_path: Path, monkeypatch):
    monkeypatch.setattr(assets, "STATIC", tmp_path)
    monkeypatch.setattr(assets, "VENDORED", {})
    (tmp_path / "site.css").write_text("body { color: black; }")
    registry = Assets(watch=True)
    before = registry.url_name("site.css")
    assert re.fullmatch(r"site\.[0-9a-f]{16}\.css", before)
    (tmp_path / "site.css").write_text("body { color: navy; }")
    stat = (tmp_path / "site.css").stat()
    os.utime(tmp_path / "site.css", ns=(stat.st_atime_ns, stat.st_mtime_ns + 10**9))
    after = registry.url_name("site.css")
    assert after != before
    assert after in registry.by_url and before not in registry.by_url
    assert Assets(watch=False).url_name("site.css") == after
    with pytest.raises(KeyError):
        registry.url_name("missing.css")
