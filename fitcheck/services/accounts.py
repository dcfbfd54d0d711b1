"""Workspaces, users, and their server-side sign-in sessions."""

from __future__ import annotations

from functools import cache

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import select, update
from werkzeug.security import check_password_hash, generate_password_hash

from ..extensions import db
from ..models import Role, User, UserSession, Workspace, utcnow
from ..tokens import hash_token, new_token
from . import ServiceError
from .passwords import check_password
from .traits import install_default_trait_set


def hash_password(password: str) -> str:
    """Werkzeug's scrypt by default; tests may choose a cheaper method in the config."""
    return generate_password_hash(password, method=current_app.config["PASSWORD_HASH_METHOD"])


@cache
def _dummy_hash(method: str) -> str:
    """Compared against when the email is unknown, so a miss costs as long as a wrong
    password and response times do not reveal which emails have accounts."""
    return generate_password_hash("fitcheck-no-such-user", method=method)


def normalize_email(email: str) -> str:
    return email.strip().lower()


def _check_password_strength(password: str, field: str = "password", email: str = "") -> None:
    check_password(password, email=email, field=field)


def _email_taken(email: str) -> bool:
    return db.session.scalar(select(User.id).where(User.email == email)) is not None


def sign_up(*, workspace_name: str, name: str, email: str, password: str) -> User:
    """Create a workspace with the default trait set; its first user is the owner."""
    email = normalize_email(email)
    _check_password_strength(password)
    if _email_taken(email):
        raise ServiceError(_l("An account with this email already exists."), "email")
    workspace = Workspace(name=workspace_name.strip())
    user = User(
        workspace=workspace,
        email=email,
        name=name.strip(),
        password_hash=hash_password(password),
        role=Role.OWNER,
    )
    db.session.add_all([workspace, user])
    db.session.flush()
    install_default_trait_set(workspace)
    db.session.commit()
    return user


def create_user(*, email: str, workspace_name: str, password: str, name: str = "") -> User:
    """CLI: add a user to the named workspace, creating it (and its owner) if it is new."""
    email = normalize_email(email)
    _check_password_strength(password)
    if _email_taken(email):
        raise ServiceError(_l("An account with this email already exists."), "email")
    workspace = db.session.scalar(select(Workspace).where(Workspace.name == workspace_name))
    role = Role.MEMBER
    if workspace is None:
        workspace = Workspace(name=workspace_name)
        db.session.add(workspace)
        db.session.flush()
        install_default_trait_set(workspace)
        role = Role.OWNER
    user = User(
        workspace=workspace,
        email=email,
        name=name or email.split("@")[0],
        password_hash=hash_password(password),
        role=role,
    )
    db.session.add(user)
    db.session.commit()
    return user


def authenticate(email: str, password: str) -> User | None:
    user = db.session.scalar(select(User).where(User.email == normalize_email(email)))
    if user is None:
        check_password_hash(_dummy_hash(current_app.config["PASSWORD_HASH_METHOD"]), password)
        return None
    return user if check_password_hash(user.password_hash, password) else None


def start_session(user: User) -> User:
    """Record a server-side session for this browser; Flask-Login keeps its id in the cookie."""
    token = new_token()
    db.session.add(UserSession(user_id=user.id, token_hash=hash_token(token)))
    db.session.commit()
    user.session_token = token
    return user


def load_session_user(session_id: str) -> User | None:
    """The user of a live session, or None once it is revoked. One query per request."""
    user_id, _, token = session_id.partition(":")
    if not user_id.isdigit() or not token:
        return None
    user = db.session.scalar(
        select(User)
        .join(UserSession, UserSession.user_id == User.id)
        .where(
            User.id == int(user_id),
            UserSession.token_hash == hash_token(token),
            UserSession.revoked_at.is_(None),
        )
    )
    if user is not None:
        user.session_token = token
    return user


def end_session(user: User) -> None:
    """Sign-out: revoke this browser's session so a copied cookie no longer works."""
    if user.session_token:
        db.session.execute(
            update(UserSession)
            .where(UserSession.token_hash == hash_token(user.session_token))
            .values(revoked_at=utcnow())
        )
        db.session.commit()


def change_password(user: User, *, current: str, new: str) -> User:
    """Change the password and revoke every session of the user, this one included.

    The caller signs the browser in again with the returned user (a fresh session).
    """
    if not check_password_hash(user.password_hash, current):
        raise ServiceError(_l("The current password is not correct."), "current_password")
    _check_password_strength(new, "new_password")
    now = utcnow()
    user.password_hash = hash_password(new)
    user.password_changed_at = now
    db.session.execute(
        update(UserSession)
        .where(UserSession.user_id == user.id, UserSession.revoked_at.is_(None))
        .values(revoked_at=now)
    )
    db.session.commit()
    return start_session(user)


def set_locale(user: User, locale: str) -> None:
    user.locale = locale
    db.session.commit()
