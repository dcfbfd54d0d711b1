"""Forms of /members (inviting, changing a role) and of the join page a member's invitation
leads to."""

from __future__ import annotations

from wtforms import EmailField, PasswordField, SelectChoice, SelectField, StringField, SubmitField
from wtforms.validators import DataRequired, Email, EqualTo, Length

from .. import limits
from ..i18n import lazy_gettext as _l
from ..models import Role
from ..services.passwords import MIN_PASSWORD_LENGTH
from .base import FlaskForm

# How a role is named on every page; the stored value is the Role's.
ROLE_LABELS = {Role.OWNER: _l("Owner"), Role.MEMBER: _l("Member")}
ROLE_CHOICES = [SelectChoice(role.value, ROLE_LABELS[role]) for role in (Role.MEMBER, Role.OWNER)]


def _strip(value: str | None) -> str | None:
    return value.strip() if isinstance(value, str) else value


class InviteMemberForm(FlaskForm):
    email = EmailField(
        _l("Email"),
        filters=[_strip],
        validators=[DataRequired(), Email(), Length(max=limits.EMAIL)],
    )
    role = SelectField(
        _l("Role"),
        choices=ROLE_CHOICES,
        default=Role.MEMBER.value,
        description=_l(
            "Members work with partners, assessments and their results. Owners also manage "
            "members, roles, the workspace's settings and deletions."
        ),
    )
    submit = SubmitField(_l("Send invitation"))


class RoleForm(FlaskForm):
    """Change one member's role, on their row of /members."""

    role = SelectField(_l("Role"), choices=ROLE_CHOICES)


class JoinForm(FlaskForm):
    name = StringField(_l("Your name"), validators=[DataRequired(), Length(max=limits.PERSON_NAME)])
    password = PasswordField(
        _l("Password"),
        validators=[DataRequired(), Length(min=MIN_PASSWORD_LENGTH, max=limits.PASSWORD)],
        description=_l("At least %(count)d characters.", count=MIN_PASSWORD_LENGTH),
    )
    confirm = PasswordField(
        _l("Repeat the password"),
        validators=[DataRequired(), EqualTo("password", message=_l("The passwords differ."))],
    )
    submit = SubmitField(_l("Join the workspace"))
