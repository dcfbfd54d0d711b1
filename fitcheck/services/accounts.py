"""Workspaces, users, their server-side sign-in sessions, and the ways into an account:
sign-up confirmed by mail, sign-in, password change and password reset.

Nothing here tells a stranger whether an address has an account. Sign-up and password
reset answer the same whatever the address; what differs goes by mail to the address
itself (`sign_up_confirm` or `sign_up_existing`; `password_reset` or nothing). The links
in those mails are single use, derived from a stored nonce under SECRET_KEY
(`fitcheck.tokens.derived_token`); only the token's hash is stored for the lookup.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from functools import cache
from typing import Any, TypeVar

from flask import current_app
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from werkzeug.security import check_password_hash, generate_password_hash

from .. import limits
from ..extensions import db
from ..i18n import lazy_gettext as _l
from ..models import (
    OutboxMessage,
    PasswordReset,
    Role,
    SignUpRequest,
    User,
    UserSession,
    Workspace,
    utcnow,
)
from ..models.accounts import WORKSPACE_LANGUAGES
from ..tokens import derived_token, hash_token, new_nonce, new_token
from ..urls import external_url
from . import ServiceError, audit, check_length, demo_text, outbox
from .outbox import Rendered
from .passwords import check_password
from .traits import install_default_trait_set

SIGN_UP_VALID_FOR = timedelta(hours=24)
RESET_VALID_FOR = timedelta(hours=1)
# The purposes of fitcheck.tokens.derived_token: each kind of link has its own tokens.
SIGN_UP_PURPOSE = "sign-up"
RESET_PURPOSE = "reset"
# The pages the mails link to (fitcheck.views.auth).
SIGN_UP_CONFIRM_ENDPOINT = "auth.confirm_sign_up"
RESET_ENDPOINT = "auth.reset_password"


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


def _user_by_email(email: str) -> User | None:
    return db.session.scalar(select(User).where(User.email == normalize_email(email)))


def _email_taken(email: str) -> bool:
    return db.session.scalar(select(User.id).where(User.email == email)) is not None


def _check_account_text(*, workspace_name: str, name: str, email: str) -> None:
    """The names and address of a new account within their columns (`fitcheck.limits`)."""
    check_length(
        workspace_name.strip(), limits.WORKSPACE_NAME, "workspace_name", _l("The workspace name")
    )
    check_length(name.strip(), limits.PERSON_NAME, "name", _l("The name"))
    check_length(email, limits.EMAIL, "email", _l("The email address"))


def _new_workspace(
    *, workspace_name: str, name: str, email: str, password_hash: str, language: str | None = None
) -> User:
    """A workspace with the default trait set and its owner, in the caller's transaction.

    The workspace speaks `language`, the language of the person signing up, when it is
    one a workspace may have; else the default."""
    workspace = Workspace(name=workspace_name.strip())
    if language in WORKSPACE_LANGUAGES:
        workspace.language = language
    user = User(
        workspace=workspace,
        email=email,
        name=name.strip(),
        password_hash=password_hash,
        role=Role.OWNER,
    )
    db.session.add_all([workspace, user])
    db.session.flush()
    install_default_trait_set(workspace)
    audit.record(audit.Kind.SIGN_UP, workspace_id=workspace.id, actor=user, subject=email)
    return user


def sign_up(*, workspace_name: str, name: str, email: str, password: str) -> User:
    """Create a workspace with the default trait set at once; its first user is the owner.

    For the command line, the demo and tests. The sign-up page goes through
    `request_sign_up` and `confirm_sign_up`, which prove the address first.
    """
    email = normalize_email(email)
    _check_account_text(workspace_name=workspace_name, name=name, email=email)
    check_password(password, email=email)
    if _email_taken(email):
        raise ServiceError(_l("An account with this email already exists."), "email")
    user = _new_workspace(
        workspace_name=workspace_name,
        name=name,
        email=email,
        password_hash=hash_password(password),
    )
    db.session.commit()
    return user


def request_sign_up(
    *,
    workspace_name: str,
    name: str,
    email: str,
    password: str,
    locale: str | None,
    now: datetime | None = None,
) -> None:
    """The sign-up form: mail a confirmation link to a new address, or tell the person
    behind a known one that they already have an account. Either way the page answers the
    same, so it never tells whether an address has an account."""
    email = normalize_email(email)
    _check_account_text(workspace_name=workspace_name, name=name, email=email)
    check_password(password, email=email)
    moment = now or utcnow()
    # Hashed in both cases, so the answer takes as long whether the address is known.
    password_hash = hash_password(password)
    existing = _user_by_email(email)
    if existing is not None:
        outbox.enqueue(
            "sign_up_existing",
            to=existing.email,
            locale=locale,
            workspace_id=existing.workspace_id,
            payload={"user_id": existing.id},
            now=moment,
        )
    else:
        nonce = new_nonce()
        request = SignUpRequest(
            email=email,
            name=name.strip(),
            workspace_name=workspace_name.strip(),
            password_hash=password_hash,
            locale=locale,
            token_nonce=nonce,
            token_hash=hash_token(_link_token(SIGN_UP_PURPOSE, nonce)),
            created_at=moment,
            expires_at=moment + SIGN_UP_VALID_FOR,
        )
        db.session.add(request)
        db.session.flush()
        outbox.enqueue(
            "sign_up_confirm",
            to=email,
            locale=locale,
            workspace_id=None,
            payload={"sign_up_request_id": request.id},
            now=moment,
        )
    db.session.commit()


def find_sign_up_request(token: str, *, now: datetime | None = None) -> SignUpRequest | None:
    """The pending sign-up of a confirmation link, or None once used or expired."""
    return _live_link(SignUpRequest, token, now or utcnow())


def confirm_sign_up(token: str, *, now: datetime | None = None) -> User:
    """Follow a sign-up confirmation: create the workspace and its owner, once, and return
    the owner signed in (`session_token` set)."""
    moment = now or utcnow()
    request = find_sign_up_request(token, now=moment)
    if request is None:
        raise ServiceError(_link_expired())
    if _email_taken(request.email):
        raise ServiceError(
            _l("This address already has an account. Sign in, or reset your password.")
        )
    # Conditional: of two clicks at once, only one creates a workspace.
    if not _mark_used(SignUpRequest, request.id, moment):
        db.session.rollback()
        raise ServiceError(_link_expired())
    user = _new_workspace(
        workspace_name=request.workspace_name,
        name=request.name,
        email=request.email,
        password_hash=request.password_hash,
        language=request.locale,
    )
    if request.locale in current_app.config["LANGUAGES"]:
        user.locale = request.locale
    _open_session(user, moment)
    try:
        db.session.commit()
    except IntegrityError:  # the address got an account in the meantime
        db.session.rollback()
        raise ServiceError(
            _l("This address already has an account. Sign in, or reset your password.")
        ) from None
    return user


def create_user(*, email: str, workspace_name: str, password: str, name: str = "") -> User:
    """CLI: add a user to the named workspace, creating it (and its owner) if it is new."""
    email = normalize_email(email)
    name = name or email.split("@")[0]
    _check_account_text(workspace_name=workspace_name, name=name, email=email)
    check_password(password, email=email)
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
        name=name,
        password_hash=hash_password(password),
        role=role,
    )
    db.session.add(user)
    db.session.commit()
    return user


def authenticate(email: str, password: str) -> User | None:
    user = _user_by_email(email)
    if user is None:
        check_password_hash(_dummy_hash(current_app.config["PASSWORD_HASH_METHOD"]), password)
        return None
    return user if check_password_hash(user.password_hash, password) else None


def sign_in(email: str, password: str, *, now: datetime | None = None) -> User | None:
    """The sign-in form: the user with a fresh session, or None. Both outcomes are in the
    audit log of the account's workspace; an unknown address leaves no trace."""
    moment = now or utcnow()
    user = _user_by_email(email)
    if user is None:
        check_password_hash(_dummy_hash(current_app.config["PASSWORD_HASH_METHOD"]), password)
        return None
    if not check_password_hash(user.password_hash, password):
        audit.record(
            audit.Kind.SIGN_IN_FAILED,
            workspace_id=user.workspace_id,
            subject=user.email,
            email=user.email,
        )
        db.session.commit()
        return None
    audit.record(audit.Kind.SIGN_IN, workspace_id=user.workspace_id, actor=user, subject=user.email)
    _open_session(user, moment)
    db.session.commit()
    return user


def _open_session(user: User, moment: datetime) -> None:
    """A new server-side session for this browser, in the caller's transaction."""
    token = new_token()
    db.session.add(UserSession(user_id=user.id, token_hash=hash_token(token), created_at=moment))
    user.last_sign_in_at = moment
    user.session_token = token


def start_session(user: User, *, now: datetime | None = None) -> User:
    """Record a server-side session for this browser; Flask-Login keeps its id in the cookie.

    It counts as the user's latest sign-in (the members page shows it).
    """
    _open_session(user, now or utcnow())
    db.session.commit()
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


def _revoke_sessions(user: User, moment: datetime) -> None:
    db.session.execute(
        update(UserSession)
        .where(UserSession.user_id == user.id, UserSession.revoked_at.is_(None))
        .values(revoked_at=moment)
    )


def change_password(user: User, *, current: str, new: str) -> User:
    """Change the password and revoke every session of the user, this one included.

    Returns the user with a fresh session for this browser (the caller signs it in).
    """
    if not check_password_hash(user.password_hash, current):
        raise ServiceError(_l("The current password is not correct."), "current_password")
    check_password(new, email=user.email, field="new_password")
    now = utcnow()
    user.password_hash = hash_password(new)
    user.password_changed_at = now
    _revoke_sessions(user, now)
    audit.record(
        audit.Kind.PASSWORD_CHANGED, workspace_id=user.workspace_id, actor=user, subject=user.email
    )
    _open_session(user, now)
    db.session.commit()
    return user


def request_password_reset(email: str, *, locale: str | None, now: datetime | None = None) -> None:
    """The forgotten-password form: mail a one-hour link if the address has an account.

    Nothing happens for an unknown address, and the page says the same either way.
    """
    moment = now or utcnow()
    user = _user_by_email(email)
    if user is None:
        return
    nonce = new_nonce()
    reset = PasswordReset(
        user_id=user.id,
        token_nonce=nonce,
        token_hash=hash_token(_link_token(RESET_PURPOSE, nonce)),
        created_at=moment,
        expires_at=moment + RESET_VALID_FOR,
    )
    db.session.add(reset)
    db.session.flush()
    outbox.enqueue(
        "password_reset",
        to=user.email,
        locale=user.locale or locale,
        workspace_id=user.workspace_id,
        payload={"password_reset_id": reset.id},
        now=moment,
    )
    db.session.commit()


def find_password_reset(token: str, *, now: datetime | None = None) -> PasswordReset | None:
    """The reset of a link that still works, or None (unknown, used or expired)."""
    return _live_link(PasswordReset, token, now or utcnow())


Link = TypeVar("Link", SignUpRequest, PasswordReset)


def _live_link(model: type[Link], token: str, moment: datetime) -> Link | None:
    """The row of a single-use link by its token's hash, unless used or expired."""
    row: Link | None = db.session.scalar(select(model).where(model.token_hash == hash_token(token)))
    if row is None or row.used_at is not None or row.expires_at <= moment:
        return None
    return row


def reset_password(token: str, password: str, *, now: datetime | None = None) -> User:
    """Use a reset link: set the password, end every session of the user and every other
    pending reset, and return the user with a fresh session for this browser."""
    moment = now or utcnow()
    reset = find_password_reset(token, now=moment)
    if reset is None:
        raise ServiceError(_link_expired())
    user = reset.user
    check_password(password, email=user.email)
    password_hash = hash_password(password)  # before the write lock: it takes a while
    # Conditional: of two uses at once, the second finds it used and changes nothing.
    if not _mark_used(PasswordReset, reset.id, moment):
        db.session.rollback()
        raise ServiceError(_link_expired())
    db.session.execute(
        update(PasswordReset)
        .where(PasswordReset.user_id == user.id, PasswordReset.used_at.is_(None))
        .values(used_at=moment)
    )
    user.password_hash = password_hash
    user.password_changed_at = moment
    _revoke_sessions(user, moment)
    audit.record(
        audit.Kind.PASSWORD_RESET, workspace_id=user.workspace_id, actor=user, subject=user.email
    )
    _open_session(user, moment)
    db.session.commit()
    return user


def _mark_used(model: type[SignUpRequest] | type[PasswordReset], row_id: int, moment: Any) -> bool:
    result = db.session.execute(
        update(model)
        .where(model.id == row_id, model.used_at.is_(None), model.expires_at > moment)
        .values(used_at=moment)
        .execution_options(synchronize_session=False)
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]


def _link_expired() -> Any:
    return _l("This link has expired or has already been used.")


def _link_token(purpose: str, nonce: str) -> str:
    return derived_token(current_app.config["SECRET_KEY"], purpose, nonce)


def sign_up_url(request: SignUpRequest) -> str:
    return external_url(
        SIGN_UP_CONFIRM_ENDPOINT, token=_link_token(SIGN_UP_PURPOSE, request.token_nonce)
    )


def reset_url(reset: PasswordReset) -> str:
    return external_url(RESET_ENDPOINT, token=_link_token(RESET_PURPOSE, reset.token_nonce))


def render_sign_up_confirm(message: OutboxMessage) -> Rendered | None:
    from .mailings import render_templates

    request = db.session.get(SignUpRequest, message.payload.get("sign_up_request_id", -1))
    if request is None or request.used_at is not None or request.expires_at <= utcnow():
        return None
    return render_templates(
        "sign_up_confirm",
        {
            "locale": message.locale,
            "name": request.name,
            "workspace_name": request.workspace_name,
            "hours": int(SIGN_UP_VALID_FOR.total_seconds() // 3600),
            "url": sign_up_url(request),
        },
    )


def render_sign_up_existing(message: OutboxMessage) -> Rendered | None:
    from .mailings import render_templates

    user = db.session.get(User, message.payload.get("user_id", -1))
    if user is None:
        return None
    return render_templates(
        "sign_up_existing",
        {
            "locale": message.locale,
            "name": user.name,
            "email": user.email,
            "sign_in_url": external_url("auth.sign_in"),
            "reset_url": external_url("auth.request_password_reset"),
            "url": external_url("auth.sign_in"),
        },
    )


def render_password_reset(message: OutboxMessage) -> Rendered | None:
    from .mailings import render_templates

    reset = db.session.get(PasswordReset, message.payload.get("password_reset_id", -1))
    if reset is None or reset.used_at is not None or reset.expires_at <= utcnow():
        return None
    return render_templates(
        "password_reset",
        {
            "locale": message.locale,
            "name": reset.user.name,
            "minutes": int(RESET_VALID_FOR.total_seconds() // 60),
            "url": reset_url(reset),
            "forgot_url": external_url("auth.request_password_reset"),
        },
    )


def set_locale(user: User, locale: str) -> None:
    """The user's language. In the demo workspace the demo's own texts follow it, in the
    same transaction (`demo_text`): its data are shown as stored."""
    user.locale = locale
    demo_text.follow_language(user.workspace_id, locale)
    db.session.commit()
