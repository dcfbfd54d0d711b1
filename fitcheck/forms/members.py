"""Forms of /members (inviting, changing a role) and of the join page a member's invitation
leads to."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField, SelectChoice, SelectField, StringField, SubmitField
from wtforms.validators import DataRequired, Email, EqualTo, Length

from ..models import Role
from ..services.passwords import MIN_PASSWORD_LENGTH

# How a role is named on every page; the stored value is the Role's.
ROLE_LABELS = {Role.OWNER: _l("Owner"), Role.MEMBER: _l("Member")}
ROLE_CHOICES = [SelectChoice(role.value, ROLE_LABELS[role]) for role in (Role.MEMBER, Role.OWNER)]


def _strip(value: str | None) -> str | None:
    return value.strip() if isinstance(value, str) else value


class InviteMemberForm(FlaskForm):  # type: ignore[misc]
    email = EmailField(
        _l("Email"), filters=[_strip], validators=[DataRequired(), Email(), Length(max=254)]
    )
    role = SelectField(
        _l("Role"),
        choices=ROLE_CHOICES,
        default=Role.MEMBER.value,
        description=_l(
            "Members run partners, assessments and results. Owners also manage members, "
            "roles, the workspace's settings and deletions."
        ),
    )
    submit = SubmitField(_l("Send invitation"))


class RoleForm(FlaskForm):  # type: ignore[misc]
    """Change one member's role, on their row of /members."""

    role = SelectField(_l("Role"), choices=ROLE_CHOICES)


class JoinForm(FlaskForm):  # type: ignore[misc]
    name = StringField(_l("Your name"), validators=[DataRequired(), Length(max=120)])
    password = PasswordField(
        _l("Password"),
        validators=[DataRequired(), Length(min=MIN_PASSWORD_LENGTH, max=200)],
        description=_l("At least %(count)d characters.", count=MIN_PASSWORD_LENGTH),
    )
    confirm = PasswordField(
        _l("Repeat the password"),
        validators=[DataRequired(), EqualTo("password", message=_l("The passwords differ."))],
    )
    submit = SubmitField(_l("Join the workspace"))
