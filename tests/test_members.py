"""Workspace members: an owner invites a colleague by mail, the colleague joins once through
the link, owners change roles and remove members, and a workspace always keeps an owner.
A removed member's session and API token fail on their next request."""

from __future__ import annotations

import re
import threading
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm.attributes import set_committed_value

from fitcheck.extensions import db
from fitcheck.models import (
    ApiToken,
    AuditEvent,
    MailStatus,
    MemberInvitation,
    OutboxMessage,
    Role,
    User,
    UserSession,
    utcnow,
)
from fitcheck.services import ServiceError, api_tokens, audit, members, outbox
from fitcheck.services.members import INVITATION_VALIDITY, LinkState

from .smtp import Mailbox, mail_config
from .support import PASSWORD, count_queries, csrf_token, sign_in_with

NEW_PASSWORD = "plum blossoms in march"
JOIN_LINK = re.compile(r"http://fitcheck\.test/join/([A-Za-z0-9_-]+)")  # BASE_URL of conftest


@pytest.fixture
def app_config(app_config: dict[str, Any], request: pytest.FixtureRequest) -> dict[str, Any]:
    """A real SMTP server only for the tests that ask for `mailbox`."""
    if "mailbox" in request.fixturenames:
        return {**app_config, **mail_config(request.getfixturevalue("mailbox"))}
    return app_config


@pytest.fixture
def owner(make_user: Callable[..., User]) -> User:
    user = make_user("owner@example.com")
    user.name = "Taro Owner"
    db.session.commit()
    return user


@pytest.fixture
def owner_client(app: Flask, owner: User) -> FlaskClient:
    client = app.test_client()
    assert sign_in_with(client, owner.email).status_code == 302
    return client


def post(client: FlaskClient, url: str, data: dict[str, str] | None = None, **kwargs: Any) -> Any:
    """Post as a browser would: with the CSRF token of a page this client may open."""
    token = csrf_token(client, "/account")
    return client.post(url, data={**(data or {}), "csrf_token": token}, **kwargs)


def invite(client: FlaskClient, email: str, role: str = "member") -> Any:
    return post(client, "/members", {"email": email, "role": role})


def latest_mail(to: str) -> OutboxMessage:
    message = db.session.scalar(
        select(OutboxMessage)
        .where(OutboxMessage.kind == "member_invitation", OutboxMessage.to_address == to)
        .order_by(OutboxMessage.id.desc())
    )
    assert message is not None, f"no member invitation queued to {to}"
    return message


def mailed_token(to: str) -> str:
    """The token of the link in the latest invitation mail to `to`, rendered as sent."""
    rendered = outbox.render(latest_mail(to))
    assert rendered is not None
    match = JOIN_LINK.search(rendered.text)
    assert match, rendered.text
    assert f"http://fitcheck.test/join/{match.group(1)}" in (rendered.html or "")
    return match.group(1)


def join(client: FlaskClient, token: str, **fields: str) -> Any:
    page = client.get(f"/join/{token}")
    match = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page.get_data(True))
    data = {"name": "Hanako Colleague", "password": NEW_PASSWORD, "confirm": NEW_PASSWORD}
    data.update(fields)
    data["csrf_token"] = match.group(1) if match else ""
    return client.post(f"/join/{token}", data=data)


def events(kind: audit.Kind) -> list[AuditEvent]:
    return list(
        db.session.scalars(
            select(AuditEvent).where(AuditEvent.kind == kind.value).order_by(AuditEvent.id)
        )
    )


def invitation_to(email: str) -> MemberInvitation:
    invitation = db.session.scalar(
        select(MemberInvitation)
        .where(MemberInvitation.email == email)
        .order_by(MemberInvitation.id.desc())
    )
    assert invitation is not None
    return invitation


# Inviting


def test_owner_invites_a_colleague_and_the_mail_is_queued_with_the_invitation(
    owner: User, owner_client: FlaskClient
) -> None:
    response = invite(owner_client, " Hanako@Example.com ", "owner")

    assert response.status_code == 302
    invitation = invitation_to("hanako@example.com")
    assert invitation.role is Role.OWNER
    assert invitation.invited_by_id == owner.id
    assert invitation.workspace_id == owner.workspace_id
    assert invitation.expires_at - invitation.sent_at == INVITATION_VALIDITY
    message = latest_mail("hanako@example.com")
    assert message.payload == {"invitation_id": invitation.id}
    assert message.status is MailStatus.QUEUED
    assert message.workspace_id == owner.workspace_id
    # The link's token exists only in the mail; the database holds its hash.
    assert mailed_token("hanako@example.com") not in str(message.payload)
    [event] = events(audit.Kind.MEMBER_INVITED)
    assert (event.actor_id, event.subject, event.details) == (
        owner.id,
        "hanako@example.com",
        {"role": "owner"},
    )
    page = owner_client.get("/members").get_data(as_text=True)
    assert "hanako@example.com" in page
    assert "An invitation is on its way to hanako@example.com" in page


def test_invitation_and_its_mail_roll_back_together(
    owner: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    def fail(*args: Any, **kwargs: Any) -> None:
        raise RuntimeError("the audit log is unavailable")

    monkeypatch.setattr(audit, "record", fail)
    with pytest.raises(RuntimeError):
        members.invite_member(owner, email="hanako@example.com", role=Role.MEMBER)
    db.session.rollback()

    assert db.session.scalar(select(func.count(MemberInvitation.id))) == 0
    assert db.session.scalar(select(func.count(OutboxMessage.id))) == 0


def test_invitation_mail_names_inviter_workspace_role_and_expiry_in_the_owner_language(
    owner: User, owner_client: FlaskClient
) -> None:
    owner.locale = "ja"
    db.session.commit()
    invite(owner_client, "hanako@example.com")

    message = latest_mail("hanako@example.com")
    assert message.locale == "ja"
    rendered = outbox.render(message)
    assert rendered is not None
    assert "Taro Owner" in rendered.subject
    assert owner.workspace.name in rendered.text
    assert "owner@example.com" in rendered.text
    assert "日本時間" in rendered.text  # the expiry, its time zone named in the owner's language
    assert JOIN_LINK.search(rendered.text)


def test_invitation_mail_in_english_says_the_role_and_the_week(owner: User) -> None:
    members.invite_member(owner, email="hanako@example.com", role=Role.MEMBER)
    rendered = outbox.render(latest_mail("hanako@example.com"))

    assert rendered is not None
    assert rendered.subject == f"Taro Owner invites you to {owner.workspace.name} on fitcheck"
    assert "You join as a member" in rendered.text
    assert "The link works once, until" in rendered.text
    assert "Join " in (rendered.html or "")


def test_invitation_mail_reaches_the_invitee_through_smtp_with_a_working_link(
    app: Flask, client: FlaskClient, owner: User, mailbox: Mailbox
) -> None:
    members.invite_member(owner, email="hanako@example.com", role=Role.MEMBER)

    assert outbox.deliver_due() == 1

    assert mailbox.recipients == ["hanako@example.com"]
    [message] = mailbox.messages
    body = message.get_body(("plain",))
    assert body is not None
    match = JOIN_LINK.search(str(body.get_content()))
    assert match
    assert client.get(f"/join/{match.group(1)}").status_code == 200
    assert latest_mail("hanako@example.com").status is MailStatus.SENT


@pytest.mark.parametrize(
    ("existing", "message"),
    [
        ("member", "is already a member of this workspace"),
        ("elsewhere", "already has an account in another fitcheck workspace"),
        ("pending", "An invitation to this address is already waiting for an answer"),
    ],
)
def test_invitation_is_refused_with_a_field_error_and_the_typed_values_kept(
    owner: User,
    owner_client: FlaskClient,
    make_user: Callable[..., User],
    existing: str,
    message: str,
) -> None:
    email = "hanako@example.com"
    if existing == "member":
        make_user(email, workspace=owner.workspace)
    elif existing == "elsewhere":
        make_user(email)
    else:
        members.invite_member(owner, email=email, role=Role.MEMBER)
    before = db.session.scalar(select(func.count(OutboxMessage.id)))

    response = invite(owner_client, "Hanako@example.com", "owner")

    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert message in page
    assert 'value="Hanako@example.com"' in page
    assert re.search(r'<option selected value="owner">|<option value="owner" selected', page)
    assert db.session.scalar(select(func.count(OutboxMessage.id))) == before


def test_invitation_form_checks_the_email_and_the_role(owner_client: FlaskClient) -> None:
    page = invite(owner_client, "not an address", "admin").get_data(as_text=True)

    assert "Invalid email address." in page
    assert "Not a valid choice." in page
    assert db.session.scalar(select(func.count(MemberInvitation.id))) == 0


# Joining


def test_invitee_joins_once_with_the_invited_role_and_is_signed_in(
    app: Flask, owner: User, owner_client: FlaskClient
) -> None:
    invite(owner_client, "hanako@example.com", "owner")
    token = mailed_token("hanako@example.com")
    invitee = app.test_client()

    page = invitee.get(f"/join/{token}")
    assert page.status_code == 200
    assert page.headers["Cache-Control"] == "no-store"
    assert "hanako@example.com" in page.get_data(as_text=True)
    response = join(invitee, token)

    assert response.status_code == 302
    assert response.headers["Location"] == "/"
    user = db.session.scalar(select(User).where(User.email == "hanako@example.com"))
    assert user is not None
    assert (user.name, user.role, user.workspace_id) == (
        "Hanako Colleague",
        Role.OWNER,
        owner.workspace_id,
    )
    assert user.last_sign_in_at is not None
    invitation = invitation_to("hanako@example.com")
    assert invitation.accepted_at is not None
    assert invitation.user_id == user.id
    [event] = events(audit.Kind.MEMBER_JOINED)
    assert (event.actor_id, event.subject) == (user.id, "hanako@example.com")
    assert event.details["invited_by"] == "owner@example.com"
    assert invitee.get("/partners/").status_code == 200
    # The mail of an accepted invitation is no longer needed.
    assert outbox.render(latest_mail("hanako@example.com")) is None

    # The same link again: in this browser it leads home, in another it offers sign-in.
    assert invitee.get(f"/join/{token}").status_code == 302
    stranger = app.test_client()
    again = stranger.get(f"/join/{token}")
    assert again.status_code == 200
    assert "You are already a member" in again.get_data(as_text=True)
    second = join(stranger, token, name="Someone Else")
    assert second.status_code == 200
    assert db.session.scalar(select(func.count(User.id)).where(User.name == "Someone Else")) == 0
    assert sign_in_with(stranger, "hanako@example.com", NEW_PASSWORD).status_code == 302


def test_a_second_use_of_the_link_fails_cleanly_even_after_the_form_was_shown(
    app: Flask, owner: User
) -> None:
    members.invite_member(owner, email="hanako@example.com", role=Role.MEMBER)
    token = mailed_token("hanako@example.com")

    members.accept_invitation(token, name="First", password=NEW_PASSWORD)
    with pytest.raises(members.LinkUnavailable) as refused:
        members.accept_invitation(token, name="Second", password=NEW_PASSWORD)

    assert refused.value.link.state is LinkState.JOINED
    assert db.session.scalar(select(func.count(User.id)).where(User.name == "Second")) == 0


def test_join_form_errors_keep_the_typed_name(app: Flask, owner: User) -> None:
    members.invite_member(owner, email="hanako@example.com", role=Role.MEMBER)
    token = mailed_token("hanako@example.com")
    invitee = app.test_client()

    differ = join(invitee, token, confirm="something else entirely")
    common = join(invitee, token, password="password123", confirm="password123")
    own_email = join(invitee, token, password="hanako@example.com", confirm="hanako@example.com")

    assert "The passwords differ." in differ.get_data(as_text=True)
    assert 'value="Hanako Colleague"' in differ.get_data(as_text=True)
    assert "among the most common ones" in common.get_data(as_text=True)
    assert "Do not use your email address" in own_email.get_data(as_text=True)
    assert db.session.scalar(select(func.count(User.id))) == 1
    assert invitation_to("hanako@example.com").accepted_at is None


def test_an_expired_link_is_refused(app: Flask, owner: User) -> None:
    long_ago = utcnow() - INVITATION_VALIDITY - timedelta(minutes=1)
    members.invite_member(owner, email="hanako@example.com", role=Role.MEMBER, now=long_ago)
    message = latest_mail("hanako@example.com")
    # Its mail is cancelled rather than sent late.
    assert outbox.render(message) is None
    invitation = invitation_to("hanako@example.com")
    token = members.link_token(invitation)
    invitee = app.test_client()

    page = invitee.get(f"/join/{token}")
    posted = join(invitee, token)

    assert page.status_code == 410
    assert "This invitation has expired" in page.get_data(as_text=True)
    assert posted.status_code == 410
    assert db.session.scalar(select(func.count(User.id))) == 1


def test_a_revoked_invitation_ends_its_link_and_cancels_its_mail(
    app: Flask, owner: User, owner_client: FlaskClient
) -> None:
    invite(owner_client, "hanako@example.com")
    token = mailed_token("hanako@example.com")
    invitation = invitation_to("hanako@example.com")

    response = post(owner_client, f"/members/invitations/{invitation.id}/revoke")

    assert response.status_code == 302
    assert invitation_to("hanako@example.com").revoked_at is not None
    assert outbox.render(latest_mail("hanako@example.com")) is None
    page = app.test_client().get(f"/join/{token}")
    assert page.status_code == 410
    assert "This invitation link no longer works" in page.get_data(as_text=True)
    [event] = events(audit.Kind.MEMBER_INVITATION_REVOKED)
    assert (event.actor_id, event.subject) == (owner.id, "hanako@example.com")
    assert 'data-email="hanako@example.com"' not in owner_client.get("/members").get_data(
        as_text=True
    )


def test_resend_mails_a_new_link_and_the_old_one_stops_working(
    app: Flask, owner: User, owner_client: FlaskClient
) -> None:
    sent = utcnow() - timedelta(days=6)
    members.invite_member(owner, email="hanako@example.com", role=Role.MEMBER, now=sent)
    invitation = invitation_to("hanako@example.com")
    old_token = members.link_token(invitation)
    old_expiry = invitation.expires_at

    response = post(owner_client, f"/members/invitations/{invitation.id}/resend")

    assert response.status_code == 302
    invitation = invitation_to("hanako@example.com")
    assert invitation.sent_at > sent
    assert invitation.expires_at > old_expiry
    assert invitation.expires_at - invitation.sent_at == INVITATION_VALIDITY
    new_token = mailed_token("hanako@example.com")
    assert new_token != old_token
    invitee = app.test_client()
    assert invitee.get(f"/join/{old_token}").status_code == 404
    assert invitee.get(f"/join/{new_token}").status_code == 200
    assert db.session.scalar(select(func.count(OutboxMessage.id))) == 2
    assert [event.details.get("resent") for event in events(audit.Kind.MEMBER_INVITED)] == [
        None,
        True,
    ]


def test_an_expired_invitation_is_listed_as_expired_and_can_be_resent(
    owner: User, owner_client: FlaskClient
) -> None:
    long_ago = utcnow() - timedelta(days=8)
    members.invite_member(owner, email="hanako@example.com", role=Role.MEMBER, now=long_ago)
    assert "Expired" in owner_client.get("/members").get_data(as_text=True)

    invitation = invitation_to("hanako@example.com")
    post(owner_client, f"/members/invitations/{invitation.id}/resend")

    assert not members.is_expired(invitation_to("hanako@example.com"))


def test_unknown_links_show_a_page_not_an_error(client: FlaskClient) -> None:
    for token in ("not-a-token", "x" * 500):
        response = client.get(f"/join/{token}")
        assert response.status_code == 404
        assert "This invitation link is not valid" in response.get_data(as_text=True)


def test_a_link_for_an_address_that_got_an_account_elsewhere_is_refused(
    app: Flask, owner: User, make_user: Callable[..., User]
) -> None:
    members.invite_member(owner, email="hanako@example.com", role=Role.MEMBER)
    token = mailed_token("hanako@example.com")
    make_user("hanako@example.com")
    invitee = app.test_client()

    page = invitee.get(f"/join/{token}")

    assert page.status_code == 409
    assert "belongs to another workspace" in page.get_data(as_text=True)
    assert join(invitee, token).status_code == 409


def test_a_signed_in_user_of_another_account_is_asked_to_sign_out_first(
    owner: User, owner_client: FlaskClient
) -> None:
    members.invite_member(owner, email="hanako@example.com", role=Role.MEMBER)
    token = mailed_token("hanako@example.com")

    page = owner_client.get(f"/join/{token}")

    assert page.status_code == 409
    assert "You are signed in as owner@example.com" in page.get_data(as_text=True)
    assert invitation_to("hanako@example.com").accepted_at is None


# Who may do what


def test_a_signed_in_user_opening_a_dead_link_is_told_why(
    owner: User, owner_client: FlaskClient
) -> None:
    long_ago = utcnow() - timedelta(days=8)
    members.invite_member(owner, email="hanako@example.com", role=Role.MEMBER, now=long_ago)
    token = members.link_token(invitation_to("hanako@example.com"))

    page = owner_client.get(f"/join/{token}")

    assert page.status_code == 410
    assert "This invitation has expired" in page.get_data(as_text=True)


def test_a_member_gets_403_on_every_owner_only_route(
    app: Flask, owner: User, make_user: Callable[..., User]
) -> None:
    member = make_user("member@example.com", workspace=owner.workspace)
    members.invite_member(owner, email="hanako@example.com", role=Role.MEMBER)
    invitation = invitation_to("hanako@example.com")
    client = app.test_client()
    sign_in_with(client, member.email)

    assert client.get("/members").status_code == 403
    assert client.get(f"/members/{owner.id}/remove").status_code == 403
    for url, data in [
        ("/members", {"email": "someone@example.com", "role": "owner"}),
        (f"/members/invitations/{invitation.id}/resend", {}),
        (f"/members/invitations/{invitation.id}/revoke", {}),
        (f"/members/{member.id}/role", {"role": "owner"}),
        (f"/members/{owner.id}/role", {"role": "member"}),
        (f"/members/{owner.id}/remove", {}),
    ]:
        assert post(client, url, data).status_code == 403, url

    assert db.session.get(User, member.id).role is Role.MEMBER  # type: ignore[union-attr]
    assert db.session.get(User, owner.id).role is Role.OWNER  # type: ignore[union-attr]
    assert db.session.scalar(select(func.count(MemberInvitation.id))) == 1
    assert invitation_to("hanako@example.com").revoked_at is None
    assert "/members" not in client.get("/partners/").get_data(as_text=True)


def test_signed_out_visitors_are_sent_to_sign_in(client: FlaskClient) -> None:
    response = client.get("/members")

    assert response.status_code == 302
    assert "/sign-in" in response.headers["Location"]


def test_owners_see_the_members_link_and_the_list(
    owner: User, owner_client: FlaskClient, make_user: Callable[..., User]
) -> None:
    colleague = make_user("jiro@example.com", workspace=owner.workspace)
    colleague.last_sign_in_at = utcnow()
    db.session.commit()

    page = owner_client.get("/members").get_data(as_text=True)

    assert 'href="/members"' in owner_client.get("/partners/").get_data(as_text=True)
    assert "jiro@example.com" in page and "owner@example.com" in page
    assert "Never" not in page  # both have signed in
    assert 'name="email"' in page and 'name="role"' in page


def test_an_owner_cannot_reach_another_workspace(
    owner_client: FlaskClient, make_user: Callable[..., User]
) -> None:
    stranger = make_user("stranger@example.com")
    members.invite_member(stranger, email="hanako@example.com", role=Role.MEMBER)
    invitation = invitation_to("hanako@example.com")

    assert post(owner_client, f"/members/invitations/{invitation.id}/revoke").status_code == 404
    assert post(owner_client, f"/members/invitations/{invitation.id}/resend").status_code == 404
    assert post(owner_client, f"/members/{stranger.id}/role", {"role": "member"}).status_code == 404
    assert post(owner_client, f"/members/{stranger.id}/remove").status_code == 404
    assert invitation_to("hanako@example.com").revoked_at is None
    assert db.session.get(User, stranger.id) is not None


# Roles


def test_an_owner_changes_a_role_and_it_is_on_record(
    owner: User, owner_client: FlaskClient, make_user: Callable[..., User]
) -> None:
    colleague = make_user("jiro@example.com", workspace=owner.workspace)

    response = post(owner_client, f"/members/{colleague.id}/role", {"role": "owner"})

    assert response.status_code == 302
    assert db.session.get(User, colleague.id).role is Role.OWNER  # type: ignore[union-attr]
    [event] = events(audit.Kind.ROLE_CHANGED)
    assert (event.actor_id, event.subject, event.details) == (
        owner.id,
        "jiro@example.com",
        {"from": "member", "to": "owner"},
    )


def test_the_last_owner_can_be_neither_demoted_nor_removed(
    owner: User, owner_client: FlaskClient
) -> None:
    demoted = post(owner_client, f"/members/{owner.id}/role", {"role": "member"})
    confirm_page = owner_client.get(f"/members/{owner.id}/remove")
    removed = post(owner_client, f"/members/{owner.id}/remove")

    assert demoted.status_code == removed.status_code == 302
    assert "at least one owner" in owner_client.get("/members").get_data(as_text=True)
    assert "at least one owner" in confirm_page.get_data(as_text=True)
    refreshed = db.session.get(User, owner.id)
    assert refreshed is not None and refreshed.role is Role.OWNER
    assert events(audit.Kind.ROLE_CHANGED) == events(audit.Kind.MEMBER_REMOVED) == []


def test_the_owner_guard_does_not_trust_what_was_read_before(
    owner: User, make_user: Callable[..., User]
) -> None:
    """Two owners demoting each other with pages loaded at the same time: the guard is
    part of the UPDATE, so the second one is refused whatever it read before."""
    second = make_user("jiro@example.com", workspace=owner.workspace, role=Role.OWNER)
    members.change_role(owner, second, Role.MEMBER)
    # What the other page had read while both were owners.
    assert second.email
    set_committed_value(second, "role", Role.OWNER)

    with pytest.raises(ServiceError):
        members.change_role(second, owner, Role.MEMBER)
    with pytest.raises(ServiceError):
        members.remove_member(second, owner)

    owners = select(func.count(User.id)).where(
        User.workspace_id == owner.workspace_id, User.role == Role.OWNER
    )
    assert db.session.scalar(owners) == 1
    assert db.session.get(User, owner.id) is not None


def test_an_owner_who_steps_down_leaves_the_members_page(
    owner: User, owner_client: FlaskClient, make_user: Callable[..., User]
) -> None:
    make_user("jiro@example.com", workspace=owner.workspace, role=Role.OWNER)

    response = post(owner_client, f"/members/{owner.id}/role", {"role": "member"})

    assert response.status_code == 302
    assert response.headers["Location"] == "/"
    assert owner_client.get("/members").status_code == 403


# Removal


def test_removal_asks_first_on_a_page_that_works_without_javascript(
    owner: User, owner_client: FlaskClient, make_user: Callable[..., User]
) -> None:
    colleague = make_user("jiro@example.com", workspace=owner.workspace)

    listing = owner_client.get("/members").get_data(as_text=True)
    page = owner_client.get(f"/members/{colleague.id}/remove")

    assert f'href="/members/{colleague.id}/remove"' in listing
    assert "data-confirm=" in listing
    assert page.status_code == 200
    assert "jiro@example.com" in page.get_data(as_text=True)
    assert db.session.get(User, colleague.id) is not None


def test_a_removed_member_session_and_api_token_fail_on_the_next_request(
    app: Flask,
    owner: User,
    owner_client: FlaskClient,
    make_user: Callable[..., User],
    make_assessment: Callable[..., Any],
) -> None:
    colleague = make_user("jiro@example.com", workspace=owner.workspace)
    colleague_id = colleague.id
    assessment, _ = make_assessment(owner, launch=False, created_by_id=colleague_id)
    _, secret = api_tokens.create_token(colleague, "CRM sync")
    browser = app.test_client()
    sign_in_with(browser, colleague.email)
    bearer = {"Authorization": f"Bearer {secret}"}
    assert browser.get("/partners/").status_code == 200
    assert browser.get("/api/v1/trait-sets", headers=bearer).status_code == 200

    response = post(owner_client, f"/members/{colleague_id}/remove")

    assert response.status_code == 302
    page = browser.get("/partners/")
    assert page.status_code == 302
    assert "/sign-in" in page.headers["Location"]
    assert browser.get("/api/v1/trait-sets", headers=bearer).status_code == 401
    assert db.session.get(User, colleague_id) is None
    assert (
        db.session.scalar(
            select(func.count(UserSession.id)).where(UserSession.user_id == colleague_id)
        )
        == 0
    )
    assert (
        db.session.scalar(select(func.count(ApiToken.id)).where(ApiToken.user_id == colleague_id))
        == 0
    )
    [event] = events(audit.Kind.MEMBER_REMOVED)
    assert (event.actor_id, event.subject) == (owner.id, "jiro@example.com")
    # What they made stays, without their name.
    db.session.refresh(assessment)
    assert assessment.created_by_id is None
    assert 'data-email="jiro@example.com"' not in owner_client.get("/members").get_data(
        as_text=True
    )


def test_an_owner_may_leave_while_another_owner_remains(
    owner: User, owner_client: FlaskClient, make_user: Callable[..., User]
) -> None:
    make_user("jiro@example.com", workspace=owner.workspace, role=Role.OWNER)
    owner_id = owner.id

    response = post(owner_client, f"/members/{owner_id}/remove")

    assert response.status_code == 302
    assert "/sign-in" in response.headers["Location"]
    assert db.session.get(User, owner_id) is None
    assert owner_client.get("/partners/").status_code == 302
    [event] = events(audit.Kind.MEMBER_REMOVED)
    assert event.actor_id is None  # the account is gone; its name stays on record
    assert event.actor_name == "Taro Owner <owner@example.com>"


# Speed


def test_the_members_page_runs_a_bounded_number_of_queries(
    owner: User, owner_client: FlaskClient, make_user: Callable[..., User]
) -> None:
    def measure() -> int:
        with count_queries() as statements:
            assert owner_client.get("/members").status_code == 200
        return len(statements)

    make_user("a@example.com", workspace=owner.workspace)
    members.invite_member(owner, email="x@example.com", role=Role.MEMBER)
    few = measure()
    for number in range(8):
        make_user(f"b{number}@example.com", workspace=owner.workspace)
        members.invite_member(owner, email=f"y{number}@example.com", role=Role.OWNER)
    many = measure()

    assert many == few
    assert few <= 5


def test_password_is_hashed_and_the_invitation_password_rules_apply(
    app: Flask, owner: User
) -> None:
    members.invite_member(owner, email="hanako@example.com", role=Role.MEMBER)
    token = mailed_token("hanako@example.com")

    with pytest.raises(ServiceError) as short:
        members.accept_invitation(token, name="Hanako", password="short")
    user = members.accept_invitation(token, name="  Hanako  ", password=PASSWORD)

    assert short.value.field == "password"
    assert user.name == "Hanako"
    assert user.password_hash != PASSWORD


def test_two_owners_demoting_each_other_at_once_leave_one_owner(
    app: Flask, owner: User, make_user: Callable[..., User], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The first request stops just before its commit; the second must wait for it (the
    owners' rows are locked on PostgreSQL, the write lock holds it on SQLite) and then be
    refused, instead of both seeing two owners and leaving none."""
    second = make_user("jiro@example.com", workspace=owner.workspace, role=Role.OWNER)
    paused, go = threading.Event(), threading.Event()
    record = audit.record

    def record_slowly(*args: Any, **kwargs: Any) -> AuditEvent:
        event = record(*args, **kwargs)
        if threading.current_thread().name == "first":
            paused.set()
            go.wait(10)
        return event

    monkeypatch.setattr(audit, "record", record_slowly)
    outcomes: dict[str, str] = {}

    def demote(actor_id: int, target_id: int) -> None:
        with app.app_context():
            try:
                actor, target = db.session.get(User, actor_id), db.session.get(User, target_id)
                assert actor is not None and target is not None
                members.change_role(actor, target, Role.MEMBER)
                outcomes[threading.current_thread().name] = "changed"
            except ServiceError:
                outcomes[threading.current_thread().name] = "refused"
            finally:
                db.session.remove()

    first = threading.Thread(target=demote, args=(owner.id, second.id), name="first")
    later = threading.Thread(target=demote, args=(second.id, owner.id), name="later")
    first.start()
    assert paused.wait(10)
    later.start()
    later.join(0.5)
    waited = later.is_alive()
    go.set()
    first.join(10)
    later.join(10)

    assert waited
    assert outcomes == {"first": "changed", "later": "refused"}
    owners = select(func.count(User.id)).where(
        User.workspace_id == owner.workspace_id, User.role == Role.OWNER
    )
    assert db.session.scalar(owners) == 1
