"""The people of a round: adding them to a side, their personal links, withdrawing or
removing them, and how far each side has come.

A respondent is reached only by their link, whose token is derived from a stored nonce
(`fitcheck.tokens`); only its hash is kept for the lookup. Progress is read from the
respondents' own columns, never from their answers.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import current_app
from sqlalchemy import func, select

from .. import limits
from ..extensions import db
from ..i18n import lazy_gettext as _l
from ..models import Assessment, Respondent, Side, State, utcnow
from ..tokens import hash_token, invitation_token, new_nonce
from . import ServiceError, check_length
from .invitations import link_token


def add_respondent(
    assessment: Assessment,
    *,
    side: Side,
    name: str,
    email: str | None = None,
    locale: str | None = None,
) -> tuple[Respondent, str]:
    """Invite a person to one side. Returns the respondent and its token, shown only now."""
    if assessment.state in (State.REVEALED, State.ARCHIVED):
        raise ServiceError(_l("Respondents cannot be added after the reveal."))
    name = name.strip()
    check_length(name, limits.PERSON_NAME, "name", _l("The name"))
    email = email.strip().lower() if email else None
    if email:
        check_length(email, limits.EMAIL, "email", _l("The email address"))
    if email and db.session.scalar(
        select(Respondent.id).where(
            Respondent.assessment_id == assessment.id, Respondent.email == email
        )
    ):
        raise ServiceError(_l("This person is already invited to this assessment."), "email")
    invited = db.session.scalar(
        select(func.count(Respondent.id)).where(
            Respondent.assessment_id == assessment.id,
            Respondent.side == side,
            Respondent.withdrawn_at.is_(None),
        )
    )
    if (invited or 0) >= limits.RESPONDENTS_PER_SIDE:
        raise ServiceError(
            _l(
                "A side can have at most %(count)d respondents.",
                count=limits.RESPONDENTS_PER_SIDE,
            )
        )
    nonce = new_nonce()
    token = invitation_token(current_app.config["SECRET_KEY"], nonce)
    respondent = Respondent(
        workspace_id=assessment.workspace_id,
        assessment_id=assessment.id,
        side=side,
        name=name,
        email=email,
        token_nonce=nonce,
        token_hash=hash_token(token),
        locale=locale if locale in ("en", "ja") else None,
    )
    db.session.add(respondent)
    db.session.commit()
    return respondent, token


def reissue_link(respondent: Respondent) -> str:
    """Give the respondent a new link; the old one stops working at once."""
    respondent.token_nonce = new_nonce()
    token = link_token(respondent)
    respondent.token_hash = hash_token(token)
    db.session.commit()
    return token


def find_respondent(token: str) -> Respondent | None:
    """The respondent whose link carries `token`; the lookup goes by hash only."""
    return db.session.scalar(select(Respondent).where(Respondent.token_hash == hash_token(token)))


def withdraw_respondent(respondent: Respondent) -> None:
    """Withdraw an invitation: the link stops working and the answers stop counting."""
    if respondent.assessment.state in (State.REVEALED, State.ARCHIVED):
        raise ServiceError(_l("Respondents cannot be withdrawn after the reveal."))
    respondent.withdrawn_at = utcnow()
    db.session.commit()


def remove_respondent(respondent: Respondent) -> None:
    """Remove someone added by mistake, before the assessment is launched."""
    if respondent.assessment.state is not State.DRAFT:
        raise ServiceError(_l("Once launched, withdraw the respondent instead."))
    db.session.delete(respondent)
    db.session.commit()


@dataclass(frozen=True)
class SideProgress:
    invited: int = 0
    opened: int = 0
    draft: int = 0
    submitted: int = 0
    declined: int = 0


@dataclass(frozen=True)
class Progress:
    respondents: list[Respondent]
    sides: dict[Side, SideProgress]


def progress(assessment: Assessment) -> Progress:
    """Who was invited, reminded, opened, drafted, submitted or declined, per side.

    One query for the respondents; statuses come from their own columns, never from their
    answers, so nothing of what anyone answered reaches the page.
    """
    respondents = list(
        db.session.scalars(
            select(Respondent)
            .where(Respondent.assessment_id == assessment.id)
            .order_by(Respondent.side, Respondent.name, Respondent.id)
        )
    )
    sides = {}
    for side in Side:
        active = [r for r in respondents if r.side is side and r.withdrawn_at is None]
        sides[side] = SideProgress(
            invited=len(active),
            opened=sum(1 for r in active if r.opened_at),
            draft=sum(1 for r in active if r.draft_saved_at and not r.submitted_at),
            submitted=sum(1 for r in active if r.submitted_at),
            declined=sum(1 for r in active if r.declined_at),
        )
    return Progress(respondents=respondents, sides=sides)
