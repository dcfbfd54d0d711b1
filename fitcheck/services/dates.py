"""Dates people type: the range each may fall in, and showing a stored one without failing.

One rule for every door (web form, API, CSV import), checked by the services that store
the date:

- a deadline is later than now and at most `HORIZON_YEARS` ahead;
- an outcome's date and a commitment's due date lie from `EARLIEST_DAY` to
  `HORIZON_YEARS` ahead.

A moment with no UTC equivalent (year 1 at +14:00, year 9999 at −14:00) is out of range
too, never an overflow. Rows stored before the rule may lie anywhere: `format_datetime`
and `format_date` show them in UTC when the app's time zone cannot hold them.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any, TypeVar, overload

import flask_babel

from ..i18n import lazy_gettext as _l
from ..models import utcnow
from . import ServiceError

HORIZON_YEARS = 5
EARLIEST_DAY = date(2000, 1, 1)

Day = TypeVar("Day", date, datetime)


def years_later(day: Day, years: int) -> Day:
    """The same day and time `years` later; 29 February becomes the 28th."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February in a year that has none
        return day.replace(year=day.year + years, day=28)


def to_utc(moment: datetime) -> datetime | None:
    """`moment` in UTC, or None when UTC cannot hold it (beyond year 1 or year 9999)."""
    if moment.tzinfo is None:
        raise ValueError("naive datetime given; say which zone it was typed in")
    try:
        return moment.astimezone(UTC)
    except OverflowError:
        return None


def _past() -> ServiceError:
    return ServiceError(_l("Choose a deadline in the future."), "deadline")


def _too_far() -> ServiceError:
    return ServiceError(
        _l("Choose a deadline at most %(years)d years from now.", years=HORIZON_YEARS),
        "deadline",
    )


@overload
def check_deadline(deadline: datetime, *, now: datetime | None = None) -> datetime: ...
@overload
def check_deadline(deadline: None, *, now: datetime | None = None) -> None: ...
def check_deadline(deadline: datetime | None, *, now: datetime | None = None) -> datetime | None:
    """The deadline in UTC if it is later than `now` and at most five years ahead;
    ServiceError on the `deadline` field if not. None (no deadline) stays None."""
    if deadline is None:
        return None
    moment = now or utcnow()
    value = to_utc(deadline)
    if value is None:
        raise _past() if deadline.year < moment.year else _too_far()
    if value <= moment:
        raise _past()
    if value > years_later(moment, HORIZON_YEARS):
        raise _too_far()
    return value


def day_range(today: date | None = None) -> tuple[date, date]:
    """The first and last day an outcome's date or a due date may be."""
    return EARLIEST_DAY, years_later(today or utcnow().date(), HORIZON_YEARS)


@overload
def check_day(day: date, field: str, *, today: date | None = None) -> date: ...
@overload
def check_day(day: None, field: str, *, today: date | None = None) -> None: ...
def check_day(day: date | None, field: str, *, today: date | None = None) -> date | None:
    """An outcome's date or a due date, if within `day_range`; ServiceError on `field`
    if not. None (not given) stays None."""
    if day is None:
        return None
    first, last = day_range(today)
    if not first <= day <= last:
        raise ServiceError(day_range_message(today), field)
    return day


def day_range_message(today: date | None = None) -> Any:
    first, last = day_range(today)
    return _l(
        "Choose a date from %(first)s to %(last)s.",
        first=first.isoformat(),
        last=last.isoformat(),
    )


# --------------------------------------------------------------------------------------------
# Showing stored dates
# --------------------------------------------------------------------------------------------


def format_datetime(value: datetime | None = None, format: str | None = None) -> str:
    """Flask-Babel's `format_datetime` in the user's time zone; in UTC for a moment the
    zone cannot hold (a deadline of 31 December 9999, stored before the rule)."""
    try:
        return str(flask_babel.format_datetime(value, format))
    except OverflowError:
        return str(flask_babel.format_datetime(value, format, rebase=False))


def format_date(value: date | datetime | None = None, format: str | None = None) -> str:
    """Flask-Babel's `format_date`, a moment's day in the user's time zone; its day in UTC
    when the zone cannot hold it."""
    try:
        return str(flask_babel.format_date(value, format))
    except OverflowError:
        return str(flask_babel.format_date(value, format, rebase=False))
