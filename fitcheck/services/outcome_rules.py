"""What an outcome's values may be: the one statement of the rules, for every door.

The outcome form, the CSV import and the API read their bounds and messages here, and the
outcomes service holds every write to `check_outcome`. Each door first reads its own
syntax (a number field, a CSV cell, a JSON value); what it read then meets the same rule,
refused with the same message whichever door it came through:

- period: a short label, one line, no slash (it is a URL segment of the API), starting
  with a letter or digit, at most `MAX_PERIOD` characters; unique per partner;
- observed_on: a day within `dates.day_range`;
- contract_signed, renewed: yes, no, or None for not known;
- satisfaction: a whole number from `MIN_SATISFACTION` to `MAX_SATISFACTION`, or None;
- revenue: an amount from 0 to `MAX_REVENUE`, stored rounded to cents, or None;
- note: at most `MAX_NOTE` characters.

Typed text (period, note) loses its surrounding spaces before it is measured, except the
API's period, which is the URL segment exactly as sent.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from datetime import date
from decimal import Decimal
from functools import partial
from typing import Any

from ..i18n import lazy_gettext as _l
from . import ServiceError, dates, too_long

MAX_PERIOD = 40  # String(40)
# A period is a URL segment of the API: one line, no slash, starting with a letter or digit.
PERIOD_PATTERN = r"^\w([^/\x00-\x1f\x7f]*[^/\s\x00-\x1f\x7f])?$"
MIN_SATISFACTION = 0  # the satisfaction_range check constraint
MAX_SATISFACTION = 10
MAX_REVENUE = Decimal("999999999999.99")  # Numeric(14, 2)
CENT = Decimal("0.01")
MAX_NOTE = 2000
# How a person writes a flag in a CSV file, in any case; an empty cell is not known.
YES_WORDS = frozenset({"yes", "true", "1", "y", "はい"})
NO_WORDS = frozenset({"no", "false", "0", "n", "いいえ"})

_PERIOD = re.compile(PERIOD_PATTERN)

PERIOD_MESSAGE = _l(
    "A period is a short label such as 2025 or 2025-H1 (at most %(max)s characters, no slash).",
    max=MAX_PERIOD,
)
SATISFACTION_MESSAGE = _l(
    "Satisfaction is a whole number from %(lo)s to %(hi)s.",
    lo=MIN_SATISFACTION,
    hi=MAX_SATISFACTION,
)
REVENUE_MESSAGE = _l("Revenue is an amount from 0 to %(max)s.", max=f"{MAX_REVENUE:,}")
NOTE_MESSAGE = too_long(_l("The note"), MAX_NOTE)
FLAG_MESSAGE = _l("Write yes or no (or leave it empty).")


def check_period(period: str, *, strip: bool = True) -> str:
    """The period, without surrounding spaces unless `strip` is False (the API's URL
    segment, where a space would be part of the period); ServiceError if it breaks the rule."""
    value = period.strip() if strip else period
    if not value or len(value) > MAX_PERIOD or not _PERIOD.match(value):
        raise ServiceError(PERIOD_MESSAGE, "period")
    return value


def check_observed_on(day: date) -> date:
    return dates.check_day(day, "observed_on")


def check_flag(value: bool | None, field: str) -> bool | None:
    if value is not None and not isinstance(value, bool):
        raise ServiceError(FLAG_MESSAGE, field)
    return value


def read_flag(text: str, field: str) -> bool | None:
    """A flag as a person writes it: one of `YES_WORDS` or `NO_WORDS`; None (not known)
    when empty."""
    value = text.strip().lower()
    if not value:
        return None
    if value in YES_WORDS:
        return True
    if value in NO_WORDS:
        return False
    raise ServiceError(FLAG_MESSAGE, field)


def check_satisfaction(value: int | None) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        raise ServiceError(SATISFACTION_MESSAGE, "satisfaction")
    if not MIN_SATISFACTION <= value <= MAX_SATISFACTION:
        raise ServiceError(SATISFACTION_MESSAGE, "satisfaction")
    return value


def check_revenue(value: Decimal | int | None) -> Decimal | None:
    """The amount rounded to cents (as Numeric(14, 2) keeps it). The bounds apply to the
    amount given, before rounding: rounding never turns a refused amount into an accepted
    one."""
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, Decimal | int):
        raise ServiceError(REVENUE_MESSAGE, "revenue")
    amount = Decimal(value)
    if not amount.is_finite() or not 0 <= amount <= MAX_REVENUE:
        raise ServiceError(REVENUE_MESSAGE, "revenue")
    return amount.copy_abs().quantize(CENT)  # copy_abs: −0 is stored as 0


def check_note(note: str) -> str:
    value = note.strip()
    if len(value) > MAX_NOTE:
        raise ServiceError(NOTE_MESSAGE, "note")
    return value


CHECKS: Mapping[str, Callable[[Any], Any]] = {
    "period": check_period,
    "observed_on": check_observed_on,
    "contract_signed": partial(check_flag, field="contract_signed"),
    "renewed": partial(check_flag, field="renewed"),
    "satisfaction": check_satisfaction,
    "revenue": check_revenue,
    "note": check_note,
}


def check_outcome(
    values: Mapping[str, Any], *, problems: dict[str, Any] | None = None
) -> dict[str, Any]:
    """The given values as they are stored, each held to its rule: ServiceError on the
    first field that breaks one. With `problems`, every broken rule is added there (field →
    message) instead, and the fields that keep theirs are returned: a CSV row reports each
    of its cells at once."""
    checked: dict[str, Any] = {}
    for name, check in CHECKS.items():
        if name not in values:
            continue
        try:
            checked[name] = check(values[name])
        except ServiceError as error:
            if problems is None:
                raise
            problems[name] = error.message
    return checked
