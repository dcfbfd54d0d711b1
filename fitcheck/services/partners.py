"""Partners of a workspace."""

from __future__ import annotations

import re
from dataclasses import dataclass

from flask_sqlalchemy.pagination import Pagination
from sqlalchemy import ColumnElement, func, select

from .. import limits, text
from ..extensions import db
from ..i18n import lazy_gettext as _l
from ..models import Assessment, Contact, Outcome, Partner, Respondent, utcnow
from . import Conflict, ServiceError, check_length, commit_unique, paging
from .outcomes import list_outcomes

PER_PAGE = 20


@dataclass(frozen=True)
class PartnerPage:
    partners: Pagination
    assessment_counts: dict[int, int]


def name_search(search: str) -> ColumnElement[bool] | None:
    """The one rule of a partner search, for the web list and the API alike: the name
    holds the typed text, in any case, with `%` and `_` taken literally. A search stores
    nothing, so characters no name can hold are dropped, not refused. None: no search."""
    search = text.without_forbidden(search).strip()
    if not search:
        return None
    escaped = search.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return Partner.name.ilike(f"%{escaped}%", escape="\\")


def list_partners(
    workspace_id: int, *, search: str = "", page: int = 1, archived: bool = False
) -> PartnerPage:
    """A page of the workspace's active partners and how many assessments each has.

    Three queries whatever the number of partners: the page, its total, and the counts.
    """
    query = (
        select(Partner)
        .where(
            Partner.workspace_id == workspace_id,
            Partner.archived_at.is_not(None) if archived else Partner.archived_at.is_(None),
        )
        .order_by(func.lower(Partner.name), Partner.id)
    )
    matches = name_search(search)
    if matches is not None:
        query = query.where(matches)
    partners = paging.paginate(query, page=page, per_page=PER_PAGE)
    ids = [partner.id for partner in partners.items]
    counts: dict[int, int] = {}
    if ids:
        rows = db.session.execute(
            select(Assessment.partner_id, func.count(Assessment.id))
            .where(Assessment.workspace_id == workspace_id, Assessment.partner_id.in_(ids))
            .group_by(Assessment.partner_id)
        )
        counts = {partner_id: count for partner_id, count in rows}
    return PartnerPage(partners=partners, assessment_counts=counts)


def _check_unique_partner(workspace_id: int, name: str, exclude_id: int | None = None) -> None:
    query = select(Partner.id).where(
        Partner.workspace_id == workspace_id, Partner.name == name.strip()
    )
    if exclude_id is not None:
        query = query.where(Partner.id != exclude_id)
    if db.session.scalar(query) is not None:
        raise Conflict(_l("A partner with this name already exists."), "name")


def is_web_address(website: str) -> bool:
    """Whether a stored website may be a link: only http and https, never `javascript:`."""
    return website.strip().lower().startswith(("http://", "https://"))


# A host name as people type it from a business card: "minato-seiki.example.jp", with a
# dot, maybe a port and a path, and no scheme (`javascript:` has no dot before its colon).
_BARE_DOMAIN = re.compile(r"[^\s/:@]+\.[^\s/:@]+(:\d+)?([/?#]\S*)?", re.ASCII)


def web_address(website: str) -> str:
    """The website as stored: a bare domain gets `https://` (`minato-seiki.example.jp` →
    `https://minato-seiki.example.jp`); anything else stays as typed, for the rules to
    judge."""
    website = website.strip()
    if _BARE_DOMAIN.fullmatch(website):
        return f"https://{website}"
    return website


def _checked_website(website: str) -> str:
    website = web_address(website)
    check_length(website, limits.PARTNER_WEBSITE, "website", _l("The website"))
    if website and not is_web_address(website):
        raise ServiceError(_l("Give a web address starting with https:// or http://."), "website")
    return website


def _check_partner_text(name: str, notes: str) -> None:
    check_length(name.strip(), limits.PARTNER_NAME, "name", _l("The name"))
    check_length(notes.strip(), limits.PARTNER_NOTES, "notes", _l("The notes"))


def create_partner(workspace_id: int, *, name: str, website: str = "", notes: str = "") -> Partner:
    _check_partner_text(name, notes)
    _check_unique_partner(workspace_id, name)
    partner = Partner(
        workspace_id=workspace_id,
        name=name.strip(),
        website=_checked_website(website),
        notes=notes.strip(),
    )
    db.session.add(partner)
    commit_unique(lambda: _check_unique_partner(workspace_id, name))
    return partner


def update_partner(partner: Partner, *, name: str, website: str = "", notes: str = "") -> Partner:
    _check_partner_text(name, notes)
    workspace_id, partner_id = partner.workspace_id, partner.id
    _check_unique_partner(workspace_id, name, exclude_id=partner_id)
    website = _checked_website(website)
    partner.name = name.strip()
    partner.website = website
    partner.notes = notes.strip()
    commit_unique(lambda: _check_unique_partner(workspace_id, name, exclude_id=partner_id))
    return partner


def archive_partner(partner: Partner) -> None:
    """Hide a partner from the list; its assessments and results stay."""
    partner.archived_at = utcnow()
    db.session.commit()


def restore_partner(partner: Partner) -> None:
    partner.archived_at = None
    db.session.commit()


def add_contact(partner: Partner, *, name: str, email: str = "", title: str = "") -> Contact:
    name, title = name.strip(), title.strip()
    check_length(name, limits.PERSON_NAME, "name", _l("The name"))
    check_length(title, limits.CONTACT_TITLE, "title", _l("The role or title"))
    email_value = email.strip().lower() or None
    if email_value:
        check_length(email_value, limits.EMAIL, "email", _l("The email address"))
    partner_id = partner.id
    _check_new_contact(partner_id, email_value)
    contact = Contact(
        workspace_id=partner.workspace_id,
        partner_id=partner_id,
        name=name,
        email=email_value,
        title=title,
    )
    db.session.add(contact)
    commit_unique(lambda: _check_new_contact(partner_id, email_value))
    return contact


def _check_new_contact(partner_id: int, email: str | None) -> None:
    """A partner lists an email address once; contacts without one are never the same."""
    if email and db.session.scalar(
        select(Contact.id).where(Contact.partner_id == partner_id, Contact.email == email)
    ):
        raise Conflict(_l("This contact is already listed."), "email")


def remove_contact(contact: Contact) -> None:
    db.session.delete(contact)
    db.session.commit()


@dataclass(frozen=True)
class PartnerDetail:
    partner: Partner
    assessments: list[Assessment]
    submitted: dict[int, dict[str, int]]
    outcomes: list[Outcome]


def partner_detail(partner: Partner) -> PartnerDetail:
    """A partner's rounds over time with submitted counts per side, and its outcomes:
    three queries."""
    rounds = list(
        db.session.scalars(
            select(Assessment)
            .where(Assessment.partner_id == partner.id)
            .order_by(Assessment.created_at.desc(), Assessment.id.desc())
        )
    )
    submitted: dict[int, dict[str, int]] = {a.id: {"company": 0, "client": 0} for a in rounds}
    if rounds:
        rows = db.session.execute(
            select(Respondent.assessment_id, Respondent.side, func.count(Respondent.id))
            .where(
                Respondent.assessment_id.in_(submitted),
                Respondent.submitted_at.is_not(None),
                Respondent.withdrawn_at.is_(None),
            )
            .group_by(Respondent.assessment_id, Respondent.side)
        )
        for assessment_id, side, count in rows:
            submitted[assessment_id][side.value] = count
    return PartnerDetail(
        partner=partner,
        assessments=rounds,
        submitted=submitted,
        outcomes=list_outcomes(partner),
    )
