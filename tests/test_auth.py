"""Sign-up, sign-in, sign-out, password change: sessions end on the server, forms need CSRF."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import func, select

from fitcheck.extensions import db
from fitcheck.models import Role, Trait, TraitSet, User, UserSession
from fitcheck.urls import safe_next

from .support import PASSWORD, csrf_token, sign_in_with


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


def test_sign_up_creates_workspace_owned_by_first_user_with_default_traits(client):
    response = sign_up(client)
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


def test_sign_up_with_errors_keeps_every_value_typed_except_passwords(client, make_user):
    make_user("taken@example.com")
    response = sign_up(client, email="taken@example.com", name="Kenji Ito")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "An account with this email already exists." in page
    assert 'value="Kenji Ito"' in page and 'value="taken@example.com"' in page
    assert db.session.scalar(select(func.count(User.id))) == 1


def test_sign_up_rejects_short_password_without_writing(client):
    response = sign_up(client, password="short", confirm="short")
    assert response.status_code == 200
    assert db.session.scalar(select(func.count(User.id))) == 0


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


@pytest.mark.parametrize("path", ["/sign-in", "/sign-up", "/sign-out", "/language"])
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
