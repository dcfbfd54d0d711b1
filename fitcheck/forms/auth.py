"""Forms of sign-up, sign-in, password reset, the account page and the language switch.

Password fields check only their shape here; the password rules (length, common
passwords, not the email) are `fitcheck.services.passwords.check_password`, whose errors
the views show on the field."""

from __future__ import annotations

from wtforms import (
    EmailField,
    HiddenField,
    PasswordField,
    SelectChoice,
    SelectField,
    StringField,
    SubmitField,
)
from wtforms.validators import DataRequired, Email, EqualTo, Length

from .. import limits
from ..i18n import lazy_gettext as _l
from ..services.passwords import MIN_PASSWORD_LENGTH
from .base import FlaskForm


class SignUpForm(FlaskForm):
    workspace_name = StringField(
        _l("Company name"),
        validators=[DataRequired(), Length(max=limits.WORKSPACE_NAME)],
        description=_l(
            "The name of your workspace, which holds your traits, partners and assessments."
        ),
    )
    name = StringField(_l("Your name"), validators=[DataRequired(), Length(max=limits.PERSON_NAME)])
    email = EmailField(_l("Email"), validators=[DataRequired(), Email(), Length(max=limits.EMAIL)])
    password = PasswordField(
        _l("Password"),
        validators=[DataRequired(), Length(max=limits.PASSWORD)],
        description=_l("At least %(count)d characters.", count=MIN_PASSWORD_LENGTH),
    )
    confirm = PasswordField(
        _l("Repeat the password"),
        validators=[DataRequired(), EqualTo("password", message=_l("The passwords differ."))],
    )
    submit = SubmitField(_l("Create workspace"))


class ConfirmSignUpForm(FlaskForm):
    """The button on the page of a sign-up confirmation link: a POST, so a mail scanner
    that opens the link creates nothing."""

    submit = SubmitField(_l("Create the workspace"))


def _strip(value: str | None) -> str | None:
    return value.strip() if isinstance(value, str) else value


class PasswordResetRequestForm(FlaskForm):
    email = EmailField(
        _l("Email"),
        filters=[_strip],
        validators=[DataRequired(), Email(), Length(max=limits.EMAIL)],
    )
    submit = SubmitField(_l("Email me a link"))


class PasswordResetForm(FlaskForm):
    password = PasswordField(
        _l("New password"),
        validators=[DataRequired(), Length(max=limits.PASSWORD)],
        description=_l(
            "At least %(count)d characters. Setting it signs you out of every other browser.",
            count=MIN_PASSWORD_LENGTH,
        ),
    )
    confirm = PasswordField(
        _l("Repeat the new password"),
        validators=[DataRequired(), EqualTo("password", message=_l("The passwords differ."))],
    )
    submit = SubmitField(_l("Set the new password"))


class SignInForm(FlaskForm):
    email = EmailField(_l("Email"), validators=[DataRequired(), Email(), Length(max=limits.EMAIL)])
    password = PasswordField(
        _l("Password"), validators=[DataRequired(), Length(max=limits.PASSWORD)]
    )
    next = HiddenField()
    submit = SubmitField(_l("Sign in"))


class SignOutForm(FlaskForm):
    submit = SubmitField(_l("Sign out"))


class ChangePasswordForm(FlaskForm):
    current_password = PasswordField(
        _l("Current password"), validators=[DataRequired(), Length(max=limits.PASSWORD)]
    )
    new_password = PasswordField(
        _l("New password"),
        validators=[DataRequired(), Length(max=limits.PASSWORD)],
        description=_l("Changing it signs you out everywhere else."),
    )
    confirm = PasswordField(
        _l("Repeat the new password"),
        validators=[
            DataRequired(),
            EqualTo("new_password", message=_l("The passwords differ.")),
        ],
    )
    submit = SubmitField(_l("Change password"))


# Each language is named in itself, so a person can find their own whatever is shown now.
LANGUAGE_CHOICES = [SelectChoice("en", "English"), SelectChoice("ja", "日本語")]


class LanguageForm(FlaskForm):
    locale = SelectField(_l("Language"), choices=LANGUAGE_CHOICES)
    next = HiddenField()


class ApiTokenForm(FlaskForm):
    """Name a new API token on the account page."""

    name = StringField(
        _l("Token name"),
        validators=[DataRequired(), Length(max=limits.API_TOKEN_NAME)],
        description=_l("What the token is for, e.g. “CRM sync”."),
    )
    submit = SubmitField(_l("Create token"))
