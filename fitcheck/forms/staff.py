"""Forms of the staff pages: trait sets and traits, partners and contacts, assessments."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Sequence
from datetime import datetime
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from flask_babel import get_locale, get_timezone
from flask_wtf.file import FileAllowed, FileField, FileRequired
from wtforms import (
    BooleanField,
    DateField,
    DateTimeLocalField,
    DecimalField,
    EmailField,
    Field,
    IntegerField,
    RadioField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
    TextAreaField,
    URLField,
)
from wtforms.validators import (
    URL,
    AnyOf,
    DataRequired,
    Email,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    ValidationError,
)

from .. import limits, money
from ..i18n import lazy_gettext as _l
from ..models import DEFAULT_REMINDER_DAYS, Kind, RevealPolicy, Side, utcnow
from ..models.accounts import WORKSPACE_LANGUAGES
from ..models.traits import MAX_SCALE_POINT
from ..services import ServiceError, dates, outcome_rules, partners
from ..services.assessments import MAX_REMINDER_DAYS
from .auth import LANGUAGE_CHOICES
from .base import FlaskForm


class ActionForm(FlaskForm):
    """A button that changes something: only its CSRF token is checked."""


def _lines(text: str | None) -> list[str]:
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


class TraitSetForm(FlaskForm):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=limits.TRAIT_SET_NAME)])
    scale_lo = IntegerField(
        _l("Lowest point"),
        default=1,
        validators=[InputRequired(), NumberRange(min=0, max=MAX_SCALE_POINT - 1)],
    )
    scale_hi = IntegerField(
        _l("Highest point"),
        default=5,
        validators=[InputRequired(), NumberRange(min=1, max=MAX_SCALE_POINT)],
    )
    point_labels_en = TextAreaField(
        _l("Point labels in English"),
        validators=[DataRequired()],
        description=_l("One per line, from the lowest point to the highest."),
        render_kw={"rows": 5},
    )
    point_labels_ja = TextAreaField(
        _l("Point labels in Japanese"),
        validators=[DataRequired()],
        description=_l("One per line, from the lowest point to the highest."),
        render_kw={"rows": 5},
    )
    submit = SubmitField(_l("Save"))

    def point_labels(self) -> dict[str, list[str]]:
        return {"en": _lines(self.point_labels_en.data), "ja": _lines(self.point_labels_ja.data)}

    def fill_labels(self, labels: dict[str, Any]) -> None:
        self.point_labels_en.data = "\n".join(labels.get("en", []))
        self.point_labels_ja.data = "\n".join(labels.get("ja", []))


def _partner_placeholder(_form: FlaskForm, field: Any) -> None:
    text = field.data or ""
    if "{" in text.replace("{partner}", "") or "}" in text.replace("{partner}", ""):
        raise ValidationError(_l("Only {partner} may appear in braces."))


class TraitForm(FlaskForm):
    label_en = StringField(
        _l("Label in English"), validators=[DataRequired(), Length(max=limits.TRAIT_LABEL)]
    )
    label_ja = StringField(
        _l("Label in Japanese"), validators=[DataRequired(), Length(max=limits.TRAIT_LABEL)]
    )
    description_en = TextAreaField(
        _l("Description in English"), validators=[Optional(), Length(max=limits.TRAIT_DESCRIPTION)]
    )
    description_ja = TextAreaField(
        _l("Description in Japanese"), validators=[Optional(), Length(max=limits.TRAIT_DESCRIPTION)]
    )
    question_other_en = TextAreaField(
        _l("Question about the other side, in English"),
        validators=[DataRequired(), Length(max=limits.TRAIT_QUESTION), _partner_placeholder],
        description=_l("Write {partner} where the other side's name goes."),
    )
    question_other_ja = TextAreaField(
        _l("Question about the other side, in Japanese"),
        validators=[DataRequired(), Length(max=limits.TRAIT_QUESTION), _partner_placeholder],
        description=_l("Write {partner} where the other side's name goes."),
    )
    question_self_en = TextAreaField(
        _l("Question about our own side, in English"),
        validators=[DataRequired(), Length(max=limits.TRAIT_QUESTION), _partner_placeholder],
    )
    question_self_ja = TextAreaField(
        _l("Question about our own side, in Japanese"),
        validators=[DataRequired(), Length(max=limits.TRAIT_QUESTION), _partner_placeholder],
    )
    submit = SubmitField(_l("Save trait"))


def _web_address(value: str | None) -> str | None:
    return partners.web_address(value) if value else value


class PartnerForm(FlaskForm):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=limits.PARTNER_NAME)])
    website = URLField(
        _l("Website"),
        filters=[_web_address],  # a bare domain gets https://
        validators=[Optional(), URL(), Length(max=limits.PARTNER_WEBSITE)],
        description=_l("For example minato-seiki.example.jp or https://minato-seiki.example.jp."),
    )
    notes = TextAreaField(_l("Notes"), validators=[Optional(), Length(max=limits.PARTNER_NOTES)])
    submit = SubmitField(_l("Save partner"))


class ContactForm(FlaskForm):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=limits.PERSON_NAME)])
    email = EmailField(_l("Email"), validators=[Optional(), Email(), Length(max=limits.EMAIL)])
    title = StringField(
        _l("Role or title"), validators=[Optional(), Length(max=limits.CONTACT_TITLE)]
    )
    submit = SubmitField(_l("Add contact"))


def _user_zone() -> ZoneInfo:
    # Flask-Babel hands out a pytz zone, whose replace(tzinfo=…) would use the zone's first
    # historical offset (Tokyo's +09:19); zoneinfo has the offset for the actual date.
    return ZoneInfo(str(get_timezone()))


def local_to_utc(value: datetime | None) -> datetime | None:
    """A datetime typed in the user's time zone, as an aware UTC datetime; left in that
    zone when UTC cannot hold it (year 1 in Tokyo), for the service to refuse as out of
    range (`fitcheck.services.dates.check_deadline`) rather than overflow here."""
    if value is None:
        return None
    typed = value.replace(tzinfo=_user_zone())
    return dates.to_utc(typed) or typed


def utc_to_local(value: datetime | None) -> datetime | None:
    """A stored moment in the user's time zone, naive, to fill a form; None (the field
    empty) for one the zone cannot hold, stored before deadlines had a range."""
    if value is None:
        return None
    try:
        return value.astimezone(_user_zone()).replace(tzinfo=None)
    except OverflowError:
        return None


def suggested_deadline() -> datetime:
    """The deadline a new assessment's form starts with, in the user's time zone, naive
    (see `fitcheck.services.dates.suggested_deadline`)."""
    return dates.suggested_deadline(utcnow(), _user_zone()).replace(tzinfo=None)


# How a deadline field shows its value: to the minute, as the browser's datetime-local input
# writes it (a value with seconds makes it show seconds). It reads all four.
DEADLINE_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S"]


def _deadline_help(*, extendable: bool) -> Any:
    zone = dates.zone_name()
    if extendable:
        return _l("Time zone: %(zone)s. It can be extended later.", zone=zone)
    return _l("Time zone: %(zone)s.", zone=zone)


def kind_choices() -> list[SelectChoice]:
    return [
        SelectChoice(Kind.PRE_CONTRACT.value, _l("Pre-contract assessment")),
        SelectChoice(Kind.ANNUAL_REVIEW.value, _l("Annual partnership review")),
    ]


class DayListField(StringField):  # type: ignore[misc]
    """Whole numbers of days typed as "3, 1" (or "３、１"); its data is a list of ints,
    empty for none."""

    data: Any  # list[int] once valid; the typed text when it is not

    def _value(self) -> str:
        if isinstance(self.data, list | tuple):
            return ", ".join(str(day) for day in self.data)
        return str(self.data or "")

    def process_formdata(self, valuelist: list[Any]) -> None:
        if not valuelist:
            return
        self.raw_text = str(valuelist[0])
        text = unicodedata.normalize("NFKC", self.raw_text)
        parts = [part for part in re.split(r"[\s,、;]+", text) if part]
        if not all(part.isdecimal() and len(part) <= 3 for part in parts):
            self.data = self.raw_text  # shown again as typed
            raise ValueError(_l("Type whole numbers of days separated by commas, e.g. “3, 1”."))
        self.data = sorted({int(part) for part in parts}, reverse=True)


def _days_in_range(form: FlaskForm, field: DayListField) -> None:
    if isinstance(field.data, list) and any(
        not 1 <= day <= MAX_REMINDER_DAYS for day in field.data
    ):
        raise ValidationError(
            _l(
                "Choose days from %(lo)d to %(hi)d before the deadline.",
                lo=1,
                hi=MAX_REMINDER_DAYS,
            )
        )


class AssessmentForm(FlaskForm):
    title = StringField(
        _l("Title"),
        validators=[Optional(), Length(max=limits.ASSESSMENT_TITLE)],
        description=_l("Optional, e.g. “Review 2026”."),
    )
    kind = SelectField(_l("Kind"), validators=[DataRequired()])
    trait_set_id = SelectField(_l("Trait set"), coerce=int, validators=[DataRequired()])
    deadline = DateTimeLocalField(
        _l("Deadline"),
        format=DEADLINE_FORMATS,
        default=suggested_deadline,
        validators=[DataRequired()],
        description=_l("It can be extended later."),
    )
    reveal_policy = RadioField(
        _l("Reveal"),
        default=RevealPolicy.MANUAL.value,
        choices=[
            SelectChoice(RevealPolicy.MANUAL.value, _l("When we choose to reveal")),
            SelectChoice(
                RevealPolicy.AUTOMATIC.value,
                _l("Automatically, once both sides reach the minimum of answers"),
            ),
            SelectChoice(
                RevealPolicy.DEADLINE.value,
                _l(
                    "At the deadline, if both sides reach the minimum of answers "
                    "(if not, the results stay sealed and you get an email)"
                ),
            ),
        ],
    )
    reminder_days = DayListField(
        _l("Automatic reminders (days before the deadline)"),
        default=list(DEFAULT_REMINDER_DAYS),
        validators=[_days_in_range],
        description=_l(
            "Those who have not answered get a reminder this many days before the deadline, "
            "e.g. “3, 1”. Leave it empty for no automatic reminders."
        ),
    )
    min_responses_per_side = IntegerField(
        _l("Minimum answers per side (anonymity threshold)"),
        default=1,
        validators=[InputRequired(), NumberRange(min=1, max=limits.THRESHOLD)],
        description=_l(
            "A side's averages are shown only once this many of its respondents have "
            "answered. 1 suits a one-to-one check; 3 is typical for a team review."
        ),
    )
    share_with_client = BooleanField(_l("The client's respondents see the results"), default=True)
    submit = SubmitField(_l("Save"))

    def __init__(self, *args: Any, trait_sets: Sequence[Any] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.kind.choices = kind_choices()
        self.deadline.description = _deadline_help(extendable=True)
        self.trait_set_id.choices = [SelectChoice(t.id, t.name) for t in trait_sets]


def _language_choices() -> list[SelectChoice]:
    return [SelectChoice("ja", "日本語"), SelectChoice("en", "English")]


class RespondentForm(FlaskForm):
    side = SelectField(_l("Side"), validators=[DataRequired()])
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=limits.PERSON_NAME)])
    email = EmailField(
        _l("Email"),
        validators=[Optional(), Email(), Length(max=limits.EMAIL)],
        description=_l("Optional: without it, copy the personal link and send it yourself."),
    )
    language = SelectField(
        _l("Language of the invitation"),
        choices=_language_choices(),
        description=_l("The respondent can switch languages on their pages."),
    )
    submit = SubmitField(_l("Add respondent"))

    def __init__(self, *args: Any, company: str = "", partner: str = "", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.side.choices = [
            SelectChoice(Side.COMPANY.value, _l("Our side (%(name)s)", name=company)),
            SelectChoice(Side.CLIENT.value, _l("Client side (%(name)s)", name=partner)),
        ]
        if not self.is_submitted():
            self.language.data = str(get_locale() or "ja")


class PickRespondentsForm(FlaskForm):
    """Several of the partner's contacts and the workspace's members at once. The ids are
    checked by the service (`respondents.add_picked`), which knows whose they are."""

    contact_ids = SelectMultipleField(coerce=int, validate_choice=False)
    member_ids = SelectMultipleField(coerce=int, validate_choice=False)
    # Not `language`: the single respondent's form on the same page has that field (and id).
    invitation_language = SelectField(
        _l("Language of the invitations"),
        choices=_language_choices,
        description=_l("Members are invited in the language they chose, if they chose one."),
    )
    submit = SubmitField(_l("Add the people chosen"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not self.is_submitted():
            self.invitation_language.data = str(get_locale() or "ja")


class DeadlineForm(FlaskForm):
    deadline = DateTimeLocalField(
        _l("New deadline"), format=DEADLINE_FORMATS, validators=[DataRequired()]
    )
    submit = SubmitField(_l("Extend deadline"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.deadline.description = _deadline_help(extendable=False)


class CommitmentForm(FlaskForm):
    """A promise after the reveal. Respondents promise for their own side only."""

    trait_id = SelectField(_l("Trait"), coerce=int, validators=[DataRequired()])
    side = SelectField(_l("Who promises"))
    action = TextAreaField(
        _l("What will be done"),
        validators=[DataRequired(), Length(max=limits.COMMITMENT_ACTION)],
        render_kw={"rows": 2},
    )
    owner = StringField(
        _l("Person responsible"), validators=[Optional(), Length(max=limits.COMMITMENT_OWNER)]
    )
    due_on = DateField(_l("Due date"), validators=[Optional()])
    submit = SubmitField(_l("Record commitment"))

    def __init__(
        self, *args: Any, traits: Sequence[tuple[int, str]] = (), viewer: Side | None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.trait_id.choices = [SelectChoice(trait_id, label) for trait_id, label in traits]
        sides = [viewer] if viewer is not None else list(Side)
        self.side.choices = [
            SelectChoice(
                side.value, _l("Our side") if side is Side.COMPANY else _l("The client's side")
            )
            for side in sides
        ]
        if viewer is not None:
            self.side.data = viewer.value

    def promise(self, *, side: Side | None = None, owner: str = "") -> dict[str, Any]:
        """What was typed, as `commitments.add_commitment` (and the meeting's
        `record_commitment`) take it: `side` when the caller fixes it, `owner` when the
        field is left empty."""
        return {
            "trait_id": self.trait_id.data,
            "side": side if side is not None else Side(self.side.data),
            "action": self.action.data,
            "owner": self.owner.data or owner,
            "due_on": self.due_on.data,
        }


def _flag_choices() -> list[SelectChoice]:
    return [
        SelectChoice("", _l("Not known")),
        SelectChoice("yes", _l("Yes")),
        SelectChoice("no", _l("No")),
    ]


def flag_value(text: str | None) -> bool | None:
    """A yes / no / not known select as the outcome's tri-state value."""
    return {"yes": True, "no": False}.get(text or "")


def flag_text(value: bool | None) -> str:
    return "" if value is None else ("yes" if value else "no")


class AmountField(DecimalField):  # type: ignore[misc]
    """A DecimalField for amounts of money: Decimal also reads "NaN", "sNaN" and "Infinity",
    which are no amounts (and sNaN makes every comparison raise)."""

    data: Decimal | None

    def process_formdata(self, valuelist: list[Any]) -> None:
        super().process_formdata(valuelist)
        if self.data is not None and not self.data.is_finite():
            self.data = None
            raise ValueError(self.gettext("Not a valid decimal value."))


class OutcomeRule:
    """A rule of `fitcheck.services.outcome_rules` on a field, refused with the rule's own
    message, as the API and the CSV import refuse it. `flags` are the bounds the input
    states in HTML (maxlength, min, max), so the browser can tell before sending."""

    def __init__(self, check: Callable[[Any], object], **flags: Any) -> None:
        self.check = check
        self.field_flags = flags

    def __call__(self, form: FlaskForm, field: Field) -> None:
        if field.data is None:
            return  # empty and optional, or unreadable: the field itself says so
        try:
            self.check(field.data)
        except ServiceError as error:
            raise ValidationError(error.message) from None


class OutcomeForm(FlaskForm):
    """One period's outcome of a partner; the same period again updates it."""

    period = StringField(
        _l("Period"),
        validators=[
            DataRequired(),
            OutcomeRule(outcome_rules.check_period, maxlength=outcome_rules.MAX_PERIOD),
        ],
        description=_l("A short label such as 2025 or 2025-H1."),
    )
    observed_on = DateField(
        _l("Observed on"),
        validators=[DataRequired(), OutcomeRule(outcome_rules.check_observed_on)],
    )
    contract_signed = SelectField(_l("Contract signed"), choices=_flag_choices, default="")
    renewed = SelectField(_l("Renewed"), choices=_flag_choices, default="")
    satisfaction = IntegerField(
        _l(
            "Satisfaction (%(lo)s–%(hi)s)",
            lo=outcome_rules.MIN_SATISFACTION,
            hi=outcome_rules.MAX_SATISFACTION,
        ),
        validators=[
            Optional(),
            OutcomeRule(
                outcome_rules.check_satisfaction,
                min=outcome_rules.MIN_SATISFACTION,
                max=outcome_rules.MAX_SATISFACTION,
            ),
        ],
    )
    revenue = AmountField(
        _l("Revenue"),
        places=2,
        validators=[
            Optional(),
            OutcomeRule(outcome_rules.check_revenue, min=0, max=outcome_rules.MAX_REVENUE),
        ],
    )
    note = TextAreaField(
        _l("Note"),
        validators=[
            Optional(),
            OutcomeRule(outcome_rules.check_note, maxlength=outcome_rules.MAX_NOTE),
        ],
        render_kw={"rows": 2},
    )
    submit = SubmitField(_l("Save outcome"))

    def __init__(self, *args: Any, currency: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # An amount is in the workspace's currency: the label says which.
        self.revenue.label.text = _l("Revenue (%(currency)s)", currency=currency)


class OutcomeImportForm(FlaskForm):
    file = FileField(
        _l("CSV file"),
        validators=[FileRequired(), FileAllowed(["csv", "txt"], _l("Choose a .csv file."))],
    )
    submit = SubmitField(_l("Import"))


class ConfirmNameForm(FlaskForm):
    """Deleting a partner or a workspace: its name, typed again, is the confirmation."""

    confirm_name = StringField(
        _l("Type the name to confirm"),
        validators=[DataRequired(), Length(max=300)],
        render_kw={"autocomplete": "off", "spellcheck": "false"},
    )
    submit = SubmitField(_l("Delete for good"))


def _currency_choices() -> list[SelectChoice]:
    """Each currency by its code and its name in the reader's language."""
    locale = str(get_locale() or "en")
    return [SelectChoice(code, money.currency_name(code, locale)) for code in money.CURRENCIES]


class WorkspaceForm(FlaskForm):
    """The workspace's settings. A field left out of a post keeps its value (a select
    reads nothing then), so the name alone can still be sent."""

    name = StringField(
        _l("Workspace name"), validators=[DataRequired(), Length(max=limits.WORKSPACE_NAME)]
    )
    language = SelectField(
        _l("Workspace language"),
        choices=LANGUAGE_CHOICES,
        validate_choice=False,
        validators=[AnyOf(WORKSPACE_LANGUAGES, message=_l("Choose one of the offered languages."))],
        description=_l(
            "The language of the exports' column names: in Japanese, every CSV and Excel "
            "file has a second header row with the column names in Japanese, below the "
            "machine names."
        ),
    )
    currency = SelectField(
        _l("Currency"),
        choices=_currency_choices,
        validate_choice=False,
        validators=[AnyOf(money.CURRENCIES, message=_l("Choose one of the offered currencies."))],
        description=_l(
            "The currency of every amount recorded in this workspace, such as an outcome's "
            "revenue. Changing it converts nothing: the amounts already recorded are shown "
            "in the new currency as they are."
        ),
    )
    submit = SubmitField(_l("Save"))
