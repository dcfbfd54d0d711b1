"""Forms of the review meeting: starting one, stepping it, and recording a commitment in it.
Who may take part and whether a step exists are the service's rules
(`services.meetings`); these check the shape."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from wtforms import (
    HiddenField,
    IntegerField,
    RadioField,
    SelectChoice,
    SelectMultipleField,
    SubmitField,
)
from wtforms.validators import InputRequired, NumberRange

from ..i18n import lazy_gettext as _l
from ..models import MEETING_LANGUAGES, MeetingOrder, Side
from .auth import LANGUAGE_CHOICES
from .base import FlaskForm
from .staff import CommitmentForm


class StartMeetingForm(FlaskForm):
    """The facilitator's choices: the meeting's language, the order of its trait steps and
    who takes part (the ids are offered from `meetings.candidates`)."""

    language = RadioField(
        _l("Meeting language"),
        choices=[choice for choice in LANGUAGE_CHOICES if choice.value in MEETING_LANGUAGES],
        validators=[InputRequired()],
        description=_l(
            "The presenter view and the summary are shown in this language, whatever "
            "language fitcheck is in for you."
        ),
    )
    order = RadioField(
        _l("Order of the traits"),
        default=MeetingOrder.GAP.value,
        choices=[
            SelectChoice(MeetingOrder.GAP.value, _l("By the size of the gap, the largest first")),
            SelectChoice(
                MeetingOrder.IMPORTANCE.value,
                _l("By importance, as both sides rated it, the most important first"),
            ),
            SelectChoice(MeetingOrder.TRAIT_SET.value, _l("In the trait set's order")),
        ],
        validators=[InputRequired()],
    )
    # The service checks the ids, and says which ones it expects (`meetings.start_meeting`).
    respondent_ids = SelectMultipleField(_l("Respondents"), coerce=int, validate_choice=False)
    user_ids = SelectMultipleField(_l("Members"), coerce=int, validate_choice=False)
    submit = SubmitField(_l("Start the meeting"))

    def __init__(
        self,
        *args: Any,
        respondents: Sequence[tuple[int, str]] = (),
        members: Sequence[tuple[int, str]] = (),
        defaults: tuple[str, list[int], list[int]] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.respondent_ids.choices = [SelectChoice(key, label) for key, label in respondents]
        self.user_ids.choices = [SelectChoice(key, label) for key, label in members]
        if defaults is not None and not self.is_submitted():
            self.language.data, self.respondent_ids.data, self.user_ids.data = defaults


class StepForm(FlaskForm):
    """Make a step the meeting's current one (0: the overview)."""

    step = IntegerField(validators=[InputRequired(), NumberRange(min=0)])
    # Where the form was sent from, and goes back to: "remote", else the presenter.
    next = HiddenField(default="presenter")


class MeetingCommitmentForm(CommitmentForm):
    """A commitment recorded in the meeting, for either side: both sides are in the room,
    so each is named as the room knows it, by its organization's name."""

    # Where the form was sent from, and goes back to: "remote", else the presenter.
    next = HiddenField(default="presenter")

    def __init__(
        self,
        *args: Any,
        traits: Sequence[tuple[int, str]] = (),
        company: str,
        partner: str,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, traits=traits, viewer=None, **kwargs)
        names = {Side.COMPANY: company, Side.CLIENT: partner}
        self.side.choices = [SelectChoice(side.value, names[side]) for side in Side]
