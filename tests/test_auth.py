"""Sign-up confirmed by mail, sign-in, sign-out, password change: sessions end on the
server, forms need CSRF, the password rules hold on every path, and the audit log records
who signed in."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import func, select

from fitcheck.extensions import db
from fitcheck.models import (
    AuditEvent,
    OutboxMessage,
    Role,
    SignUpRequest,
    Trait,
    TraitSet,
    User,
    UserSession,
    Workspace,
    utcnow,
)
from fitcheck.services import ServiceError, accounts, outbox
from fitcheck.services.outbox import Rendered
from fitcheck.tokens import derived_token
from fitcheck.urls import safe_next

from .support import PASSWORD, csrf_token, sign_in_with

COMMON_PASSWORD = "password123"  # long enough, and in zxcvbn's list of common passwords
COMMON_MESSAGE = "This password is among the most common ones"
CSRF_VALUE = re.compile(r'name="csrf_token" type="hidden" value="[^"]+"')
BASE_URL = "http://fitcheck.test"


def sign_up(client: Any, **fields: str) -> Any:
    data = {
        "workspace_name": "Hamamatsu Works",
        "name": "Haruka",
        "email": "haruka@example.com",
        "password": PASSWORD,
        "confirm": PASSWORD,
        **fields,
    }
    data["csrf_token"] = csrf_token(client, "/sign-up")
    return client.post("/sign-up", data=data)


def mailed(kind: str, to: str) -> Rendered:
    """The latest queued mail of `kind` to `to`, rendered as the worker would send it."""
    message = db.session.scalar(
        select(OutboxMessage)
        .where(OutboxMessage.kind == kind, OutboxMessage.to_address == to)
        .order_by(OutboxMessage.id.desc())
    )
    assert message is not None, f"no {kind} mail queued to {to}"
    rendered = outbox.render(message)
    assert rendered is not None
    return rendered


def links_in(rendered: Rendered) -> list[str]:
    """The paths of the links a mail carries (every one under BASE_URL), in order."""
    urls = re.findall(r"https?://[^\s<>\"]+", rendered.text)
    assert urls and all(url.startswith(f"{BASE_URL}/") for url in urls), urls
    return [url.removeprefix(BASE_URL) for url in urls]


def confirm_sign_up(client: Any, email: str = "haruka@example.com") -> Any:
    """Follow the confirmation mail's link and press its button, as a person does."""
    link = links_in(mailed("sign_up_confirm", email))[0]
    assert link.startswith("/sign-up/confirm/")
    return client.post(link, data={"csrf_token": csrf_token(client, link)})


def same_text(page: str) -> str:
    """A page without its CSRF tokens, which differ from one render to the next."""
    return CSRF_VALUE.sub("", page)


def count(model: Any) -> int:
    return int(db.session.scalar(select(func.count()).select_from(model)) or 0)


def events(kind: str) -> list[AuditEvent]:
    return list(db.session.scalars(select(AuditEvent).where(AuditEvent.kind == kind)))


def test_sign_up_creates_workspace_owned_by_first_user_with_default_traits(client):
    response = sign_up(client)
    assert response.status_code == 200
    assert "Check your email" in response.get_data(as_text=True)
    assert count(User) == 0 and count(Workspace) == 0
    response = confirm_sign_up(client)
    assert response.status_code == 302
    user = db.session.scalar(select(User).where(User.email == "haruka@example.com"))
    assert user.role is Role.OWNER
    assert user.workspace.name == "Hamamatsu Works"
    assert user.password_hash != PASSWORD and PASSWORD not in user.password_hash
    trait_set = db.session.scalar(
        select(TraitSet).where(TraitSet.workspace_id == user.workspace_id)
    )
    assert len(trait_set.traits) == 10
    assert client.get("/partners/").status_code == 200
    assert [event.workspace_id for event in events("sign_up")] == [user.workspace_id]
    assert user.last_sign_in_at is not None


def test_sign_up_with_errors_keeps_every_value_typed_except_passwords(client):
    response = sign_up(
        client,
        email="kenji@example.com",
        name="Kenji Ito",
        password=COMMON_PASSWORD,
        confirm=COMMON_PASSWORD,
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert COMMON_MESSAGE in page
    assert 'value="Kenji Ito"' in page and 'value="kenji@example.com"' in page
    assert 'value="Hamamatsu Works"' in page
    assert COMMON_PASSWORD not in page
    assert count(User) == 0 and count(SignUpRequest) == 0 and count(OutboxMessage) == 0


def test_sign_up_rejects_short_password_without_writing(client):
    response = sign_up(client, password="short", confirm="short")
    assert response.status_code == 200
    assert "Use at least 10 characters." in response.get_data(as_text=True)
    assert count(User) == 0 and count(SignUpRequest) == 0


def test_sign_up_refuses_the_email_as_password(client):
    email = "longname@example.com"
    response = sign_up(client, email=email, password=email, confirm=email)
    assert "Do not use your email address as your password." in response.get_data(as_text=True)
    assert count(SignUpRequest) == 0


def test_sign_up_answers_the_same_for_a_known_email_and_mails_its_owner_instead(client, make_user):
    owner = make_user("taken@example.com")
    workspaces = count(Workspace)
    new = sign_up(client, email="fresh@example.com")
    known = sign_up(client, email="taken@example.com")
    assert new.status_code == known.status_code == 200
    assert same_text(new.get_data(as_text=True)).replace(
        "fresh@example.com", "taken@example.com"
    ) == same_text(known.get_data(as_text=True))
    assert "already" not in known.get_data(as_text=True)
    # Nothing is created for the known address; its owner hears of the attempt.
    assert db.session.scalars(select(SignUpRequest.email)).all() == ["fresh@example.com"]
    assert count(Workspace) == workspaces and count(User) == 1
    message = db.session.scalar(
        select(OutboxMessage).where(OutboxMessage.to_address == "taken@example.com")
    )
    assert message.kind == "sign_up_existing"
    assert message.workspace_id == owner.workspace_id
    mail = mailed("sign_up_existing", "taken@example.com")
    assert "You already have one" in mail.text
    assert links_in(mail) == ["/sign-in", "/password-reset"]
    assert 'href="http://fitcheck.test/password-reset"' in (mail.html or "")


def test_sign_up_confirmation_mail_links_to_base_url_in_the_page_language(client):
    sign_up(client, email="yuki@example.com")
    client.get("/sign-up", headers={"Accept-Language": "ja"})
    sign_up_ja = client.post(
        "/sign-up",
        headers={"Accept-Language": "ja"},
        data={
            "workspace_name": "浜松ワークス",
            "name": "ハルカ",
            "email": "haruka@example.com",
            "password": PASSWORD,
            "confirm": PASSWORD,
            "csrf_token": csrf_token(client, "/sign-up"),
        },
    )
    assert sign_up_ja.status_code == 200
    rows = db.session.execute(select(OutboxMessage.to_address, OutboxMessage.locale))
    locales = {to: locale for to, locale in rows}
    assert locales == {"yuki@example.com": "en", "haruka@example.com": "ja"}
    mail = mailed("sign_up_confirm", "yuki@example.com")
    assert mail.subject == "Confirm your email address to create your fitcheck workspace"
    [link] = links_in(mail)
    assert f'href="{BASE_URL}{link}"' in (mail.html or "")
    # The token is not stored: only its hash and the nonce it is derived from.
    token = link.rsplit("/", 1)[1]
    request = db.session.scalar(
        select(SignUpRequest).where(SignUpRequest.email == "yuki@example.com")
    )
    assert token not in (request.token_hash, request.token_nonce)


def test_sign_up_confirm_link_creates_the_workspace_once(app, client):
    sign_up(client)
    link = links_in(mailed("sign_up_confirm", "haruka@example.com"))[0]
    page = client.get(link)
    assert page.status_code == 200 and "Hamamatsu Works" in page.get_data(as_text=True)
    assert count(Workspace) == 0  # opening the link (a mail scanner may) creates nothing
    assert confirm_sign_up(client).status_code == 302
    other = app.test_client()
    again = other.get(link)
    assert again.status_code == 404
    assert "This link no longer works" in again.get_data(as_text=True)
    csrf = csrf_token(other, "/sign-in")
    assert other.post(link, data={"csrf_token": csrf}).status_code == 404
    assert count(Workspace) == 1 and count(User) == 1
    assert len(events("sign_up")) == 1


def test_sign_up_confirm_is_refused_when_the_email_got_an_account_meanwhile(client, make_user):
    sign_up(client)
    link = links_in(mailed("sign_up_confirm", "haruka@example.com"))[0]
    token = csrf_token(client, link)
    make_user("haruka@example.com")
    response = client.post(link, data={"csrf_token": token})
    assert response.status_code == 404
    assert "This address already has an account." in response.get_data(as_text=True)
    assert count(User) == 1 and count(Workspace) == 1
    assert client.get("/partners/").status_code == 302


def test_sign_up_confirm_link_expires_after_a_day(app, client):
    accounts.request_sign_up(
        workspace_name="Old Works",
        name="Old",
        email="old@example.com",
        password=PASSWORD,
        locale="en",
        now=utcnow() - timedelta(hours=24, minutes=1),
    )
    request = db.session.scalar(select(SignUpRequest))
    token = derived_token(app.config["SECRET_KEY"], "sign-up", request.token_nonce)
    assert accounts.find_sign_up_request(token, now=request.created_at + timedelta(hours=23))
    assert client.get(f"/sign-up/confirm/{token}").status_code == 404
    assert client.get("/sign-up/confirm/no-such-token").status_code == 404
    with pytest.raises(ServiceError):
        accounts.confirm_sign_up(token)
    assert count(Workspace) == 0


def test_sign_in_and_out(client, make_user, sign_in):
    make_user("ito@example.com")
    assert sign_in("ito@example.com").status_code == 302
    assert client.get("/partners/").status_code == 200
    token = csrf_token(client, "/partners/")
    assert client.post("/sign-out", data={"csrf_token": token}).status_code == 302
    assert client.get("/partners/").status_code == 302


def test_wrong_password_is_refused_with_one_message_for_both_cases(client, make_user, sign_in):
    make_user("ito@example.com")
    wrong = sign_in("ito@example.com", "not the password").get_data(as_text=True)
    unknown = sign_in("nobody@example.com").get_data(as_text=True)
    message = "The email or the password is not correct."
    assert message in wrong and message in unknown
    assert 'value="ito@example.com"' in wrong


def test_sign_out_revokes_the_session_on_the_server(app, client, make_user, sign_in):
    make_user("ito@example.com")
    sign_in("ito@example.com")
    stolen = client.get_cookie("session", domain="fitcheck.test").value
    client.post("/sign-out", data={"csrf_token": csrf_token(client, "/partners/")})
    replay = app.test_client()
    replay.set_cookie("session", stolen, domain="fitcheck.test")
    assert replay.get("/partners/").status_code == 302
    assert (
        db.session.scalar(
            select(func.count(UserSession.id)).where(UserSession.revoked_at.is_(None))
        )
        == 0
    )


def test_password_change_signs_out_other_browsers_but_keeps_this_one(
    app, client, make_user, sign_in
):
    make_user("ito@example.com")
    other = app.test_client()
    sign_in_with(other, "ito@example.com")
    assert other.get("/partners/").status_code == 200
    sign_in("ito@example.com")
    response = client.post(
        "/account",
        data={
            "current_password": PASSWORD,
            "new_password": "a brand new passphrase",
            "confirm": "a brand new passphrase",
            "csrf_token": csrf_token(client, "/account"),
        },
    )
    assert response.status_code == 302
    assert client.get("/partners/").status_code == 200
    assert other.get("/partners/").status_code == 302
    assert sign_in_with(other, "ito@example.com", "a brand new passphrase").status_code == 302


def test_password_change_with_wrong_current_password_changes_nothing(client, make_user, sign_in):
    user = make_user("ito@example.com")
    before = user.password_hash
    sign_in("ito@example.com")
    page = client.post(
        "/account",
        data={
            "current_password": "wrong one!",
            "new_password": "a brand new passphrase",
            "confirm": "a brand new passphrase",
            "csrf_token": csrf_token(client, "/account"),
        },
    ).get_data(as_text=True)
    assert "The current password is not correct." in page
    db.session.refresh(user)
    assert user.password_hash == before


@pytest.mark.parametrize(
    "path", ["/sign-in", "/sign-up", "/sign-out", "/language", "/password-reset"]
)
def test_posts_without_csrf_token_are_rejected(client, make_user, path):
    make_user("ito@example.com")
    response = client.post(path, data={"email": "ito@example.com", "password": PASSWORD})
    assert response.status_code == 400
    assert "This form has expired" in response.get_data(as_text=True)


def test_csrf_token_of_another_session_is_rejected(app, client, make_user):
    make_user("ito@example.com")
    foreign = csrf_token(app.test_client(), "/sign-in")
    csrf_token(client, "/sign-in")
    response = client.post(
        "/sign-in", data={"email": "ito@example.com", "password": PASSWORD, "csrf_token": foreign}
    )
    assert response.status_code == 400


def test_sign_in_is_rate_limited(client, make_user, sign_in):
    make_user("ito@example.com")
    codes = [sign_in("ito@example.com", "wrong password").status_code for _ in range(11)]
    assert codes[:10] == [200] * 10
    assert codes[10] == 429


def test_session_cookie_is_httponly_and_lax_and_secure_over_https(app, client, make_user):
    make_user("ito@example.com")
    token = csrf_token(client, "/sign-in")
    plain = client.post(
        "/sign-in", data={"email": "ito@example.com", "password": PASSWORD, "csrf_token": token}
    )
    cookie = plain.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Secure" not in cookie
    secure = app.test_client().get("/sign-in", base_url="https://fitcheck.test")
    assert "Secure" in secure.headers["Set-Cookie"]


def test_a_signed_in_session_seen_from_another_browser_is_no_longer_fresh(
    client, make_user, sign_in
):
    """Flask-Login's session protection still guards members (only sessions without a
    signed-in user are left alone: see `extensions.LoginManager`)."""
    make_user("ito@example.com")
    sign_in("ito@example.com")
    with client.session_transaction() as session:
        assert session["_fresh"] is True
    client.get("/partners/", headers={"User-Agent": "another browser"})
    with client.session_transaction() as session:
        assert session["_fresh"] is False


def test_next_redirect_stays_on_the_site(client, make_user, sign_in):
    make_user("ito@example.com")
    token = csrf_token(client, "/sign-in")
    response = client.post(
        "/sign-in",
        data={
            "email": "ito@example.com",
            "password": PASSWORD,
            "csrf_token": token,
            "next": "//evil.example/phish",
        },
    )
    assert response.headers["Location"] == "/"


@pytest.mark.parametrize(
    ("target", "expected"),
    [
        ("/partners/?page=2", "/partners/?page=2"),
        ("https://evil.example/", "/"),
        ("//evil.example", "/"),
        ("/\\evil.example", "/"),
        ("partners", "/"),
        ("", "/"),
        (None, "/"),
        ("/ok\r\nSet-Cookie: x", "/"),
    ],
)
def test_safe_next(target, expected):
    assert safe_next(target, "/") == expected


def test_pages_of_the_workspace_need_sign_in(client):
    response = client.get("/partners/")
    assert response.status_code == 302
    assert "/sign-in?next=" in response.headers["Location"]


def test_default_trait_set_keeps_stable_keys(make_user):
    user = make_user()
    keys = db.session.scalars(
        select(Trait.key).where(Trait.workspace_id == user.workspace_id).order_by(Trait.position)
    ).all()
    assert keys[:4] == ["passion", "quick_response", "dialogue", "growth"]


def test_sign_in_is_on_record_with_the_last_sign_in_time(client, make_user, sign_in):
    user = make_user("ito@example.com")
    assert user.last_sign_in_at is None
    sign_in("ito@example.com")
    db.session.refresh(user)
    assert user.last_sign_in_at is not None
    [event] = events("sign_in")
    assert event.workspace_id == user.workspace_id and event.actor_id == user.id
    assert event.ip_address == "127.0.0.1"


def test_failed_sign_in_is_on_record_only_for_an_existing_account(client, make_user, sign_in):
    user = make_user("ito@example.com")
    sign_in("ito@example.com", "not the password")
    sign_in("nobody@example.com", "not the password")
    [event] = events("sign_in_failed")
    assert event.workspace_id == user.workspace_id
    assert event.details == {"email": "ito@example.com"}
    assert event.actor_id is None
    assert events("sign_in") == []
    db.session.refresh(user)
    assert user.last_sign_in_at is None


def test_password_change_is_on_record_and_follows_the_password_rules(client, make_user, sign_in):
    user = make_user("ito.kenji@example.com")
    before = user.password_hash
    sign_in("ito.kenji@example.com")
    for new, message in (
        (COMMON_PASSWORD, COMMON_MESSAGE),
        ("ito.kenji@example.com", "Do not use your email address as your password."),
        ("short", "Use at least 10 characters."),
    ):
        page = client.post(
            "/account",
            data={
                "current_password": PASSWORD,
                "new_password": new,
                "confirm": new,
                "csrf_token": csrf_token(client, "/account"),
            },
        )
        assert page.status_code == 200 and message in page.get_data(as_text=True)
    db.session.refresh(user)
    assert user.password_hash == before and events("password_changed") == []
    client.post(
        "/account",
        data={
            "current_password": PASSWORD,
            "new_password": "a brand new passphrase",
            "confirm": "a brand new passphrase",
            "csrf_token": csrf_token(client, "/account"),
        },
    )
    [event] = events("password_changed")
    assert event.actor_id == user.id and event.workspace_id == user.workspace_id


def test_create_user_command_refuses_a_common_password(runner):
    result = runner.invoke(
        args=[
            "create-user",
            "cli@example.com",
            "--workspace",
            "CLI Works",
            "--password",
            COMMON_PASSWORD,
        ]
    )
    assert result.exit_code != 0
    assert COMMON_MESSAGE in result.output
    assert count(User) == 0
    result = runner.invoke(
        args=[
            "create-user",
            "cli@example.com",
            "--workspace",
            "CLI Works",
            "--password",
            "cli@example.com",
        ]
    )
    assert result.exit_code != 0 and "Do not use your email address" in result.output
    assert count(User) == 0
