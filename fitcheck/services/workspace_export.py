"""The whole workspace as one file its owner can take away: a ZIP of `workspace.json` and
the CSVs of every revealed round.

`workspace.json` holds every object of the workspace, table by table, with its own ids so
the references between them still resolve: the workspace, its users, member invitations,
API tokens, partners, contacts, outcomes, trait sets and traits, assessments and their
frozen traits, respondents, commitments with the rounds they were carried out of
(`commitment_reviews`), round summaries, the brand-partner workshops' results and the audit
log.

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
of each revealed round's own download, made by the same functions (formula-safe, with the
same header rows: the machine names, then their names in Japanese in a Japanese workspace).
The export itself is on record in the audit log.
"""

from __future__ import annotations

import io
import json
import zipfile
from collections import defaultdict
from collections.abc import Iterable
from datetime import date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from sqlalchemy import Select, Table, select
from sqlalchemy.orm import joinedload
from sqlalchemy.orm.attributes import set_committed_value

from ..extensions import db
from ..models import (
    Answer,
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
    Workshop,
    WorkshopAction,
    WorkshopCluster,
    Workspace,
    utcnow,
)
from . import audit, exports, rounds
from .results import VISIBLE_STATES, Results, answers_query, results_of

if TYPE_CHECKING:
    from .results import AnswerRow

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
    # A brand-partner workshop's result: the workshop, its clusters (each chosen one with the
    # trait it became and its frozen provenance) and its promises. The notes and votes stay
    # out, like answers: who wrote an anonymous note, or gave which dot, is never told.
    ("workshops", Workshop.__table__),
    ("workshop_clusters", WorkshopCluster.__table__),
    ("workshop_actions", WorkshopAction.__table__),
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


def _revealed(workspace_id: int) -> Select[int]:
    return select(Assessment.id).where(
        Assessment.workspace_id == workspace_id, Assessment.state.in_(VISIBLE_STATES)
    )


def _revealed_rounds(workspace_id: int) -> list[tuple[Results, list[AnswerRow]]]:
    """Every revealed round of the workspace with its results and submitted answers, oldest
    id first: three queries however many rounds (the rounds with their partner and the
    workspace, their frozen traits, their answers), so an export of a thousand rounds does
    not send thousands of statements. The rounds are narrowed in SQL rather than by a list
    of ids, which could outgrow the databases' limits on bound parameters."""
    revealed = list(
        db.session.scalars(
            select(Assessment)
            .options(
                # The partner's workspace named in the join: the planner reads this
                # workspace's partners, not every workspace's.
                joinedload(
                    Assessment.partner.and_(Partner.workspace_id == Assessment.workspace_id)
                ).joinedload(Partner.workspace)
            )
            .where(Assessment.workspace_id == workspace_id, Assessment.state.in_(VISIBLE_STATES))
            .order_by(Assessment.id)
        )
    )
    traits: dict[int, list[AssessmentTrait]] = defaultdict(list)
    for trait in db.session.scalars(
        select(AssessmentTrait)
        .where(
            AssessmentTrait.workspace_id == workspace_id,
            AssessmentTrait.assessment_id.in_(_revealed(workspace_id)),
        )
        .order_by(AssessmentTrait.position, AssessmentTrait.id)
    ):
        traits[trait.assessment_id].append(trait)
    answers: dict[int, list[AnswerRow]] = defaultdict(list)
    for row in db.session.execute(
        answers_query().where(
            Answer.workspace_id == workspace_id, Answer.assessment_id.in_(_revealed(workspace_id))
        )
    ):
        answers[row.assessment_id].append(row)
    for assessment in revealed:
        set_committed_value(assessment, "traits", traits[assessment.id])
    return [
        (results_of(assessment, answers[assessment.id]), answers[assessment.id])
        for assessment in revealed
    ]


def _with_round(assessment_id: int, rows: Iterable[exports.Row]) -> list[exports.Row]:
    return [{"assessment_id": assessment_id, **row} for row in rows]


def workspace_archive(workspace_id: int, *, now: datetime | None = None) -> bytes:
    """The ZIP of the workspace, built in memory. Queries: one per table, three for the
    revealed rounds and all their answers, one for the workspace's norm: as many for a
    thousand rounds as for one. Each round's files are those of its own download
    (`exports.round_rows`), its last round and the change since chosen by the same rule
    (`rounds.rounds_among`)."""
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
    revealed = _revealed_rounds(workspace_id)
    answers = {results.assessment.id: rows for results, rows in revealed}
    # The norm of the workspace, read once for all its rounds (not once a round: that read
    # every stored summary a thousand times for a thousand rounds).
    norm = rounds.workspace_norm(workspace_id)
    # Named once for every round: the header rows of the rounds' own downloads.
    language = document["workspace"]["language"]
    answer_labels = exports.column_labels(exports.ANSWER_COLUMNS, language)
    result_labels = exports.column_labels(exports.RESULT_COLUMNS, language)
    for shown in rounds.rounds_among([results for results, _ in revealed], norm):
        assessment = shown.assessment
        tables = exports.round_tables(shown, answers[assessment.id])
        document["answers"] += tables["answers"]
        document["comments"] += _with_round(assessment.id, tables["comments"])
        folder = f"assessments/{assessment.id}"
        files[f"{folder}/answers.csv"] = exports.to_csv(
            tables["answers"], exports.ANSWER_COLUMNS, labels=answer_labels
        )
        files[f"{folder}/results.csv"] = exports.to_csv(
            tables["results"], exports.RESULT_COLUMNS, labels=result_labels
        )
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
