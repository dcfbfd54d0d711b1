"""Forms of the brand-partner workshop: the facilitator's (open, move on, group, decide,
word the traits and their templates) and the participants' (join, write, rate, vote,
promise). Shapes only; the phase and the workshop's rules are the service's."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from wtforms import (
    BooleanField,
    DateField,
    HiddenField,
    IntegerField,
    RadioField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import AnyOf, DataRequired, InputRequired, Length, NumberRange, Optional

from .. import limits
from ..fit import Side
from ..i18n import lazy_gettext as _l
from ..models.workshops import DEFAULT_TEMPLATES, PHASES, SCALE_HI, SCALE_LO
from .base import FlaskForm
from .staff import TraitForm


class OpenWorkshopForm(FlaskForm):
    question = TextAreaField(
        _l("The question on the wall"),
        validators=[Optional(), Length(max=limits.WORKSHOP_QUESTION)],
        render_kw={"rows": 2},
        description=_l("Leave it empty for the default question, in the room's language."),
    )
    language = SelectField(
        _l("The room's language"),
        choices=[SelectChoice("ja", "日本語"), SelectChoice("en", "English")],
        validators=[AnyOf(("ja", "en"))],
    )
    dots = IntegerField(
        _l("Dots for each participant"),
        validators=[Optional(), NumberRange(min=1, max=limits.WORKSHOP_DOTS)],
        description=_l("Leave it empty for 3 dots per 10 clusters, fixed when voting opens."),
    )
    submit = SubmitField(_l("Open the workshop"))


class PhaseForm(FlaskForm):
    """The facilitator's "next", naming the phase it moves on from: a second click (or
    another facilitator's) finds the workshop moved already and changes nothing."""

    expected = HiddenField(validators=[AnyOf([phase.value for phase in PHASES])])
    dots = IntegerField(
        _l("Dots for each participant"),
        validators=[Optional(), NumberRange(min=1, max=limits.WORKSHOP_DOTS)],
    )
    name = StringField(
        _l("Name of the new trait set"),
        validators=[Optional(), Length(max=limits.TRAIT_SET_NAME)],
    )
    submit = SubmitField(_l("Next"))


def _ids() -> SelectMultipleField:
    # The ids a page listed; the service keeps those of this workshop and refuses the rest.
    return SelectMultipleField(coerce=int, validate_choice=False)


class GroupForm(FlaskForm):
    """Select notes and clusters on the board, then merge the clusters or move the notes."""

    note_ids = _ids()
    cluster_ids = _ids()
    name = StringField(
        _l("Name of the merged cluster"),
        validators=[Optional(), Length(max=limits.WORKSHOP_CLUSTER)],
    )
    to_cluster = SelectField(_l("Move the selected notes to"), validate_choice=False)
    merge = SubmitField(_l("Merge the selected clusters"))
    move = SubmitField(_l("Move the selected notes"))


class RenameForm(FlaskForm):
    name = StringField(
        _l("Cluster name"),
        validators=[DataRequired(), Length(max=limits.WORKSHOP_CLUSTER)],
    )
    submit = SubmitField(_l("Rename"))


class ChooseForm(FlaskForm):
    cluster_ids = _ids()
    submit = SubmitField(_l("Make the selected clusters traits"))


class DraftForm(TraitForm):
    """A chosen cluster's trait, as the trait form words it; `redraft` rebuilds the
    description and the questions from the templates for the labels typed."""

    redraft = SubmitField(_l("Redraft from the templates"))


class TemplatesForm(FlaskForm):
    description_en = TextAreaField(
        _l("Description in English"), validators=[Length(max=limits.TRAIT_DESCRIPTION)]
    )
    description_ja = TextAreaField(
        _l("Description in Japanese"), validators=[Length(max=limits.TRAIT_DESCRIPTION)]
    )
    question_other_en = TextAreaField(
        _l("Question about the partner, in English"),
        validators=[Length(max=limits.TRAIT_QUESTION)],
    )
    question_other_ja = TextAreaField(
        _l("Question about the partner, in Japanese"),
        validators=[Length(max=limits.TRAIT_QUESTION)],
    )
    question_self_en = TextAreaField(
        _l("Question about us, in English"), validators=[Length(max=limits.TRAIT_QUESTION)]
    )
    question_self_ja = TextAreaField(
        _l("Question about us, in Japanese"), validators=[Length(max=limits.TRAIT_QUESTION)]
    )
    submit = SubmitField(_l("Save the templates"))

    def templates(self) -> dict[str, str]:
        return {name: self[name].data or "" for name in DEFAULT_TEMPLATES}


def _scale_choices() -> list[SelectChoice]:
    return [SelectChoice(point, str(point)) for point in range(SCALE_LO, SCALE_HI + 1)]


class JoinForm(FlaskForm):
    name = StringField(
        _l("Your name (optional)"),
        validators=[Optional(), Length(max=limits.PERSON_NAME)],
        description=_l("Shown only on the notes you sign."),
    )
    side = RadioField(
        _l("I am here for"),
        choices=[
            SelectChoice(Side.COMPANY.value, _l("Our team")),
            SelectChoice(Side.CLIENT.value, _l("The client")),
        ],
        default=Side.COMPANY.value,
        validators=[InputRequired()],
    )
    submit = SubmitField(_l("Join"))


class NoteForm(FlaskForm):
    text = StringField(
        _l("A trait of a good partner"),
        validators=[DataRequired(), Length(max=limits.WORKSHOP_NOTE)],
        description=_l("A short phrase, one trait per note."),
    )
    example = TextAreaField(
        _l("An example (optional)"),
        validators=[Optional(), Length(max=limits.WORKSHOP_EXAMPLE)],
        render_kw={"rows": 2},
    )
    self_rating = RadioField(
        _l("Are we like that?"), coerce=int, validators=[Optional()], validate_choice=True
    )
    signed = BooleanField(_l("Sign this note with my name"))
    submit = SubmitField(_l("Add the note"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.self_rating.choices = _scale_choices()


class RateForm(FlaskForm):
    self_rating = RadioField(_l("Are we like that?"), coerce=int, validators=[InputRequired()])

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.self_rating.choices = _scale_choices()


# The databases' 32-bit ids.
MAX_ID = 2**31 - 1


class DotsForm(FlaskForm):
    cluster_id = IntegerField(validators=[InputRequired(), NumberRange(min=1, max=MAX_ID)])
    dots = IntegerField(validators=[InputRequired(), NumberRange(min=0, max=limits.WORKSHOP_DOTS)])


class PromiseForm(FlaskForm):
    """What we must do more of, on one chosen trait."""

    cluster_id = SelectField(_l("Trait"), coerce=int, validators=[InputRequired()])
    text = TextAreaField(
        _l("What must we do more of?"),
        validators=[DataRequired(), Length(max=limits.COMMITMENT_ACTION)],
        render_kw={"rows": 2},
    )
    owner = StringField(
        _l("Person responsible"), validators=[Optional(), Length(max=limits.COMMITMENT_OWNER)]
    )
    due_on = DateField(_l("Due date"), validators=[Optional()])
    submit = SubmitField(_l("Add the promise"))

    def __init__(self, *args: Any, traits: Sequence[tuple[int, str]] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.cluster_id.choices = [SelectChoice(cluster, label) for cluster, label in traits]
