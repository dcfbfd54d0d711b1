"""The base of every form of fitcheck: Flask-WTF's FlaskForm, plus the text rule of
`fitcheck.text` on every field people type into.

Every form module imports `FlaskForm` from here, never from flask_wtf (a test checks), so a
new field is covered without anyone remembering to add a validator to it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from flask_wtf import FlaskForm as _FlaskForm
from wtforms import Field, HiddenField, PasswordField, StringField, TextAreaField

from .. import text


def _typed_text(field: Field) -> bool:
    """A field whose text is stored as typed. Passwords are only ever hashed; hidden fields
    (the CSRF token, a `next` URL) are checked by whoever reads them."""
    return isinstance(field, StringField) and not isinstance(field, PasswordField | HiddenField)


class FlaskForm(_FlaskForm):  # type: ignore[misc]
    """A FlaskForm whose text fields refuse control characters and broken characters with a
    field error; what was typed stays in the field, to be shown again."""

    def validate(self, extra_validators: Mapping[str, Sequence[Any]] | None = None) -> bool:
        valid = bool(super().validate(extra_validators))
        for field in self:
            if not _typed_text(field) or not isinstance(field.data, str):
                continue
            message = text.problem(field.data, lines=isinstance(field, TextAreaField))
            if message is not None:
                field.errors = [*field.errors, message]
                valid = False
        return valid
