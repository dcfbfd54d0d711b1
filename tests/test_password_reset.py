"""Password reset: the same answer for every address, a one-hour single-use link mailed to
BASE_URL, and using it ends every session of the account."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select, update

from fitcheck.extensions import db
from fitcheck.models import MailStatus, OutboxMessage, PasswordReset, User, utcnow
from fitcheck.services import ServiceError, accounts
from fitcheck.tokens import derived_token

from .support import PASSWORD, csrf_token, sign_in_with
from .test_auth import (
    COMMON_MESSAGE,
    COMMON_PASSWORD,
    count,
    events,
    links_in,
    mailed,
    same_text,
)

NEW_PASSWORD = "a brand new passphrase"


def ask_for_reset(client: Any, email: str, **headers: str) -> Any:
    token = csrf_token(client, "/password-reset")
    return client.post(
        "/password-reset", data={"email": email, "csrf_token": token}, headers=headers
    )


def reset_link(email: str) -> str:
    link, ask_again = links_in(mailed("password_reset", email))
    assert link.startswith("/password-reset/") and ask_again == "/password-reset"
    return link


def set_password(client: Any, link: str, password: str, confirm: str | None = None) -> Any:
    data = {"password": password, "confirm": confirm or password}
    data["csrf_token"] = csrf_token(client, link)
    return client.post(link, data=data)


def token_of(app: Any, reset: PasswordReset) -> str:
    return derived_token(app.config["SECRET_KEY"], "reset", reset.token_nonce)


def test_sign_in_page_links_to_the_forgotten_password_page(client):
    page = client.get("/sign-in").get_data(as_text=True)
    assert 'href="/password-reset"' in page and "Forgot your password?" in page


def test_the_answer_is_the_same_whether_the_email_has_an_account(client, make_user):
    make_user("ito@example.com")
    known = ask_for_reset(client, "ito@example.com")
    unknown = ask_for_reset(client, "nobody@example.com")
    assert known.status_code == unknown.status_code == 200
    assert same_text(known.get_data(as_text=True)) == same_text(unknown.get_data(as_text=True))
    assert "If an account uses this address" in known.get_data(as_text=True)
    # Only the known address gets a mail; nothing is sent inside the request.
    messages = db.session.scalars(select(OutboxMessage)).all()
    assert [(m.kind, m.to_address, m.status) for m in messages] == [
        ("password_reset", "ito@example.com", MailStatus.QUEUED)
    ]
    assert count(PasswordReset) == 1


def test_reset_mail_links_to_base_url_in_the_users_language(app, client, make_user):
    user = make_user("ito@example.com")
    user.locale = "ja"
    db.session.commit()
    ask_for_reset(client, " ITO@example.com ")
    message = db.session.scalar(select(OutboxMessage))
    assert message.locale == "ja" and message.workspace_id == user.workspace_id
    mail = mailed("password_reset", "ito@example.com")
    link = reset_link("ito@example.com")
    assert f'href="http://fitcheck.test{link}"' in (mail.html or "")
    assert '<html lang="ja">' in (mail.html or "")
    # Only the token's hash is stored, with the nonce it is derived from.
    token = link.rsplit("/", 1)[1]
    reset = db.session.scalar(select(PasswordReset))
    assert token not in (reset.token_hash, reset.token_nonce)
    assert reset.expires_at - reset.created_at == timedelta(hours=1)


def test_the_link_sets_the_password_and_signs_this_browser_in(app, client, make_user):
    user = make_user("ito@example.com")
    ask_for_reset(client, "ito@example.com")
    link = reset_link("ito@example.com")
    page = client.get(link)
    assert page.status_code == 200 and 'name="password"' in page.get_data(as_text=True)
    response = set_password(client, link, NEW_PASSWORD)
    assert response.status_code == 302
    landing = client.get(response.headers["Location"], follow_redirects=True)
    assert landing.status_code == 200 and landing.request.path == "/partners/"
    assert "Your password is changed and you are signed in." in landing.get_data(as_text=True)
    fresh = app.test_client()
    assert sign_in_with(fresh, "ito@example.com", PASSWORD).status_code == 200
    assert sign_in_with(fresh, "ito@example.com", NEW_PASSWORD).status_code == 302
    [event] = events("password_reset")
    assert event.actor_id == user.id and event.workspace_id == user.workspace_id
    db.session.refresh(user)
    assert user.last_sign_in_at is not None


def test_the_link_works_once(app, client, make_user):
    make_user("ito@example.com")
    ask_for_reset(client, "ito@example.com")
    link = reset_link("ito@example.com")
    token = csrf_token(client, link)
    assert set_password(client, link, NEW_PASSWORD).status_code == 302
    other = app.test_client()
    again = other.get(link)
    assert again.status_code == 404
    page = again.get_data(as_text=True)
    assert "This link no longer works" in page and "ito@example.com" not in page
    second = client.post(
        link,
        data={
            "password": "yet another passphrase",
            "confirm": "yet another passphrase",
            "csrf_token": token,
        },
    )
    assert second.status_code == 404
    assert sign_in_with(other, "ito@example.com", NEW_PASSWORD).status_code == 302


def test_a_second_use_at_the_same_moment_changes_nothing(app, make_user, monkeypatch):
    """Two requests read the link as unused; only the first to write it may use it."""
    user = make_user("ito@example.com")
    accounts.request_password_reset("ito@example.com", locale="en")
    reset = db.session.scalar(select(PasswordReset))
    token = token_of(app, reset)
    before = user.password_hash
    lookup = accounts.find_password_reset

    def racing(token: str, *, now: Any = None) -> PasswordReset | None:
        found = lookup(token, now=now)
        with db.engine.begin() as other_request:  # the other request uses it meanwhile
            other_request.execute(update(PasswordReset).values(used_at=utcnow()))
        return found

    monkeypatch.setattr(accounts, "find_password_reset", racing)
    with pytest.raises(ServiceError):
        accounts.reset_password(token, NEW_PASSWORD)
    db.session.expire_all()
    assert db.session.get(User, user.id).password_hash == before
    assert events("password_reset") == []


def test_the_link_expires_after_one_hour(app, client, make_user):
    make_user("ito@example.com")
    sent = utcnow() - timedelta(minutes=61)
    accounts.request_password_reset("ito@example.com", locale="en", now=sent)
    reset = db.session.scalar(select(PasswordReset))
    token = token_of(app, reset)
    assert accounts.find_password_reset(token, now=sent + timedelta(minutes=59)) is not None
    assert accounts.find_password_reset(token, now=sent + timedelta(hours=1)) is None
    assert client.get(f"/password-reset/{token}").status_code == 404
    response = client.post(
        f"/password-reset/{token}",
        data={
            "password": NEW_PASSWORD,
            "confirm": NEW_PASSWORD,
            "csrf_token": csrf_token(client, "/password-reset"),
        },
    )
    assert response.status_code == 404
    with pytest.raises(ServiceError):
        accounts.reset_password(token, NEW_PASSWORD)
    # An expired link's mail, not sent yet, is no longer sent at all.
    assert accounts.render_password_reset(db.session.scalar(select(OutboxMessage))) is None


def test_the_service_uses_the_clock_it_is_given(app, make_user):
    make_user("ito@example.com")
    sent = utcnow() - timedelta(minutes=90)
    accounts.request_password_reset("ito@example.com", locale="en", now=sent)
    token = token_of(app, db.session.scalar(select(PasswordReset)))
    user = accounts.reset_password(token, NEW_PASSWORD, now=sent + timedelta(minutes=30))
    assert user.session_token
    assert db.session.scalar(select(PasswordReset.used_at)) == sent + timedelta(minutes=30)


def test_using_the_link_signs_out_every_other_browser(app, client, make_user):
    make_user("ito@example.com")
    other = app.test_client()
    sign_in_with(other, "ito@example.com")
    assert other.get("/partners/").status_code == 200
    ask_for_reset(client, "ito@example.com")
    set_password(client, reset_link("ito@example.com"), NEW_PASSWORD)
    assert other.get("/partners/").status_code == 302
    assert client.get("/partners/").status_code == 200


def test_using_a_link_ends_the_users_other_pending_links(app, client, make_user):
    make_user("ito@example.com")
    ask_for_reset(client, "ito@example.com")
    first = reset_link("ito@example.com")
    ask_for_reset(client, "ito@example.com")
    second = reset_link("ito@example.com")
    assert first != second
    assert set_password(client, second, NEW_PASSWORD).status_code == 302
    assert app.test_client().get(first).status_code == 404


@pytest.mark.parametrize(
    ("password", "confirm", "message"),
    [
        (COMMON_PASSWORD, COMMON_PASSWORD, COMMON_MESSAGE),
        ("ito@example.com", "ito@example.com", "Do not use your email address"),
        ("short", "short", "Use at least 10 characters."),
        (NEW_PASSWORD, "something else entirely", "The passwords differ."),
    ],
)
def test_the_password_rules_hold_and_the_link_stays_usable(
    app, client, make_user, password, confirm, message
):
    user = make_user("ito@example.com")
    before = user.password_hash
    ask_for_reset(client, "ito@example.com")
    link = reset_link("ito@example.com")
    response = set_password(client, link, password, confirm)
    assert response.status_code == 200
    assert message in response.get_data(as_text=True)
    db.session.refresh(user)
    assert user.password_hash == before
    assert set_password(client, link, NEW_PASSWORD).status_code == 302


@pytest.mark.parametrize("token", ["nonsense", "x" * 2000, "%00", "%E3%81%82", "a.b~c"])
def test_a_made_up_link_gets_a_clear_page(client, token):
    response = client.get(f"/password-reset/{token}")
    assert response.status_code == 404
    assert "This link no longer works" in response.get_data(as_text=True)
    assert client.post(f"/password-reset/{token}", data={}).status_code in {400, 404}


def test_asking_for_a_reset_is_rate_limited_per_address(client, make_user):
    make_user("ito@example.com")
    codes = [ask_for_reset(client, "ito@example.com").status_code for _ in range(6)]
    assert codes == [200] * 5 + [429]
    assert count(PasswordReset) == 5
    assert ask_for_reset(client, "someone@example.com").status_code == 200


def test_a_malformed_email_keeps_what_was_typed(client):
    response = ask_for_reset(client, "not-an-email")
    assert response.status_code == 200
    assert 'value="not-an-email"' in response.get_data(as_text=True)
    assert count(OutboxMessage) == 0


def test_a_browser_signed_in_as_someone_else_ends_that_session_first(app, client, make_user):
    make_user("ito@example.com")
    make_user("sato@example.com")
    sign_in_with(client, "sato@example.com")
    stolen = client.get_cookie("session", domain="fitcheck.test").value
    ask_for_reset(client, "ito@example.com")
    assert set_password(client, reset_link("ito@example.com"), NEW_PASSWORD).status_code == 302
    account = client.get("/account").get_data(as_text=True)
    assert "ito@example.com" in account and "sato@example.com" not in account
    replay = app.test_client()
    replay.set_cookie("session", stolen, domain="fitcheck.test")
    assert replay.get("/partners/").status_code == 302


def test_a_browser_signed_in_as_the_same_user_stays_signed_in(client, make_user):
    make_user("ito@example.com")
    sign_in_with(client, "ito@example.com")
    ask_for_reset(client, "ito@example.com")
    assert set_password(client, reset_link("ito@example.com"), NEW_PASSWORD).status_code == 302
    assert client.get("/partners/").status_code == 200
