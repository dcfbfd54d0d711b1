"""Pages of a list: every paginated list (partners, the audit log) takes its page number
from `?page=` through here, so any number a URL holds is a page and never an error."""

from __future__ import annotations

from typing import Any

from flask_sqlalchemy.pagination import Pagination
from sqlalchemy import Select

from ..extensions import db

# Far past any real list; a larger number would overflow the databases' integer OFFSET
# (SQLite refuses an int above 2**63 - 1 outright).
MAX_PAGE = 1_000_000


def page_number(page: int | None) -> int:
    """The page to show: below 1 is the first, beyond MAX_PAGE is MAX_PAGE (an empty page)."""
    return min(max(page or 1, 1), MAX_PAGE)


def paginate(query: Select[Any], *, page: int | None, per_page: int) -> Pagination:
    """One page of `query`; a page past the end is empty rather than an error."""
    return db.paginate(query, page=page_number(page), per_page=per_page, error_out=False)
