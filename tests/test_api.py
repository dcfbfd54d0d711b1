"""The JSON API: bearer tokens scoped to one workspace, every endpoint's shapes and status
codes, results equal to `load_results`, timelines to `partner_rounds`, the portfolio
analysis to `analyse_portfolio`, and the tokens' account page and CLI command."""

from __future__ import annotations

import math
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from openapi_schema_validator import OAS30Validator
from openapi_spec_validator import validate
from sqlalchemy import func, select

from fitcheck import fit
from fitcheck.extensions import db
from fitcheck.models import (
    Answer,
    ApiToken,
    Assessment,
    Kind,
    Side,
    State,
    TraitSet,
    User,
    utcnow,
)
from fitcheck.portfolio import PortfolioVerdict
from fitcheck.services import api_tokens, assessments, demo, outcomes, traits
from fitcheck.services.analysis import Measure, analyse_portfolio
from fitcheck.services.answers import AnswerInput, save_answers
from fitcheck.services.respondents import add_respondent, withdraw_respondent
from fitcheck.services.results import load_results, partner_rounds

from .support import count_queries, csrf_token
from .worked_example import WORKED

STAFF_ENDPOINTS = [
    ("get", "/api/v1/trait-sets"),
    ("post", "/api/v1/partners"),
    ("post", "/api/v1/assessments"),
    ("post", "/api/v1/assessments/1/respondents"),
    ("post", "/api/v1/assessments/1/launch"),
    ("post", "/api/v1/assessments/1/reveal"),
    ("get", "/api/v1/assessments/1/results"),
    ("get", "/api/v1/partners/1/timeline"),
    ("get", "/api/v1/portfolio/analysis"),
]


def bearer(token: str, **headers: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}", **headers}


def assert_conforms(api: Callable[..., Any], body: Any, schema: str) -> None:
    """The body is what the OpenAPI document promises for `schema` (nullable and all)."""
    document = api("get", "/api/v1/openapi.json").get_json()
    OAS30Validator({"$ref": f"#/components/schemas/{schema}", **document}).validate(body)


def assert_error(response: Any, code: int) -> dict[str, Any]:
    assert response.status_code == code, response.get_data(as_text=True)
    assert response.mimetype == "application/json"
    error = response.get_json()["error"]
    assert error["code"] == code and error["name"] and error["message"]
    return dict(error)


@pytest.fixture
def api_user(make_user):
    return make_user()


@pytest.fixture
def token(api_user) -> str:
    return api_tokens.create_token(api_user, "Tests")[1]


@pytest.fixture
def api(client, token) -> Callable[..., Any]:
    """`api("post", path, json=…)` with the user's token."""

    def call(method: str, path: str, *, headers: dict[str, str] | None = None, **kwargs: Any):
        return getattr(client, method)(path, headers=bearer(token, **(headers or {})), **kwargs)

    return call


def default_set(user) -> TraitSet:
    return db.session.scalar(select(TraitSet).where(TraitSet.workspace_id == user.workspace_id))


def invitation_token(invite_url: str) -> str:
    return invite_url.rstrip("/").rsplit("/", 1)[1]


# --------------------------------------------------------------------------------------------
# Authentication and scoping
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("method", "path"), STAFF_ENDPOINTS)
def test_staff_endpoints_refuse_requests_without_a_token(client, method, path):
    response = getattr(client, method)(path, json={})
    assert_error(response, 401)
    assert response.headers["WWW-Authenticate"].startswith("Bearer")
    assert "Set-Cookie" not in response.headers


@pytest.mark.parametrize(
    "header",
    ["Bearer fc_not-a-real-token", "Bearer ", "Basic dXNlcjpwYXNz", "fc_no-scheme"],
)
def test_an_unknown_or_malformed_token_is_refused(client, token, header):
    response = client.get("/api/v1/trait-sets", headers={"Authorization": header})
    assert_error(response, 401)


def test_a_revoked_token_is_refused(client, api_user, token):
    assert client.get("/api/v1/trait-sets", headers=bearer(token)).status_code == 200
    api_tokens.revoke_token(api_tokens.list_tokens(api_user)[0])
    error = assert_error(client.get("/api/v1/trait-sets", headers=bearer(token)), 401)
    assert "revoked" in error["message"]


def test_ids_of_another_workspace_are_not_found(api, make_user, make_partner, make_assessment):
    other = make_user()
    foreign, _ = make_assessment(other, launch=False)
    foreign_partner = make_partner(other.workspace)
    own_partner_response = api("post", "/api/v1/partners", json={"name": "Own"})
    base = f"/api/v1/assessments/{foreign.id}"
    for method, path, body in [
        ("post", f"{base}/respondents", {"side": "client", "name": "Eve"}),
        ("post", f"{base}/launch", None),
        ("post", f"{base}/reveal", None),
        ("get", f"{base}/results", None),
    ]:
        assert_error(api(method, path, json=body), 404)
    create = {"trait_set_id": default_set(other).id, "kind": "pre_contract"}
    assert_error(api("post", "/api/v1/assessments", json={**create, "partner_id": 1}), 404)
    create["partner_id"] = foreign_partner.id
    assert_error(api("post", "/api/v1/assessments", json=create), 404)
    create["partner_id"] = own_partner_response.get_json()["id"]
    assert_error(api("post", "/api/v1/assessments", json=create), 404)  # their trait set
    listed = api("get", "/api/v1/trait-sets").get_json()
    assert default_set(other).id not in {trait_set["id"] for trait_set in listed}
    assert db.session.scalar(select(func.count(Assessment.id))) == 1  # theirs only


def test_api_requests_need_no_csrf_token_and_set_no_cookie(app, api):
    assert app.config.get("WTF_CSRF_ENABLED", True)  # CSRF is on for the web pages
    response = api("post", "/api/v1/partners", json={"name": "Kobe Foods"})
    assert response.status_code == 201
    assert "Set-Cookie" not in response.headers


def test_last_use_is_recorded_at_most_once_a_minute(api, api_user, token):
    row = api_tokens.list_tokens(api_user)[0]
    assert row.last_used_at is None
    assert api("get", "/api/v1/trait-sets").status_code == 200
    first = db.session.get(ApiToken, row.id).last_used_at
    assert first is not None
    api_tokens.authenticate(token, now=first + timedelta(seconds=59))
    assert db.session.get(ApiToken, row.id).last_used_at == first
    later = first + timedelta(seconds=61)
    api_tokens.authenticate(token, now=later)
    assert db.session.get(ApiToken, row.id).last_used_at == later


def test_the_rate_limit_counts_per_token(app, client, api_user, token):
    app.config["API_RATE_LIMIT"] = "2 per minute"
    other = api_tokens.create_token(api_user, "Second")[1]
    for _ in range(2):
        assert client.get("/api/v1/trait-sets", headers=bearer(token)).status_code == 200
    assert_error(client.get("/api/v1/trait-sets", headers=bearer(token)), 429)
    assert client.get("/api/v1/trait-sets", headers=bearer(other)).status_code == 200


def test_unknown_api_paths_and_methods_answer_json(api):
    assert_error(api("get", "/api/v1/nothing-here"), 404)
    assert_error(api("delete", "/api/v1/partners"), 405)


# --------------------------------------------------------------------------------------------
# Trait sets and partners
# --------------------------------------------------------------------------------------------


def test_trait_sets_list_active_traits_labelled_in_the_requested_language(api, api_user):
    trait_set = default_set(api_user)
    retired = trait_set.traits[-1]
    traits.retire_trait(retired)
    english = api("get", "/api/v1/trait-sets").get_json()
    assert len(english) == 1
    listed = english[0]
    assert listed["id"] == trait_set.id and listed["name"] == trait_set.name
    assert listed["scale"] == {"lo": 1, "hi": 5}
    active = trait_set.active_traits
    assert [t["key"] for t in listed["traits"]] == [t.key for t in active]
    assert retired.key not in {t["key"] for t in listed["traits"]}
    assert listed["traits"][0] == {"key": "passion", "label": active[0].label_en}
    japanese = api("get", "/api/v1/trait-sets", headers={"Accept-Language": "ja-JP,ja;q=0.9"})
    assert japanese.get_json()[0]["traits"][0]["label"] == active[0].label_ja == "仕事への情熱"


def test_partners_are_created_and_a_taken_name_conflicts(api):
    created = api("post", "/api/v1/partners", json={"name": "  Kyoto Ceramics "})
    assert created.status_code == 201
    body = created.get_json()
    assert body == {"id": body["id"], "name": "Kyoto Ceramics"}
    again = api("post", "/api/v1/partners", json={"name": "Kyoto Ceramics"})
    assert "already exists" in assert_error(again, 409)["message"]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "name"),
        ({"name": "   "}, "name"),
        ({"name": "x" * 201}, "name"),
        ({"name": 7}, "name"),
        ({"name": "Nul\x00Byte"}, "name"),
        ({"name": "Fine", "website": "https://example.com"}, "website"),
    ],
)
def test_a_partner_with_invalid_fields_is_a_422_naming_them(api, body, field):
    error = assert_error(api("post", "/api/v1/partners", json=body), 422)
    assert field in error["fields"]


# --------------------------------------------------------------------------------------------
# Assessments: create, invite, launch, reveal
# --------------------------------------------------------------------------------------------


NEXT_YEAR = utcnow().year + 1  # a deadline is at most 5 years ahead


def test_an_assessment_goes_from_draft_to_revealed_with_guarded_transitions(api, api_user):
    partner = api("post", "/api/v1/partners", json={"name": "Osaka Tools"}).get_json()
    created = api(
        "post",
        "/api/v1/assessments",
        json={
            "partner_id": partner["id"],
            "trait_set_id": default_set(api_user).id,
            "kind": "annual_review",
            "min_responses_per_side": 2,
            "share_with_client": False,
            "deadline": f"{NEXT_YEAR}-03-31T17:00:00+09:00",
            "reveal_policy": "automatic",
        },
    )
    assert created.status_code == 201
    assessment_id = created.get_json()["id"]
    assert created.get_json() == {
        "id": assessment_id,
        "state": "draft",
        "kind": "annual_review",
        "deadline": f"{NEXT_YEAR}-03-31T08:00:00+00:00",
        "reveal_policy": "automatic",
        "min_responses_per_side": 2,
        "share_with_client": False,
        "reminder_days": [3, 1],
    }
    stored = db.session.get(Assessment, assessment_id)
    assert stored.kind is Kind.ANNUAL_REVIEW and stored.min_responses_per_side == 2
    assert not stored.share_with_client and stored.created_by_id == api_user.id
    assert stored.deadline.isoformat() == f"{NEXT_YEAR}-03-31T08:00:00+00:00"
    assert stored.reveal_policy.value == "automatic"
    base = f"/api/v1/assessments/{assessment_id}"

    assert "each side" in assert_error(api("post", f"{base}/launch"), 409)["message"]
    assert "draft" in assert_error(api("post", f"{base}/reveal"), 409)["message"]
    for side in ("company", "client"):
        added = api("post", f"{base}/respondents", json={"side": side, "name": side.title()})
        assert added.status_code == 201
    launched = api("post", f"{base}/launch")
    assert launched.status_code == 200
    assert launched.get_json() == {"id": assessment_id, "state": "collecting"}
    assert_error(api("post", f"{base}/launch"), 409)
    assert_error(api("get", f"{base}/results"), 409)  # sealed until the reveal
    assert api("post", f"{base}/reveal").get_json() == {"id": assessment_id, "state": "revealed"}
    assert "already revealed" in assert_error(api("post", f"{base}/reveal"), 409)["message"]
    late = api("post", f"{base}/respondents", json={"side": "client", "name": "Late"})
    assert_error(late, 409)


def test_assessment_defaults_when_optional_fields_are_left_out(api, api_user, make_partner):
    partner = make_partner(api_user.workspace)
    body = {"partner_id": partner.id, "trait_set_id": default_set(api_user).id}
    created = api("post", "/api/v1/assessments", json={**body, "kind": "pre_contract"})
    stored = db.session.get(Assessment, created.get_json()["id"])
    assert stored.min_responses_per_side == 1 and stored.share_with_client
    assert stored.deadline is None and stored.reveal_policy.value == "manual"


@pytest.mark.parametrize(
    ("change", "fields"),
    [
        ({"kind": "forever"}, {"kind"}),
        ({"partner_id": "1"}, {"partner_id"}),
        ({"partner_id": True}, {"partner_id"}),
        ({"min_responses_per_side": 0}, {"min_responses_per_side"}),
        ({"share_with_client": "yes"}, {"share_with_client"}),
        ({"deadline": "next week"}, {"deadline"}),
        ({"deadline": "2099-03-31T17:00:00"}, {"deadline"}),  # no offset
        ({"colour": "blue"}, {"colour"}),
    ],
)
def test_an_invalid_assessment_is_a_422_naming_each_field(
    api, api_user, make_partner, change, fields
):
    body = {
        "partner_id": make_partner(api_user.workspace).id,
        "trait_set_id": default_set(api_user).id,
        "kind": "pre_contract",
        **change,
    }
    error = assert_error(api("post", "/api/v1/assessments", json=body), 422)
    assert set(error["fields"]) == fields
    assert db.session.scalar(select(func.count(Assessment.id))) == 0


def test_a_respondent_gets_a_personal_link_whose_token_answers(api, make_assessment, api_user):
    assessment, _ = make_assessment(api_user, launch=False)
    added = api(
        "post",
        f"/api/v1/assessments/{assessment.id}/respondents",
        json={"side": "client", "name": "Aiko Sato", "email": "Aiko@Example.com"},
    )
    assert added.status_code == 201
    body = added.get_json()
    assert body["invite_url"].startswith("http://fitcheck.test/r/")
    respondent = assessment.respondents[-1]
    assert body["id"] == respondent.id and respondent.email == "aiko@example.com"
    assert respondent.side is Side.CLIENT
    again = api(
        "post",
        f"/api/v1/assessments/{assessment.id}/respondents",
        json={"side": "company", "name": "Someone", "email": "aiko@example.com"},
    )
    assert_error(again, 409)
    bad = api(
        "post",
        f"/api/v1/assessments/{assessment.id}/respondents",
        json={"side": "both", "name": "", "email": "not-an-email"},
    )
    assert set(assert_error(bad, 422)["fields"]) == {"side", "name", "email"}
    assessments.launch(assessment, invite=False)
    saved = api(
        "put",
        f"/api/v1/responses/{invitation_token(body['invite_url'])}",
        json={"answers": [{"trait_key": "passion", "other": 4}]},
    )
    assert saved.status_code == 200


# --------------------------------------------------------------------------------------------
# Responses through the invitation token
# --------------------------------------------------------------------------------------------


@pytest.fixture
def collecting(make_assessment):
    """A launched assessment on the default set, and the token of its company respondent."""
    assessment, tokens = make_assessment()
    token = next(t for r, t in tokens.items() if r.side is Side.COMPANY)
    return assessment, token


def full_answers(assessment: Assessment, value: int | None = 3) -> list[dict[str, Any]]:
    return [
        {"trait_key": t.key, "other": value, "self": value, "importance": None}
        for t in assessment.traits
    ]


def test_a_draft_is_saved_without_a_bearer_token_null_meaning_cant_judge(client, collecting):
    assessment, token = collecting
    response = client.put(
        f"/api/v1/responses/{token}",
        json={
            "answers": [
                {"trait_key": "passion", "other": None, "self": 5, "importance": 4},
                {"trait_key": "dialogue", "self": 2, "importance": None, "comment": "Frank."},
            ]
        },
    )
    assert response.status_code == 200
    assert response.get_json() == {"submitted": False, "state": "collecting"}
    rows = {
        answer.trait.key: answer
        for answer in db.session.scalars(
            select(Answer).where(Answer.assessment_id == assessment.id)
        )
    }
    passion, dialogue = rows["passion"], rows["dialogue"]
    assert passion.other_rating is None and passion.other_cant_judge
    assert passion.self_rating == 5 and passion.importance == 4
    assert dialogue.other_rating is None and not dialogue.other_cant_judge  # not answered yet
    assert dialogue.importance is None and dialogue.comment == "Frank."


def test_submitting_needs_every_trait_and_says_which_are_missing(client, collecting):
    assessment, token = collecting
    partial = full_answers(assessment)[:-1]
    response = client.put(f"/api/v1/responses/{token}", json={"answers": partial, "submit": True})
    error = assert_error(response, 422)
    missing = assessment.traits[-1].key
    assert set(error["fields"]["answers"]) == {missing}
    assert set(error["fields"]["answers"][missing]) == {"other", "self"}
    done = client.put(
        f"/api/v1/responses/{token}",
        json={"answers": full_answers(assessment, None), "submit": True},
    )
    assert done.get_json() == {"submitted": True, "state": "collecting"}
    twice = client.put(
        f"/api/v1/responses/{token}", json={"answers": full_answers(assessment), "submit": True}
    )
    assert twice.status_code == 200


def test_answers_off_the_scale_or_of_unknown_traits_are_a_422_keyed_by_trait(client, collecting):
    _, token = collecting
    response = client.put(
        f"/api/v1/responses/{token}",
        json={
            "answers": [
                {"trait_key": "passion", "other": 6, "self": 0},
                {"trait_key": "dialogue", "importance": 9},
                {"trait_key": "charisma", "other": 3},
            ]
        },
    )
    fields = assert_error(response, 422)["fields"]["answers"]
    assert set(fields) == {"passion", "dialogue", "charisma"}
    assert set(fields["passion"]) == {"other", "self"}
    assert "from 1 to 5" in fields["passion"]["other"][0]
    assert set(fields["dialogue"]) == {"importance"}
    assert set(fields["charisma"]) == {"trait_key"}
    assert db.session.scalar(select(func.count(Answer.id))) == 0


@pytest.mark.parametrize(
    ("body", "path"),
    [
        ({}, ["answers"]),
        ({"answers": [{"trait_key": "passion", "other": "4"}]}, ["answers", "0", "other"]),
        ({"answers": [{"trait_key": "passion", "other": True}]}, ["answers", "0", "other"]),
        ({"answers": [{"other": 4}]}, ["answers", "0", "trait_key"]),
        ({"answers": [{"trait_key": "passion", "mood": 4}]}, ["answers", "0", "mood"]),
        ({"answers": [], "submit": "yes"}, ["submit"]),
        ({"answers": [{"trait_key": "passion"}, {"trait_key": "passion"}]}, ["answers"]),
    ],
)
def test_malformed_answers_are_a_422_keyed_by_position(client, collecting, body, path):
    _, token = collecting
    fields = assert_error(client.put(f"/api/v1/responses/{token}", json=body), 422)["fields"]
    for key in path:
        fields = fields[key]
    assert fields


def test_an_unknown_invitation_token_is_not_found(client):
    response = client.put("/api/v1/responses/not-a-token", json={"answers": []})
    assert_error(response, 404)


def test_links_that_cannot_take_answers_say_why(client, make_assessment):
    _, draft_tokens = make_assessment(launch=False)
    body = {"answers": []}
    assert_error(
        client.put(f"/api/v1/responses/{next(iter(draft_tokens.values()))}", json=body), 409
    )

    late, late_tokens = make_assessment()
    late.deadline = utcnow() - timedelta(minutes=1)
    db.session.commit()
    error = assert_error(
        client.put(f"/api/v1/responses/{next(iter(late_tokens.values()))}", json=body), 410
    )
    assert "deadline" in error["message"]

    collecting, tokens = make_assessment(client=2)
    withdrawn, token = next(iter(tokens.items()))
    withdraw_respondent(withdrawn)
    assert (
        "withdrawn"
        in assert_error(client.put(f"/api/v1/responses/{token}", json=body), 409)["message"]
    )
    assessments.reveal(collecting)
    other_token = list(tokens.values())[1]
    assert_error(client.put(f"/api/v1/responses/{other_token}", json=body), 409)


# --------------------------------------------------------------------------------------------
# Results
# --------------------------------------------------------------------------------------------


def new_trait_set(user, name: str, keys: tuple[str, ...], *, scale_hi: int = 5) -> TraitSet:
    """A trait set on the scale 1..scale_hi with a trait per key, labelled in both languages."""
    points = [str(point) for point in range(1, scale_hi + 1)]
    trait_set = traits.create_trait_set(
        user.workspace_id,
        name=name,
        scale_lo=1,
        scale_hi=scale_hi,
        point_labels={"en": points, "ja": points},
    )
    for key in keys:
        traits.add_trait(
            trait_set,
            traits.TraitText(
                label_en=key.title(),
                label_ja=f"{key}（日本語）",
                question_other_en="{partner}?",
                question_other_ja="{partner}?",
                question_self_en="we?",
                question_self_ja="we?",
            ),
            key=key,
        )
    return trait_set


def build_worked_example(api: Callable[..., Any], user, *, min_responses: int = 1) -> int:
    """FIT_MODEL.md's worked example, entered entirely through the API."""
    trait_set = new_trait_set(user, "Worked example", ("passion", "response", "dialogue", "growth"))
    partner = api("post", "/api/v1/partners", json={"name": "Worked partner"}).get_json()
    assessment_id = api(
        "post",
        "/api/v1/assessments",
        json={
            "partner_id": partner["id"],
            "trait_set_id": trait_set.id,
            "kind": "pre_contract",
            "min_responses_per_side": min_responses,
            "share_with_client": True,
        },
    ).get_json()["id"]
    base = f"/api/v1/assessments/{assessment_id}"
    links = {
        name: api(
            "post",
            f"{base}/respondents",
            json={"side": "client" if name == "K1" else "company", "name": name},
        ).get_json()["invite_url"]
        for name in WORKED
    }
    assert api("post", f"{base}/launch").status_code == 200
    for name, answers in WORKED.items():
        saved = api(
            "put",
            f"/api/v1/responses/{invitation_token(links[name])}",
            json={
                "answers": [
                    {"trait_key": key, "other": other, "self": own, "importance": importance}
                    for key, (other, own, importance) in answers.items()
                ],
                "submit": True,
            },
        )
        assert saved.status_code == 200, saved.get_json()
    assert api("post", f"{base}/reveal").status_code == 200
    return int(assessment_id)


def test_results_match_the_worked_example_and_load_results(api, api_user):
    assessment_id = build_worked_example(api, api_user)
    body = api("get", f"/api/v1/assessments/{assessment_id}/results").get_json()
    assert body["assessment"] == {"id": assessment_id, "state": "revealed", "kind": "pre_contract"}
    assert body["scale"] == {"lo": 1, "hi": 5}
    assert body["responses"] == {"company": 2, "client": 1}

    fit = body["fit"]
    assert fit["mirror_score"] == pytest.approx(64.1658, abs=1e-4)
    assert fit["elevation"] == pytest.approx(-0.4, abs=1e-4)
    assert fit["shape_r"] == pytest.approx(-0.5704, abs=1e-4)
    assert fit["level_us"] == pytest.approx(0.6955, abs=1e-4)
    assert fit["level_them"] == pytest.approx(0.5955, abs=1e-4)
    assert fit["verdict"] == "one_sided" and fit["falls_short"] == "client"
    assert fit["d2"] == pytest.approx(8.75)
    assert fit["d2_elevation"] == pytest.approx(0.5625, abs=1e-4)
    assert fit["d2_scatter"] == pytest.approx(1.9926, abs=1e-4)
    assert fit["d2_shape"] == pytest.approx(6.1949, abs=1e-4)
    assert fit["d2_elevation_share"] == pytest.approx(0.5625 / 8.75, abs=1e-4)
    assert sum(fit[f"d2_{name}_share"] for name in ("elevation", "scatter", "shape")) == (
        pytest.approx(1.0)
    )
    assert body["previous_round"] is None and body["change"] is None  # a first round

    rows = {row["key"]: row for row in body["traits"]}
    assert list(rows) == ["passion", "response", "dialogue", "growth"]
    assert rows["passion"]["label"] == "Passion"
    expected = {  # them, us, us_self, them_self, w
        "passion": (4.5, 4, 4.5, 4, 3.75),
        "response": (2.5, 4, 5, 3, 4.25),
        "dialogue": (4.5, 3, 3.5, 5, 3),
        "growth": (2, 4, 3.5, 1, 2.75),
    }
    for key, (them, us, us_self, them_self, weight) in expected.items():
        row = rows[key]
        assert (row["them"], row["us"], row["us_self"], row["them_self"]) == pytest.approx(
            (them, us, us_self, them_self)
        )
        assert row["weight"] == pytest.approx(weight)
        assert row["gap"] == pytest.approx(them - us)
    assert rows["response"]["blind_spot_company"] is True  # self 5 vs seen 4
    assert rows["growth"]["blind_spot_client"] is False  # a hidden strength, not a blind spot
    assert rows["growth"]["hidden_strength_client"] is True
    assert [rows[k]["blind_spot_company"] for k in ("passion", "dialogue", "growth")] == [False] * 3
    assert rows["passion"]["rwg_company"] == pytest.approx(0.75)
    assert rows["growth"]["rwg_company"] is None  # one value
    assert rows["passion"]["rwg_client"] is None  # one respondent

    # The very numbers of the one computation every page uses.
    result = load_results(db.session.get(Assessment, assessment_id)).fit
    mirror = result.mirror
    assert fit["mirror_score"] == mirror.similarity and fit["shape_r"] == mirror.shape
    assert fit["elevation"] == mirror.elevation
    assert (fit["level_us"], fit["level_them"]) == (mirror.level_x, mirror.level_y)
    assert fit["d2_shape"] == mirror.decomposition.shape
    for row in result.traits:
        listed = rows[row.trait]
        assert (listed["us"], listed["them"], listed["gap"], listed["weight"]) == (
            row.us,
            row.them,
            row.gap,
            row.weight,
        )
        assert listed["blind_spot_company"] == row.company.blind_spot
        assert listed["blind_spot_client"] == row.client.blind_spot
        assert (listed["rwg_company"], listed["rwg_client"]) == (row.company.rwg, row.client.rwg)


def test_results_labels_follow_accept_language(api, api_user):
    assessment_id = build_worked_example(api, api_user)
    body = api(
        "get", f"/api/v1/assessments/{assessment_id}/results", headers={"Accept-Language": "ja"}
    ).get_json()
    assert body["traits"][0]["label"] == "passion（日本語）"


def test_a_side_below_its_threshold_is_withheld_as_nulls(api, api_user):
    assessment_id = build_worked_example(api, api_user, min_responses=2)
    body = api("get", f"/api/v1/assessments/{assessment_id}/results").get_json()
    assert body["responses"] == {"company": 2, "client": 1}
    for row in body["traits"]:
        # Everything the client contributes: its view of us, its self-view, its agreement.
        assert row["us"] is None and row["them_self"] is None and row["gap"] is None
        assert row["blind_spot_company"] is None and row["blind_spot_client"] is None
        assert row["rwg_client"] is None
        assert row["them"] is not None and row["us_self"] is not None
    fit = body["fit"]
    assert fit["verdict"] == "not_enough_data" and fit["falls_short"] is None
    assert fit["mirror_score"] is None and fit["shape_r"] is None and fit["level_us"] is None
    assert {fit[name] for name in fit if name.startswith("d2")} == {None}


def test_results_are_sealed_until_the_reveal(api, make_assessment, api_user):
    assessment, _ = make_assessment(api_user)
    error = assert_error(api("get", f"/api/v1/assessments/{assessment.id}/results"), 409)
    assert "sealed" in error["message"]
    assert assessment.state is State.COLLECTING


# --------------------------------------------------------------------------------------------
# A partner's timeline
# --------------------------------------------------------------------------------------------


def revealed_round(
    partner,
    trait_set: TraitSet,
    *,
    us: Callable[[int], int],
    them: Callable[[int], int],
    kind: Kind = Kind.ANNUAL_REVIEW,
    **settings: Any,
) -> Assessment:
    """A revealed round of `partner` with one respondent a side: the client rates the
    company's trait at position i `us(i)`, the company rates the client's `them(i)`."""
    assessment = assessments.create_assessment(partner, trait_set, kind=kind, **settings)
    people = [add_respondent(assessment, side=side, name=side.value)[0] for side in Side]
    assessments.launch(assessment, invite=False)
    for person in people:
        rate = us if person.side is Side.CLIENT else them
        answers = [
            AnswerInput(trait_key=trait.key, other=rate(position), self_=4)
            for position, trait in enumerate(assessment.traits)
        ]
        save_answers(person, answers, submit=True)
    assessments.reveal(assessment)
    return assessment


def test_a_timeline_lists_the_revealed_rounds_with_the_engines_numbers_and_changes(
    api, api_user, make_partner, make_assessment
):
    partner = make_partner(api_user.workspace, "Kitahama Foods")
    trait_set = default_set(api_user)
    # The client sees the company at 4 on half the traits and 2 on the others, then at 4.
    first = revealed_round(
        partner, trait_set, us=lambda i: 4 if i % 2 else 2, them=lambda i: 4, kind=Kind.PRE_CONTRACT
    )
    second = revealed_round(
        partner, trait_set, us=lambda i: 4, them=lambda i: 4, previous=first, title="2026 review"
    )
    # k = 2 with one respondent a side: the third round's mirror is withheld.
    third = revealed_round(
        partner, trait_set, us=lambda i: 4, them=lambda i: 4, min_responses_per_side=2
    )
    assessments.create_assessment(partner, trait_set, kind=Kind.ANNUAL_REVIEW)  # a draft
    make_assessment(api_user)  # another partner's round

    response = api("get", f"/api/v1/partners/{partner.id}/timeline")
    assert response.status_code == 200
    body = response.get_json()
    assert_conforms(api, body, "Timeline")
    assert body["partner"] == {"id": partner.id, "name": "Kitahama Foods"}
    rounds = body["rounds"]
    assert [row["assessment_id"] for row in rounds] == [first.id, second.id, third.id]

    engine = partner_rounds(partner.id, api_user.workspace_id)
    for row, (assessment, result) in zip(rounds, engine, strict=True):
        mirror = result.mirror
        assert row["assessment_id"] == assessment.id
        assert (row["kind"], row["title"]) == (assessment.kind.value, assessment.title)
        assert row["revealed_at"] == assessment.revealed_at.isoformat()
        assert row["scale"] == {"lo": 1, "hi": 5}
        assert (row["mirror_score"], row["level_us"], row["level_them"]) == (
            mirror.similarity,
            mirror.level_x,
            mirror.level_y,
        )
        assert row["verdict"] == result.verdict.value
        assert row["falls_short"] == (result.falls_short and result.falls_short.value)

    old, new, withheld = rounds
    # Gaps of 0 and 2 points: S = 100·(1 − √2/4); L_us = (3 − 1)/4, L_them = (4 − 1)/4.
    assert old["mirror_score"] == pytest.approx(100 * (1 - math.sqrt(2) / 4))
    assert (old["level_us"], old["level_them"]) == pytest.approx((0.5, 0.75))
    assert (old["verdict"], old["falls_short"]) == ("one_sided", "company")
    assert old["change"] is None  # the first round
    assert new["title"] == "2026 review" and new["kind"] == "annual_review"
    assert new["mirror_score"] == pytest.approx(100) and new["verdict"] == "mutual_fit"
    changes = fit.compare_rounds(engine[0][1], engine[1][1])
    assert new["change"] == {
        "mirror_score": {
            "previous": old["mirror_score"],
            "current": new["mirror_score"],
            "delta": changes.similarity.delta,
            "no_change": False,
        },
        "level_us": {
            "previous": 0.5,
            "current": 0.75,
            "delta": changes.level_us.delta,
            "no_change": False,
        },
        "level_them": {
            "previous": 0.75,
            "current": 0.75,
            "delta": changes.level_them.delta,
            "no_change": True,
        },
        "previous_verdict": "one_sided",
        "verdict": "mutual_fit",
    }
    assert new["change"]["mirror_score"]["delta"] == pytest.approx(100 * math.sqrt(2) / 4)
    assert new["change"]["level_us"]["delta"] == pytest.approx(0.25)
    assert new["change"]["level_them"]["delta"] == pytest.approx(0)
    assert withheld["mirror_score"] is None and withheld["level_us"] is None
    assert (withheld["verdict"], withheld["falls_short"]) == ("not_enough_data", None)
    # A side withheld: the last round's values stand, and nothing reads as a change.
    for name in ("mirror_score", "level_us", "level_them"):
        assert withheld["change"][name]["current"] is None
        assert withheld["change"][name]["previous"] == new[name]
        assert withheld["change"][name]["delta"] is None
        assert withheld["change"][name]["no_change"] is None


def test_rounds_on_different_scales_are_not_compared_on_the_timeline(api, api_user, make_partner):
    partner = make_partner(api_user.workspace)
    keys = ("passion", "response", "dialogue")
    revealed_round(partner, new_trait_set(api_user, "Five", keys), us=lambda i: 4, them=lambda i: 3)
    seven = new_trait_set(api_user, "Seven", keys, scale_hi=7)
    revealed_round(partner, seven, us=lambda i: 6, them=lambda i: 5)
    rounds = api("get", f"/api/v1/partners/{partner.id}/timeline").get_json()["rounds"]
    assert [row["scale"] for row in rounds] == [{"lo": 1, "hi": 5}, {"lo": 1, "hi": 7}]
    assert rounds[1]["mirror_score"] == pytest.approx(100 * (1 - 1 / 6))
    assert rounds[1]["change"] is None


def test_a_partner_without_a_revealed_round_has_an_empty_timeline(api, api_user, make_assessment):
    collecting, _ = make_assessment(api_user)
    body = api("get", f"/api/v1/partners/{collecting.partner_id}/timeline").get_json()
    assert body == {
        "partner": {"id": collecting.partner_id, "name": collecting.partner.name},
        "rounds": [],
    }


def test_the_timeline_of_another_workspaces_partner_is_not_found(api, make_user, make_partner):
    other = make_user()
    theirs = make_partner(other.workspace)
    revealed_round(theirs, default_set(other), us=lambda i: 4, them=lambda i: 4)
    assert_error(api("get", f"/api/v1/partners/{theirs.id}/timeline"), 404)
    assert_error(api("get", "/api/v1/partners/2147483647/timeline"), 404)
    assert_error(api("get", "/api/v1/partners/0/timeline"), 404)


def test_the_timeline_queries_do_not_grow_with_its_rounds(api, api_user, make_partner):
    partner = make_partner(api_user.workspace)
    trait_set = default_set(api_user)
    api("get", "/api/v1/trait-sets")  # records the token's use, once a minute
    counts = []
    for value in (2, 3, 4):
        revealed_round(partner, trait_set, us=lambda i, v=value: v, them=lambda i: 4)
        with count_queries() as statements:
            response = api("get", f"/api/v1/partners/{partner.id}/timeline")
        assert len(response.get_json()["rounds"]) == len(counts) + 1
        counts.append(len(statements))
    assert counts[0] == counts[1] == counts[2] <= 7


# --------------------------------------------------------------------------------------------
# The portfolio analysis
# --------------------------------------------------------------------------------------------


def test_the_analysis_fits_nothing_below_six_rounds_with_outcomes(api, api_user, make_partner):
    trait_set = default_set(api_user)
    for level, satisfaction in ((3, 6), (5, 9)):
        partner = make_partner(api_user.workspace)
        assessment = revealed_round(partner, trait_set, us=lambda i, v=level: v, them=lambda i: 4)
        outcomes.record_outcome(
            partner,
            period="2026",
            observed_on=assessment.revealed_at.date() + timedelta(days=1),  # after it in Tokyo too
            satisfaction=satisfaction,
        )
    revealed_round(make_partner(api_user.workspace), trait_set, us=lambda i: 4, them=lambda i: 4)

    response = api("get", "/api/v1/portfolio/analysis")
    assert response.status_code == 200
    body = response.get_json()
    assert_conforms(api, body, "PortfolioAnalysis")
    assert (body["measure"], body["kind"]) == ("satisfaction", None)
    assert body["scale"] == {"lo": 1, "hi": 5} and body["scales"] == [{"lo": 1, "hi": 5}]
    assert body["left_out"] == {"no_outcome": 1, "other_scale": 0, "no_mirror": 0, "pending": 0}
    # X = wmean(us) − 3, Y = wmean(them) − 3 on 1..5; Z the satisfaction.
    assert [(row["x"], row["y"], row["z"]) for row in body["rounds"]] == [(0, 1, 6), (2, 1, 9)]
    assert [row["period"] for row in body["rounds"]] == ["2026", "2026"]
    assert [row["s"] for row in body["rounds"]] == [
        p.observation.s for p in analyse_portfolio(api_user.workspace_id).rounds
    ]
    found = body["analysis"]
    assert (found["n"], found["partners"], found["small_sample"]) == (2, 2, True)
    assert found["fitted"] is False and found["reason"] == "too_few_rounds"
    assert found["verdict"] == "too_few" and found["view"] is None and found["failures"] == []
    assert found["regression"] is None and found["surface"] is None and found["axis"] is None
    assert found["similarity"] == {"n": 2, "r": None, "ci": None}

    renewed = api("get", "/api/v1/portfolio/analysis?measure=renewed").get_json()
    assert renewed["scale"] is None and renewed["scales"] == [] and renewed["rounds"] == []
    assert renewed["left_out"] == {"no_outcome": 3, "other_scale": 0, "no_mirror": 0, "pending": 0}
    assert renewed["analysis"]["n"] == 0


def test_the_analysis_of_the_demo_portfolio_is_that_of_analyse_portfolio(client, api):
    workspace, _created = demo.load_demo()
    owner = db.session.scalar(select(User).where(User.email == demo.DEMO_EMAIL))
    demo_token = api_tokens.create_token(owner, "Tests")[1]
    for query, kwargs in [
        ("", {}),
        (
            "?measure=renewed&kind=annual_review",
            {"measure": Measure.RENEWED, "kind": Kind.ANNUAL_REVIEW},
        ),
        ("?measure=revenue&scale=1-5", {"measure": Measure.REVENUE, "scale": (1, 5)}),
    ]:
        response = client.get(f"/api/v1/portfolio/analysis{query}", headers=bearer(demo_token))
        assert response.status_code == 200
        body = response.get_json()
        expected = analyse_portfolio(workspace.id, **kwargs)
        assert body["measure"] == expected.measure.value
        assert body["kind"] == (expected.kind and expected.kind.value)
        assert body["scale"] == {"lo": 1, "hi": 5}
        assert body["left_out"] == {
            "no_outcome": expected.left_out.no_outcome,
            "other_scale": expected.left_out.other_scale,
            "no_mirror": expected.left_out.no_mirror,
            "pending": expected.left_out.pending,
        }
        assert [
            (r["assessment_id"], r["partner_id"], r["period"], r["x"], r["z"])
            for r in body["rounds"]
        ] == [
            (
                p.assessment.id,
                p.assessment.partner_id,
                p.outcome.period,
                p.observation.x,
                p.observation.z,
            )
            for p in expected.rounds
        ]
        assert body["analysis"] == expected.analysis.to_dict()
        found = body["analysis"]
        assert found["fitted"] is True and found["n"] == len(body["rounds"]) >= 6
        assert found["verdict"] in {verdict.value for verdict in PortfolioVerdict}
        assert found["regression"]["b"]["b4"]["p"] is not None
        assert set(found["surface"]) == {"a1", "a2", "a3", "a4"}
        assert_conforms(api, body, "PortfolioAnalysis")

    # A scale no round uses analyses the most used one, and says so.
    fallback = client.get("/api/v1/portfolio/analysis?scale=2-9", headers=bearer(demo_token))
    assert fallback.get_json()["scale"] == {"lo": 1, "hi": 5}
    # Another workspace's token sees none of it.
    theirs = api("get", "/api/v1/portfolio/analysis").get_json()
    assert theirs["rounds"] == [] and theirs["analysis"]["n"] == 0
    assert theirs["analysis"]["reason"] == "too_few_rounds"


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("measure=happiness", "measure"),
        ("measure=", "measure"),
        ("kind=forever", "kind"),
        ("scale=1to5", "scale"),
        ("scale=100-5", "scale"),
        ("scale=1-5-7", "scale"),
        ("mesure=renewed", "mesure"),
    ],
)
def test_invalid_analysis_parameters_are_a_422_naming_them(api, query, field):
    error = assert_error(api("get", f"/api/v1/portfolio/analysis?{query}"), 422)
    assert set(error["fields"]) == {field}


# --------------------------------------------------------------------------------------------
# The OpenAPI document
# --------------------------------------------------------------------------------------------


def test_the_openapi_document_is_valid_and_declares_bearer_auth(client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    document = response.get_json()
    validate(document)
    assert document["components"]["securitySchemes"]["bearerAuth"] == {
        "type": "http",
        "scheme": "bearer",
        "description": "A personal API token, shown once when it is created.",
    }
    assert document["security"] == [{"bearerAuth": []}]
    assert document["paths"]["/api/v1/responses/{token}"]["put"]["security"] == []
    assert set(document["paths"]) == {
        "/api/v1/trait-sets",
        "/api/v1/partners",
        "/api/v1/assessments",
        "/api/v1/assessments/{assessment_id}/respondents",
        "/api/v1/assessments/{assessment_id}/launch",
        "/api/v1/assessments/{assessment_id}/reveal",
        "/api/v1/assessments/{assessment_id}/results",
        "/api/v1/partners/{partner_id}",
        "/api/v1/assessments/{assessment_id}",
        "/api/v1/assessments/{assessment_id}/commitments",
        "/api/v1/commitments/{commitment_id}",
        "/api/v1/assessments/{assessment_id}/meeting",
        "/api/v1/assessments/{assessment_id}/meetings",
        "/api/v1/partners/{partner_id}/outcomes",
        "/api/v1/partners/{partner_id}/outcomes/{period}",
        "/api/v1/partners/{partner_id}/timeline",
        "/api/v1/portfolio/analysis",
        "/api/v1/responses/{token}",
        "/api/v1/workshops",
        "/api/v1/workshops/{workshop_id}",
        "/api/v1/workshops/{workshop_id}/notes",
        "/api/v1/workshops/{workshop_id}/clusters",
        "/api/v1/workshops/{workshop_id}/votes",
        "/api/v1/workshops/{workshop_id}/actions",
        "/api/v1/workshops/{workshop_id}/trait-set",
    }


def test_html_pages_keep_their_error_templates(client):
    response = client.get("/no-such-page")
    assert response.status_code == 404 and response.mimetype == "text/html"


# --------------------------------------------------------------------------------------------
# Creating and revoking tokens: the CLI and the account page
# --------------------------------------------------------------------------------------------


def test_create_token_prints_a_working_token_once(runner, client, api_user):
    result = runner.invoke(args=["create-token", api_user.email.upper(), "--name", "CRM sync"])
    assert result.exit_code == 0, result.output
    secret = result.output.strip().splitlines()[-1]
    assert secret.startswith("fc_") and result.output.count(secret) == 1
    stored = api_tokens.list_tokens(api_user)[0]
    assert stored.name == "CRM sync" and secret.startswith(stored.prefix)
    assert secret not in stored.token_hash and stored.token_hash != secret
    assert client.get("/api/v1/trait-sets", headers=bearer(secret)).status_code == 200
    unknown = runner.invoke(args=["create-token", "nobody@example.com"])
    assert unknown.exit_code != 0 and "No user" in unknown.output


def test_the_account_page_creates_a_token_shows_it_once_and_revokes_it(
    client, api_user, sign_in, make_user
):
    sign_in(api_user.email)
    assert "You have no API tokens." in client.get("/account").get_data(as_text=True)
    response = client.post(
        "/account/api-tokens",
        data={"name": "BI export", "csrf_token": csrf_token(client, "/account")},
    )
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    page = response.get_data(as_text=True)
    stored = api_tokens.list_tokens(api_user)[0]
    secret = page.split('id="new-api-token"')[0].rsplit('value="', 1)[1].split('"', 1)[0]
    assert secret.startswith(stored.prefix) and "shown only this once" in page
    assert client.get("/api/v1/trait-sets", headers=bearer(secret)).status_code == 200

    again = client.get("/account").get_data(as_text=True)
    assert secret not in again
    assert "BI export" in again and f"{stored.prefix}…" in again

    stranger = make_user()
    theirs = api_tokens.create_token(stranger, "Theirs")[0]
    token = csrf_token(client, "/account")
    refused = client.post(f"/account/api-tokens/{theirs.id}/revoke", data={"csrf_token": token})
    assert refused.status_code == 404
    revoked = client.post(f"/account/api-tokens/{stored.id}/revoke", data={"csrf_token": token})
    assert revoked.status_code == 302 and revoked.headers["Location"].endswith("#api-tokens")
    assert "is revoked" in client.get("/account").get_data(as_text=True)
    assert client.get("/api/v1/trait-sets", headers=bearer(secret)).status_code == 401
    assert api_tokens.list_tokens(stranger)  # untouched


def test_token_forms_need_a_name_and_a_csrf_token(client, api_user, sign_in):
    sign_in(api_user.email)
    assert client.post("/account/api-tokens", data={"name": "No CSRF"}).status_code == 400
    blank = client.post(
        "/account/api-tokens", data={"name": " ", "csrf_token": csrf_token(client, "/account")}
    )
    assert blank.status_code == 200 and 'id="new-api-token"' not in blank.get_data(as_text=True)
    assert api_tokens.list_tokens(api_user) == []


def test_an_address_guessing_tokens_is_stopped_after_a_few_misses(app, client, token):
    app.config["API_MISS_RATE_LIMIT"] = "2 per minute"
    for _ in range(2):
        assert_error(client.get("/api/v1/trait-sets", headers=bearer("fc_guess")), 401)
    assert_error(client.get("/api/v1/trait-sets", headers=bearer("fc_guess")), 429)
    assert_error(client.put("/api/v1/responses/guess", json={"answers": []}), 429)
    # A valid token from the same address is not held back (see test_rate_limits.py).
    assert client.get("/api/v1/trait-sets", headers=bearer(token)).status_code == 200


def test_messages_follow_accept_language(app, api, make_assessment, api_user):
    from flask_babel import force_locale, gettext

    assessment, _ = make_assessment(api_user)
    with app.test_request_context(), force_locale("ja"):
        expected = gettext("Only a draft can be launched.")
    assert expected != "Only a draft can be launched."  # the catalog translates it
    response = api(
        "post", f"/api/v1/assessments/{assessment.id}/launch", headers={"Accept-Language": "ja"}
    )
    assert assert_error(response, 409)["message"] == expected


def test_a_body_that_is_not_json_is_a_400_saying_so(api):
    response = api(
        "post",
        "/api/v1/partners",
        data="{not json",
        headers={"Content-Type": "application/json"},
    )
    error = assert_error(response, 400)
    assert error["message"] == "Invalid JSON body." and "fields" not in error


def test_list_and_results_queries_do_not_grow_with_the_data(api, api_user, make_assessment):
    api("get", "/api/v1/trait-sets")  # records the token's use, once a minute
    counts = []
    for extra in (0, 3):
        for number in range(extra):
            traits.create_trait_set(
                api_user.workspace_id,
                name=f"Set {len(counts)}-{number}",
                scale_lo=1,
                scale_hi=5,
                point_labels={"en": list("12345"), "ja": list("12345")},
            )
        with count_queries() as statements:
            assert api("get", "/api/v1/trait-sets").status_code == 200
        counts.append(len(statements))
    assert counts[0] == counts[1] <= 3

    counts = []
    for size in (1, 4):
        assessment, tokens = make_assessment(api_user, company=size, client=size)
        for respondent in tokens:
            answers = [
                AnswerInput(trait_key=t.key, other=3, self_=4, importance=2)
                for t in assessment.traits
            ]
            save_answers(respondent, answers, submit=True)
        assessments.reveal(assessment)
        with count_queries() as statements:
            assert api("get", f"/api/v1/assessments/{assessment.id}/results").status_code == 200
        counts.append(len(statements))
    assert counts[0] == counts[1]
