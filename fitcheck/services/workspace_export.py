"""The whole workspace as one file its owner can take away: a ZIP of `workspace.json` and
the CSVs of every revealed round.

`workspace.json` holds every object of the workspace, table by table, with its own ids so
the references between them still resolve: the workspace, its users, member invitations,
API tokens, partners, contacts, outcomes, trait sets and traits, assessments and their
frozen traits, respondents, commitments with the rounds they were carried out of
(`commitment_reviews`), round summaries and the audit log.

What the rest of fitcheck never shows is not in it either:

- secrets: password hashes, the nonces and hashes behind invitation, reset and API token
  links (`SECRET_COLUMNS`, left out of every table by name);
- who answered what. The pages promise respondents that nobody sees their answers before
  the reveal, that a side below the anonymity threshold is withheld, and that answers and
  comments are never attributed. So answers and comments appear only for revealed rounds
  and only as the assessment exports give them (`exports.round_rows`): under opaque codes
  such as `client-2`, without a withheld side, comments grouped by trait and side. Drafts
  and the answers of rounds still collecting stay out.

Beside it, `assessments/<id>/answers.csv` and `assessments/<id>/results.csv` are the files
of each revealed round's own download, made by the same functions (formula-safe).
The export itself is on record in the audit log.
"""

from __future__ import annotations

import io
import json
import zipfile
from collections.abc import Iterable
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Table, select
from sqlalchemy.orm import joinedload, selectinload

from ..extensions import db
from ..models import (
    ApiToken,
    Assessment,
    AssessmentTrait,
    AuditEvent,
    Commitment,
    CommitmentReview,
    Contact,
    MemberInvitation,
    Outcome,
    Partner,
    Respondent,
    RoundSummary,
    Trait,
    TraitSet,
    User,
    Workspace,
    utcnow,
)
from . import audit, exports
from .results import VISIBLE_STATES

FORMAT_VERSION = 1

# Never exported, in whatever table they appear.
SECRET_COLUMNS = frozenset({"password_hash", "token_nonce", "token_hash"})

# (key in workspace.json, table), parents before children.
TABLES: tuple[tuple[str, Table], ...] = (
    ("users", User.__table__),
    ("member_invitations", MemberInvitation.__table__),
    ("api_tokens", ApiToken.__table__),
    ("partners", Partner.__table__),
    ("contacts", Contact.__table__),
    ("outcomes", Outcome.__table__),
    ("trait_sets", TraitSet.__table__),
    ("traits", Trait.__table__),
    ("assessments", Assessment.__table__),
    ("assessment_traits", AssessmentTrait.__table__),
    ("respondents", Respondent.__table__),
    ("commitments", Commitment.__table__),
    ("commitment_reviews", CommitmentReview.__table__),
    ("round_summaries", RoundSummary.__table__),
    ("audit_events", AuditEvent.__table__),
)


def _plain(value: Any) -> Any:
    """JSON for what the columns hold beyond JSON's own types (enums are `str` already)."""
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    raise TypeError(f"{type(value).__name__} is not exported")


def _rows(table: Table, *conditions: Any) -> list[dict[str, Any]]:
    """The table's rows that match, oldest id first, without its secret columns. One query."""
    columns = [column for column in table.columns if column.name not in SECRET_COLUMNS]
    query = select(*columns).where(*conditions).order_by(*table.primary_key.columns)
    return [dict(row) for row in db.session.execute(query).mappings()]


def _revealed_rounds(workspace_id: int) -> list[Assessment]:
    return list(
        db.session.scalars(
            select(Assessment)
            .options(
                selectinload(Assessment.traits),
                joinedload(Assessment.partner).joinedload(Partner.workspace),
            )
            .where(Assessment.workspace_id == workspace_id, Assessment.state.in_(VISIBLE_STATES))
            .order_by(Assessment.id)
        )
    )


def _with_round(assessment_id: int, rows: Iterable[exports.Row]) -> list[exports.Row]:
    return [{"assessment_id": assessment_id, **row} for row in rows]


def workspace_archive(workspace_id: int, *, now: datetime | None = None) -> bytes:
    """The ZIP of the workspace, built in memory. Queries: one per table, plus those of
    each revealed round's results (`load_results` and its answers)."""
    document: dict[str, Any] = {
        "format": "fitcheck-workspace",
        "version": FORMAT_VERSION,
        "exported_at": (now or utcnow()).isoformat(),
        "workspace": _rows(Workspace.__table__, Workspace.__table__.c.id == workspace_id)[0],
    }
    for key, table in TABLES:
        document[key] = _rows(table, table.c.workspace_id == workspace_id)
    files: dict[str, bytes] = {}
    document["answers"] = []
    document["comments"] = []
    for assessment in _revealed_rounds(workspace_id):
        tables = exports.round_rows(assessment)
        document["answers"] += tables["answers"]
        document["comments"] += _with_round(assessment.id, tables["comments"])
        folder = f"assessments/{assessment.id}"
        files[f"{folder}/answers.csv"] = exports.to_csv(tables["answers"], exports.ANSWER_COLUMNS)
        files[f"{folder}/results.csv"] = exports.to_csv(tables["results"], exports.RESULT_COLUMNS)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(
            "workspace.json",
            json.dumps(document, default=_plain, ensure_ascii=False, allow_nan=False, indent=1),
        )
        for name, body in files.items():
            archive.writestr(name, body)
    return buffer.getvalue()


def export_workspace(workspace_id: int, *, actor: User, now: datetime | None = None) -> bytes:
    """The owner's download of the whole workspace, on record in the audit log (the event
    is committed after the file is built, so it is in the next export, not this one)."""
    body = workspace_archive(workspace_id, now=now)
    audit.record(
        audit.Kind.EXPORT,
        workspace_id=workspace_id,
        actor=actor,
        format="zip",
        scope="workspace",
    )
    db.session.commit()
    return body
