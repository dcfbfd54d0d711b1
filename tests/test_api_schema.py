"""The API keeps the promises of its own OpenAPI document.

schemathesis reads /api/v1/openapi.json from the app itself (no server), generates valid
and invalid requests for every operation from the schemas, and checks each response: no
server error, a documented status and content type, a body that matches its schema, valid
data accepted and invalid data refused, and requests without the token refused. The token
belongs to a user whose workspace has data in every state, so the generated ids meet real
rows as well as missing ones.
"""

from __future__ import annotations

import secrets
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, settings

from fitcheck import create_app
from fitcheck.models import Side
from fitcheck.services import api_tokens, assessments
from fitcheck.services.assessments import AnswerInput


@pytest.fixture
def app_config(app_config: dict[str, Any]) -> dict[str, Any]:
    # Hundreds of generated requests with one token (and the missing-token probes) would end
    # in the API's rate limits. Not RATELIMIT_ENABLED=False: the limiter is one object for
    # the whole process and would stay disabled for every app built after this one.
    return {**app_config, "API_RATE_LIMIT": "100000/minute", "API_MISS_RATE_LIMIT": "100000/minute"}


@pytest.fixture
def api_token(make_user, make_assessment) -> str:
    user = make_user()
    revealed, tokens = make_assessment(user, company=2, client=2)
    for respondent in tokens:
        answers = [
            AnswerInput(
                trait_key=trait.key,
                other=1 + (trait.position + respondent.id) % 5,
                self_=None if respondent.side is Side.CLIENT else 4,
                self_cant_judge=respondent.side is Side.CLIENT,
                importance=3,
            )
            for trait in revealed.traits
        ]
        assessments.save_answers(respondent, answers, submit=True)
    assessments.reveal(revealed)
    make_assessment(user)  # collecting
    make_assessment(user, launch=False)  # draft
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
    case.call_and_validate(app=app, headers={"Authorization": f"Bearer {api_token}"})
