"""The audit log: one `record()` that every use case calls inside its own transaction.

An event is added to the session, never committed here: it lands with what it describes,
or not at all. Who did it comes from the caller (a `User`, or fitcheck itself with an
`ActorKind`); the address from the current request, when there is one.
"""

from __future__ import annotations

import enum
from typing import Any

from flask import has_request_context, request

from ..extensions import db
from ..models import ActorKind, AuditEvent, User


class Kind(enum.StrEnum):
    """The kinds of event, as stored and as filtered on /audit."""

    SIGN_IN = "sign_in"
    SIGN_IN_FAILED = "sign_in_failed"
    SIGN_UP = "sign_up"
    PASSWORD_CHANGED = "password_changed"  # noqa: S105 - an event's name
    PASSWORD_RESET = "password_reset"  # noqa: S105
    MEMBER_INVITED = "member_invited"
    MEMBER_INVITATION_REVOKED = "member_invitation_revoked"
    MEMBER_JOINED = "member_joined"
    ROLE_CHANGED = "role_changed"
    MEMBER_REMOVED = "member_removed"
    LAUNCH = "launch"
    REVEAL = "reveal"
    EXPORT = "export"
    API_TOKEN_CREATED = "api_token_created"  # noqa: S105
    API_TOKEN_REVOKED = "api_token_revoked"  # noqa: S105
    DELETE = "delete"


def request_address() -> str | None:
    """The client's address as the app sees it (behind PROXY_FIX, the forwarded one)."""
    if not has_request_context():
        return None
    return request.remote_addr


def record(
    kind: Kind,
    *,
    workspace_id: int,
    actor: User | None = None,
    actor_kind: ActorKind = ActorKind.USER,
    subject: str = "",
    **details: Any,
) -> AuditEvent:
    """Add one event to the current transaction. `details` must be JSON values."""
    if actor is None and actor_kind is ActorKind.USER:
        actor_kind = ActorKind.SYSTEM
    event = AuditEvent(
        workspace_id=workspace_id,
        kind=kind.value,
        actor_kind=actor_kind,
        actor_id=actor.id if actor is not None else None,
        actor_name=f"{actor.name} <{actor.email}>" if actor is not None else "",
        subject=subject[:300],
        details=details,
        ip_address=request_address(),
    )
    db.session.add(event)
    return event
