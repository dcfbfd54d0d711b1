"""Personal API tokens: created and revoked by their user, shown once, stored as a hash.

A token acts for its user in the user's workspace. Only its SHA-256 is stored (see
`fitcheck.tokens`), with a short prefix that lets the account page tell tokens apart.
`last_used_at` is written at most once a minute per token, so a busy integration does not
turn every API read into a database write. Creating and revoking a token are on record in
the audit log, by its name and prefix.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import or_, select, update
from sqlalchemy.orm import joinedload

from .. import limits
from ..extensions import db
from ..i18n import lazy_gettext as _l
from ..models import ApiToken, User, utcnow
from ..tokens import hash_token, new_token
from . import ServiceError, audit, check_length
from .accounts import normalize_email

# Recognisable in a config file or a secret scanner's report; not part of the secret.
TOKEN_PREFIX = "fc_"  # noqa: S105 - a fixed marker, not a secret
# "fc_" and 8 random characters: enough to tell tokens apart, far too few to guess one.
DISPLAY_PREFIX_LENGTH = len(TOKEN_PREFIX) + 8
LAST_USED_PRECISION = timedelta(minutes=1)


def _checked_name(name: str) -> str:
    name = name.strip()
    if not name:
        raise ServiceError(_l("Give the token a name."), "name")
    check_length(name, limits.API_TOKEN_NAME, "name", _l("The name"))
    return name


def _subject(token: ApiToken) -> str:
    """How the audit log names a token: its name and display prefix, never the secret."""
    return f"{token.name} ({token.prefix}…)"


def _issue(user: User, name: str, *, actor: User | None) -> tuple[ApiToken, str]:
    secret = TOKEN_PREFIX + new_token()
    token = ApiToken(
        workspace_id=user.workspace_id,
        user_id=user.id,
        name=_checked_name(name),
        token_hash=hash_token(secret),
        prefix=secret[:DISPLAY_PREFIX_LENGTH],
    )
    db.session.add(token)
    db.session.flush()
    audit.record(
        audit.Kind.API_TOKEN_CREATED,
        workspace_id=user.workspace_id,
        actor=actor,
        subject=_subject(token),
        token_id=token.id,
        user=user.email,
    )
    db.session.commit()
    return token, secret


def create_token(user: User, name: str) -> tuple[ApiToken, str]:
    """Issue a token for `user`, by `user`. Returns the row and the token itself, which
    exists only now."""
    return _issue(user, name, actor=user)


def create_token_for_email(email: str, name: str) -> tuple[ApiToken, str]:
    """CLI: issue a token for the user with this email (the log says: fitcheck did)."""
    user = db.session.scalar(select(User).where(User.email == normalize_email(email)))
    if user is None:
        raise ServiceError(_l("No user has this email address."), "email")
    return _issue(user, name, actor=None)


def list_tokens(user: User) -> list[ApiToken]:
    """The user's tokens still in force, newest first. One query."""
    return list(
        db.session.scalars(
            select(ApiToken)
            .where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))
            .order_by(ApiToken.created_at.desc(), ApiToken.id.desc())
        )
    )


def find_token(user: User, token_id: int) -> ApiToken | None:
    """One of the user's own tokens in force; anyone else's is not found."""
    return db.session.scalar(
        select(ApiToken).where(
            ApiToken.id == token_id,
            ApiToken.user_id == user.id,
            ApiToken.revoked_at.is_(None),
        )
    )


def revoke_token(
    token: ApiToken, *, actor: User | None = None, now: datetime | None = None
) -> None:
    """Stop a token at once; its row stays so the revocation is on record, and the audit
    log says who revoked it (`actor`; by default the token's own user)."""
    if token.revoked_at is None:
        token.revoked_at = now or utcnow()
        audit.record(
            audit.Kind.API_TOKEN_REVOKED,
            workspace_id=token.workspace_id,
            actor=actor or token.user,
            subject=_subject(token),
            token_id=token.id,
            user=token.user.email,
        )
        db.session.commit()


def authenticate(secret: str, *, now: datetime | None = None) -> ApiToken | None:
    """The token in force that `secret` is, with its user; None for anything else.

    One query; plus one conditional UPDATE when the recorded use is a minute old or more.
    """
    if not secret.startswith(TOKEN_PREFIX):
        return None
    token: ApiToken | None = db.session.scalar(
        select(ApiToken)
        .where(ApiToken.token_hash == hash_token(secret), ApiToken.revoked_at.is_(None))
        .options(joinedload(ApiToken.user))
    )
    if token is None:
        return None
    moment = now or utcnow()
    stale = moment - LAST_USED_PRECISION
    if token.last_used_at is None or token.last_used_at <= stale:
        # Conditional, so concurrent requests of one token write it once, not once each.
        db.session.execute(
            update(ApiToken)
            .where(
                ApiToken.id == token.id,
                or_(ApiToken.last_used_at.is_(None), ApiToken.last_used_at <= stale),
            )
            .values(last_used_at=moment)
        )
        db.session.commit()
    return token
