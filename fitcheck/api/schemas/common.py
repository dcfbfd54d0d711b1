"""What every schema of the API is made of: strict JSON types, the text rule, request
bodies where null means absent, and fields built from the public vocabulary of a round's
result (`fitcheck.vocabulary`).

JSON is strict here: an integer is never a boolean or a string, a boolean is only `true` or
`false`, unknown keys are refused. `null` for an optional field means what leaving the field
out means (see `RequestSchema`). What a schema can express it states (so the OpenAPI
document promises no more than the API accepts); rules that need the database (the
assessment's scale, its trait keys, a unique name) are the services' and come back as 422
or 409.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, overload

import marshmallow as ma
from marshmallow import fields, validate

from ... import text, vocabulary

MAX_ID = 2**31 - 1
MAX_ANSWERS = 500

# The text rule of fitcheck.text, as the OpenAPI document states it (a JSON Schema pattern
# cannot express lone surrogates, which the rule refuses too). A name is one line with at
# least one visible character; free text keeps its line breaks and tabs.
NAME_PATTERN = rf"^[^{text.CONTROL}]*[^\s{text.CONTROL}][^{text.CONTROL}]*$"
TEXT_PATTERN = rf"^[^{text.CONTROL_IN_LINES}]*$"


class StrictInteger(fields.Integer):
    """An integer, and only that: JSON `true` is not 1, `"5"` is not 5."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(strict=True, **kwargs)

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> int:
        if isinstance(value, bool):
            raise self.make_error("invalid")
        return int(super()._deserialize(value, attr, data, **kwargs))


class StrictBoolean(fields.Boolean):
    """`true` or `false`; marshmallow would also take 1, "yes" and "on"."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> bool:
        if not isinstance(value, bool):
            raise self.make_error("invalid")
        return value


class PlainText(validate.Regexp):
    """The text rule of fitcheck.text, answered with the same message as on the web pages;
    then `pattern`, which the OpenAPI document shows, for the rest (a visible character)."""

    def __init__(self, pattern: str, *, lines: bool = False) -> None:
        super().__init__(pattern)
        self.lines = lines

    @overload
    def __call__(self, value: str) -> str: ...

    @overload
    def __call__(self, value: bytes) -> bytes: ...

    def __call__(self, value: str | bytes) -> str | bytes:
        if isinstance(value, str) and (message := text.problem(value, lines=self.lines)):
            raise ma.ValidationError(str(message))
        return super().__call__(value)


def enum_field(enum: type[Any], description: str = "", **kwargs: Any) -> fields.Enum[Any]:
    """An enum sent and shown by its value, documented as a string."""
    metadata: dict[str, Any] = {"type": "string"}
    if description:
        metadata["description"] = description
    return fields.Enum(enum, by_value=True, metadata=metadata, **kwargs)


def id_field(description: str, **kwargs: Any) -> StrictInteger:
    return StrictInteger(
        validate=validate.Range(min=1, max=MAX_ID), metadata={"description": description}, **kwargs
    )


def name_field(max_length: int, description: str) -> fields.String:
    return fields.String(
        required=True,
        validate=[validate.Length(min=1, max=max_length), PlainText(NAME_PATTERN)],
        metadata={"description": description},
    )


class RequestSchema(ma.Schema):
    """A request body, where JSON null for an optional field means the same as leaving the
    field out: integrators send null for "nothing".

    An optional field is one with a `load_default`; it is declared `allow_none=True` (so the
    OpenAPI document shows it as nullable), and a null for it is dropped before loading, so
    the default applies. Where null means something else (an answer's `other` and `self`:
    "can't judge"), the field has no default and null is loaded as it is.
    """

    @ma.pre_load
    def _null_means_absent(self, data: Any, **kwargs: Any) -> Any:
        if not isinstance(data, dict):
            return data  # the schema's own check refuses it
        optional = {
            field.data_key or name
            for name, field in self.load_fields.items()
            if field.load_default is not ma.missing
        }
        return {
            key: value for key, value in data.items() if value is not None or key not in optional
        }


class ScaleSchema(ma.Schema):
    lo = fields.Integer(required=True, metadata={"description": "The lowest point."})
    hi = fields.Integer(required=True, metadata={"description": "The highest point."})


def number_field(description: str) -> fields.Float:
    return fields.Float(required=True, allow_none=True, metadata={"description": description})


def flag_field(description: str) -> fields.Boolean:
    return fields.Boolean(required=True, allow_none=True, metadata={"description": description})


_TERM_FIELDS: dict[type, type[fields.Field[Any]]] = {
    float: fields.Float,
    int: fields.Integer,
    bool: fields.Boolean,
    str: fields.String,
}


def term_field(term: vocabulary.Term[Any]) -> fields.Field[Any]:
    """A public term of `fitcheck.vocabulary` as a field, with its description."""
    kwargs: dict[str, Any] = {}
    if term.choices:
        kwargs["validate"] = validate.OneOf([str(choice) for choice in term.choices])
    return _TERM_FIELDS[term.kind](
        required=True, allow_none=True, metadata={"description": term.description}, **kwargs
    )


def terms_schema(
    name: str, terms: Sequence[vocabulary.Term[Any]], **extra: fields.Field[Any]
) -> type[ma.Schema]:
    """A schema of the vocabulary's terms (and `extra` fields first), named for the
    OpenAPI document."""
    declared = {**extra, **{term.name: term_field(term) for term in terms}}
    return type(name, (ma.Schema,), declared)
