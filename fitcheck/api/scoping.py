"""Rows of the token's workspace only: an id of any other workspace is not found (404),
so probing ids tells nobody what exists elsewhere."""

from __future__ import annotations

from typing import Any, TypeVar

from sqlalchemy import select

from ..extensions import db
from .access import current_workspace_id, fail

Owned = TypeVar("Owned")


def owned_or_404(model: type[Owned], row_id: int, message: str) -> Owned:
    table: Any = model
    row: Owned | None = db.session.scalar(
        select(model).where(table.id == row_id, table.workspace_id == current_workspace_id())
    )
    if row is None:
        fail(404, message)
    return row
