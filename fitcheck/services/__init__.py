"""Use cases: one function each, one transaction each, called by views, the API and the CLI."""

from __future__ import annotations

from typing import Any


class ServiceError(Exception):
    """A rule that needs the database was broken; `field` names the form field it belongs to.

    `message` is a lazy translatable string so the view renders it in the user's language.
    """

    def __init__(self, message: Any, field: str | None = None) -> None:
        super().__init__(str(message))
        self.message = message
        self.field = field
