"""What a person does first, in a real browser: sign up, sign in and out, pick a language,
use it on a phone and with the keyboard alone."""

from __future__ import annotations

import re
import secrets
from collections.abc import Callable
from pathlib import Path

import pytest
from babel.support import Translations
from playwright.sync_api import Page, expect

import fitcheck
from fitcheck.services import demo
from fitcheck.services.partners import PER_PAGE

from ..support import PASSWORD
from .conftest import PHONE, LiveApp

Screenshot = Callable[..., Path]
CATALOGS = Path(fitcheck.__file__).resolve().parent / "translations"
PARTNERS_URL = re.compile(r"/partners/$")


def japanese_for(message: str) -> str | None:
    """The compiled Japanese catalog's translation of `message`, or None while it has none.

    The catalog is being written alongside these tests: asserting a Japanese word it does
    not contain yet would test that work in progress, not the language switch.
    """
    catalog = Translations.load(str(CATALOGS), locales=["ja"])
    translated = catalog.gettext(message)
    return translated if translated and translated != message else None


def sign_in(page: Page, base_url: str, email: str, password: str) -> None:
    page.goto(f"{base_url}/sign-in")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_role("button", name="Sign in").click()


def test_person_signs_up_lands_on_partners_signs_out_and_back_in(
    page: Page,
    mail_server: LiveApp,
    screenshot: Screenshot,
) -> None:
    live_server = mail_server.url
    email = f"haruka-{secrets.token_hex(3)}@example.com"
    page.goto(live_server)
    page.get_by_role("link", name="Create a workspace").click()
    expect(page).to_have_url(f"{live_server}/sign-up")
    page.get_by_label("Company name").fill("Hamamatsu Creative Works")
    page.get_by_label("Your name").fill("Sato Haruka")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_label("Repeat the password").fill(PASSWORD)
    screenshot(page, "sign-up-filled")
    page.get_by_role("button", name="Create workspace").click()

    # Nothing exists before the address is confirmed through the mailed link.
    expect(page.get_by_role("heading", level=1)).to_have_text("Check your email")
    expect(page.get_by_text(email)).to_be_visible()
    screenshot(page, "check-your-email")
    page.goto(mail_server.link("sign_up_confirm", email))
    expect(page.get_by_text("Hamamatsu Creative Works")).to_be_visible()
    page.get_by_role("button", name="Create the workspace").click()

    expect(page).to_have_url(PARTNERS_URL)
    expect(page.get_by_role("status")).to_have_text("Welcome to fitcheck. Your workspace is ready.")
    expect(page.get_by_role("heading", level=1)).to_have_text("Partners")
    expect(page.get_by_text("No partners yet.")).to_be_visible()
    expect(page.get_by_role("link", name="Sato Haruka")).to_be_visible()
    screenshot(page, "partners-after-sign-up")

    page.get_by_role("button", name="Sign out").click()
    expect(page).to_have_url(f"{live_server}/sign-in")
    expect(page.get_by_role("status")).to_have_text("You are signed out.")
    expect(page.get_by_role("link", name="Sato Haruka")).to_have_count(0)
    page.goto(f"{live_server}/partners/")
    expect(page).to_have_url(re.compile(r"/sign-in\?next="))
    screenshot(page, "signed-out")

    page.get_by_label("Email").fill(email)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(PARTNERS_URL)
    expect(page.get_by_role("link", name="Sato Haruka")).to_be_visible()


def test_demo_owner_signs_in_and_sees_the_demo_partners(
    page: Page, demo_server: str, screenshot: Screenshot
) -> None:
    sign_in(page, demo_server, demo.DEMO_EMAIL, demo.DEMO_PASSWORD)

    expect(page).to_have_url(PARTNERS_URL)
    rows = page.locator("table tbody tr td:first-child")
    names = sorted((plan.name for plan in demo.PLANS + demo.GENERATED_PLANS), key=str.lower)
    expect(rows).to_have_text(names[:PER_PAGE])  # by name, a page at a time
    screenshot(page, "partners")
    # The hand-written partners, whose rounds the guide walks through, are a search away.
    for plan in demo.PLANS:
        page.get_by_role("searchbox").fill(plan.name)
        page.get_by_role("searchbox").press("Enter")
        expect(rows).to_have_text([plan.name])


def test_language_form_in_the_header_switches_the_page_to_japanese(
    page: Page, demo_server: str, screenshot: Screenshot
) -> None:
    sign_in(page, demo_server, demo.DEMO_EMAIL, demo.DEMO_PASSWORD)
    expect(page).to_have_url(PARTNERS_URL)
    expect(page.locator("html")).to_have_attribute("lang", "en")

    page.get_by_label("Language").select_option("ja")
    page.get_by_role("button", name="Change").click()

    expect(page).to_have_url(PARTNERS_URL)
    expect(page.locator("html")).to_have_attribute("lang", "ja")
    expect(page.locator("#locale")).to_have_value("ja")
    expect(page.locator("#locale option:checked")).to_have_text("日本語")
    # The nav in Japanese only once the compiled catalog translates it (see japanese_for).
    partners_ja = japanese_for("Partners")
    if partners_ja is not None:
        expect(page.locator("nav.navbar a[href='/partners/']")).to_have_text(partners_ja)
    screenshot(page, "partners-ja")

    # The choice is the user's: it survives a fresh page load.
    page.goto(f"{demo_server}/partners/")
    expect(page.locator("html")).to_have_attribute("lang", "ja")


def test_browser_asking_for_japanese_gets_japanese_without_choosing(
    new_page: Callable[..., Page], live_server: str, screenshot: Screenshot
) -> None:
    page = new_page(locale="ja-JP")
    page.goto(live_server)

    expect(page.locator("html")).to_have_attribute("lang", "ja")
    expect(page.locator("#locale")).to_have_value("ja")
    screenshot(page, "home-ja")


@pytest.mark.parametrize("locale", ["en-US", "ja-JP"])
def test_sign_in_page_fits_a_phone_and_the_nav_folds_behind_the_toggler(
    new_page: Callable[..., Page], live_server: str, screenshot: Screenshot, locale: str
) -> None:
    page = new_page(viewport=PHONE, locale=locale, is_mobile=True, has_touch=True)
    page.goto(f"{live_server}/sign-in")

    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    toggler = page.locator("button.navbar-toggler")
    menu = page.locator("#nav")
    expect(toggler).to_be_visible()
    expect(toggler).to_have_attribute("aria-expanded", "false")
    expect(menu).to_be_hidden()
    expect(page.locator("#email")).to_be_visible()
    screenshot(page, "sign-in")

    toggler.click()
    expect(toggler).to_have_attribute("aria-expanded", "true")
    expect(menu).to_be_visible()
    expect(menu.locator("#locale")).to_be_visible()
    # The sign-in page does not offer itself again in the menu.
    expect(menu.locator("a[href='/sign-in']")).to_have_count(0)
    expect(menu).to_have_class(re.compile(r"(^|\s)show(\s|$)"))  # the slide-down finished
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    screenshot(page, "menu-open")


def test_sign_in_form_works_with_the_keyboard_alone(
    page: Page, demo_server: str, screenshot: Screenshot
) -> None:
    page.goto(f"{demo_server}/sign-in")

    page.keyboard.press("Tab")
    expect(page.get_by_role("link", name="Skip to content")).to_be_focused()
    for _ in range(10):
        if page.evaluate("document.activeElement.id") == "email":
            break
        page.keyboard.press("Tab")
    email = page.locator("#email")
    expect(email).to_be_focused()
    page.keyboard.type(demo.DEMO_EMAIL)
    page.keyboard.press("Tab")
    expect(page.locator("#password")).to_be_focused()
    page.keyboard.type(demo.DEMO_PASSWORD)
    screenshot(page, "typed", full_page=False)
    page.keyboard.press("Enter")

    expect(page).to_have_url(PARTNERS_URL)
    expect(page.get_by_role("heading", level=1)).to_have_text("Partners")


# Each button's height with its label forced onto one line, compared with its height now.
# A label broken mid-word ('Cha|nge', '変|更') once came from `overflow-wrap: anywhere`.
WRAPPED_BUTTONS = """() => [...document.querySelectorAll('button, .btn, input[type=submit]')]
  .filter((el) => el.offsetParent !== null && !el.classList.contains('navbar-toggler'))
  .filter((el) => {
    const now = el.getBoundingClientRect().height;
    const before = el.style.whiteSpace;
    el.style.whiteSpace = 'nowrap';
    const oneLine = el.getBoundingClientRect().height;
    el.style.whiteSpace = before;
    return now > oneLine + 1;
  })
  .map((el) => (el.value || el.textContent).trim())"""


def test_button_labels_stay_on_one_line_on_desktop_and_phone(
    new_page: Callable[..., Page], demo_server: str
) -> None:
    wrapped = {}
    desktop = new_page()
    sign_in(desktop, demo_server, demo.DEMO_EMAIL, demo.DEMO_PASSWORD)
    expect(desktop).to_have_url(PARTNERS_URL)
    wrapped["desktop partners"] = desktop.evaluate(WRAPPED_BUTTONS)
    phone = new_page(viewport=PHONE, is_mobile=True, has_touch=True)
    phone.goto(f"{demo_server}/sign-in")
    phone.locator("button.navbar-toggler").click()
    expect(phone.locator("#nav")).to_have_class(re.compile(r"(^|\s)show(\s|$)"))
    wrapped["phone menu"] = phone.evaluate(WRAPPED_BUTTONS)

    assert wrapped == {"desktop partners": [], "phone menu": []}
