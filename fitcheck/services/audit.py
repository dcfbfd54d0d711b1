"""The audit log: one `record()` that every use case calls inside its own transaction,
and the reading of the log for /audit and its CSV.

An event is added to the session, never committed here: it lands with what it describes,
or not at all. Who did it comes from the caller (a `User`, or fitcheck itself with an
`ActorKind`); the address from the current request, when there is one. Reading is always
scoped to one workspace.
"""

from __future__ import annotations

import enum
import json
from datetime import datetime
from typing import Any

from flask import has_request_context, request
from flask_sqlalchemy.pagination import Pagination
from sqlalchemy import Select, select

from ..extensions import db
from ..models import ActorKind, AuditEvent, User
from . import paging


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
    WORKSHOP_OPENED = "workshop_opened"
    WORKSHOP_FINISHED = "workshop_finished"
    MEETING_STARTED = "meeting_started"
    MEETING_ENDED = "meeting_ended"


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
    at: datetime | None = None,
    **details: Any,
) -> AuditEvent:
    """Add one event to the current transaction, at `at` if it happened earlier than now
    (the demo's past). `details` must be JSON values."""
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
    if at is not None:
        event.created_at = at
    db.session.add(event)
    return event


# --------------------------------------------------------------------------------------------
# Reading the log (/audit and its CSV)
# --------------------------------------------------------------------------------------------

PER_PAGE = 50

CSV_COLUMNS = (
    "created_at",
    "kind",
    "actor_kind",
    "actor",
    "subject",
    "details",
    "ip_address",
)


def parse_kind(value: str | None) -> Kind | None:
    """The kind a filter names; None (every kind) for nothing or anything unknown."""
    try:
        return Kind(value) if value else None
    except ValueError:
        return None


def _events(workspace_id: int, kind: Kind | None) -> Select[AuditEvent]:
    """The workspace's events of `kind` (or all), newest first."""
    query = select(AuditEvent).where(AuditEvent.workspace_id == workspace_id)
    if kind is not None:
        query = query.where(AuditEvent.kind == kind.value)
    # The id breaks ties between events of the same moment, and follows the index.
    return query.order_by(AuditEvent.created_at.desc(), AuditEvent.id.desc())


def list_events(
    workspace_id: int, *, kind: Kind | None = None, page: int = 1, per_page: int = PER_PAGE
) -> Pagination:
    """One page of the workspace's log, newest first. Two queries: the page and its total.

    A page past the end is empty rather than an error; a page below 1 is the first.
    """
    return paging.paginate(_events(workspace_id, kind), page=page, per_page=per_page)


def csv_rows(workspace_id: int, *, kind: Kind | None = None) -> list[dict[str, str | None]]:
    """Every event of the filter, newest first, as the CSV's rows. One query.

    `created_at` is ISO 8601 in UTC, `details` the event's JSON, `actor` the person's name
    and email as recorded, or what acted for fitcheck (`rule`, `deadline`, `system`).
    """
    return [
        {
            "created_at": event.created_at.isoformat(),
            "kind": event.kind,
            "actor_kind": event.actor_kind.value,
            "actor": event.actor_name or event.actor_kind.value,
            "subject": event.subject,
            "details": json.dumps(event.details or {}, ensure_ascii=False, sort_keys=True),
            "ip_address": event.ip_address,
        }
        for event in db.session.scalars(_events(workspace_id, kind))
    ]


def export_rows(
    workspace_id: int, *, actor: User, kind: Kind | None = None
) -> list[dict[str, str | None]]:
    """The owner's download of the log: its rows, and the download itself on record.

    The event of this download is committed after the rows are read, so the file holds
    every event before it; the next download shows this one.
    """
    rows = csv_rows(workspace_id, kind=kind)
    filters: dict[str, Any] = {"filter": kind.value} if kind is not None else {}
    record(
        Kind.EXPORT,
        workspace_id=workspace_id,
        actor=actor,
        format="csv",
        what="audit_log",
        events=len(rows),
        **filters,
    )
    db.session.commit()
    return rows
