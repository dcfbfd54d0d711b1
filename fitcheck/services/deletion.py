"""Deleting what was made by mistake or is no longer wanted: a draft assessment, a partner
with everything of it, a whole workspace. One transaction each.

Rows hang off their workspace, partner or assessment with ON DELETE CASCADE, so the
database removes answers, respondents (and their queued mail), frozen traits, commitments,
summaries, contacts and outcomes. The one exception is an assessment's partner, which is
RESTRICT so that no partner disappears from under its rounds by accident: deleting a
partner or a workspace therefore deletes the assessments first, explicitly.
"""

from __future__ import annotations

import logging
from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.exc import IntegrityError

from ..extensions import db
from ..i18n import lazy_gettext as _l
from ..models import Assessment, Contact, Outcome, Partner, State, User, Workspace
from . import ServiceError, audit
from .assessments import audit_subject

logger = logging.getLogger(__name__)


def name_matches(typed: str | None, name: str) -> bool:
    """The typed confirmation names the thing exactly, surrounding spaces aside."""
    return (typed or "").strip() == name.strip()


ONLY_DRAFTS = _l("Only a draft can be deleted. A launched assessment stays in the history.")


def check_draft(assessment: Assessment) -> None:
    """A launched round holds answers and is part of the partner's history: it can be
    archived, not deleted (only the whole partner goes with its rounds)."""
    if assessment.state is not State.DRAFT:
        raise ServiceError(ONLY_DRAFTS)


def delete_draft_assessment(assessment: Assessment, *, actor: User | None = None) -> None:
    """Delete an assessment that was never launched, with its respondents."""
    check_draft(assessment)
    subject = audit_subject(assessment)
    workspace_id, assessment_id = assessment.workspace_id, assessment.id
    # Conditional, so a launch that commits between the check and here is not undone.
    result: Any = db.session.execute(
        delete(Assessment)
        .where(
            Assessment.id == assessment_id,
            Assessment.workspace_id == workspace_id,
            Assessment.state == State.DRAFT,
        )
        .execution_options(synchronize_session=False)
    )
    if not result.rowcount:
        db.session.rollback()
        raise ServiceError(ONLY_DRAFTS)
    audit.record(
        audit.Kind.DELETE,
        workspace_id=workspace_id,
        actor=actor,
        subject=subject,
        what="assessment",
        assessment_id=assessment_id,
    )
    db.session.commit()


def partner_counts(partner: Partner) -> dict[str, int]:
    """What deleting the partner takes with it, for the confirmation page: one query."""
    row = db.session.execute(
        select(
            select(func.count(Assessment.id))
            .where(Assessment.partner_id == partner.id)
            .scalar_subquery(),
            select(func.count(Contact.id))
            .where(Contact.partner_id == partner.id)
            .scalar_subquery(),
            select(func.count(Outcome.id))
            .where(Outcome.partner_id == partner.id)
            .scalar_subquery(),
        )
    ).one()
    return {"assessments": row[0], "contacts": row[1], "outcomes": row[2]}


def delete_partner(
    partner: Partner, *, confirm_name: str | None, actor: User | None = None
) -> None:
    """Delete a partner with its assessments (answers, respondents, commitments, summaries),
    contacts and outcomes, once its name has been typed to confirm."""
    if not name_matches(confirm_name, partner.name):
        raise ServiceError(_l("Type the partner's name exactly as shown."), "confirm_name")
    workspace_id, partner_id, name = partner.workspace_id, partner.id, partner.name
    rounds: Any = db.session.execute(
        delete(Assessment)
        .where(Assessment.workspace_id == workspace_id, Assessment.partner_id == partner_id)
        .execution_options(synchronize_session=False)
    )
    try:
        db.session.execute(
            delete(Partner)
            .where(Partner.id == partner_id, Partner.workspace_id == workspace_id)
            .execution_options(synchronize_session=False)
        )
    except IntegrityError:  # an assessment was started for it meanwhile
        db.session.rollback()
        raise ServiceError(
            _l("Someone just started an assessment for this partner. Try again.")
        ) from None
    audit.record(
        audit.Kind.DELETE,
        workspace_id=workspace_id,
        actor=actor,
        subject=name,
        what="partner",
        partner_id=partner_id,
        assessments=rounds.rowcount,
    )
    db.session.commit()


def workspace_counts(workspace: Workspace) -> dict[str, int]:
    """What deleting the workspace takes with it, for the confirmation page: one query."""
    row = db.session.execute(
        select(
            select(func.count(Partner.id))
            .where(Partner.workspace_id == workspace.id)
            .scalar_subquery(),
            select(func.count(Assessment.id))
            .where(Assessment.workspace_id == workspace.id)
            .scalar_subquery(),
            select(func.count(User.id)).where(User.workspace_id == workspace.id).scalar_subquery(),
        )
    ).one()
    return {"partners": row[0], "assessments": row[1], "users": row[2]}


def delete_workspace(
    workspace: Workspace, *, confirm_name: str | None, actor: User | None = None
) -> None:
    """Delete the workspace and everything in it, its users (and so their sessions and API
    tokens) and its audit log included, once its name has been typed to confirm.

    The log goes with the workspace, so the deletion is written to the application's log.
    """
    if not name_matches(confirm_name, workspace.name):
        raise ServiceError(_l("Type the workspace's name exactly as shown."), "confirm_name")
    workspace_id, name = workspace.id, workspace.name
    actor_id = actor.id if actor is not None else None
    # Assessments first: their partner key is RESTRICT (see the module's docstring).
    db.session.execute(
        delete(Assessment)
        .where(Assessment.workspace_id == workspace_id)
        .execution_options(synchronize_session=False)
    )
    db.session.execute(
        delete(Workspace)
        .where(Workspace.id == workspace_id)
        .execution_options(synchronize_session=False)
    )
    db.session.commit()
    logger.warning("workspace %d (%s) deleted by user %s", workspace_id, name, actor_id)
