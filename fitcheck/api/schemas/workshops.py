"""Schemas of the brand-partner workshop's reads (`fitcheck.api.workshops`). Every key is
always present (`required` documents that); a note names its writer only when it was
signed, and the dots appear only once the vote has closed."""

from __future__ import annotations

import marshmallow as ma
from marshmallow import fields

from ...fit import Side
from ...models.workshops import SELF_VIEW_MIN_PEOPLE, Phase
from .common import enum_field
from .reads import PageSchema


class WorkshopSchema(ma.Schema):
    id = fields.Integer(required=True)
    question = fields.String(required=True)
    language = fields.String(
        required=True, metadata={"description": "The room's language: en or ja."}
    )
    phase = enum_field(
        Phase,
        "write, group, vote, decide, act or result: where the workshop stands.",
        required=True,
    )
    dots = fields.Integer(
        required=True,
        allow_none=True,
        metadata={"description": "Each participant's dots; null until the vote opens."},
    )
    participants = fields.Integer(required=True)
    notes = fields.Integer(required=True)
    created_at = fields.DateTime(required=True, format="iso")
    finished_at = fields.DateTime(
        required=True,
        allow_none=True,
        format="iso",
        metadata={"description": "Null until the result."},
    )
    trait_set_id = fields.Integer(
        required=True,
        allow_none=True,
        metadata={"description": "The trait set it ended with; null before the result."},
    )


class WorkshopPageSchema(PageSchema):
    items = fields.List(fields.Nested(WorkshopSchema), required=True)


class NoteSchema(ma.Schema):
    id = fields.Integer(required=True)
    text = fields.String(required=True)
    example = fields.String(required=True, metadata={"description": "Empty when none."})
    signed = fields.Boolean(required=True)
    writer = fields.String(
        required=True,
        allow_none=True,
        metadata={"description": "The writer's name on a signed note; null on an anonymous one."},
    )
    side = enum_field(
        Side, "Whose side the writer was on: company (your team) or client.", required=True
    )
    cluster_id = fields.Integer(
        required=True, allow_none=True, metadata={"description": "Null while the room writes."}
    )
    created_at = fields.DateTime(required=True, format="iso")


class NotePageSchema(PageSchema):
    items = fields.List(fields.Nested(NoteSchema), required=True)


class SelfViewSchema(ma.Schema):
    """The rest is null while fewer than `SELF_VIEW_MIN_PEOPLE` people rated: nobody's
    rating is ever shown on its own."""

    count = fields.Integer(
        required=True, metadata={"description": "People who rated: each counts once."}
    )
    mean = fields.Float(
        required=True,
        allow_none=True,
        metadata={"description": f"Null below {SELF_VIEW_MIN_PEOPLE} people, as are the others."},
    )
    spread = fields.Float(
        required=True, allow_none=True, metadata={"description": "Standard deviation."}
    )
    lo = fields.Float(required=True, allow_none=True)
    hi = fields.Float(required=True, allow_none=True)


class SelfViewsSchema(ma.Schema):
    company = fields.Nested(SelfViewSchema, required=True)
    client = fields.Nested(SelfViewSchema, required=True)


class DraftSchema(ma.Schema):
    label_en = fields.String(required=True)
    label_ja = fields.String(required=True)
    description_en = fields.String(required=True)
    description_ja = fields.String(required=True)
    question_other_en = fields.String(required=True)
    question_other_ja = fields.String(required=True)
    question_self_en = fields.String(required=True)
    question_self_ja = fields.String(required=True)


class ClusterSchema(ma.Schema):
    id = fields.Integer(required=True)
    name = fields.String(required=True)
    position = fields.Integer(required=True)
    chosen = fields.Boolean(required=True)
    note_ids = fields.List(fields.Integer(), required=True)
    dots = fields.Integer(
        required=True, allow_none=True, metadata={"description": "Null until the vote closes."}
    )
    voters = fields.Integer(
        required=True, allow_none=True, metadata={"description": "Null until the vote closes."}
    )
    self_view = fields.Nested(
        SelfViewsSchema,
        required=True,
        allow_none=True,
        metadata={
            "description": "How each side rated itself on these notes (“are we like that?”); "
            "null until the vote closes."
        },
    )
    draft = fields.Nested(
        DraftSchema,
        required=True,
        allow_none=True,
        metadata={"description": "The trait drafted for a chosen cluster; null otherwise."},
    )
    trait_id = fields.Integer(
        required=True, allow_none=True, metadata={"description": "The trait it became."}
    )


class ClusterPageSchema(PageSchema):
    items = fields.List(fields.Nested(ClusterSchema), required=True)


class ClusterVotesSchema(ma.Schema):
    cluster_id = fields.Integer(required=True)
    dots = fields.Integer(required=True)
    voters = fields.Integer(required=True)


class VotesSchema(ma.Schema):
    dots_per_participant = fields.Integer(required=True)
    clusters = fields.List(
        fields.Nested(ClusterVotesSchema),
        required=True,
        metadata={"description": "Every cluster, most dots first."},
    )


class ActionSchema(ma.Schema):
    id = fields.Integer(required=True)
    cluster_id = fields.Integer(required=True)
    text = fields.String(required=True)
    owner = fields.String(required=True, metadata={"description": "Empty when none."})
    due_on = fields.Date(required=True, allow_none=True)
    commitment_id = fields.Integer(
        required=True,
        allow_none=True,
        metadata={
            "description": "The commitment the first launch on the workshop's trait set made "
            "of it; null while open."
        },
    )


class ActionPageSchema(PageSchema):
    items = fields.List(fields.Nested(ActionSchema), required=True)


class ProvenanceNoteSchema(ma.Schema):
    id = fields.Integer(required=True)
    text = fields.String(required=True)
    example = fields.String(required=True)
    writer = fields.String(required=True, allow_none=True)


class ProvenanceSchema(ma.Schema):
    workshop_id = fields.Integer(required=True)
    held_on = fields.String(
        required=True, metadata={"format": "date", "description": "The workshop's day."}
    )
    question = fields.String(required=True)
    cluster = fields.String(required=True)
    notes = fields.List(fields.Nested(ProvenanceNoteSchema), required=True)
    dots = fields.Integer(required=True)
    voters = fields.Integer(required=True)
    self_view = fields.Nested(SelfViewsSchema, required=True)


class ResultTraitSchema(DraftSchema):
    id = fields.Integer(required=True)
    key = fields.String(required=True)
    position = fields.Integer(required=True)
    provenance = fields.Nested(
        ProvenanceSchema,
        required=True,
        allow_none=True,
        metadata={"description": "Where it came from, frozen when the workshop ended."},
    )


class ResultSchema(ma.Schema):
    trait_set_id = fields.Integer(required=True)
    name = fields.String(required=True)
    description = fields.String(required=True)
    traits = fields.List(fields.Nested(ResultTraitSchema), required=True)
