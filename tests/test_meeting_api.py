"""A round's review meetings over the API: the running (else latest) meeting and the list,
each as the OpenAPI document promises, with the commitments made in it; read only, and
only in the token's workspace."""

from __future__ import annotations

from datetime import date

import pytest

from fitcheck.models import Side
from fitcheck.services import api_tokens, assessments
from fitcheck.services import meetings as service
from fitcheck.services.demo_plans import MEETING_PROMISES

from .support import count_queries
from .test_api import assert_conforms, assert_error, bearer
from .test_meeting import answer_all, start


@pytest.fixture
def owner(make_user):
    return make_user("api-owner@example.com")


@pytest.fixture
def api(client, owner):
    token = api_tokens.create_token(owner, "Meetings")[1]

    def call(method, path, **kwargs):
        return getattr(client, method)(path, headers=bearer(token), **kwargs)

    return call


@pytest.fixture
def revealed(owner, make_assessment):
    assessment, tokens = make_assessment(owner, company=1, client=2)
    answer_all(assessment, tokens)
    assessments.reveal(assessment)
    return assessment


def test_a_round_without_a_meeting_answers_404(api, revealed):
    assert_error(api("get", f"/api/v1/assessments/{revealed.id}/meeting"), 404)
    page = api("get", f"/api/v1/assessments/{revealed.id}/meetings")
    assert page.status_code == 200
    assert page.get_json() == {"items": [], "page": 1, "per_page": 20, "total": 0, "pages": 0}


def test_the_meeting_with_its_steps_people_and_commitments(api, owner, revealed):
    ended = service.demo_meeting(revealed, owner)
    running = start(revealed, owner, language="ja")
    service.move_to(running, 2)
    service.record_commitment(
        running,
        trait_id=running.trait_ids[1],
        side=Side.CLIENT,
        action="Share the plan",
        owner="Aoki",
        due_on=date(2027, 2, 1),
    )
    response = api("get", f"/api/v1/assessments/{revealed.id}/meeting")
    assert response.status_code == 200
    body = response.get_json()
    assert_conforms(api, body, "Meeting")
    keys = {trait.id: trait.key for trait in revealed.traits}
    assert body["id"] == running.id and body["running"] and body["language"] == "ja"
    assert body["order"] == "gap" and body["step"] == 2
    assert body["steps"] == [keys[trait_id] for trait_id in running.trait_ids]
    assert body["discussed"] == [keys[running.trait_ids[1]]]
    assert body["facilitator"] == {"id": owner.id, "name": owner.name}
    assert {(p["kind"], p["side"]) for p in body["participants"]} == {
        ("respondent", "company"),
        ("respondent", "client"),
        ("member", "company"),
    }
    [commitment] = body["commitments"]
    assert commitment["action"] == "Share the plan" and commitment["side"] == "client"
    assert commitment["trait_key"] == keys[running.trait_ids[1]] and commitment["here"]

    listed = api("get", f"/api/v1/assessments/{revealed.id}/meetings").get_json()
    assert_conforms(api, listed, "MeetingPage")
    assert [item["id"] for item in listed["items"]] == [running.id, ended.id]
    finished = listed["items"][1]
    assert (
        not finished["running"] and finished["ended_at"] and finished["summary_queued_at"] is None
    )
    assert len(finished["commitments"]) == len(MEETING_PROMISES)


def test_listing_meetings_costs_the_same_queries_for_one_or_many(api, owner, revealed):
    service.demo_meeting(revealed, owner)
    api("get", f"/api/v1/assessments/{revealed.id}/meetings")  # the token's first use is noted
    with count_queries() as one:
        assert api("get", f"/api/v1/assessments/{revealed.id}/meetings").status_code == 200
    for _ in range(3):
        meeting = start(revealed, owner)
        service.record_commitment(
            meeting, trait_id=meeting.trait_ids[0], side=Side.COMPANY, action="Call"
        )
        service.end_meeting(meeting)
    with count_queries() as four:
        page = api("get", f"/api/v1/assessments/{revealed.id}/meetings").get_json()
    assert page["total"] == 4 and len(one) == len(four)


def test_another_workspaces_meetings_are_not_found(client, make_user, owner, revealed):
    start(revealed, owner)
    stranger = make_user("stranger@example.com")
    token = api_tokens.create_token(stranger, "Elsewhere")[1]
    for path in ("meeting", "meetings"):
        response = client.get(f"/api/v1/assessments/{revealed.id}/{path}", headers=bearer(token))
        assert_error(response, 404)


def test_the_meetings_need_a_token(client, revealed):
    assert_error(client.get(f"/api/v1/assessments/{revealed.id}/meeting"), 401)
