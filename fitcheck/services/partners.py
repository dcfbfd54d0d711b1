"""Partners of a workspace."""

from __future__ import annotations

from dataclasses import dataclass

from flask_sqlalchemy.pagination import Pagination
from sqlalchemy import func, select

from ..extensions import db
from ..models import Assessment, Partner

PER_PAGE = 20


@dataclass(frozen=True)
class PartnerPage:
    partners: Pagination
    assessment_counts: dict[int, int]


def _like_pattern(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def list_partners(workspace_id: int, *, search: str = "", page: int = 1) -> PartnerPage:
    """A page of the workspace's active partners and how many assessments each has.

    Three queries whatever the number of partners: the page, its total, and the counts.
    """
    query = (
        select(Partner)
        .where(Partner.workspace_id == workspace_id, Partner.archived_at.is_(None))
        .order_by(func.lower(Partner.name), Partner.id)
    )
    if search.strip():
        query = query.where(Partner.name.ilike(_like_pattern(search.strip()), escape="\\"))
    partners = db.paginate(query, page=page, per_page=PER_PAGE, error_out=False)
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
