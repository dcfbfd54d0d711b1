"""For owners: the audit log (`/audit`, `/audit.csv`) and the whole workspace as one file
(`/workspace/export`).

The log is filtered by kind (`?kind=`) and paginated (`?page=`); the CSV takes the same
filter. Both downloads are themselves on record in the log. Nothing here may be cached:
the log and the export hold personal data.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, render_template, request
from flask_babel import LazyString
from flask_login import current_user
from werkzeug.wrappers import Response

from ..i18n import lazy_gettext as _l
from ..models import ActorKind, AuditEvent, utcnow
from ..services import audit, exports, workspace_export
from ..services.audit import Kind
from ..services.results import local_date
from .access import owner_required

bp = Blueprint("audit", __name__)

KIND_LABELS: dict[str, LazyString] = {
    Kind.SIGN_IN: _l("Signed in"),
    Kind.SIGN_IN_FAILED: _l("Sign-in failed"),
    Kind.SIGN_UP: _l("Signed up"),
    Kind.PASSWORD_CHANGED: _l("Password changed"),
    Kind.PASSWORD_RESET: _l("Password reset"),
    Kind.MEMBER_INVITED: _l("Member invited"),
    Kind.MEMBER_INVITATION_REVOKED: _l("Member invitation revoked"),
    Kind.MEMBER_JOINED: _l("Member joined"),
    Kind.ROLE_CHANGED: _l("Role changed"),
    Kind.MEMBER_REMOVED: _l("Member removed"),
    Kind.LAUNCH: _l("Assessment launched"),
    Kind.REVEAL: _l("Results revealed"),
    Kind.EXPORT: _l("Export"),
    Kind.API_TOKEN_CREATED: _l("API token created"),
    Kind.API_TOKEN_REVOKED: _l("API token revoked"),
    Kind.DELETE: _l("Deleted"),
    Kind.WORKSHOP_OPENED: _l("Workshop opened"),
    Kind.WORKSHOP_FINISHED: _l("Workshop finished"),
    Kind.MEETING_STARTED: _l("Review meeting started"),
    Kind.MEETING_ENDED: _l("Review meeting ended"),
}

# Who acted when no person did.
ACTOR_LABELS: dict[ActorKind, LazyString] = {
    ActorKind.RULE: _l("automatic reveal (both sides had enough answers)"),
    ActorKind.DEADLINE: _l("the deadline"),
    ActorKind.SYSTEM: _l("fitcheck"),
}

# The words of the details' keys and of the values that are codes; others show as stored.
DETAIL_LABELS: dict[str, LazyString] = {
    "format": _l("format"),
    "what": _l("what"),
    "scope": _l("scope"),
    "filter": _l("filter"),
    "events": _l("events"),
    "assessment_id": _l("assessment"),
    "token_id": _l("token"),
    "user": _l("user"),
    "role": _l("role"),
    "workshop_id": _l("workshop"),
    "meeting_id": _l("meeting"),
    "trait_set_id": _l("trait set"),
    "traits": _l("traits"),
    "language": _l("language"),
    "participants": _l("participants"),
    "commitments": _l("commitments"),
    "mails": _l("summaries mailed"),
}
WHAT_LABELS: dict[str, LazyString] = {
    "answers": _l("answers"),
    "results": _l("results"),
    "audit_log": _l("audit log"),
    "workspace": _l("the whole workspace"),
    "assessment": _l("assessment"),
    "partner": _l("partner"),
}

# A language by its own name, as the language buttons show it.
LANGUAGE_NAMES = {"en": "English", "ja": "日本語"}


@bp.after_request
def _no_store(response: Response) -> Response:
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


def kind_label(kind: str) -> str:
    """A kind's name in the reader's language; a kind no longer known shows as stored."""
    label = KIND_LABELS.get(kind)
    return str(label) if label is not None else kind


def actor_label(event: AuditEvent) -> str:
    if event.actor_name:
        return event.actor_name
    return str(ACTOR_LABELS.get(event.actor_kind, ACTOR_LABELS[ActorKind.SYSTEM]))


def _value(key: str, value: Any) -> str:
    if key in {"what", "scope"} and value in WHAT_LABELS:
        return str(WHAT_LABELS[value])
    if key == "filter" and isinstance(value, str):
        return kind_label(value)
    if key in {"assessment_id", "workshop_id", "meeting_id", "trait_set_id"} and isinstance(
        value, int
    ):
        return f"#{value}"
    if key == "language" and value in LANGUAGE_NAMES:
        return LANGUAGE_NAMES[value]
    if isinstance(value, bool):
        return str(_l("yes") if value else _l("no"))
    if value is None:
        return "—"
    if isinstance(value, list | tuple):
        return ", ".join(_value(key, item) for item in value)
    return str(value)


def detail_items(details: dict[str, Any] | None) -> list[tuple[str, str]]:
    """(label, value) of an event's details, in a stable order, as plain text to escape."""
    return [
        (str(DETAIL_LABELS.get(key, key.replace("_", " "))), _value(key, value))
        for key, value in sorted((details or {}).items())
    ]


@bp.get("/audit")
@owner_required
def index() -> str:
    kind = audit.parse_kind(request.args.get("kind"))
    page = request.args.get("page", 1, type=int)
    events = audit.list_events(current_user.workspace_id, kind=kind, page=page)
    return render_template(
        "audit/index.html",
        events=events,
        kind=kind,
        kinds=[(kind.value, kind_label(kind)) for kind in Kind],
        kind_label=kind_label,
        actor_label=actor_label,
        detail_items=detail_items,
    )


@bp.get("/audit.csv")
@owner_required
def download() -> Response:
    kind = audit.parse_kind(request.args.get("kind"))
    rows = audit.export_rows(
        current_user.workspace_id, actor=current_user._get_current_object(), kind=kind
    )
    labels = exports.column_labels(audit.CSV_COLUMNS, current_user.workspace.language)
    body = exports.to_csv(rows, audit.CSV_COLUMNS, labels=labels)
    return _attachment(body, "text/csv; charset=utf-8", "audit-log", "csv")


@bp.get("/workspace/export")
@owner_required
def export_workspace() -> Response:
    body = workspace_export.export_workspace(
        current_user.workspace_id, actor=current_user._get_current_object()
    )
    return _attachment(body, "application/zip", "workspace", "zip")


def _attachment(body: bytes, content_type: str, what: str, extension: str) -> Response:
    """A download named from fixed words, the workspace id and the day: ASCII, nothing a
    user typed, so the header needs no escaping."""
    day = local_date(utcnow()).isoformat()
    filename = f"fitcheck-{what}-{current_user.workspace_id}-{day}.{extension}"
    response = Response(body, content_type=content_type)
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
