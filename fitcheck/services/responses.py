"""A respondent's own use cases behind the personal link: open it, choose a language,
save or submit answers, decline.

Everything here acts on one respondent found by its token, never on anyone else's answers:
the loader eager-loads exactly what the respondent's pages show, and nothing of other
respondents.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime

from flask import current_app
from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload

from .. import limits
from ..extensions import db
from ..i18n import lazy_gettext as _l
from ..models import Assessment, Partner, Respondent, Side, State, utcnow
from ..tokens import hash_token
from . import ServiceError, check_length


class LinkState(enum.StrEnum):
    """What a personal link leads to right now, most final first."""

    OPEN = "open"
    NOT_LAUNCHED = "not_launched"
    CLOSED = "closed"  # the deadline has passed
    WITHDRAWN = "withdrawn"
    REVEALED = "revealed"
    ARCHIVED = "archived"


@dataclass(frozen=True)
class SideNames:
    """The respondent's own side and the side it rates, by name."""

    own: str
    other: str


def load_respondent(token: str) -> Respondent | None:
    """The respondent whose link carries `token`, with all its pages show, in one query each.

    The assessment, its partner and workspace come in one joined query; the frozen traits and
    the respondent's own answers in one query each, however many traits there are.
    """
    return db.session.scalar(
        select(Respondent)
        .where(Respondent.token_hash == hash_token(token))
        .options(
            joinedload(Respondent.assessment)
            .joinedload(Assessment.partner)
            .joinedload(Partner.workspace),
            joinedload(Respondent.assessment).selectinload(Assessment.traits),
            selectinload(Respondent.answers),
        )
    )


def load_for_answers(token: str) -> Respondent | None:
    """The respondent whose link carries `token`, with what saving answers reads (its
    assessment and the frozen traits) in one query: the API's PUT shows no page."""
    return (
        db.session.scalars(
            select(Respondent)
            .where(Respondent.token_hash == hash_token(token))
            .options(joinedload(Respondent.assessment).joinedload(Assessment.traits))
        )
        .unique()
        .first()
    )


def link_state(respondent: Respondent, *, now: datetime | None = None) -> LinkState:
    assessment = respondent.assessment
    if respondent.withdrawn_at is not None:
        return LinkState.WITHDRAWN
    if assessment.state is State.DRAFT:
        return LinkState.NOT_LAUNCHED
    if assessment.state is State.ARCHIVED:
        return LinkState.ARCHIVED
    if assessment.state is State.REVEALED:
        return LinkState.REVEALED
    if assessment.deadline is not None and (now or utcnow()) > assessment.deadline:
        return LinkState.CLOSED
    return LinkState.OPEN


def side_names(respondent: Respondent) -> SideNames:
    """The company side is the workspace, the client side the partner."""
    company = respondent.assessment.partner.workspace.name
    client = respondent.assessment.partner.name
    if respondent.side is Side.COMPANY:
        return SideNames(own=company, other=client)
    return SideNames(own=client, other=company)


def mark_opened(respondent: Respondent, *, now: datetime | None = None) -> None:
    """Record the first time the link was opened; later visits change nothing."""
    if respondent.opened_at is None:
        respondent.opened_at = now or utcnow()
        db.session.commit()


def set_respondent_locale(respondent: Respondent, locale: str) -> None:
    if locale not in current_app.config["LANGUAGES"]:
        raise ServiceError(_l("Choose one of the offered languages."), "locale")
    if respondent.locale != locale:
        respondent.locale = locale
        db.session.commit()


def decline(respondent: Respondent, reason: str = "", *, now: datetime | None = None) -> Respondent:
    """Decline to take part, with an optional reason staff will see.

    A respondent who already submitted cannot decline (their answers count; they can still
    change them). One who declined can come back and submit, which clears the decline.
    """
    moment = now or utcnow()
    state = link_state(respondent, now=moment)
    if state is LinkState.CLOSED:
        raise ServiceError(_l("The deadline has passed."))
    if state is not LinkState.OPEN:
        raise ServiceError(_l("This assessment is not collecting answers."))
    if respondent.submitted_at is not None:
        raise ServiceError(
            _l(
                "You have already submitted your answers, so they count. "
                "You can still change them until the results are revealed."
            )
        )
    reason = reason.strip()
    check_length(reason, limits.DECLINE_REASON, "reason", _l("The reason"))
    respondent.declined_at = moment
    respondent.decline_reason = reason
    respondent.opened_at = respondent.opened_at or moment
    db.session.commit()
    return respondent
