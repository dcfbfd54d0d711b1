"""Deleting: a draft assessment, a partner with everything of it, a whole workspace; the
next round that is never started twice; and the confirmation pages that work without
JavaScript. On SQLite and PostgreSQL alike."""

from __future__ import annotations

import threading
import time
from datetime import date, timedelta
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from fitcheck.extensions import db
from fitcheck.models import (
    ApiToken,
    Assessment,
    AuditEvent,
    Kind,
    MemberInvitation,
    Outcome,
    Partner,
    PasswordReset,
    Side,
    State,
    TraitSet,
    User,
    Workspace,
    utcnow,
)
from fitcheck.services import ServiceError, api_tokens, assessments, commitments, deletion
from fitcheck.services import partners as partner_service
from fitcheck.services.answers import AnswerInput, save_answers
from fitcheck.services.respondents import add_respondent

from .support import PASSWORD, csrf_token, sign_in_with

# Rows that belong to no workspace: they stay whatever is deleted.
UNOWNED_TABLES = {"workspaces", "sign_up_requests", "schedule_marks"}


def _post(client: FlaskClient, url: str, data: dict[str, Any], form_url: str) -> Any:
    return client.post(url, data={**data, "csrf_token": csrf_token(client, form_url)})


def _counts(workspace_id: int) -> dict[str, int]:
    """Rows of every table that belong to the workspace, directly or through its users."""
    users = select(User.id).where(User.workspace_id == workspace_id)
    counts = {}
    for table in db.metadata.sorted_tables:
        if "workspace_id" in table.c:
            where = table.c.workspace_id == workspace_id
        elif "user_id" in table.c:
            where = table.c.user_id.in_(users)
        else:
            continue
        counts[table.name] = db.session.scalar(select(func.count()).select_from(table).where(where))
    return counts


def _round(partner: Partner, *, reveal: bool = True, tag: str = "") -> Assessment:
    """A round with people on both sides, answers, and, once revealed, a summary and a
    commitment; invitations and results-ready mail queued in the outbox."""
    trait_set = db.session.scalar(
        select(TraitSet).where(TraitSet.workspace_id == partner.workspace_id)
    )
    assessment = assessments.create_assessment(partner, trait_set, kind=Kind.PRE_CONTRACT)
    for side in Side:
        add_respondent(
            assessment, side=side, name=side.value, email=f"{side.value}-{tag}@example.com"
        )
    assessments.launch(assessment, invite=True)
    for respondent in assessment.respondents:
        answers = [
            AnswerInput(trait_key=trait.key, other=4, self_=3, importance=3, comment="ok")
            for trait in assessment.traits
        ]
        save_answers(respondent, answers, submit=True)
    if reveal:
        assessments.reveal(assessment)
        commitments.add_commitment(
            assessment,
            trait_id=assessment.traits[0].id,
            side=Side.COMPANY,
            action="Answer within a day",
        )
    return assessment


def _fill(partner: Partner, tag: str) -> None:
    """Everything a partner can have: contacts, outcomes, rounds and a next-round draft."""
    partner_service.add_contact(partner, name="Contact", email=f"contact-{tag}@example.com")
    db.session.add(
        Outcome(
            workspace_id=partner.workspace_id,
            partner_id=partner.id,
            period="2025",
            observed_on=date(2025, 12, 1),
            renewed=True,
        )
    )
    db.session.commit()
    revealed = _round(partner, tag=f"{tag}-1")
    _round(partner, reveal=False, tag=f"{tag}-2")
    assessments.start_next_round(revealed)


@pytest.fixture
def owner(make_user: Any) -> User:
    return make_user("owner@example.com")


@pytest.fixture
def member(make_user: Any, owner: User) -> User:
    return make_user("member@example.com", workspace=owner.workspace)


def test_every_row_of_a_workspace_goes_with_it_by_the_schema() -> None:
    """Each table is owned by a workspace (or a user of one) and cascades from it; the one
    RESTRICT key, an assessment's partner, is why the services delete assessments first."""
    restrict = set()
    for table in db.metadata.sorted_tables:
        if table.name not in UNOWNED_TABLES:
            assert {"workspace_id", "user_id"} & set(table.c.keys()), table.name
        for key in table.foreign_key_constraints:
            owner_key = ["workspace_id"] if "workspace_id" in table.c else ["user_id"]
            if key.column_keys == owner_key:
                assert key.ondelete == "CASCADE", (table.name, key.column_keys)
            if key.ondelete not in ("CASCADE", "SET NULL"):
                restrict.add((table.name, tuple(key.column_keys), key.ondelete))
    assert restrict == {("assessments", ("partner_id", "workspace_id"), "RESTRICT")}


def test_a_draft_is_deleted_with_its_respondents(client, owner, make_partner, sign_in):
    partner = make_partner(owner.workspace, "Aozora")
    trait_set = db.session.scalar(
        select(TraitSet).where(TraitSet.workspace_id == owner.workspace_id)
    )
    draft = assessments.create_assessment(partner, trait_set, kind=Kind.PRE_CONTRACT)
    add_respondent(draft, side=Side.COMPANY, name="Sato", email="s@example.com")
    sign_in("owner@example.com")
    show, show_subject = f"/assessments/{draft.id}", f"Aozora (#{draft.id})"
    page = client.get(show).get_data(as_text=True)
    assert f'href="{show}/delete"' in page and "data-confirm=" in page

    confirm_page = client.get(f"{show}/delete")
    assert confirm_page.status_code == 200
    text = confirm_page.get_data(as_text=True)
    assert "Delete this draft assessment?" in text and 'name="csrf_token"' in text

    response = _post(client, f"{show}/delete", {}, f"{show}/delete")
    assert response.status_code == 302
    assert response.headers["Location"] == f"/partners/{partner.id}"
    assert "The draft is deleted." in client.get(response.headers["Location"]).get_data(
        as_text=True
    )
    assert db.session.scalar(select(func.count(Assessment.id))) == 0
    assert _counts(owner.workspace_id)["respondents"] == 0
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.kind == "delete"))
    assert event.subject == show_subject and event.actor_id == owner.id


def test_only_a_draft_can_be_deleted(client, owner, make_assessment, sign_in):
    collecting, _ = make_assessment(owner)
    sign_in("owner@example.com")
    show = f"/assessments/{collecting.id}"
    assert f"{show}/delete" not in client.get(show).get_data(as_text=True)
    response = _post(client, f"{show}/delete", {}, show)
    assert response.headers["Location"] == show
    assert "Only a draft can be deleted" in client.get(show).get_data(as_text=True)
    # The confirmation page is not offered either.
    assert client.get(f"{show}/delete").headers["Location"] == show
    db.session.refresh(collecting)
    assert collecting.state is State.COLLECTING
    with pytest.raises(ServiceError, match="Only a draft"):
        deletion.delete_draft_assessment(collecting)


def test_partner_is_deleted_with_everything_of_it(client, owner, make_user, make_partner, sign_in):
    workspace_id = owner.workspace_id
    kept = make_partner(owner.workspace, "Kept")
    _fill(kept, "kept")
    other_owner = make_user("other@example.com")
    _fill(make_partner(other_owner.workspace, "Elsewhere"), "elsewhere")
    before = _counts(workspace_id)
    other_before = _counts(other_owner.workspace_id)

    doomed = make_partner(owner.workspace, "Kitahama Foods")
    _fill(doomed, "doomed")
    filled = _counts(workspace_id)
    for table in (
        "partners",
        "contacts",
        "outcomes",
        "assessments",
        "assessment_traits",
        "respondents",
        "answers",
        "commitments",
        "round_summaries",
        "outbox_messages",
    ):
        assert filled[table] > before[table], table

    sign_in("owner@example.com")
    url = f"/partners/{doomed.id}/delete"
    page = client.get(url)
    assert page.status_code == 200
    assert "Delete Kitahama Foods and all its data?" in page.get_data(as_text=True)
    response = _post(client, url, {"confirm_name": "  Kitahama Foods "}, url)
    assert response.status_code == 302 and response.headers["Location"] == "/partners/"
    assert "Kitahama Foods is deleted" in client.get("/partners/").get_data(as_text=True)

    after = _counts(workspace_id)
    # Only the log grew (the sign-in, the deletion); the log keeps what happened before.
    assert {t: n for t, n in after.items() if t not in {"audit_events", "user_sessions"}} == {
        t: n for t, n in before.items() if t not in {"audit_events", "user_sessions"}
    }
    assert _counts(other_owner.workspace_id) == other_before
    event = db.session.scalars(
        select(AuditEvent).where(AuditEvent.kind == "delete").order_by(AuditEvent.id.desc())
    ).first()
    assert event.subject == "Kitahama Foods" and event.details["assessments"] == 3


def test_a_wrong_name_deletes_nothing_and_keeps_what_was_typed(
    client, owner, make_partner, sign_in
):
    partner = make_partner(owner.workspace, "Aozora Design")
    sign_in("owner@example.com")
    url = f"/partners/{partner.id}/delete"
    for typed in ("aozora design", "Aozora", ""):
        response = _post(client, url, {"confirm_name": typed}, url)
        assert response.status_code == 200
        page = response.get_data(as_text=True)
        assert 'aria-invalid="true"' in page
        assert f'spellcheck="false" type="text" value="{typed}"' in page
    assert db.session.get(Partner, partner.id) is not None
    with pytest.raises(ServiceError) as raised:
        deletion.delete_partner(partner, confirm_name="Aozora")
    assert raised.value.field == "confirm_name"
    assert db.session.get(Partner, partner.id) is not None


def test_workspace_is_deleted_and_everyone_in_it_signed_out(
    app: Flask, client, owner, member, make_user, make_partner, sign_in
):
    workspace_id = owner.workspace_id
    _fill(make_partner(owner.workspace, "Aozora"), "a")
    db.session.add_all(
        [
            MemberInvitation(
                workspace_id=workspace_id,
                email="new@example.com",
                token_nonce="n" * 32,
                token_hash="h" * 64,
                expires_at=utcnow() + timedelta(days=7),
            ),
            PasswordReset(
                user_id=member.id,
                token_nonce="m" * 32,
                token_hash="g" * 64,
                expires_at=utcnow() + timedelta(hours=1),
            ),
        ]
    )
    db.session.commit()
    _, member_token = api_tokens.create_token(member, "script")
    other_owner = make_user("other@example.com")
    _fill(make_partner(other_owner.workspace, "Elsewhere"), "b")
    _, other_token = api_tokens.create_token(other_owner, "script")
    other_before = _counts(other_owner.workspace_id)

    member_client = app.test_client()
    sign_in_with(member_client, "member@example.com")
    assert member_client.get("/partners/").status_code == 200
    sign_in("owner@example.com")
    assert client.get("/workspace").status_code == 200
    url = "/workspace/delete"
    page = client.get(url).get_data(as_text=True)
    assert "Delete the workspace Workspace of owner@example.com" in page

    response = _post(client, url, {"confirm_name": "Workspace of owner@example.com"}, url)
    assert response.status_code == 302 and response.headers["Location"] == "/sign-in"
    landing = client.get("/sign-in").get_data(as_text=True)
    assert "is deleted, with everything in it" in landing

    assert db.session.get(Workspace, workspace_id) is None
    assert set(_counts(workspace_id).values()) == {0}
    assert db.session.scalar(select(func.count(PasswordReset.id))) == 0
    # Both browsers are signed out; the member's API token is refused.
    for browser in (client, member_client):
        assert browser.get("/partners/").headers["Location"].startswith("/sign-in")
    bearer = {"Authorization": f"Bearer {member_token}"}
    assert client.get("/api/v1/trait-sets", headers=bearer).status_code == 401
    # Another workspace is untouched, its token still works.
    assert _counts(other_owner.workspace_id) == other_before
    bearer = {"Authorization": f"Bearer {other_token}"}
    assert client.get("/api/v1/trait-sets", headers=bearer).status_code == 200
    assert db.session.scalar(select(func.count(ApiToken.id))) == 1


def test_a_wrong_workspace_name_deletes_nothing(client, owner, sign_in):
    sign_in("owner@example.com")
    url = "/workspace/delete"
    response = _post(client, url, {"confirm_name": "Workspace of someone"}, url)
    assert response.status_code == 200
    assert 'value="Workspace of someone"' in response.get_data(as_text=True)
    assert db.session.get(Workspace, owner.workspace_id) is not None
    assert client.get("/workspace").status_code == 200


def test_owner_renames_the_workspace(client, owner, sign_in):
    sign_in("owner@example.com")
    page = client.get("/workspace").get_data(as_text=True)
    assert "/workspace/export" in page and 'href="/workspace/delete"' in page
    response = _post(client, "/workspace", {"name": "  Minato Trading  "}, "/workspace")
    assert response.status_code == 302
    db.session.refresh(owner.workspace)
    assert owner.workspace.name == "Minato Trading"
    response = _post(client, "/workspace", {"name": ""}, "/workspace")
    assert response.status_code == 200 and 'aria-invalid="true"' in response.get_data(as_text=True)


def test_members_cannot_delete_or_manage_the_workspace(
    client, owner, member, make_partner, make_assessment, sign_in
):
    partner = make_partner(owner.workspace, "Aozora")
    draft, _ = make_assessment(owner, launch=False)
    sign_in("member@example.com")
    assert "/delete" not in client.get(f"/partners/{partner.id}").get_data(as_text=True)
    assert "/delete" not in client.get(f"/assessments/{draft.id}").get_data(as_text=True)
    assert 'href="/workspace"' not in client.get("/partners/").get_data(as_text=True)
    token = csrf_token(client, "/partners/")
    for url, data in (
        ("/workspace", {"name": "Taken over"}),
        ("/workspace/delete", {"confirm_name": owner.workspace.name}),
        (f"/partners/{partner.id}/delete", {"confirm_name": "Aozora"}),
        (f"/assessments/{draft.id}/delete", {}),
    ):
        assert client.get(url).status_code == 403, url
        assert client.post(url, data={**data, "csrf_token": token}).status_code == 403, url
    assert db.session.get(Partner, partner.id) is not None
    assert db.session.get(Assessment, draft.id) is not None
    # Launch, reveal and withdraw stay every member's: their confirmation pages open.
    assert client.get(f"/assessments/{draft.id}/launch/confirm").status_code == 200


def test_a_second_next_round_leads_to_the_existing_draft(client, owner, make_partner, sign_in):
    previous = _round(make_partner(owner.workspace, "Kitahama"), tag="x")
    sign_in("owner@example.com")
    show = f"/assessments/{previous.id}"
    first = _post(client, f"{show}/next-round", {}, show)
    second = _post(client, f"{show}/next-round", {}, show)
    assert first.headers["Location"] == second.headers["Location"]
    assert "already started" in client.get(second.headers["Location"]).get_data(as_text=True)
    drafts = db.session.scalars(select(Assessment).where(Assessment.previous_id == previous.id))
    assert len(drafts.all()) == 1
    # The service itself never makes a second copy either.
    draft = assessments.next_round_draft(previous)
    assert assessments.start_next_round(previous).id == draft.id
    # Once the draft is launched, the next start makes a new draft.
    assessments.launch(draft, invite=False)
    assert assessments.start_next_round(previous).id != draft.id


def test_two_simultaneous_starts_make_one_draft(app: Flask, owner, make_partner, monkeypatch):
    previous_id = _round(make_partner(owner.workspace, "Kitahama"), tag="x").id
    db.session.commit()
    # Widen the window between looking for a draft and making one, as a slow server would.
    look = assessments.next_round_draft

    def slow_look(previous: Assessment) -> Assessment | None:
        found = look(previous)
        time.sleep(0.3)
        return found

    monkeypatch.setattr(assessments, "next_round_draft", slow_look)
    barrier = threading.Barrier(2)
    made: list[int] = []
    errors: list[BaseException] = []

    def start() -> None:
        try:
            with app.app_context():
                previous = db.session.get(Assessment, previous_id)
                barrier.wait(timeout=10)
                made.append(assessments.start_next_round(previous).id)
                db.session.remove()
        except BaseException as error:
            errors.append(error)

    threads = [threading.Thread(target=start) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert not errors
    assert len(made) == 2 and made[0] == made[1]
    count = select(func.count(Assessment.id)).where(Assessment.previous_id == previous_id)
    assert db.session.scalar(count) == 1


@pytest.mark.parametrize("action", ["launch", "reveal"])
def test_confirmation_pages_work_without_javascript(
    client, owner, make_assessment, sign_in, action
):
    assessment, _ = make_assessment(owner, launch=action == "reveal")
    sign_in("owner@example.com")
    show = f"/assessments/{assessment.id}"
    page = client.get(show).get_data(as_text=True)
    # The button is a link to the confirmation page, inside the real form.
    assert f'href="{show}/{action}/confirm"' in page
    assert f'action="{show}/{action}"' in page
    confirm_url = f"{show}/{action}/confirm"
    response = client.get(confirm_url)
    assert response.status_code == 200
    text = response.get_data(as_text=True)
    assert f'<form method="post" action="{show}/{action}"' in text
    assert 'name="csrf_token"' in text and f'href="{show}">Cancel</a>' in text
    _post(client, f"{show}/{action}", {}, confirm_url)
    db.session.refresh(assessment)
    expected = State.COLLECTING if action == "launch" else State.REVEALED
    assert assessment.state is expected


def test_withdrawing_asks_first(client, owner, make_assessment, sign_in):
    assessment, tokens = make_assessment(owner)
    respondent = next(iter(tokens))
    sign_in("owner@example.com")
    page = client.get(f"/assessments/{assessment.id}").get_data(as_text=True)
    url = f"/respondents/{respondent.id}/withdraw/confirm"
    assert f'href="{url}"' in page
    text = client.get(url).get_data(as_text=True)
    assert f"Withdraw the invitation of {respondent.name}?" in text
    _post(client, f"/respondents/{respondent.id}/withdraw", {}, url)
    db.session.refresh(respondent)
    assert respondent.withdrawn_at is not None


def test_confirmation_words_escape_user_data(client, owner, make_partner, sign_in):
    partner = make_partner(owner.workspace, '<b>"Evil" & Co</b>')
    partner_id = partner.id
    sign_in("owner@example.com")
    page = client.get(f"/partners/{partner.id}").get_data(as_text=True)
    assert "<b>" not in page
    assert 'data-confirm-name="&lt;b&gt;&#34;Evil&#34; &amp; Co&lt;/b&gt;"' in page
    url = f"/partners/{partner.id}/delete"
    assert "<b>" not in client.get(url).get_data(as_text=True)
    _post(client, url, {"confirm_name": '<b>"Evil" & Co</b>'}, url)
    assert db.session.get(Partner, partner_id) is None


def test_deleting_ignores_rows_of_other_workspaces(client, owner, make_user, make_assessment):
    other = make_user("other@example.com")
    draft, _ = make_assessment(other, launch=False)
    sign_in_with(client, "owner@example.com", PASSWORD)
    token = csrf_token(client, "/partners/")
    assert client.get(f"/assessments/{draft.id}/delete").status_code == 404
    response = client.post(f"/assessments/{draft.id}/delete", data={"csrf_token": token})
    assert response.status_code == 404
    response = client.post(
        f"/partners/{draft.partner_id}/delete",
        data={"csrf_token": token, "confirm_name": draft.partner.name},
    )
    assert response.status_code == 404
    assert db.session.get(Assessment, draft.id) is not None
