"""The API keeps the promises of its own OpenAPI document.

schemathesis reads /api/v1/openapi.json from the app itself (no server), generates valid
and invalid requests for every operation from the schemas, and checks each response: no
server error, a documented status and content type, a body that matches its schema, valid
data accepted and invalid data refused, and requests without the token refused. The token
belongs to a user whose workspace has data in every state (and a partner with two revealed
rounds and an outcome), so the generated ids meet real rows as well as missing ones.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from datetime import timedelta
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis import checks
from schemathesis.generation.meta import GenerationMode, ParameterLocation

from fitcheck import create_app
from fitcheck.extensions import db
from fitcheck.models import Assessment, Kind, Phase, Respondent, Side, TraitSet
from fitcheck.services import api_tokens, assessments, commitments, outcomes, workshops
from fitcheck.services.answers import AnswerInput, save_answers
from fitcheck.services.respondents import add_respondent


@pytest.fixture
def app_config(app_config: dict[str, Any]) -> dict[str, Any]:
    # Hundreds of generated requests with one token (and the missing-token probes) would end
    # in the API's rate limits. Not RATELIMIT_ENABLED=False: the limiter is one object for
    # the whole process and would stay disabled for every app built after this one.
    return {**app_config, "API_RATE_LIMIT": "100000/minute", "API_MISS_RATE_LIMIT": "100000/minute"}


def _answer_all(respondents: Iterable[Respondent], assessment: Assessment) -> None:
    """Submit every trait for each respondent, can't-judge on the client's self-view."""
    for respondent in respondents:
        answers = [
            AnswerInput(
                trait_key=trait.key,
                other=1 + (trait.position + respondent.id) % 5,
                self_=None if respondent.side is Side.CLIENT else 4,
                self_cant_judge=respondent.side is Side.CLIENT,
                importance=3,
            )
            for trait in assessment.traits
        ]
        save_answers(respondent, answers, submit=True)


@pytest.fixture
def api_token(make_user, make_assessment) -> str:
    user = make_user()
    revealed, tokens = make_assessment(user, company=2, client=2)
    _answer_all(tokens, revealed)
    assessments.reveal(revealed)
    # Partner 1 (the first id, which the generated ids meet) has a second round, so its
    # timeline shows a change, and an outcome after it, so the portfolio analysis has a round.
    # Commitment 1, made in the first round, is carried into the second at its launch.
    commitments.add_commitment(
        revealed, trait_id=revealed.traits[0].id, side=Side.COMPANY, action="Call weekly"
    )
    partner = revealed.partner
    trait_set = db.session.get(TraitSet, revealed.source_trait_set_id)
    later = assessments.create_assessment(
        partner, trait_set, kind=Kind.ANNUAL_REVIEW, previous=revealed
    )
    people = [add_respondent(later, side=side, name=side.value)[0] for side in Side]
    assessments.launch(later, invite=False)
    _answer_all(people, later)
    assessments.reveal(later)
    outcomes.record_outcome(
        partner,
        period="2026",
        observed_on=later.revealed_at.date() + timedelta(days=1),
        satisfaction=7,
    )
    make_assessment(user)  # collecting
    make_assessment(user, launch=False)  # draft
    # Workshop 1 ended in the trait set the rounds use; workshop 2's room is voting.
    workshops.demo_workshop(user.workspace_id, user, trait_set)
    voting = workshops.open_workshop(user.workspace_id)
    person = workshops.join(voting, name="Aoi")[0]
    workshops.write_note(person, text="Responds quickly", self_rating=3)
    workshops.advance(voting, expected=Phase.WRITE)
    return api_tokens.create_token(user, "schemathesis")[1]


# The document is read once, at collection, from an app without a database (serving it
# needs none); every generated request then goes to the test's own `app`, on SQLite and on
# PostgreSQL. (schemathesis' lazy `from_fixture` loader does not run under pytest 9.)
schema = schemathesis.openapi.from_wsgi(
    "/api/v1/openapi.json",
    create_app(
        {
            "TESTING": True,
            "SECRET_KEY": secrets.token_urlsafe(32),
            "SQLALCHEMY_DATABASE_URI": "sqlite://",
        }
    ),
)


@schema.parametrize()
@settings(
    max_examples=20,
    deadline=None,
    # The fixtures build the data once per test, on purpose: every example meets the same rows.
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
def test_the_api_honours_its_openapi_document(case, app, api_token):
    # The test sends its own valid token with every request. When schemathesis made a case
    # invalid through its headers (a missing Authorization), the token makes it valid again,
    # and a 200 is right, not "invalid data accepted"; such cases skip that one check. A
    # missing token is still probed (`ignored_auth`), and invalid bodies and query strings
    # with valid headers still have to be refused.
    headers = case.meta.components.get(ParameterLocation.HEADER) if case.meta else None
    overridden = headers is not None and headers.mode is GenerationMode.NEGATIVE
    excluded = [checks.negative_data_rejection] if overridden else []
    # Schemathesis asks for gzip but reads a WSGI app's body as it comes: ask for it plain
    # (compression has tests of its own in test_assets.py).
    sent = {"Authorization": f"Bearer {api_token}", "Accept-Encoding": "identity"}
    response = case.call(app=app, headers=sent)
    if _refused_by_a_rule_it_cannot_state(response):
        excluded.append(checks.positive_data_acceptance)
    case.validate_response(
        response,
        headers=sent,
        excluded_checks=excluded or None,
        transport_kwargs={"app": app, "headers": sent},
    )


# Dates have a range that moves with today (a deadline later than now and at most five
# years ahead; an outcome's or a commitment's date from 2000-01-01 to five years ahead,
# docs/api.md), which OpenAPI 3.0 cannot state: a generated date outside it is refused with
# a 422 that names that date alone. That is the documented rule, not valid data rejected.
DATE_FIELDS = {"deadline", "observed_on", "due_on"}
# Likewise a commitment's `trait_key` must be one of its round's traits, which the document
# cannot list: a generated key is refused with a 422 that names that key alone.
ROUND_FIELDS = {"trait_key"}


def _refused_by_a_rule_it_cannot_state(response: Any) -> bool:
    if response.status_code != 422:
        return False
    problems = (response.json().get("error") or {}).get("fields") or {}
    return bool(problems) and set(problems) <= DATE_FIELDS | ROUND_FIELDS
