"""Every staff page loads its rows through here: scoped to the signed-in workspace."""

from __future__ import annotations

from typing import Any, TypeVar

from flask_login import current_user
from sqlalchemy import select

from ..extensions import db

Owned = TypeVar("Owned")


def owned_or_404(model: type[Owned], row_id: int) -> Owned:
    """The row of `model` with this id in the user's workspace; 404 for any other workspace.

    A 404 rather than a 403, so probing ids tells nobody what exists elsewhere.
    """
    table: Any = model
    row: Owned = db.first_or_404(
        select(model).where(table.id == row_id, table.workspace_id == current_user.workspace_id)
    )
    return row
