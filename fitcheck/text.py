"""The one rule for the characters of text people send: web forms, the CSV import, query
strings and the API all ask `forbidden_character`.

C0 control characters and DEL are invisible, PostgreSQL refuses NUL in text, and a lone
surrogate (JSON's `"\\ud800"`) cannot even be encoded to be stored. Text of several lines
(a note, a comment) keeps its tabs and line breaks; a one-line text (a name, a title) has
none. The rule rejects rather than strips, so nobody's text is changed behind their back;
only a search, which stores nothing, drops the characters (`without_forbidden`).

The forms, the services and the API schemas import it alike; `problem` words the rule's
message for a field.
"""

from __future__ import annotations

import re

from flask_babel.speaklater import LazyString

from .i18n import lazy_gettext as _l

# Bodies of regular-expression classes; the API's OpenAPI patterns are built from them.
CONTROL = r"\x00-\x1f\x7f"
CONTROL_IN_LINES = r"\x00-\x08\x0b\x0c\x0e-\x1f\x7f"
_SURROGATE = r"\ud800-\udfff"

_ONE_LINE = re.compile(f"[{CONTROL}{_SURROGATE}]")
_LINES = re.compile(f"[{CONTROL_IN_LINES}{_SURROGATE}]")


def forbidden_character(text: str, *, lines: bool = False) -> str | None:
    """The first character `text` may not hold, or None when it may be stored as it is.

    `lines`: the text may span lines, so tab, line feed and carriage return are allowed.
    """
    found = (_LINES if lines else _ONE_LINE).search(text)
    return found.group() if found else None


def is_surrogate(character: str) -> bool:
    return 0xD800 <= ord(character) <= 0xDFFF


def code_point(character: str) -> str:
    """How a message names a character it cannot show: U+0000."""
    return f"U+{ord(character):04X}"


def without_forbidden(text: str) -> str:
    """`text` with every character the rule forbids in one line dropped (for searches)."""
    return _ONE_LINE.sub("", text)


def problem(text: str, *, lines: bool = False) -> LazyString | None:
    """Why `text` cannot be stored, as a message for its field; None when it can."""
    character = forbidden_character(text, lines=lines)
    if character is None:
        return None
    if is_surrogate(character):
        return _l(
            "This text contains a broken character (%(code)s), perhaps from copying and "
            "pasting; please remove it.",
            code=code_point(character),
        )
    return _l(
        "This text contains an invisible control character (%(code)s); please remove it.",
        code=code_point(character),
    )
