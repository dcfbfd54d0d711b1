"""JSON null for an optional field means what leaving the field out means, on every
endpoint, and the OpenAPI document says so (every optional request field is nullable)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import select

from fitcheck.extensions import db
from fitcheck.models import Answer, Respondent, TraitSet
from fitcheck.services import api_tokens

Call = Callable[..., Any]


@pytest.fixture
def owner(make_user: Callable[..., Any]) -> Any:
    return make_user()


@pytest.fixture
def api(client: Any, owner: Any) -> Call:
    token = api_tokens.create_token(owner, "Tests")[1]

    def call(method: str, path: str, **kwargs: Any) -> Any:
        return getattr(client, method)(path, headers={"Authorization": f"Bearer {token}"}, **kwargs)

    return call


def _created(response: Any, status: int = 201) -> dict[str, Any]:
    assert response.status_code == status, response.get_data(as_text=True)
    return dict(response.get_json())


def _without(document: dict[str, Any], *keys: str) -> dict[str, Any]:
    return {key: value for key, value in document.items() if key not in keys}


# Each case builds what one request leaves behind, with the field left out ({}) or null.


def _assessment(field: str) -> Callable[[Call, Any, Any, dict[str, Any]], Any]:
    def run(api: Call, owner: Any, make_partner: Any, extra: dict[str, Any]) -> Any:
        trait_set = db.session.scalar(
            select(TraitSet).where(TraitSet.workspace_id == owner.workspace_id)
        )
        body = {
            "partner_id": make_partner(owner.workspace).id,
            "trait_set_id": trait_set.id,
            "kind": "pre_contract",
            **extra,
        }
        return _without(_created(api("post", "/api/v1/assessments", json=body)), "id")

    return run


def _respondent(api: Call, owner: Any, make_partner: Any, extra: dict[str, Any]) -> Any:
    trait_set = db.session.scalar(
        select(TraitSet).where(TraitSet.workspace_id == owner.workspace_id)
    )
    body = {
        "partner_id": make_partner(owner.workspace).id,
        "trait_set_id": trait_set.id,
        "kind": "pre_contract",
    }
    assessment = _created(api("post", "/api/v1/assessments", json=body))
    url = f"/api/v1/assessments/{assessment['id']}/respondents"
    added = _created(api("post", url, json={"side": "client", "name": "Aoki", **extra}))
    respondent = db.session.get(Respondent, added["id"])
    return (respondent.name, respondent.email, respondent.side)


def _response(where: str) -> Callable[[Call, Any, Any, dict[str, Any]], Any]:
    """A respondent's save: `where` is "answer" (the field of an answer) or "body"."""

    def run(api: Call, owner: Any, make_partner: Any, extra: dict[str, Any]) -> Any:
        trait_set = db.session.scalar(
            select(TraitSet).where(TraitSet.workspace_id == owner.workspace_id)
        )
        body = {
            "partner_id": make_partner(owner.workspace).id,
            "trait_set_id": trait_set.id,
            "kind": "pre_contract",
        }
        assessment = _created(api("post", "/api/v1/assessments", json=body))
        base = f"/api/v1/assessments/{assessment['id']}"
        links = [
            _created(api("post", f"{base}/respondents", json={"side": side, "name": side}))
            for side in ("company", "client")
        ]
        _created(api("post", f"{base}/launch"), 200)
        token = links[0]["invite_url"].rstrip("/").rsplit("/", 1)[1]
        keys = [trait["key"] for trait in api("get", "/api/v1/trait-sets").get_json()[0]["traits"]]
        answers = [{"trait_key": key, "other": 4, "self": 3} for key in keys]
        if where == "answer":
            answers = [{**answer, **extra} for answer in answers]
            payload: dict[str, Any] = {"answers": answers, "submit": True}
        else:
            payload = {"answers": answers, **extra}
        saved = _created(api("put", f"/api/v1/responses/{token}", json=payload), 200)
        rows = db.session.scalars(
            select(Answer).where(Answer.respondent_id == links[0]["id"]).order_by(Answer.trait_id)
        )
        stored = [(a.other_rating, a.self_rating, a.importance, a.comment) for a in rows]
        return saved, stored

    return run


def _outcome(api: Call, owner: Any, make_partner: Any, extra: dict[str, Any]) -> Any:
    partner = make_partner(owner.workspace)
    url = f"/api/v1/partners/{partner.id}/outcomes/2025"
    document = _created(api("put", url, json={"observed_on": "2025-12-31", **extra}))
    return _without(document, "id", "partner_id")


CASES = [
    *[
        ("POST /assessments", field, _assessment(field))
        for field in (
            "deadline",
            "min_responses_per_side",
            "share_with_client",
            "reveal_policy",
            "reminder_days",
        )
    ],
    ("POST /assessments/{id}/respondents", "email", _respondent),
    ("PUT /responses/{token}", "importance", _response("answer")),
    ("PUT /responses/{token}", "comment", _response("answer")),
    ("PUT /responses/{token}", "submit", _response("body")),
    *[
        ("PUT /partners/{id}/outcomes/{period}", field, _outcome)
        for field in ("contract_signed", "renewed", "satisfaction", "revenue", "note")
    ],
]


@pytest.mark.parametrize(
    ("endpoint", "field", "run"), CASES, ids=[f"{case[0]} {case[1]}" for case in CASES]
)
def test_null_means_the_same_as_leaving_the_field_out(
    api, owner, make_partner, endpoint, field, run
):
    assert run(api, owner, make_partner, {field: None}) == run(api, owner, make_partner, {})


REQUEST_BODIES = {
    "AssessmentCreate",
    "RespondentCreate",
    "Answer",
    "ResponseSave",
    "OutcomeWrite",
    "PartnerCreate",
}


def test_the_openapi_document_shows_every_optional_request_field_as_nullable(client):
    components = client.get("/api/v1/openapi.json").get_json()["components"]["schemas"]
    assert set(components) >= REQUEST_BODIES
    not_nullable = [
        f"{name}.{key}"
        for name in sorted(REQUEST_BODIES)
        for key, prop in components[name]["properties"].items()
        if key not in components[name].get("required", ()) and not prop.get("nullable")
    ]
    assert not_nullable == []
