"""One statement of what an outcome's values may be (`fitcheck.services.outcome_rules`),
held by every door: the outcome form, the CSV import and the API refuse the same values
with the same message, and accept the same edge values."""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy import func, select

from fitcheck.extensions import db
from fitcheck.models import Outcome, Partner, User
from fitcheck.services import ServiceError, api_tokens, dates, outcome_rules
from fitcheck.services import outcomes as service

from .support import csrf_token

MAX_REVENUE = "999999999999.99"

# A value as each door reads it: the form's and the file's text, and the API's JSON.
BAD = {
    "satisfaction 11": ("satisfaction", "11", 11, outcome_rules.SATISFACTION_MESSAGE),
    "satisfaction −1": ("satisfaction", "-1", -1, outcome_rules.SATISFACTION_MESSAGE),
    "revenue −1": ("revenue", "-1", -1, outcome_rules.REVENUE_MESSAGE),
    "revenue 1e13": ("revenue", "1e13", 1e13, outcome_rules.REVENUE_MESSAGE),
    "revenue a cent over": ("revenue", "1000000000000", 1e12, outcome_rules.REVENUE_MESSAGE),
    "a note too long": ("note", "x" * 2001, "x" * 2001, outcome_rules.NOTE_MESSAGE),
    "a period too long": ("period", "x" * 41, "x" * 41, outcome_rules.PERIOD_MESSAGE),
    "a period not starting with a letter or digit": (
        "period",
        "-H1",
        "-H1",
        outcome_rules.PERIOD_MESSAGE,
    ),
    "a day before the range": ("observed_on", "1999-12-31", "1999-12-31", None),
}

GOOD = {
    "satisfaction 0": ("satisfaction", "0", 0, 0),
    "satisfaction 10": ("satisfaction", "10", 10, 10),
    "revenue 0": ("revenue", "0", 0, Decimal("0.00")),
    "revenue at its maximum": ("revenue", MAX_REVENUE, float(MAX_REVENUE), Decimal(MAX_REVENUE)),
    "revenue in cents": ("revenue", "1200000.5", 1200000.5, Decimal("1200000.50")),
    "a note at its longest": ("note", "n" * 2000, "n" * 2000, "n" * 2000),
    "a period at its longest": ("period", "p" * 40, "p" * 40, "p" * 40),
    "the first day of the range": ("observed_on", "2000-01-01", "2000-01-01", date(2000, 1, 1)),
}

BASE = {"period": "2025", "observed_on": "2025-06-30"}


@pytest.fixture
def owner(make_user, sign_in) -> User:
    user = make_user("o@example.com")
    sign_in("o@example.com")
    return user


@pytest.fixture
def partner(owner, make_partner) -> Partner:
    return make_partner(owner.workspace, "Aozora Design")


def _form(client: FlaskClient, partner: Partner, values: dict[str, str]) -> dict[str, str]:
    """Post the outcome form; the error shown under each field."""
    page = f"/partners/{partner.id}"
    response = client.post(
        f"/outcomes/partners/{partner.id}/new",
        data={**values, "csrf_token": csrf_token(client, page)},
    )
    if response.status_code == 302:
        return {}
    text = response.get_data(as_text=True)
    for value in values.values():  # every value typed is shown again
        assert value in html.unescape(text)
    return {
        field: html.unescape(message).strip()
        for field, message in re.findall(r'id="(\w+)-error"[^>]*>(.*?)</div>', text, re.S)
    }


def _csv(owner: User, partner: Partner, values: dict[str, str]) -> dict[str, str]:
    """Import a one-row file; each column's problem."""
    columns = ["partner", *values]
    row = [partner.name, *values.values()]
    content = ",".join(columns) + "\n" + ",".join(row) + "\n"
    report = service.import_outcomes_csv(
        owner.workspace_id, content.encode(), recorded_by_id=owner.id
    )
    return {error.column: error.message for error in report.errors}


def _api(client: FlaskClient, owner: User, partner: Partner, values: dict[str, Any]) -> dict:
    """PUT the outcome; each field's messages of a 422."""
    token = api_tokens.create_token(owner, "Tests")[1]
    body = {name: value for name, value in values.items() if name != "period"}
    response = client.put(
        f"/api/v1/partners/{partner.id}/outcomes/{values['period']}",
        json=body,
        headers={"Authorization": f"Bearer {token}"},
    )
    if response.status_code in (200, 201):
        return {}
    assert response.status_code == 422, response.get_json()
    return {name: " ".join(texts) for name, texts in response.get_json()["error"]["fields"].items()}


Door = Callable[[FlaskClient, User, Partner, str, Any], dict[str, str]]
DOORS: dict[str, Door] = {
    "form": lambda client, owner, partner, field, value: _form(
        client, partner, {**BASE, field: value[0]}
    ),
    "csv": lambda client, owner, partner, field, value: _csv(
        owner, partner, {**BASE, field: value[0]}
    ),
    "api": lambda client, owner, partner, field, value: _api(
        client, owner, partner, {**BASE, field: value[1]}
    ),
}


def _stored(field: str) -> Any:
    return db.session.scalar(select(getattr(Outcome, field)))


@pytest.mark.parametrize("door", DOORS)
@pytest.mark.parametrize("case", BAD)
def test_every_door_refuses_a_bad_value_with_the_rule_s_message(client, owner, partner, door, case):
    field, text, json_value, message = BAD[case]
    expected = str(message if message is not None else dates.day_range_message())
    problems = DOORS[door](client, owner, partner, field, (text, json_value))
    assert problems == {field: expected}
    assert db.session.scalar(select(func.count(Outcome.id))) == 0


@pytest.mark.parametrize("door", DOORS)
@pytest.mark.parametrize("case", GOOD)
def test_every_door_accepts_an_edge_value(client, owner, partner, door, case):
    field, text, json_value, stored = GOOD[case]
    assert DOORS[door](client, owner, partner, field, (text, json_value)) == {}
    assert _stored(field) == stored


@pytest.mark.parametrize("door", ["form", "csv"])
def test_a_period_with_a_slash_is_refused_by_the_typing_doors(client, owner, partner, door):
    """The API's period is a URL segment: a slash there ends it, and the router answers."""
    problems = DOORS[door](client, owner, partner, "period", ("2025/26", None))
    assert problems == {"period": str(outcome_rules.PERIOD_MESSAGE)}
    assert db.session.scalar(select(func.count(Outcome.id))) == 0


def test_the_service_holds_every_write_to_the_rules(app, make_user, make_partner):
    """Whoever calls the service (the demo, the CLI, a later door) meets the same rules."""
    partner = make_partner(make_user().workspace)
    for values, field in [
        ({"satisfaction": 11}, "satisfaction"),
        ({"satisfaction": True}, "satisfaction"),
        ({"revenue": Decimal("-0.01")}, "revenue"),
        ({"revenue": Decimal("NaN")}, "revenue"),
        ({"note": "x" * 2001}, "note"),
        ({"contract_signed": "yes"}, "contract_signed"),
        ({"period": "a/b"}, "period"),
        ({"observed_on": date(1999, 12, 31)}, "observed_on"),
    ]:
        with pytest.raises(ServiceError) as raised:
            service.record_outcome(
                partner, **{"period": "2025", "observed_on": date(2025, 1, 1), **values}
            )
        assert raised.value.field == field
    outcome, _ = service.record_outcome(
        partner,
        period=" 2025 ",
        observed_on=date(2025, 1, 1),
        revenue=Decimal("12.345"),
        note="  kept  ",
    )
    assert (outcome.period, outcome.revenue, outcome.note) == ("2025", Decimal("12.34"), "kept")
    with pytest.raises(ServiceError) as raised:
        service.update_outcome(
            outcome, period="2025", observed_on=date(2025, 1, 1), satisfaction=-1
        )
    assert raised.value.field == "satisfaction"


def test_the_form_and_the_api_state_the_rule_s_bounds(client, owner, partner):
    form = client.get(f"/outcomes/partners/{partner.id}/new").get_data(as_text=True)
    assert re.search(r'<input[^>]*id="satisfaction"[^>]*max="10" min="0"', form)
    assert re.search(rf'<input[^>]*id="revenue"[^>]*max="{MAX_REVENUE}" min="0"', form)
    assert re.search(r'<input[^>]*id="period"[^>]*maxlength="40"', form)
    assert 'maxlength="2000"' in form
    schema = client.get("/api/v1/openapi.json").get_json()["components"]["schemas"]
    fields = schema["OutcomeWrite"]["properties"]
    assert (fields["satisfaction"]["minimum"], fields["satisfaction"]["maximum"]) == (0, 10)
    assert (fields["revenue"]["minimum"], fields["revenue"]["maximum"]) == (0, float(MAX_REVENUE))
    assert fields["note"]["maxLength"] == 2000
