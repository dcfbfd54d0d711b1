"""The password rules, the same on every form and command that sets a password.

At least MIN_PASSWORD_LENGTH characters (and at most `fitcheck.limits.PASSWORD`), and not
one of the 30,000 most common passwords of zxcvbn's list (a maintained library's frequency
list of leaked passwords), compared without regard to case or surrounding spaces, nor the
account's own email address.
"""

from __future__ import annotations

from functools import cache

from .. import limits
from ..i18n import lazy_gettext as _l
from . import ServiceError, check_length

MIN_PASSWORD_LENGTH = 10


@cache
def _common_passwords() -> frozenset[str]:
    from zxcvbn.frequency_lists import FREQUENCY_LISTS

    return frozenset(word.lower() for word in FREQUENCY_LISTS["passwords"])


def is_common(password: str) -> bool:
    return password.strip().lower() in _common_passwords()


def check_password(password: str, *, email: str = "", field: str = "password") -> None:
    """Raise a `ServiceError` on `field` when `password` breaks a rule."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise ServiceError(
            _l("Use at least %(count)d characters.", count=MIN_PASSWORD_LENGTH), field
        )
    check_length(password, limits.PASSWORD, field, _l("The password"))
    if is_common(password):
        raise ServiceError(
            _l("This password is among the most common ones; choose one less easy to guess."),
            field,
        )
    if email and password.strip().lower() == email.strip().lower():
        raise ServiceError(_l("Do not use your email address as your password."), field)
