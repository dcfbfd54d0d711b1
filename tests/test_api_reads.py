"""The API reads what it writes: partners with their latest round, assessments with their
progress, a round's respondents with their links, deleting a draft, and a round's
commitments. Every list is a page of the token's workspace, in a fixed number of queries,
and nothing of what anyone answered comes out."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

import pytest
from sqlalchemy import select

from fitcheck.extensions import db
from fitcheck.models import (
    Assessment,
    AuditEvent,
    Commitment,
    CommitmentStatus,
    Kind,
    Partner,
    Respondent,
    Role,
    Side,
    State,
    TraitSet,
    User,
    utcnow,
)
from fitcheck.services import api_tokens, assessments, commitments, responses
from fitcheck.services.answers import AnswerInput, save_answers
from fitcheck.services.respondents import (
    add_respondent,
    find_respondent,
    progress,
    withdraw_respondent,
)
from fitcheck.services.results import load_results
from fitcheck.services.summaries import summaries_for

from .support import count_queries

SECRET_COMMENT = "our-secret-comment-about-them"


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture
def owner(make_user) -> User:
    return make_user()


@pytest.fixture
def api(client, owner) -> Callable[..., Any]:
    """`api("get", path, …)` with a token of the workspace's owner."""
    token = api_tokens.create_token(owner, "Tests")[1]

    def call(method: str, path: str, **kwargs: Any) -> Any:
        return getattr(client, method)(path, headers=bearer(token), **kwargs)

    return call


def default_set(user: User) -> TraitSet:
    trait_set = db.session.scalar(
        select(TraitSet).where(TraitSet.workspace_id == user.workspace_id)
    )
    assert trait_set is not None
    return trait_set


def answer_all(respondents: Iterable[Respondent], assessment: Assessment, *, submit=True) -> None:
    for respondent in respondents:
        answers = [
            AnswerInput(
                trait_key=trait.key,
                other=1 + (trait.position + respondent.id) % 5,
                self_=4,
                importance=3,
                comment=SECRET_COMMENT,
            )
            for trait in assessment.traits
        ]
        save_answers(respondent, answers, submit=submit)


def revealed_round(partner: Partner, user: User, **settings: Any) -> Assessment:
    """A round of `partner`, answered by one person per side and revealed."""
    settings.setdefault("kind", Kind.PRE_CONTRACT)
    assessment = assessments.create_assessment(partner, default_set(user), **settings)
    people = [
        add_respondent(assessment, side=side, name=f"{side.value} person")[0] for side in Side
    ]
    assessments.launch(assessment, invite=False)
    answer_all(people, assessment)
    assessments.reveal(assessment)
    return assessment


def items(response: Any) -> list[dict[str, Any]]:
    assert response.status_code == 200, response.get_data(as_text=True)
    return list(response.get_json()["items"])


NEW_ENDPOINTS = [
    ("get", "/api/v1/partners"),
    ("get", "/api/v1/partners/1"),
    ("get", "/api/v1/assessments"),
    ("get", "/api/v1/assessments/1"),
    ("delete", "/api/v1/assessments/1"),
    ("get", "/api/v1/assessments/1/respondents"),
    ("get", "/api/v1/assessments/1/commitments"),
    ("post", "/api/v1/assessments/1/commitments"),
    ("patch", "/api/v1/commitments/1"),
]


@pytest.mark.parametrize(("method", "path"), NEW_ENDPOINTS)
def test_the_reads_need_a_token(client, make_assessment, method, path):
    make_assessment(launch=False)
    response = getattr(client, method)(path, json={})
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"].startswith("Bearer")
    assert db.session.get(Assessment, 1) is not None


# --------------------------------------------------------------------------------------------
# Partners
# --------------------------------------------------------------------------------------------


def test_partners_come_a_page_at_a_time_by_name_with_the_total(api, owner, make_partner):
    for name in ("Kyoto Ceramics", "aomori Apples", "Nagoya Steel"):
        make_partner(owner.workspace, name)

    first = api("get", "/api/v1/partners?per_page=2").get_json()
    second = api("get", "/api/v1/partners?per_page=2&page=2").get_json()
    beyond = api("get", "/api/v1/partners?per_page=2&page=3").get_json()

    assert [p["name"] for p in first["items"]] == ["aomori Apples", "Kyoto Ceramics"]
    assert {k: first[k] for k in ("page", "per_page", "total", "pages")} == {
        "page": 1,
        "per_page": 2,
        "total": 3,
        "pages": 2,
    }
    assert [p["name"] for p in second["items"]] == ["Nagoya Steel"]
    assert beyond["items"] == [] and beyond["total"] == 3


def test_partners_are_searched_by_name_in_any_case(api, owner, make_partner):
    for name in ("Kyoto Ceramics", "Kyoto 100% Tea", "Osaka Kyotoya", "Nagoya Steel"):
        make_partner(owner.workspace, name)

    assert [p["name"] for p in items(api("get", "/api/v1/partners?q=KYOTO"))] == [
        "Kyoto 100% Tea",
        "Kyoto Ceramics",
        "Osaka Kyotoya",
    ]
    # % and _ are characters, not wildcards; a control character is dropped, not a 500.
    assert [p["name"] for p in items(api("get", "/api/v1/partners?q=100%25"))] == ["Kyoto 100% Tea"]
    assert items(api("get", "/api/v1/partners?q=_")) == []
    assert len(items(api("get", "/api/v1/partners?q=kyo%00to"))) == 3
    assert api("get", "/api/v1/partners?q=kyoto").get_json()["total"] == 3


def test_each_partner_carries_its_latest_revealed_round_from_the_stored_summary(
    api, owner, make_partner
):
    partner = make_partner(owner.workspace, "Kitahama Foods")
    revealed_round(partner, owner)
    latest = revealed_round(partner, owner, kind=Kind.ANNUAL_REVIEW)
    # A later round not revealed yet is not the latest revealed one.
    collecting = assessments.create_assessment(partner, default_set(owner), kind=Kind.ANNUAL_REVIEW)
    make_partner(owner.workspace, "No Rounds Yet")

    listed = {p["name"]: p for p in items(api("get", "/api/v1/partners"))}

    summary = summaries_for(owner.workspace_id, [latest.id])[latest.id]
    fit = load_results(latest).fit
    round_ = listed["Kitahama Foods"]["latest_round"]
    assert round_["assessment_id"] == latest.id != collecting.id
    assert round_["kind"] == "annual_review"
    assert round_["revealed_at"].startswith(latest.revealed_at.isoformat()[:19])
    assert round_["mirror_score"] == summary.similarity == fit.mirror.similarity
    assert (round_["level_us"], round_["level_them"]) == (summary.level_us, summary.level_them)
    assert round_["verdict"] == fit.verdict.value
    assert listed["Kitahama Foods"]["assessments"] == 3
    assert listed["No Rounds Yet"]["latest_round"] is None
    assert listed["No Rounds Yet"]["assessments"] == 0


def test_a_partner_reads_as_it_is_listed(api, owner, make_partner):
    partner = make_partner(owner.workspace, "Kyoto Ceramics")
    revealed_round(partner, owner)

    one = api("get", f"/api/v1/partners/{partner.id}")

    assert one.status_code == 200
    assert one.get_json() == items(api("get", "/api/v1/partners"))[0]


# --------------------------------------------------------------------------------------------
# Assessments
# --------------------------------------------------------------------------------------------


def test_assessments_are_listed_latest_first_by_partner_and_state(
    api, owner, make_partner, make_assessment
):
    first, _ = make_assessment(owner)
    draft, _ = make_assessment(owner, launch=False)
    partner = make_partner(owner.workspace)
    revealed = revealed_round(partner, owner)

    everything = items(api("get", "/api/v1/assessments"))
    assert [a["id"] for a in everything] == [revealed.id, draft.id, first.id]
    assert [a["id"] for a in items(api("get", "/api/v1/assessments?state=draft"))] == [draft.id]
    assert [a["id"] for a in items(api("get", f"/api/v1/assessments?partner_id={partner.id}"))] == [
        revealed.id
    ]
    assert items(api("get", f"/api/v1/assessments?partner_id={partner.id}&state=draft")) == []
    paged = api("get", "/api/v1/assessments?per_page=1&page=2").get_json()
    assert [a["id"] for a in paged["items"]] == [draft.id]
    assert (paged["total"], paged["pages"]) == (3, 3)


@pytest.mark.parametrize(
    "query",
    ["per_page=101", "per_page=0", "page=0", "page=abc", "state=done", "partner_id=0", "pgae=2"],
)
def test_a_list_refuses_a_query_it_does_not_take(api, query):
    response = api("get", f"/api/v1/assessments?{query}")
    assert response.status_code == 422, response.get_data(as_text=True)
    assert response.get_json()["error"]["fields"]


def test_an_assessment_shows_its_settings_and_each_sides_progress_never_answers(
    api, owner, make_assessment
):
    assessment, tokens = make_assessment(owner, company=3, client=3, reminder_days=[5, 2])
    company = [r for r in tokens if r.side is Side.COMPANY]
    client = [r for r in tokens if r.side is Side.CLIENT]
    answer_all(company[:1], assessment, submit=True)
    answer_all(company[1:2], assessment, submit=False)
    answer_all(client[:1], assessment, submit=False)
    company[2].opened_at = utcnow()
    db.session.commit()
    responses.decline(client[1], "Too busy")
    withdraw_respondent(client[2])

    response = api("get", f"/api/v1/assessments/{assessment.id}")

    assert response.status_code == 200
    body = response.get_json()
    assert body["state"] == "collecting" and body["kind"] == "pre_contract"
    assert body["partner_id"] == assessment.partner_id
    assert body["reminder_days"] == [5, 2]
    assert body["scale"] == {"lo": assessment.scale_lo, "hi": assessment.scale_hi}
    sides = progress(assessment).sides
    assert body["progress"] == {
        side.value: {
            "invited": sides[side].invited,
            "opened": sides[side].opened,
            "draft": sides[side].draft,
            "submitted": sides[side].submitted,
            "declined": sides[side].declined,
        }
        for side in Side
    }
    assert body["progress"]["client"] == {
        "invited": 2,
        "opened": 2,  # saving a draft and declining open the link
        "draft": 1,
        "submitted": 0,
        "declined": 1,
    }
    text = response.get_data(as_text=True)
    assert SECRET_COMMENT not in text and "Too busy" not in text
    assert "answers" not in text and "other" not in body


def test_respondents_are_listed_with_status_and_working_links_never_answers(
    api, owner, make_assessment
):
    assessment, tokens = make_assessment(owner, company=2, client=1)
    submitted, withdrawn = sorted((r for r in tokens if r.side is Side.COMPANY), key=lambda r: r.id)
    answer_all([submitted], assessment)
    withdraw_respondent(withdrawn)

    response = api("get", f"/api/v1/assessments/{assessment.id}/respondents")

    listed = {r["id"]: r for r in items(response)}
    assert [r["side"] for r in listed.values()] == ["client", "company", "company"]
    assert listed[submitted.id]["status"] == "submitted"
    assert listed[submitted.id]["name"] == submitted.name
    assert listed[submitted.id]["email"] == submitted.email
    assert listed[withdrawn.id]["status"] == "withdrawn"
    assert listed[withdrawn.id]["invite_url"] is None
    for respondent, token in tokens.items():
        if respondent is not withdrawn:
            assert listed[respondent.id]["invite_url"].endswith(f"/r/{token}")
            assert find_respondent(token).id == respondent.id
    assert SECRET_COMMENT not in response.get_data(as_text=True)
    paged = api("get", f"/api/v1/assessments/{assessment.id}/respondents?per_page=2&page=2")
    assert [r["side"] for r in paged.get_json()["items"]] == ["company"]
    assert paged.get_json()["total"] == 3


# --------------------------------------------------------------------------------------------
# Deleting a draft
# --------------------------------------------------------------------------------------------


def test_an_owners_token_deletes_a_draft_and_nothing_launched(api, owner, make_assessment):
    draft, _ = make_assessment(owner, launch=False)
    launched, _ = make_assessment(owner)
    draft_id = draft.id

    deleted = api("delete", f"/api/v1/assessments/{draft_id}")
    refused = api("delete", f"/api/v1/assessments/{launched.id}")

    assert deleted.status_code == 204 and deleted.get_data() == b""
    assert db.session.get(Assessment, draft_id) is None
    assert api("get", f"/api/v1/assessments/{draft_id}").status_code == 404
    assert refused.status_code == 409
    assert "draft" in refused.get_json()["error"]["message"]
    assert db.session.get(Assessment, launched.id).state is State.COLLECTING
    event = db.session.scalar(select(AuditEvent).order_by(AuditEvent.id.desc()))
    assert event.actor_id == owner.id


def test_a_members_token_may_not_delete(client, owner, make_user, make_assessment):
    member = make_user(workspace=owner.workspace, role=Role.MEMBER)
    token = api_tokens.create_token(member, "Member")[1]
    draft, _ = make_assessment(owner, launch=False)

    response = client.delete(f"/api/v1/assessments/{draft.id}", headers=bearer(token))

    assert response.status_code == 403
    assert response.get_json()["error"]["code"] == 403
    assert db.session.get(Assessment, draft.id) is not None
    # Reading stays open to members.
    assert client.get(f"/api/v1/assessments/{draft.id}", headers=bearer(token)).status_code == 200


# --------------------------------------------------------------------------------------------
# Scoping and query counts
# --------------------------------------------------------------------------------------------


def test_another_workspaces_rows_are_neither_listed_nor_found(
    api, owner, make_user, make_partner, make_assessment
):
    other = make_user()
    foreign, _ = make_assessment(other, launch=False)
    foreign_partner = foreign.partner
    make_assessment(owner)

    assert foreign_partner.id not in [p["id"] for p in items(api("get", "/api/v1/partners"))]
    assert foreign.id not in [a["id"] for a in items(api("get", "/api/v1/assessments"))]
    assert items(api("get", f"/api/v1/assessments?partner_id={foreign_partner.id}")) == []
    for method, path in (
        ("get", f"/api/v1/partners/{foreign_partner.id}"),
        ("get", f"/api/v1/assessments/{foreign.id}"),
        ("get", f"/api/v1/assessments/{foreign.id}/respondents"),
        ("delete", f"/api/v1/assessments/{foreign.id}"),
        ("get", "/api/v1/partners/999999"),
    ):
        response = api(method, path)
        assert response.status_code == 404, path
    assert db.session.get(Assessment, foreign.id) is not None


def _queries(api: Callable[..., Any], path: str) -> int:
    with count_queries() as statements:
        response = api("get", path)
    assert response.status_code == 200, response.get_data(as_text=True)
    return len(statements)


def test_the_lists_cost_the_same_queries_for_one_row_as_for_twenty(
    api, owner, make_partner, make_assessment
):
    one = make_partner(owner.workspace, "A single partner")
    revealed_round(one, owner)
    small, _ = make_assessment(owner, company=1, client=0, launch=False)
    api("get", "/api/v1/partners")  # the token's first use records it once

    paths = (
        "/api/v1/partners?per_page=20",
        "/api/v1/assessments?per_page=20",
        f"/api/v1/assessments/{small.id}/respondents?per_page=20",
    )
    before = [_queries(api, path) for path in paths]
    assert [len(items(api("get", path))) for path in paths] == [2, 2, 1]

    for number in range(19):
        revealed_round(make_partner(owner.workspace, f"Partner {number:02}"), owner)
    big, _ = make_assessment(owner, company=10, client=10)
    paths = (*paths[:2], f"/api/v1/assessments/{big.id}/respondents?per_page=20")
    assert [len(items(api("get", path))) for path in paths] == [20, 20, 20]
    assert [_queries(api, path) for path in paths] == before


# --------------------------------------------------------------------------------------------
# Commitments
# --------------------------------------------------------------------------------------------


def promise(api: Callable[..., Any], assessment: Assessment, **body: Any) -> Any:
    body = {
        "trait_key": assessment.traits[0].key,
        "side": "company",
        "action": "Call weekly",
    } | body
    return api("post", f"/api/v1/assessments/{assessment.id}/commitments", json=body)


def test_a_commitment_is_recorded_after_the_reveal_and_listed(api, owner, make_partner):
    assessment = revealed_round(make_partner(owner.workspace), owner)
    trait = assessment.traits[1]

    created = promise(
        api,
        assessment,
        trait_key=trait.key,
        side="client",
        action="  Share the forecast monthly\nwith both teams  ",
        owner=None,
        due_on="2027-01-31",
    )

    assert created.status_code == 201, created.get_data(as_text=True)
    body = created.get_json()
    assert {k: body[k] for k in ("assessment_id", "trait_key", "side", "status", "here")} == {
        "assessment_id": assessment.id,
        "trait_key": trait.key,
        "side": "client",
        "status": "open",
        "here": True,
    }
    assert body["action"] == "Share the forecast monthly\nwith both teams"
    assert (body["owner"], body["due_on"]) == ("", "2027-01-31")
    assert (body["carried_from"], body["carried_to"]) == (None, None)
    listed = api("get", f"/api/v1/assessments/{assessment.id}/commitments").get_json()
    assert listed["items"] == [body] and listed["total"] == 1


def test_a_commitment_keeps_the_rules_of_the_results_page(
    api, owner, make_partner, make_assessment
):
    sealed, _ = make_assessment(owner)
    revealed = revealed_round(make_partner(owner.workspace), owner)

    assert promise(api, sealed).status_code == 409
    for body, field in (
        ({"trait_key": "no_such_trait"}, "trait_key"),
        ({"action": "   "}, "action"),
        ({"action": "Call\x00weekly"}, "action"),
        ({"action": "x" * 2001}, "action"),
        ({"owner": "Aiko\nSato"}, "owner"),
        ({"due_on": "1999-12-31"}, "due_on"),
        ({"side": "both"}, "side"),
        ({"status": "done"}, "status"),
    ):
        response = promise(api, revealed, **body)
        assert response.status_code == 422, body
        assert list(response.get_json()["error"]["fields"]) == [field]
    assert api("get", f"/api/v1/assessments/{revealed.id}/commitments").get_json()["total"] == 0


def test_a_commitments_status_changes_by_patch(api, owner, make_user, make_partner):
    assessment = revealed_round(make_partner(owner.workspace), owner)
    commitment_id = promise(api, assessment).get_json()["id"]

    changed = api("patch", f"/api/v1/commitments/{commitment_id}", json={"status": "in_progress"})

    assert changed.status_code == 200
    assert changed.get_json()["status"] == "in_progress"
    listed = api("get", f"/api/v1/assessments/{assessment.id}/commitments").get_json()
    assert listed["items"][0]["status"] == "in_progress"
    assert (
        api("patch", f"/api/v1/commitments/{commitment_id}", json={"status": "later"}).status_code
        == 422
    )
    assert api("patch", f"/api/v1/commitments/{commitment_id}", json={}).status_code == 422


def test_a_carried_commitment_is_one_promise_seen_from_both_rounds(api, owner, make_partner):
    partner = make_partner(owner.workspace)
    first = revealed_round(partner, owner)
    commitment_id = promise(api, first).get_json()["id"]
    second = assessments.create_assessment(
        partner, default_set(owner), kind=Kind.ANNUAL_REVIEW, previous=first
    )
    for side in Side:
        add_respondent(second, side=side, name=side.value)
    assessments.launch(second, invite=False)

    before = items(api("get", f"/api/v1/assessments/{first.id}/commitments"))
    now = items(api("get", f"/api/v1/assessments/{second.id}/commitments"))
    done = api("patch", f"/api/v1/commitments/{commitment_id}", json={"status": "done"})

    assert [c["id"] for c in before] == [c["id"] for c in now] == [commitment_id]
    assert (before[0]["here"], before[0]["carried_to"]) == (False, second.id)
    assert before[0]["assessment_id"] == second.id
    assert (now[0]["here"], now[0]["carried_from"]) == (
        True,
        {"assessment_id": first.id, "status": "open"},
    )
    assert done.get_json()["status"] == "done"
    assert done.get_json()["carried_from"] == {"assessment_id": first.id, "status": "open"}


def test_another_workspaces_commitments_are_not_found(api, make_user, make_partner):
    other = make_user()
    foreign_round = revealed_round(make_partner(other.workspace), other)
    foreign = commitments.add_commitment(
        foreign_round, trait_id=foreign_round.traits[0].id, side=Side.COMPANY, action="Theirs"
    )

    assert api("get", f"/api/v1/assessments/{foreign_round.id}/commitments").status_code == 404
    assert promise(api, foreign_round).status_code == 404
    response = api("patch", f"/api/v1/commitments/{foreign.id}", json={"status": "done"})
    assert response.status_code == 404
    assert db.session.get(Commitment, foreign.id).status is CommitmentStatus.OPEN


def test_a_rounds_commitments_cost_the_same_queries_for_one_as_for_twenty(api, owner, make_partner):
    assessment = revealed_round(make_partner(owner.workspace), owner)
    promise(api, assessment)
    path = f"/api/v1/assessments/{assessment.id}/commitments?per_page=20"
    api("get", path)
    one = _queries(api, path)

    for number in range(19):
        promise(api, assessment, action=f"Promise {number}")

    assert len(items(api("get", path))) == 20
    assert _queries(api, path) == one


def test_a_latest_round_waiting_for_its_summary_is_null_until_the_worker_has_it(
    api, owner, make_partner
):
    from sqlalchemy import delete

    from fitcheck.models import RoundSummary
    from fitcheck.services import summaries

    partner = make_partner(owner.workspace, "Kitahama Foods")
    latest = revealed_round(partner, owner)
    db.session.execute(delete(RoundSummary).where(RoundSummary.assessment_id == latest.id))
    db.session.commit()
    listed = {p["name"]: p for p in items(api("get", "/api/v1/partners"))}
    assert listed["Kitahama Foods"]["latest_round"] is None  # no page computes it
    summaries.fill_lacking()
    listed = {p["name"]: p for p in items(api("get", "/api/v1/partners"))}
    assert listed["Kitahama Foods"]["latest_round"]["assessment_id"] == latest.id
