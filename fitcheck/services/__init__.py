"""Use cases: one function each, one transaction each, called by views, the API and the CLI."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy.exc import IntegrityError

from ..extensions import db
from ..i18n import lazy_gettext as _l


class ServiceError(Exception):
    """A rule that needs the database was broken; `field` names the form field it belongs to.

    `message` is a lazy translatable string so the view renders it in the user's language.
    """

    def __init__(self, message: Any, field: str | None = None) -> None:
        super().__init__(str(message))
        self.message = message
        self.field = field


class Conflict(ServiceError):
    """A unique name someone typed is taken: a partner's or a trait set's name, a period of
    the partner's outcomes, a contact's email. The API answers 409; a form shows it on
    `field`, with everything typed kept."""


def commit_unique(check: Callable[[], None]) -> None:
    """Commit the use case, whose unique names `check` found free before writing them.

    Another request may take one between that check and this commit; the unique key then
    refuses the row. The whole transaction is rolled back (a use case is one transaction:
    nothing is half-written, and the session serves the next query) and `check` runs again,
    raising the Conflict it would have raised had it seen the other row. A refusal that is
    no taken name (a foreign key, a check constraint) propagates as it is.

    Not a SAVEPOINT: with Python's sqlite3, a SAVEPOINT that opens the transaction commits
    it when released, so the surrounding work would no longer be one transaction.
    """
    try:
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        check()
        raise


def too_long(label: Any, limit: int) -> Any:
    """The message for text longer than `limit`; `label` names the field ("The name")."""
    return _l("%(field)s can be at most %(count)d characters long.", field=label, count=limit)


def check_length(value: str, limit: int, field: str, label: Any) -> None:
    """Refuse `value` on `field` when it is longer than `limit`, one of `fitcheck.limits`.

    The forms and the API schemas refuse it first; this is for the callers that skip them
    (the CLI, the demo, a later caller), so no door can store more than the others.
    """
    if len(value) > limit:
        raise ServiceError(too_long(label, limit), field)
