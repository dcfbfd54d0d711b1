"""A workspace's language and currency: set at sign-up, kept by its owners on the settings
page (CSRF, validation, nothing lost on an error), held by the schema, and every amount
shown with the workspace's currency in the reader's language. On SQLite and PostgreSQL."""

from __future__ import annotations

import html
import json
import re
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from fitcheck import money
from fitcheck.extensions import db
from fitcheck.models import Outcome, Role, User, Workspace, utcnow
from fitcheck.services import ServiceError, api_tokens, workspaces
from fitcheck.services import outcomes as outcome_service
from fitcheck.services.results import local_date

from .support import csrf_token
from .test_auth import confirm_sign_up, sign_up

SETTINGS = "/workspace"


def _save(client: Any, data: dict[str, str], *, token: bool = True) -> Any:
    if token:
        data = {**data, "csrf_token": csrf_token(client, SETTINGS)}
    return client.post(SETTINGS, data=data)


def _reload(workspace: Workspace) -> Workspace:
    db.session.expire_all()
    found = db.session.get(Workspace, workspace.id)
    assert found is not None
    return found


def _selected(page: str, name: str) -> list[str]:
    """The values the page's select `name` has selected."""
    select_html = re.search(rf'<select[^>]*name="{name}"[^>]*>(.*?)</select>', page, re.S)
    assert select_html, f"no select {name}"
    return re.findall(r'<option selected value="([^"]*)"', select_html.group(1))


# --------------------------------------------------------------------------------------------
# Formatting: pure
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("amount", "currency", "locale", "expected"),
    [
        (Decimal("3260000"), "JPY", "en", "¥3,260,000"),
        (Decimal("3260000.00"), "JPY", "en", "¥3,260,000"),
        # CLDR writes the yen full-width in Japanese.
        (Decimal("3260000"), "JPY", "ja", "￥3,260,000"),
        (Decimal("1200.5"), "USD", "en", "$1,200.50"),
        (Decimal("1200.50"), "USD", "ja", "$1,200.50"),
        (Decimal("1200.5"), "EUR", "en", "€1,200.50"),
        # A stored digit beyond the currency's usual decimals is shown, never rounded away.
        (Decimal("3260000.50"), "JPY", "en", "¥3,260,000.5"),
        (None, "JPY", "en", "—"),
    ],
)
def test_an_amount_is_written_with_its_currency_the_readers_way(amount, currency, locale, expected):
    assert money.format_amount(amount, currency, locale) == expected


def test_every_offered_currency_has_a_name_and_a_symbol_in_both_languages():
    assert money.DEFAULT_CURRENCY == "JPY" and len(set(money.CURRENCIES)) == 13
    for code in money.CURRENCIES:
        for locale in ("en", "ja"):
            name = money.currency_name(code, locale)
            assert name.startswith(f"{code} — ") and len(name) > len(code) + 3
            assert money.format_amount(1, code, locale) != "1"


# --------------------------------------------------------------------------------------------
# Sign-up and the schema
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("language", ["ja", "en"])
def test_a_new_workspace_speaks_the_language_of_whoever_signed_up(client, language):
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = language
    assert sign_up(client, email="haruka@example.com").status_code == 200
    # The page's language at sign-up is what counts, not the confirmation's.
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en" if language == "ja" else "ja"
    assert confirm_sign_up(client).status_code == 302
    user = db.session.scalar(select(User).where(User.email == "haruka@example.com"))
    assert user is not None
    assert user.workspace.language == language
    assert user.workspace.currency == "JPY"


@pytest.mark.parametrize(
    ("column", "value"), [("language", "fr"), ("currency", "XYZ"), ("currency", "jpy")]
)
def test_the_schema_refuses_an_unknown_language_or_currency(make_user, column, value):
    workspace_id = make_user().workspace_id
    with pytest.raises(IntegrityError):
        db.session.execute(
            update(Workspace).where(Workspace.id == workspace_id).values({column: value})
        )
        db.session.flush()
    db.session.rollback()


def test_the_service_refuses_what_the_form_would_not_offer(make_user):
    workspace = make_user().workspace
    for language, currency, field in (("fr", "JPY", "language"), ("en", "XYZ", "currency")):
        with pytest.raises(ServiceError) as raised:
            workspaces.save_settings(
                workspace, name="Renamed", language=language, currency=currency
            )
        assert raised.value.field == field
        db.session.rollback()
    workspace = _reload(workspace)
    assert (workspace.language, workspace.currency) == ("en", "JPY")
    assert workspace.name != "Renamed"


# --------------------------------------------------------------------------------------------
# The settings page
# --------------------------------------------------------------------------------------------


def test_owner_sets_the_language_and_the_currency(client, make_user, sign_in):
    owner = make_user("owner@example.com")
    sign_in(owner.email)
    page = client.get(SETTINGS).get_data(as_text=True)
    assert _selected(page, "language") == ["en"] and _selected(page, "currency") == ["JPY"]
    for code in money.CURRENCIES:
        assert f'value="{code}"' in page
    assert "JPY — Japanese Yen" in html.unescape(page)

    response = _save(client, {"name": "Minato Trading", "language": "ja", "currency": "USD"})
    assert response.status_code == 302 and response.headers["Location"] == SETTINGS
    workspace = _reload(owner.workspace)
    assert (workspace.name, workspace.language, workspace.currency) == (
        "Minato Trading",
        "ja",
        "USD",
    )
    page = client.get(SETTINGS).get_data(as_text=True)
    assert "The workspace is saved." in page
    assert _selected(page, "language") == ["ja"] and _selected(page, "currency") == ["USD"]


def test_currencies_are_named_in_the_readers_language(client, make_user, sign_in):
    owner = make_user("owner@example.com")
    owner.locale = "ja"
    db.session.commit()
    sign_in(owner.email)
    page = html.unescape(client.get(SETTINGS).get_data(as_text=True))
    assert "JPY — 日本円" in page and "USD — 米ドル" in page


def test_a_post_of_the_name_alone_keeps_the_language_and_the_currency(client, make_user, sign_in):
    owner = make_user("owner@example.com")
    owner.workspace.language, owner.workspace.currency = "ja", "EUR"
    db.session.commit()
    sign_in(owner.email)
    assert _save(client, {"name": "Renamed"}).status_code == 302
    workspace = _reload(owner.workspace)
    assert (workspace.name, workspace.language, workspace.currency) == ("Renamed", "ja", "EUR")


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        (
            {"name": "Kept name", "language": "fr", "currency": "USD"},
            "language",
            "Choose one of the offered languages.",
        ),
        (
            {"name": "Kept name", "language": "ja", "currency": "XYZ"},
            "currency",
            "Choose one of the offered currencies.",
        ),
        (
            {"name": "Kept name", "language": "ja", "currency": ""},
            "currency",
            "Choose one of the offered currencies.",
        ),
        ({"name": "", "language": "ja", "currency": "USD"}, "name", "This field is required."),
    ],
)
def test_a_refused_value_says_why_and_keeps_everything_typed(
    client, make_user, sign_in, data, field, message
):
    owner = make_user("owner@example.com")
    sign_in(owner.email)
    response = _save(client, data)
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    error = re.search(rf'id="{field}-error"[^>]*>(.*?)</div>', page, re.S)
    assert error and message in html.unescape(error.group(1))
    assert re.search(rf'<(input|select)[^>]*aria-invalid="true"[^>]*name="{field}"', page) or (
        re.search(rf'<(input|select)[^>]*name="{field}"[^>]*aria-invalid="true"', page)
    )
    # What was typed is still there, the valid choices included.
    assert f'value="{data["name"]}"' in page
    if data["language"] in ("en", "ja"):
        assert _selected(page, "language") == [data["language"]]
    if data["currency"] in money.CURRENCIES:
        assert _selected(page, "currency") == [data["currency"]]
    workspace = _reload(owner.workspace)
    assert (workspace.name, workspace.language, workspace.currency) == (
        "Workspace of owner@example.com",
        "en",
        "JPY",
    )


def test_the_settings_need_a_csrf_token(client, make_user, sign_in):
    owner = make_user("owner@example.com")
    sign_in(owner.email)
    data = {"name": "Forged", "language": "ja", "currency": "USD"}
    assert _save(client, data, token=False).status_code == 400
    assert _save(client, {**data, "csrf_token": "forged"}, token=False).status_code == 400
    workspace = _reload(owner.workspace)
    assert (workspace.language, workspace.currency) == ("en", "JPY")


def test_members_cannot_change_the_language_or_the_currency(client, make_user, sign_in):
    owner = make_user("owner@example.com")
    make_user("member@example.com", workspace=owner.workspace, role=Role.MEMBER)
    sign_in("member@example.com")
    assert client.get(SETTINGS).status_code == 403
    token = csrf_token(client, "/partners/")
    data = {"name": "Taken", "language": "ja", "currency": "USD", "csrf_token": token}
    assert client.post(SETTINGS, data=data).status_code == 403
    workspace = _reload(owner.workspace)
    assert (workspace.language, workspace.currency) == ("en", "JPY")


# --------------------------------------------------------------------------------------------
# Amounts with their currency, wherever they are shown
# --------------------------------------------------------------------------------------------


def _with_currency(user: User, currency: str, *, locale: str | None = None) -> None:
    user.workspace.currency = currency
    user.locale = locale
    db.session.commit()


@pytest.mark.parametrize(
    ("currency", "locale", "shown", "label"),
    [
        ("JPY", "en", "¥3,260,000", "Revenue (JPY)"),
        ("USD", "en", "$3,260,000.00", "Revenue (USD)"),
        ("JPY", "ja", "￥3,260,000", None),
        ("EUR", "ja", "€3,260,000.00", None),
    ],
)
def test_the_partner_page_shows_revenue_with_the_workspaces_currency(
    client, make_user, make_partner, sign_in, currency, locale, shown, label
):
    owner = make_user("owner@example.com")
    _with_currency(owner, currency, locale=locale)
    partner = make_partner(owner.workspace, "Sakura Trading")
    outcome_service.record_outcome(
        partner, period="2025", observed_on=date(2025, 12, 31), revenue=Decimal("3260000")
    )
    sign_in(owner.email)
    page = client.get(f"/partners/{partner.id}").get_data(as_text=True)
    assert f">{shown}</td>" in page
    assert "3,260,000.00<" not in page.replace(shown, "")  # no bare number beside it
    # The form that takes an amount names the currency, and so does the table's column.
    field_label = re.search(r'<label[^>]*for="revenue"[^>]*>(.*?)</label>', page, re.S)
    assert field_label and currency in field_label.group(1)
    if label:
        assert field_label.group(1).strip() == label
        assert f">{label}</th>" in page


def test_the_outcome_forms_name_the_currency_and_keep_it_on_an_error(
    client, make_user, make_partner, sign_in
):
    owner = make_user("owner@example.com")
    _with_currency(owner, "GBP")
    partner = make_partner(owner.workspace, "Sakura Trading")
    outcome, _ = outcome_service.record_outcome(
        partner, period="2025", observed_on=date(2025, 12, 31), revenue=Decimal("10")
    )
    sign_in(owner.email)
    edit = client.get(f"/outcomes/{outcome.id}/edit").get_data(as_text=True)
    assert "Revenue (GBP)" in edit
    url = f"/outcomes/partners/{partner.id}/new"
    response = client.post(
        url,
        data={
            "period": "2026",
            "observed_on": "2026-06-30",
            "revenue": "-5",
            "csrf_token": csrf_token(client, f"/partners/{partner.id}"),
        },
    )
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "Revenue (GBP)" in page and 'value="-5"' in page and 'id="revenue-error"' in page
    import_page = client.get("/outcomes/import").get_data(as_text=True)
    assert "An amount in GBP from 0 to" in import_page


def test_the_analysis_shows_revenue_with_the_currency(
    client, worked_example, sign_in, make_partner
):
    assessment, owner = worked_example()
    _with_currency(owner, "USD")
    outcome_service.record_outcome(
        assessment.partner,
        period="FY2026",
        observed_on=local_date(utcnow()),
        revenue=Decimal("1200.5"),
        satisfaction=7,
    )
    sign_in(owner.email)
    page = client.get("/portfolio/analysis?measure=revenue").get_data(as_text=True)
    assert ">$1,200.50</td>" in page
    assert re.search(r'<option value="revenue"\s*selected>Revenue \(USD\)</option>', page)
    figure = re.search(r'class="fc-figure">(.*?)</script>', page, re.S)
    if figure:  # drawn once enough rounds are fitted: its Z axis names the currency
        assert "Revenue (USD)" in json.dumps(json.loads(figure.group(1)), ensure_ascii=False)
    # Another measure is no amount: no currency beside it.
    other = client.get("/portfolio/analysis?measure=satisfaction").get_data(as_text=True)
    assert "$" not in re.sub(r"<script.*?</script>", "", other, flags=re.S)
    assert ">7</td>" in other


def test_the_api_names_the_currency_of_every_amount(client, worked_example):
    assessment, owner = worked_example()
    _with_currency(owner, "EUR")
    partner = assessment.partner
    outcome_service.record_outcome(
        partner, period="2025", observed_on=local_date(utcnow()), revenue=Decimal("99.5")
    )
    token = api_tokens.create_token(owner, "Tests")[1]
    headers = {"Authorization": f"Bearer {token}"}
    listed = client.get(f"/api/v1/partners/{partner.id}/outcomes", headers=headers).json
    assert listed[0]["revenue"] == 99.5 and listed[0]["currency"] == "EUR"
    analysis = client.get("/api/v1/portfolio/analysis?measure=revenue", headers=headers).json
    assert analysis["currency"] == "EUR" and analysis["rounds"][0]["z"] == 99.5
    other = client.get("/api/v1/portfolio/analysis?measure=satisfaction", headers=headers).json
    assert other["currency"] is None
    put = client.put(
        f"/api/v1/partners/{partner.id}/outcomes/2026",
        headers=headers,
        json={"observed_on": "2026-01-31", "revenue": 10},
    )
    assert put.status_code == 201 and put.json["currency"] == "EUR"
    assert db.session.scalar(select(Outcome.revenue).where(Outcome.period == "2026")) == 10
