"""Japanese and English are both first-class: locale choice and a complete catalog."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from babel.messages.pofile import read_po

from fitcheck.extensions import db

from .support import csrf_token

ROOT = Path(__file__).resolve().parents[1]
CATALOG = ROOT / "fitcheck" / "translations" / "ja" / "LC_MESSAGES" / "messages.po"


def test_browser_language_picks_japanese(client):
    page = client.get("/sign-in", headers={"Accept-Language": "ja,en;q=0.5"}).get_data(as_text=True)
    assert '<html lang="ja">' in page
    assert "ログイン" in page


def test_english_is_the_default(client):
    page = client.get("/sign-in", headers={"Accept-Language": "fr"}).get_data(as_text=True)
    assert '<html lang="en">' in page
    assert "Sign in" in page


def test_chosen_language_beats_the_browser_and_sticks_to_the_user(client, make_user, sign_in):
    user = make_user("ito@example.com")
    sign_in("ito@example.com")
    token = csrf_token(client, "/partners/")
    response = client.post(
        "/language",
        data={"locale": "ja", "next": "/partners/", "csrf_token": token},
        headers={"Accept-Language": "en"},
    )
    assert response.headers["Location"] == "/partners/"
    page = client.get("/partners/", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert '<html lang="ja">' in page
    db.session.refresh(user)
    assert user.locale == "ja"


def test_language_switch_refuses_to_redirect_off_site(client):
    token = csrf_token(client, "/sign-in")
    response = client.post(
        "/language", data={"locale": "ja", "next": "https://evil.example/", "csrf_token": token}
    )
    assert response.headers["Location"] == "/"


def test_japanese_catalog_is_complete_and_current(tmp_path):
    template = tmp_path / "messages.pot"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "babel.messages.frontend",
            "extract",
            "-F",
            "babel.cfg",
            # Babel skips folders starting with "_" by default: templates/_macros holds text too.
            "--ignore-dirs",
            ".*",
            "-k",
            "_l",
            "-k",
            "lazy_gettext",
            "-o",
            str(template),
            ".",
        ],
        cwd=ROOT,
        check=True,
        capture_output=True,
    )
    with template.open("rb") as handle:
        source_ids = {message.id for message in read_po(handle) if message.id}
    with CATALOG.open("rb") as handle:
        catalog = read_po(handle)
    translated = {m.id for m in catalog if m.id and m.string and not m.fuzzy}
    missing = sorted(str(i) for i in source_ids - translated)
    assert not missing, f"untranslated in ja (run `make update-catalogs`): {missing}"
    problems = [(message.id, errors) for message, errors in catalog.check()]
    assert not problems
