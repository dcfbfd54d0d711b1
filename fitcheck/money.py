"""Amounts of money: the currencies a workspace may keep its amounts in, and an amount
written with its currency in the reader's language.

An amount (an outcome's revenue) is stored as a bare number; its currency is the
workspace's setting (`Workspace.currency`), never guessed. Every page, form and export that
shows an amount shows it through `format_amount`, so ¥3,260,000 reads the same everywhere.
Babel (CLDR) writes it: the symbol, its place and the digit grouping of the reader's locale.
No Flask, no database.
"""

from __future__ import annotations

from decimal import Decimal

from babel.numbers import format_currency, get_currency_name

#: The ISO 4217 codes a workspace may choose, as the settings page offers them. The
#: `workspaces.currency` column's check constraint lists them too: adding one needs a
#: migration that widens the constraint.
CURRENCIES = (
    "JPY",
    "USD",
    "EUR",
    "GBP",
    "CNY",
    "KRW",
    "TWD",
    "SGD",
    "AUD",
    "CAD",
    "CHF",
    "HKD",
    "THB",
)
DEFAULT_CURRENCY = "JPY"


def format_amount(amount: Decimal | float | int | None, currency: str, locale: str) -> str:
    """The amount with its currency in `locale`'s way: ¥3,260,000, $1,200.50, €1.200,50.

    The currency's usual number of decimals (none for the yen, two for the dollar), but a
    stored digit beyond them is shown rather than rounded away: a yen amount recorded as
    3,260,000.50 reads ¥3,260,000.5, never ¥3,260,000. `None` (not known) is "—".
    """
    if amount is None:
        return "—"
    return str(format_currency(amount, currency, locale=locale, decimal_quantization=False))


def currency_name(currency: str, locale: str) -> str:
    """The currency's name in `locale`, with its code: "JPY — Japanese Yen", "JPY — 日本円"."""
    return f"{currency} — {get_currency_name(currency, locale=locale)}"
