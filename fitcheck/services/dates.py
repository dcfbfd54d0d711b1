"""Dates people type: the range each may fall in, and showing a stored one without failing.

One rule for every door (web form, API, CSV import), checked by the services that store
the date:

- a deadline is later than now and at most `HORIZON_YEARS` ahead;
- an outcome's date and a commitment's due date lie from `EARLIEST_DAY` to
  `HORIZON_YEARS` ahead.

A moment with no UTC equivalent (year 1 at +14:00, year 9999 at −14:00) is out of range
too, never an overflow. Rows stored before the rule may lie anywhere: `format_datetime`
and `format_date` show them in UTC when the app's time zone cannot hold them.

A new assessment's deadline starts at `suggested_deadline` (two weeks ahead, at the end of
a working day), so nobody has to type one. Moments are shown to the minute, with the time
zone named in words where it matters (`format_datetime(..., zone=True)`).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta, tzinfo
from typing import Any, TypeVar, overload

import flask_babel
from babel import Locale
from babel import dates as babel_dates
from babel.core import get_global

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


# A new assessment's deadline: two weeks to answer, closing at the end of a working day.
SUGGESTED_DAYS = 14
SUGGESTED_HOUR = 18


def suggested_deadline(now: datetime, zone: tzinfo) -> datetime:
    """The deadline a new assessment's form starts with: `SUGGESTED_DAYS` after today (today
    in `zone`) at `SUGGESTED_HOUR`:00 there, as an aware datetime in `zone`."""
    day = now.astimezone(zone).date() + timedelta(days=SUGGESTED_DAYS)
    return datetime.combine(day, time(SUGGESTED_HOUR), tzinfo=zone)


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


# What a moment shows: the day in the locale's own form, the time in hours and minutes
# (seconds only clutter a deadline), and, where it matters, the zone named in words.
TIME_PATTERN = "HH:mm"
# "short" days read wrongly across countries (12/11/26), so a short moment takes the
# medium day: 2026/12/11, Dec 11, 2026.
STYLES = ("medium", "long", "full")


def _pattern(locale: Locale, style: str) -> str:
    """The locale's date pattern of `style` joined to HH:mm the way the locale joins them."""
    day = locale.date_formats[style].pattern
    joined = str(locale.datetime_formats[style])
    return joined.replace("{1}", day).replace("{0}", TIME_PATTERN)


def _locale() -> Locale:
    return flask_babel.get_locale() or Locale.parse("en")


def _local(value: datetime) -> datetime:
    """`value` in the user's time zone; in UTC when that zone cannot hold it."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    try:
        return flask_babel.to_user_timezone(value)  # type: ignore[no-any-return]
    except OverflowError:
        return value.astimezone(babel_dates.get_timezone("UTC"))


def zone_name(moment: datetime | None = None) -> str:
    """The time zone of the pages named in words, in the current language: 日本時間, Japan
    Time, 中央ヨーロッパ時間, Central European Time; never an id such as Asia/Tokyo.

    The zone's generic name where CLDR gives it one; otherwise (UTC, Etc/GMT-9) its name at
    `moment` (by default now), e.g. 協定世界時, Coordinated Universal Time.
    """
    local = _local(moment or utcnow())
    return _name_of_zone(local, _locale())


def _name_of_zone(local: datetime, locale: Locale) -> str:
    zone = babel_dates.get_timezone(str(local.tzinfo))
    key = str(getattr(zone, "key", "") or getattr(zone, "zone", ""))
    if get_global("meta_zones").get(key):
        return str(babel_dates.get_timezone_name(zone, "long", locale=locale))
    return str(babel_dates.get_timezone_name(local, "long", locale=locale))


def format_datetime(
    value: datetime | None = None, format: str | None = None, *, zone: bool = False
) -> str:
    """A moment in the user's time zone as people read it: the day in the locale's
    `format` ("medium" — the default, and "short" too —, "long" or "full"), the time as
    hours and minutes, never seconds; with `zone`, the zone named in words after it:
    "2026/12/18 18:00 (日本時間)", "Dec 18, 2026, 18:00 (Japan Time)".

    A moment the zone cannot hold (a deadline of 31 December 9999, stored before the rule)
    is shown in UTC, and named so.
    """
    locale = _locale()
    style = format if format in STYLES else "medium"
    local = _local(value or utcnow())
    text = str(babel_dates.format_datetime(local, _pattern(locale, style), locale=locale))
    if not zone:
        return text
    return str(_l("%(moment)s (%(zone)s)", moment=text, zone=_name_of_zone(local, locale)))


def format_date(value: date | datetime | None = None, format: str | None = None) -> str:
    """Flask-Babel's `format_date`, a moment's day in the user's time zone; its day in UTC
    when the zone cannot hold it."""
    try:
        return str(flask_babel.format_date(value, format))
    except OverflowError:
        return str(flask_babel.format_date(value, format, rebase=False))
