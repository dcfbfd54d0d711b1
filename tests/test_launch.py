"""Launching is one use case whatever the door: the web page and the API both call
`assessments.launch`, with the same checks, audit event and commit. The web invites in the
launch's transaction; the API leaves the links to the integrator. Either way a launch that
fails writes nothing: no frozen trait, no queued mail, no invitation marked as sent.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import func, select

from fitcheck.extensions import db
from fitcheck.models import (
    Assessment,
    AssessmentTrait,
    AuditEvent,
    OutboxMessage,
    Respondent,
    State,
)
from fitcheck.services import api_tokens, assessments, audit

from .support import csrf_token


class Boom(Exception):
    """A failure after the invitations were queued and before the commit."""


@pytest.fixture
def launches(monkeypatch: pytest.MonkeyPatch) -> list[bool]:
    """Every call of `assessments.launch`, by its `invite` argument."""
    calls: list[bool] = []
    launch = assessments.launch

    def spy(assessment: Assessment, **kwargs: Any) -> Assessment:
        calls.append(kwargs["invite"])
        return launch(assessment, **kwargs)

    monkeypatch.setattr(assessments, "launch", spy)
    return calls


@pytest.fixture
def fail_before_commit(monkeypatch: pytest.MonkeyPatch) -> Callable[[], None]:
    """Make the launch's audit record, written after the invitations, raise."""

    def arm() -> None:
        def boom(*args: Any, **kwargs: Any) -> None:
            raise Boom

        monkeypatch.setattr(audit, "record", boom)

    return arm


def _web_launch(client: Any, assessment_id: int) -> Any:
    show = f"/assessments/{assessment_id}"
    return client.post(f"{show}/launch", data={"csrf_token": csrf_token(client, show)})


def _token(user: Any) -> str:
    return api_tokens.create_token(user, "Launch tests")[1]


def _api_launch(client: Any, token: str, assessment_id: int) -> Any:
    return client.post(
        f"/api/v1/assessments/{assessment_id}/launch",
        headers={"Authorization": f"Bearer {token}"},
    )


def _written(assessment_id: int) -> dict[str, Any]:
    """What a launch writes, read afresh from the database."""
    db.session.rollback()
    respondents = db.session.scalars(
        select(Respondent).where(Respondent.assessment_id == assessment_id)
    ).all()
    return {
        "state": db.session.get(Assessment, assessment_id).state,
        "traits": db.session.scalar(
            select(func.count(AssessmentTrait.id)).where(
                AssessmentTrait.assessment_id == assessment_id
            )
        ),
        "mails": sorted(db.session.scalars(select(OutboxMessage.to_address)).all()),
        "invited": [r.invited_at is not None for r in respondents],
        "emails": sorted(r.email for r in respondents if r.email),
        "events": db.session.scalar(
            select(func.count(AuditEvent.id)).where(AuditEvent.kind == audit.Kind.LAUNCH)
        ),
    }


def test_the_web_launch_invites_everyone_in_the_launch_transaction(
    client, make_user, make_assessment, sign_in, launches
):
    owner = make_user("owner@example.com")
    draft, _ = make_assessment(owner, company=2, client=2, launch=False)
    sign_in("owner@example.com")

    assert _web_launch(client, draft.id).status_code == 302

    assert launches == [True]
    written = _written(draft.id)
    assert written["state"] is State.COLLECTING and written["traits"] == 10
    assert written["mails"] == written["emails"] and len(written["mails"]) == 4
    assert written["invited"] == [True] * 4
    assert written["events"] == 1


def test_a_web_launch_that_fails_leaves_no_mail_and_no_invitation(
    client, make_user, make_assessment, sign_in, launches, fail_before_commit
):
    owner = make_user("owner@example.com")
    draft, _ = make_assessment(owner, launch=False)
    sign_in("owner@example.com")
    fail_before_commit()

    with pytest.raises(Boom):
        _web_launch(client, draft.id)

    assert launches == [True]  # it got as far as queueing the invitations
    written = _written(draft.id)
    assert written["state"] is State.DRAFT and written["traits"] == 0
    assert written["mails"] == [] and written["invited"] == [False, False]
    assert written["events"] == 0


def test_the_api_launch_leaves_sharing_the_links_to_the_integrator(
    client, make_user, make_assessment, launches
):
    owner = make_user()
    draft, _ = make_assessment(owner, company=2, client=2, launch=False)

    response = _api_launch(client, _token(owner), draft.id)

    assert response.status_code == 200 and response.get_json()["state"] == "collecting"
    assert launches == [False]
    written = _written(draft.id)
    assert written["state"] is State.COLLECTING and written["traits"] == 10
    assert written["mails"] == [] and written["invited"] == [False] * 4
    assert written["events"] == 1


def test_an_api_launch_that_fails_writes_nothing(
    client, make_user, make_assessment, launches, fail_before_commit
):
    owner = make_user()
    draft, _ = make_assessment(owner, launch=False)
    token = _token(owner)
    fail_before_commit()

    with pytest.raises(Boom):
        _api_launch(client, token, draft.id)

    assert launches == [False]
    written = _written(draft.id)
    assert written["state"] is State.DRAFT and written["traits"] == 0
    assert written["mails"] == [] and written["invited"] == [False, False]
    assert written["events"] == 0


def test_both_doors_refuse_a_one_sided_draft_with_the_same_rule(
    client, make_user, make_assessment, sign_in, launches
):
    owner = make_user("owner@example.com")
    draft, _ = make_assessment(owner, client=0, launch=False)
    sign_in("owner@example.com")

    page = client.get(_web_launch(client, draft.id).headers["Location"])
    refused = _api_launch(client, _token(owner), draft.id)

    rule = "Invite at least one respondent on each side before launching."
    assert rule in page.get_data(as_text=True)
    assert refused.status_code == 409 and refused.get_json()["error"]["message"] == rule
    assert launches == [True, False]
    assert _written(draft.id)["state"] is State.DRAFT
