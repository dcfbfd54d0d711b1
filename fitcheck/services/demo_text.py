"""The demo workspace in its viewer's language: which columns hold the demo's own texts,
and the switch that rewrites them from one language into the other.

The demo's data are ordinary rows, and pages show what is stored; so when a member of the
demo workspace chooses a language, the texts the demo wrote (partners, contacts,
respondents, comments, promises, notes, in `demo_plans`) are rewritten in it. Only a text
that is still exactly the demo's wording in another language changes: whatever someone
typed or edited stays as it is. Trait labels are stored in both languages already and are
left alone, and so is the audit log, a record of what was done under which name. The
demo's rounds have no title: the pages name them by their kind, in the reader's language.

The demo workspace is the one its published account (`DEMO_EMAIL`) belongs to; no other
workspace is ever touched, even where its texts are the demo's own.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from sqlalchemy import case, exists, select, update
from sqlalchemy.orm import InstrumentedAttribute, aliased

from ..extensions import db
from ..models import (
    Answer,
    Commitment,
    Contact,
    Outcome,
    Partner,
    Respondent,
    User,
    Workshop,
    WorkshopAction,
    WorkshopCluster,
    WorkshopNote,
    WorkshopParticipant,
    Workspace,
)
from ..models.workshops import DEFAULT_QUESTION
from .demo_plans import (
    COMPANY_STAFF,
    DEMO_EMAIL,
    DEMO_WORKSPACE,
    GENERATED_PLANS,
    LANGUAGES,
    MEETING_PROMISES,
    OWNER_NAME,
    PLANS,
    PartnerPlan,
    Words,
)
from .workshops import DEMO_ACTIONS, DEMO_NOTES


@dataclass(frozen=True)
class DemoColumn:
    """A text column the demo writes, and every wording it writes there."""

    column: InstrumentedAttribute[str]
    words: tuple[Words, ...]

    def mapping(self, language: str) -> dict[str, str]:
        """Each wording in the other languages → the same text in `language`."""
        return {
            words.text(other): words.text(language)
            for words in self.words
            for other in LANGUAGES
            if other != language
        }


def _unique(words: Iterable[Words | None]) -> tuple[Words, ...]:
    """Each wording once; two that agree in English only are both kept (and refused by
    the tests: a column's switch must know one Japanese for each English)."""
    found: dict[tuple[str, str], Words] = {}
    for w in words:
        if w is not None:
            found.setdefault((w.en, w.ja), w)
    return tuple(found.values())


_WORKSHOP_NOTES = _unique(
    Words(en, ja)
    for phrases in DEMO_NOTES.values()
    for en, ja in zip(phrases["en"], phrases["ja"], strict=True)
)
_WORKSHOP_ACTIONS = tuple(Words(text["en"], text["ja"]) for text in DEMO_ACTIONS.values())


def _columns(plans: tuple[PartnerPlan, ...]) -> tuple[DemoColumn, ...]:
    rounds = [round_plan for plan in plans for round_plan in plan.rounds]
    contacts = [contact for plan in plans for contact in plan.contacts]
    promises = [
        *(promise for round_plan in rounds for promise in round_plan.commitments),
        *MEETING_PROMISES,
    ]
    return (
        DemoColumn(Workspace.name, (DEMO_WORKSPACE,)),
        DemoColumn(User.name, (OWNER_NAME,)),
        DemoColumn(Partner.name, _unique(plan.name for plan in plans)),
        DemoColumn(Partner.notes, _unique(plan.notes for plan in plans)),
        DemoColumn(Contact.name, _unique(name for name, _email, _title in contacts)),
        DemoColumn(Contact.title, _unique(title for _name, _email, title in contacts)),
        DemoColumn(
            Respondent.name,
            _unique([*(name for name, _email in COMPANY_STAFF), *(c[0] for c in contacts)]),
        ),
        DemoColumn(
            Answer.comment,
            _unique(comment.words for round_plan in rounds for comment in round_plan.comments),
        ),
        DemoColumn(
            Commitment.action,
            _unique([*(promise.action for promise in promises), *_WORKSHOP_ACTIONS]),
        ),
        DemoColumn(
            Commitment.owner, _unique([*(promise.owner for promise in promises), OWNER_NAME])
        ),
        # The brand-partner workshop that chose the demo's traits (`workshops.demo_workshop`).
        DemoColumn(Workshop.question, (Words(DEFAULT_QUESTION["en"], DEFAULT_QUESTION["ja"]),)),
        DemoColumn(
            WorkshopParticipant.name,
            _unique([OWNER_NAME, *(name for name, _email in COMPANY_STAFF)]),
        ),
        DemoColumn(WorkshopNote.text, _WORKSHOP_NOTES),
        DemoColumn(WorkshopCluster.name, _WORKSHOP_NOTES),
        DemoColumn(WorkshopAction.text, _WORKSHOP_ACTIONS),
        DemoColumn(WorkshopAction.owner, (OWNER_NAME,)),
        DemoColumn(
            Outcome.note,
            _unique(
                note
                for round_plan in rounds
                if round_plan.outcome_notes is not None
                for note in round_plan.outcome_notes
            ),
        ),
    )


# Every column the demo writes words into; `demo` writes nothing else in words.
COLUMNS = _columns(PLANS + GENERATED_PLANS)
_DEMO_ACCOUNT = User.email == DEMO_EMAIL


def find_demo() -> Workspace | None:
    """The demo workspace: the one its published account belongs to."""
    return db.session.scalar(
        select(Workspace).join(User, User.workspace_id == Workspace.id).where(_DEMO_ACCOUNT)
    )


def is_demo_workspace(workspace_id: int) -> bool:
    """Whether the workspace is the demo's (`find_demo`), without loading it."""
    found = db.session.scalar(
        select(User.id).where(_DEMO_ACCOUNT, User.workspace_id == workspace_id)
    )
    return found is not None


def follow_language(workspace_id: int, language: str) -> None:
    """A member of `workspace_id` chose `language`: in the demo workspace, rewrite the
    demo's own texts in it (a language the demo is not written in leaves them as they
    are); elsewhere, nothing. In the caller's transaction."""
    if language in LANGUAGES and is_demo_workspace(workspace_id):
        rewrite_in(workspace_id, language)


def rewrite_in(workspace_id: int, language: str) -> None:
    """Rewrite the demo's own texts in `language`, in the caller's transaction (the caller
    commits, which also expires what the session holds of the rows changed here).

    One UPDATE per column, whatever the number of rows. A partner keeps its name when
    another partner of the workspace already has the name it would take.
    """
    if language not in LANGUAGES:
        raise ValueError(f"the demo speaks {' and '.join(LANGUAGES)}, not {language!r}")
    for statement in _statements(workspace_id, language):
        db.session.execute(statement.execution_options(synchronize_session=False))


def _statements(workspace_id: int, language: str) -> Iterator[Any]:
    for demo_column in COLUMNS:
        column = demo_column.column
        model = column.class_
        mapping = demo_column.mapping(language)
        wording = case(mapping, value=column, else_=column)
        in_workspace = (
            model.id == workspace_id if model is Workspace else model.workspace_id == workspace_id
        )
        values: dict[str, Any] = {column.key: wording}
        if "updated_at" in model.__table__.c:
            values["updated_at"] = model.updated_at  # a language is no edit: keep the time
        statement = update(model).where(in_workspace, column.in_(mapping)).values(values)
        if column is Partner.name:  # partner names are unique in a workspace
            other = aliased(Partner)
            statement = statement.where(
                ~exists().where(other.workspace_id == workspace_id, other.name == wording)
            )
        yield statement
