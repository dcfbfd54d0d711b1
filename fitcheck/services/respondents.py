"""The people of a round: adding them to a side, their personal links, withdrawing or
removing them, and how far each side has come.

A respondent is reached only by their link, whose token is derived from a stored nonce
(`fitcheck.tokens`); only its hash is kept for the lookup. Progress is read from the
respondents' own columns, never from their answers.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TypeVar

from flask import current_app
from sqlalchemy import ColumnElement, func, select
from sqlalchemy.exc import IntegrityError

from .. import limits
from ..extensions import db
from ..i18n import lazy_gettext as _l
from ..models import Assessment, Contact, Respondent, Side, State, User, utcnow
from ..tokens import hash_token, invitation_token, new_nonce
from . import ServiceError, check_length
from .invitations import link_token

LOCALES = ("en", "ja")
Person = TypeVar("Person", Contact, User)


def add_respondent(
    assessment: Assessment,
    *,
    side: Side,
    name: str,
    email: str | None = None,
    locale: str | None = None,
) -> tuple[Respondent, str]:
    """Invite a person to one side. Returns the respondent and its token, shown only now."""
    _check_open(assessment)
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
    _check_room(assessment, {side: 1})
    respondent, token = _new_respondent(
        assessment, side=side, name=name, email=email, locale=locale
    )
    db.session.add(respondent)
    db.session.commit()
    return respondent, token


def _check_open(assessment: Assessment) -> None:
    if assessment.state in (State.REVEALED, State.ARCHIVED):
        raise ServiceError(_l("Respondents cannot be added after the reveal."))


def _check_room(assessment: Assessment, adding: dict[Side, int]) -> None:
    """Refuse when a side would pass `limits.RESPONDENTS_PER_SIDE` (withdrawn ones aside)."""
    invited = dict(
        db.session.execute(
            select(Respondent.side, func.count(Respondent.id))
            .where(Respondent.assessment_id == assessment.id, Respondent.withdrawn_at.is_(None))
            .group_by(Respondent.side)
        ).all()
    )
    if any(
        count and invited.get(side, 0) + count > limits.RESPONDENTS_PER_SIDE
        for side, count in adding.items()
    ):
        raise ServiceError(
            _l(
                "A side can have at most %(count)d respondents.",
                count=limits.RESPONDENTS_PER_SIDE,
            )
        )


def _new_respondent(
    assessment: Assessment,
    *,
    side: Side,
    name: str,
    email: str | None,
    locale: str | None,
    contact_id: int | None = None,
) -> tuple[Respondent, str]:
    nonce = new_nonce()
    token = invitation_token(current_app.config["SECRET_KEY"], nonce)
    respondent = Respondent(
        workspace_id=assessment.workspace_id,
        assessment_id=assessment.id,
        side=side,
        name=name,
        email=email,
        contact_id=contact_id,
        token_nonce=nonce,
        token_hash=hash_token(token),
        locale=locale if locale in LOCALES else None,
    )
    return respondent, token


# --------------------------------------------------------------------------------------------
# Picking people already known: the partner's contacts and the workspace's members
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Candidate:
    """Someone who can be picked as a respondent; `added`: already one in this round."""

    id: int
    name: str
    email: str | None
    title: str
    added: bool


@dataclass(frozen=True)
class Candidates:
    contacts: list[Candidate]  # the partner's: the client's side
    members: list[Candidate]  # the workspace's: our side


def candidates(assessment: Assessment, respondents: Iterable[Respondent]) -> Candidates:
    """The partner's contacts and the workspace's members, each marked when already a
    respondent of `assessment` (by contact or by email, withdrawn ones too: an address is
    invited once per round). `respondents` are the round's, loaded by `progress`.

    Two queries, whatever the number of contacts and members.
    """
    contact_ids = {r.contact_id for r in respondents if r.contact_id is not None}
    emails = {r.email for r in respondents if r.email}
    contacts = db.session.scalars(
        select(Contact)
        .where(
            Contact.workspace_id == assessment.workspace_id,
            Contact.partner_id == assessment.partner_id,
        )
        .order_by(Contact.name, Contact.id)
    )
    members = db.session.scalars(
        select(User)
        .where(User.workspace_id == assessment.workspace_id)
        .order_by(User.name, User.id)
    )
    return Candidates(
        contacts=[
            Candidate(
                id=c.id,
                name=c.name,
                email=c.email,
                title=c.title,
                added=c.id in contact_ids or bool(c.email and c.email in emails),
            )
            for c in contacts
        ],
        members=[
            Candidate(id=u.id, name=u.name, email=u.email, title="", added=u.email in emails)
            for u in members
        ],
    )


@dataclass(frozen=True)
class Picked:
    added: list[Respondent]
    skipped: int  # already respondents of the round


def add_picked(
    assessment: Assessment,
    *,
    contact_ids: Sequence[int] = (),
    member_ids: Sequence[int] = (),
    locale: str | None = None,
) -> Picked:
    """Add the partner's contacts (the client's side) and the workspace's members (our
    side) as respondents, all in one transaction, with the names and addresses already
    known. Those already respondents of the round are skipped.

    Refused, with nothing written, when an id is no contact of this partner or no member
    of this workspace (a forged form, or one removed meanwhile), or a side would pass
    `limits.RESPONDENTS_PER_SIDE`. `locale` is the invitations' language for contacts;
    a member is invited in their own language when they chose one.
    """
    _check_open(assessment)
    wanted_contacts, wanted_members = set(contact_ids), set(member_ids)
    if not wanted_contacts and not wanted_members:
        raise ServiceError(_l("Choose at least one person to add."))
    contacts = _picked(
        Contact,
        wanted_contacts,
        Contact.workspace_id == assessment.workspace_id,
        Contact.partner_id == assessment.partner_id,
    )
    members = _picked(User, wanted_members, User.workspace_id == assessment.workspace_id)
    if len(contacts) != len(wanted_contacts) or len(members) != len(wanted_members):
        raise ServiceError(
            _l("Some of the people chosen are no longer listed. Nothing was added; choose again.")
        )
    existing = db.session.execute(
        select(Respondent.contact_id, Respondent.email).where(
            Respondent.assessment_id == assessment.id
        )
    ).all()
    taken_contacts = {contact_id for contact_id, _ in existing if contact_id is not None}
    taken_emails = {email for _, email in existing if email}
    people: list[tuple[Side, str, str | None, str | None, int | None]] = []
    for contact in contacts:
        email = contact.email.strip().lower() if contact.email else None
        if contact.id in taken_contacts or (email and email in taken_emails):
            continue
        people.append((Side.CLIENT, contact.name, email, locale, contact.id))
        if email:
            taken_emails.add(email)
    for user in members:
        email = user.email.strip().lower()
        if email in taken_emails:
            continue
        people.append((Side.COMPANY, user.name, email, user.locale or locale, None))
        taken_emails.add(email)
    _check_room(assessment, {side: sum(1 for p in people if p[0] is side) for side in Side})
    added = []
    for side, name, email, language, contact_id in people:
        respondent, _token = _new_respondent(
            assessment, side=side, name=name, email=email, locale=language, contact_id=contact_id
        )
        db.session.add(respondent)
        added.append(respondent)
    try:
        db.session.commit()
    except IntegrityError:  # someone added one of them at the same moment
        db.session.rollback()
        raise ServiceError(
            _l("Someone else added respondents at the same time. Nothing was added; try again.")
        ) from None
    return Picked(added=added, skipped=len(contacts) + len(members) - len(added))


def _picked(model: type[Person], ids: set[int], *where: ColumnElement[bool]) -> list[Person]:
    if not ids:
        return []
    query = select(model).where(model.id.in_(ids), *where).order_by(model.name, model.id)
    return list(db.session.scalars(query))


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
