"""The committed plotly.js bundles (built by `make plotly-bundle` from js/plotly): present
with their precompressed copies, built from today's entry files, and of the plotly.js that
the installed plotly package ships, so upgrading plotly without rebuilding them fails here.
"""

from __future__ import annotations

import gzip
import json
import re
from pathlib import Path

import brotli
import plotly
import pytest

ROOT = Path(__file__).resolve().parents[1]
VENDOR = ROOT / "fitcheck" / "static" / "vendor"
JS = ROOT / "js" / "plotly"
BUNDLES = ["round", "analysis"]
PLOTLY_MIN_JS = Path(plotly.__file__).resolve().parent / "package_data" / "plotly.min.js"
BANNER = re.compile(
    r"\A/\*! plotly\.js v(?P<version>\S+) \(fitcheck bundle: (?P<name>\w+) — "
    r"(?P<traces>\w+(?:, \w+)*)\) \| MIT \*/\n"
)
EXACT = re.compile(r"^\d+\.\d+\.\d+$")


def python_plotly_js_version() -> str:
    """The plotly.js version in the header of the plotly package's own plotly.min.js."""
    with PLOTLY_MIN_JS.open("rb") as script:
        header = script.read(300).decode("utf-8")
    match = re.search(r"plotly\.js v(\d+\.\d+\.\d+)", header)
    assert match, f"no plotly.js version in the header of {PLOTLY_MIN_JS}"
    return match[1]


def bundle(name: str) -> Path:
    return VENDOR / f"plotly-{name}.min.js"


def registered_traces(name: str) -> list[str]:
    """The trace types that js/plotly/src/<name>.js registers, in its order."""
    source = (JS / "src" / f"{name}.js").read_text(encoding="utf-8")
    found = re.findall(r"require\('plotly\.js/lib/(\w+)'\)", source)
    return [trace for trace in found if trace != "core"]


@pytest.mark.parametrize("name", BUNDLES)
def test_each_bundle_has_gzip_and_brotli_copies_of_exactly_its_bytes(name: str) -> None:
    script = bundle(name).read_bytes()
    gz = bundle(name).with_name(bundle(name).name + ".gz").read_bytes()
    br = bundle(name).with_name(bundle(name).name + ".br").read_bytes()
    assert gzip.decompress(gz) == script
    assert brotli.decompress(br) == script
    assert gz[4:8] == b"\0\0\0\0", "a gzip time stamp makes every rebuild differ"
    assert len(br) < len(gz) < len(script) // 2


@pytest.mark.parametrize("name", BUNDLES)
def test_each_bundle_is_the_plotly_js_of_plotly_with_its_entrys_traces(name: str) -> None:
    text = bundle(name).read_text(encoding="utf-8")
    banner = BANNER.match(text)
    assert banner, text[:200]
    assert banner["version"] == python_plotly_js_version(), "run `make plotly-bundle`"
    assert banner["name"] == name
    assert banner["traces"].split(", ") == registered_traces(name), "run `make plotly-bundle`"
    # A script that defines the global `Plotly`, which static/charts.js draws with.
    assert text[banner.end() :].startswith('"use strict";var Plotly=(()=>{')


def test_the_round_and_analysis_bundles_hold_what_their_pages_draw() -> None:
    assert {"scatterpolar", "bar", "scatter"} <= set(registered_traces("round"))
    assert {"scatter", "surface", "scatter3d"} <= set(registered_traces("analysis"))


def test_js_plotly_pins_exactly_the_plotly_js_of_the_installed_plotly_package() -> None:
    version = python_plotly_js_version()
    package = json.loads((JS / "package.json").read_text(encoding="utf-8"))
    lock = json.loads((JS / "package-lock.json").read_text(encoding="utf-8"))
    assert package["private"] is True
    pinned = package["devDependencies"]
    assert pinned["plotly.js"] == version
    assert all(EXACT.match(spec) for spec in pinned.values()), pinned
    assert lock["packages"][""]["devDependencies"] == pinned
    assert lock["packages"]["node_modules/plotly.js"]["version"] == version
    assert lock["packages"]["node_modules/esbuild"]["version"] == pinned["esbuild"]
