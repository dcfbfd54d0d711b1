"""The survey a respondent answers, generated from an assessment's frozen traits.

Per trait: the rating of the other side and of one's own side (a scale point or "can't
judge"), an optional importance and an optional comment. Field names are stable per trait
key (`{key}-other`, `{key}-self`, `{key}-importance`, `{key}-comment`), so a draft, the
autosave and a re-rendered page all speak the same names. The form checks shape only;
whether every trait is answered is the service's rule (`answers.save_answers`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from wtforms import RadioField, SelectChoice, TextAreaField
from wtforms.validators import Length, Optional

from .. import limits
from ..i18n import lazy_gettext as _l
from ..models import IMPORTANCE_HI, IMPORTANCE_LO, Answer, AssessmentTrait
from ..services.answers import AnswerInput
from .base import FlaskForm

CANT_JUDGE = "na"
PLACEHOLDER = "{partner}"

IMPORTANCE_LABELS = (
    _l("Not important"),
    _l("Slightly important"),
    _l("Important"),
    _l("Very important"),
    _l("Essential"),
)
if len(IMPORTANCE_LABELS) != IMPORTANCE_HI - IMPORTANCE_LO + 1:  # pragma: no cover
    raise RuntimeError("one importance label per point of the importance scale")


@dataclass(frozen=True)
class TraitBlock:
    """One trait as the page shows it: its texts and the names of its four fields."""

    key: str
    label: str
    description: str
    other: str
    self_: str
    importance: str
    comment: str

    @property
    def ratings(self) -> tuple[str, str]:
        return (self.other, self.self_)


class SurveyForm(FlaskForm):
    """Base of every generated survey form.

    CSRF is checked by the respond views themselves (see `views.respond`), so that an
    expired token re-renders the page with every typed value instead of losing them.
    """

    class Meta:
        csrf = False

    blocks: tuple[TraitBlock, ...] = ()


class DeclineForm(FlaskForm):
    """Declining to take part; CSRF is checked by the view, as for the survey."""

    class Meta:
        csrf = False

    reason = TextAreaField(
        _l("Reason (optional)"),
        validators=[Optional(), Length(max=limits.DECLINE_REASON)],
        description=_l("The staff who run this assessment see your reason."),
    )


def _names(key: str) -> dict[str, str]:
    return {part: f"{key}-{part}" for part in ("other", "self", "importance", "comment")}


def labels_for(point_labels: Mapping[str, Any], locale: str) -> list[str]:
    """The scale's point labels in `locale`, else in English, else none."""
    labels = point_labels.get(locale) or point_labels.get("en") or []
    return [str(label) for label in labels]


def _rating_choices(scale_lo: int, scale_hi: int, labels: Sequence[str]) -> list[SelectChoice]:
    points = range(scale_lo, scale_hi + 1)
    choices = [
        SelectChoice(str(point), labels[index] if index < len(labels) else "")
        for index, point in enumerate(points)
    ]
    choices.append(SelectChoice(CANT_JUDGE, str(_l("Can't judge"))))
    return choices


def _importance_choices() -> list[SelectChoice]:
    return [
        SelectChoice(str(point), str(label))
        for point, label in zip(
            range(IMPORTANCE_LO, IMPORTANCE_HI + 1), IMPORTANCE_LABELS, strict=True
        )
    ]


def build_survey_form(
    traits: Sequence[AssessmentTrait],
    *,
    scale_lo: int,
    scale_hi: int,
    point_labels: Mapping[str, Any],
    locale: str,
    partner: str | None = None,
) -> type[SurveyForm]:
    """A form class with the four fields of every trait, in the order of `traits`.

    `partner` (the other side's name) fills `{partner}` in the questions about the other
    side; it is plain text here and escaped when the page renders it.
    """
    rating_choices = _rating_choices(scale_lo, scale_hi, labels_for(point_labels, locale))
    importance_choices = _importance_choices()
    fields: dict[str, Any] = {}
    blocks = []
    for trait in traits:
        names = _names(trait.key)
        question_other = trait.text("question_other", locale)
        if partner is not None:
            question_other = question_other.replace(PLACEHOLDER, partner)
        fields[names["other"]] = RadioField(
            question_other, choices=rating_choices, validators=[Optional()]
        )
        fields[names["self"]] = RadioField(
            trait.text("question_self", locale), choices=rating_choices, validators=[Optional()]
        )
        fields[names["importance"]] = RadioField(
            _l("How important is this trait to you in this partnership? (optional)"),
            choices=importance_choices,
            validators=[Optional()],
        )
        fields[names["comment"]] = TextAreaField(
            _l("Comment (optional)"),
            validators=[Optional(), Length(max=limits.COMMENT)],
            description=_l(
                "After the reveal, comments are shown to those who see the results, "
                "grouped by trait and side, never with your name."
            ),
        )
        blocks.append(
            TraitBlock(
                key=trait.key,
                label=trait.text("label", locale),
                description=trait.text("description", locale),
                other=names["other"],
                self_=names["self"],
                importance=names["importance"],
                comment=names["comment"],
            )
        )
    fields["blocks"] = tuple(blocks)
    return type("TraitSurveyForm", (SurveyForm,), fields)


def _rating(value: str | None) -> tuple[int | None, bool]:
    if value == CANT_JUDGE:
        return None, True
    if value:
        return int(value), False
    return None, False


def answers_from_form(form: SurveyForm) -> list[AnswerInput]:
    """Every trait's answer as typed, unanswered fields as None. A trait with a field the
    form refused is left out, so its saved answer, if any, stays as it was."""
    answers = []
    for block in form.blocks:
        names = (block.other, block.self_, block.importance, block.comment)
        if any(form[name].errors for name in names):
            continue
        other, other_cant_judge = _rating(form[block.other].data)
        self_, self_cant_judge = _rating(form[block.self_].data)
        importance = form[block.importance].data
        answers.append(
            AnswerInput(
                trait_key=block.key,
                other=other,
                other_cant_judge=other_cant_judge,
                self_=self_,
                self_cant_judge=self_cant_judge,
                importance=int(importance) if importance else None,
                comment=form[block.comment].data or "",
            )
        )
    return answers


def _choice(rating: int | None, cant_judge: bool) -> str | None:
    if cant_judge:
        return CANT_JUDGE
    return None if rating is None else str(rating)


def form_data(traits: Iterable[AssessmentTrait], answers: Iterable[Answer]) -> dict[str, Any]:
    """The saved answers as the form's initial data, to show a draft again."""
    keys = {trait.id: trait.key for trait in traits}
    data: dict[str, Any] = {}
    for answer in answers:
        key = keys.get(answer.trait_id)
        if key is None:
            continue
        names = _names(key)
        data[names["other"]] = _choice(answer.other_rating, answer.other_cant_judge)
        data[names["self"]] = _choice(answer.self_rating, answer.self_cant_judge)
        data[names["importance"]] = None if answer.importance is None else str(answer.importance)
        data[names["comment"]] = answer.comment
    return data


def error_fields(errors: Mapping[str, Mapping[str, str]]) -> dict[str, str]:
    """The service's errors keyed by field name, as the autosave reports them."""
    return {
        _names(key).get(field, key): message
        for key, problems in errors.items()
        for field, message in problems.items()
    }


def add_answer_errors(form: SurveyForm, errors: Mapping[str, Mapping[str, str]]) -> list[str]:
    """Put the service's errors on their fields; returns those that belong to no field."""
    unplaced = []
    for key, problems in errors.items():
        names = _names(key)
        for field, message in problems.items():
            name = names.get(field)
            if name is not None and name in form:
                form[name].errors = [*form[name].errors, message]
            else:
                unplaced.append(message)
    return unplaced
