"""The bounds of `fitcheck.limits` hold at every door: the models' columns, the forms and the
API schemas use the same numbers, and every service refuses one character more (or a
threshold above the highest), whoever calls it. The rule is Python, so SQLite is enough.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from functools import cached_property
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import marshmallow as ma
import pytest
from sqlalchemy import select
from wtforms.validators import Length, NumberRange

from fitcheck import limits
from fitcheck.api.schemas.reads import CommitmentCreateSchema, PartnerQuerySchema
from fitcheck.api.schemas.requests import (
    AnswerSchema,
    AssessmentCreateSchema,
    PartnerCreateSchema,
    RespondentCreateSchema,
)
from fitcheck.extensions import db
from fitcheck.forms.auth import (
    ApiTokenForm,
    ChangePasswordForm,
    PasswordResetForm,
    PasswordResetRequestForm,
    SignInForm,
    SignUpForm,
)
from fitcheck.forms.members import InviteMemberForm, JoinForm
from fitcheck.forms.staff import (
    AssessmentForm,
    CommitmentForm,
    ContactForm,
    PartnerForm,
    RespondentForm,
    TraitForm,
    TraitSetForm,
    WorkspaceForm,
)
from fitcheck.forms.survey import DeclineForm, build_survey_form
from fitcheck.models import (
    ApiToken,
    Assessment,
    AssessmentTrait,
    Commitment,
    Contact,
    Kind,
    MemberInvitation,
    OutboxMessage,
    Partner,
    Respondent,
    Role,
    Side,
    SignUpRequest,
    Trait,
    TraitSet,
    User,
    Workspace,
)
from fitcheck.services import (
    ServiceError,
    accounts,
    api_tokens,
    assessments,
    commitments,
    members,
    partners,
    passwords,
    respondents,
    responses,
    traits,
    workspaces,
)
from fitcheck.services.answers import AnswerErrors, AnswerInput, save_answers
from fitcheck.services.listings import MAX_SEARCH
from fitcheck.services.respondents import add_respondent

from .support import PASSWORD

# --------------------------------------------------------------------------------------------
# One number everywhere
# --------------------------------------------------------------------------------------------

COLUMNS = [
    (Workspace.name, limits.WORKSPACE_NAME),
    (User.email, limits.EMAIL),
    (User.name, limits.PERSON_NAME),
    (ApiToken.name, limits.API_TOKEN_NAME),
    (SignUpRequest.email, limits.EMAIL),
    (SignUpRequest.name, limits.PERSON_NAME),
    (SignUpRequest.workspace_name, limits.WORKSPACE_NAME),
    (MemberInvitation.email, limits.EMAIL),
    (Partner.name, limits.PARTNER_NAME),
    (Partner.website, limits.PARTNER_WEBSITE),
    (Contact.name, limits.PERSON_NAME),
    (Contact.email, limits.EMAIL),
    (Contact.title, limits.CONTACT_TITLE),
    (TraitSet.name, limits.TRAIT_SET_NAME),
    (Trait.key, limits.TRAIT_KEY),
    (Trait.label_en, limits.TRAIT_LABEL),
    (Trait.label_ja, limits.TRAIT_LABEL),
    (AssessmentTrait.key, limits.TRAIT_KEY),
    (AssessmentTrait.label_en, limits.TRAIT_LABEL),
    (AssessmentTrait.label_ja, limits.TRAIT_LABEL),
    (Assessment.title, limits.ASSESSMENT_TITLE),
    (Respondent.name, limits.PERSON_NAME),
    (Respondent.email, limits.EMAIL),
    (Commitment.owner, limits.COMMITMENT_OWNER),
    (OutboxMessage.to_address, limits.EMAIL),
]


@pytest.mark.parametrize(("column", "limit"), COLUMNS, ids=lambda value: str(value))
def test_each_column_is_as_wide_as_its_limit(column, limit):
    assert column.property.columns[0].type.length == limit


# Text kept in unbounded columns: the limit is the forms', the schemas' and the services'.
TEXT_COLUMNS = [
    Partner.notes,
    Trait.description_en,
    Trait.question_other_en,
    Respondent.decline_reason,
    Commitment.action,
]


@pytest.mark.parametrize("column", TEXT_COLUMNS, ids=lambda value: str(value))
def test_long_text_columns_leave_the_limit_to_the_services(column):
    assert getattr(column.property.columns[0].type, "length", None) is None


def _survey_comment_field() -> Any:
    trait = SimpleNamespace(key="passion", text=lambda field, locale: field)
    form = build_survey_form([trait], scale_lo=1, scale_hi=5, point_labels={}, locale="en")
    return getattr(form, "passion-comment")


def _form_field(form: type[Any], name: str) -> Any:
    return getattr(form, name)


FORM_FIELDS = [
    (TraitSetForm, "name", limits.TRAIT_SET_NAME),
    (TraitForm, "label_en", limits.TRAIT_LABEL),
    (TraitForm, "label_ja", limits.TRAIT_LABEL),
    (TraitForm, "description_en", limits.TRAIT_DESCRIPTION),
    (TraitForm, "description_ja", limits.TRAIT_DESCRIPTION),
    (TraitForm, "question_other_en", limits.TRAIT_QUESTION),
    (TraitForm, "question_other_ja", limits.TRAIT_QUESTION),
    (TraitForm, "question_self_en", limits.TRAIT_QUESTION),
    (TraitForm, "question_self_ja", limits.TRAIT_QUESTION),
    (PartnerForm, "name", limits.PARTNER_NAME),
    (PartnerForm, "website", limits.PARTNER_WEBSITE),
    (PartnerForm, "notes", limits.PARTNER_NOTES),
    (ContactForm, "name", limits.PERSON_NAME),
    (ContactForm, "email", limits.EMAIL),
    (ContactForm, "title", limits.CONTACT_TITLE),
    (AssessmentForm, "title", limits.ASSESSMENT_TITLE),
    (AssessmentForm, "min_responses_per_side", limits.THRESHOLD),
    (RespondentForm, "name", limits.PERSON_NAME),
    (RespondentForm, "email", limits.EMAIL),
    (CommitmentForm, "action", limits.COMMITMENT_ACTION),
    (CommitmentForm, "owner", limits.COMMITMENT_OWNER),
    (WorkspaceForm, "name", limits.WORKSPACE_NAME),
    (SignUpForm, "workspace_name", limits.WORKSPACE_NAME),
    (SignUpForm, "name", limits.PERSON_NAME),
    (SignUpForm, "email", limits.EMAIL),
    (SignUpForm, "password", limits.PASSWORD),
    (PasswordResetRequestForm, "email", limits.EMAIL),
    (PasswordResetForm, "password", limits.PASSWORD),
    (SignInForm, "email", limits.EMAIL),
    (SignInForm, "password", limits.PASSWORD),
    (ChangePasswordForm, "current_password", limits.PASSWORD),
    (ChangePasswordForm, "new_password", limits.PASSWORD),
    (ApiTokenForm, "name", limits.API_TOKEN_NAME),
    (InviteMemberForm, "email", limits.EMAIL),
    (JoinForm, "name", limits.PERSON_NAME),
    (JoinForm, "password", limits.PASSWORD),
    (DeclineForm, "reason", limits.DECLINE_REASON),
]


@pytest.mark.parametrize(
    ("field", "limit"),
    [
        *[
            pytest.param(_form_field(form, name), limit, id=f"{form.__name__}.{name}")
            for form, name, limit in FORM_FIELDS
        ],
        pytest.param(_survey_comment_field(), limits.COMMENT, id="survey comment"),
    ],
)
def test_each_form_field_refuses_what_its_limit_refuses(field, limit):
    bounds = [
        validator.max
        for validator in field.kwargs["validators"]
        if isinstance(validator, Length | NumberRange)
    ]
    assert bounds == [limit]


SCHEMA_FIELDS = [
    (PartnerCreateSchema, "name", limits.PARTNER_NAME),
    (PartnerQuerySchema, "q", limits.PARTNER_NAME),
    (AssessmentCreateSchema, "min_responses_per_side", limits.THRESHOLD),
    (RespondentCreateSchema, "name", limits.PERSON_NAME),
    (RespondentCreateSchema, "email", limits.EMAIL),
    (AnswerSchema, "trait_key", limits.TRAIT_KEY),
    (AnswerSchema, "comment", limits.COMMENT),
    (CommitmentCreateSchema, "trait_key", limits.TRAIT_KEY),
    (CommitmentCreateSchema, "action", limits.COMMITMENT_ACTION),
    (CommitmentCreateSchema, "owner", limits.COMMITMENT_OWNER),
]


@pytest.mark.parametrize(
    ("schema", "name", "limit"),
    SCHEMA_FIELDS,
    ids=[f"{schema.__name__}.{name}" for schema, name, _ in SCHEMA_FIELDS],
)
def test_each_api_field_refuses_what_its_limit_refuses(schema, name, limit):
    field = schema().fields[name]
    bounds = [
        validator.max
        for validator in field.validators
        if isinstance(validator, ma.validate.Length | ma.validate.Range)
    ]
    assert bounds == [limit]


def test_a_partner_search_is_no_longer_than_a_partner_name():
    assert MAX_SEARCH == limits.PARTNER_NAME


# --------------------------------------------------------------------------------------------
# Every service refuses one character more, whoever calls it
# --------------------------------------------------------------------------------------------


@pytest.fixture
def database_url(tmp_path: Path, sqlite_schema: Path) -> str:
    """SQLite only: the limits are checked in Python, before anything is written."""
    copy = tmp_path / "fitcheck.sqlite3"
    shutil.copyfile(sqlite_schema, copy)
    return f"sqlite:///{copy}"


def text(length: int) -> str:
    return "x" * length


def email(length: int) -> str:
    return "x" * (length - len("@example.com")) + "@example.com"


def website(length: int) -> str:
    return "https://" + "x" * (length - len("https://"))


def _trait_text(**given: str) -> traits.TraitText:
    wording = {
        "label_en": "Care",
        "label_ja": "配慮",
        "question_other_en": "How caring is {partner}?",
        "question_other_ja": "{partner}の配慮は?",
        "question_self_en": "How caring are we?",
        "question_self_ja": "私たちの配慮は?",
    }
    return traits.TraitText(**{**wording, **given})


def _trait_set(user: User) -> TraitSet:
    found = db.session.scalar(select(TraitSet).where(TraitSet.workspace_id == user.workspace_id))
    assert found is not None
    return found


class World:
    """What the cases act on, built on demand."""

    def __init__(self, make_user: Callable[..., User], make_assessment: Callable[..., Any]):
        self.make_user = make_user
        self.make_assessment = make_assessment
        self.owner = make_user()

    @cached_property
    def partner(self) -> Partner:
        return partners.create_partner(self.owner.workspace_id, name="Aozora")

    def draft(self) -> Assessment:
        return self.make_assessment(self.owner, launch=False)[0]

    def respondent(self) -> Respondent:
        return next(iter(self.make_assessment(self.owner)[1]))

    def revealed(self) -> Assessment:
        assessment = self.make_assessment(self.owner)[0]
        return assessments.reveal(assessment)

    def invitation_token(self) -> str:
        invitation = members.invite_member(self.owner, email="new@example.com", role=Role.MEMBER)
        return members.link_token(invitation)


def _create_partner(world: World, field: str, value: str) -> Any:
    given = {"name": "Aozora", **{field: value}}
    return partners.create_partner(world.owner.workspace_id, **given)


def _update_partner(world: World, field: str, value: str) -> Any:
    given = {"name": "Aozora", **{field: value}}
    return partners.update_partner(world.partner, **given)


def _add_contact(world: World, field: str, value: str) -> Any:
    given = {"name": "Sato", **{field: value}}
    return partners.add_contact(world.partner, **given)


def _trait_set_fields(field: str, value: str) -> dict[str, Any]:
    return {
        "name": value,
        "scale_lo": 1,
        "scale_hi": 2,
        "point_labels": {"en": ["low", "high"], "ja": ["低", "高"]},
    }


def _create_trait_set(world: World, field: str, value: str) -> Any:
    return traits.create_trait_set(world.owner.workspace_id, **_trait_set_fields(field, value))


def _update_trait_set(world: World, field: str, value: str) -> Any:
    return traits.update_trait_set(_trait_set(world.owner), **_trait_set_fields(field, value))


def _add_trait(world: World, field: str, value: str) -> Any:
    return traits.add_trait(_trait_set(world.owner), _trait_text(**{field: value}))


def _update_trait(world: World, field: str, value: str) -> Any:
    trait = _trait_set(world.owner).active_traits[0]
    return traits.update_trait(trait, _trait_text(**{field: value}))


def _create_assessment(world: World, field: str, value: Any) -> Any:
    owner = world.owner
    return assessments.create_assessment(
        world.partner, _trait_set(owner), kind=Kind.PRE_CONTRACT, **{field: value}
    )


def _update_draft(world: World, field: str, value: Any) -> Any:
    draft = world.draft()
    settings: dict[str, Any] = {
        "kind": draft.kind,
        "deadline": None,
        "reveal_policy": draft.reveal_policy,
        "min_responses_per_side": 1,
        "share_with_client": True,
        field: value,
    }
    return assessments.update_draft(draft, _trait_set(world.owner), **settings)


def _add_respondent(world: World, field: str, value: str) -> Any:
    given = {"name": "Sato", **{field: value}}
    return add_respondent(world.draft(), side=Side.CLIENT, **given)


def _decline(world: World, field: str, value: str) -> Any:
    return responses.decline(world.respondent(), value)


def _add_commitment(world: World, field: str, value: str) -> Any:
    revealed = world.revealed()
    given = {"action": "Call weekly", "owner": "", **{field: value}}
    return commitments.add_commitment(
        revealed, trait_id=revealed.traits[0].id, side=Side.COMPANY, **given
    )


def _create_token(world: World, field: str, value: str) -> Any:
    return api_tokens.create_token(world.owner, value)


def _sign_up(world: World, field: str, value: str) -> Any:
    given = {"workspace_name": "Kaze", "name": "Mori", "email": "mori@example.com", field: value}
    return accounts.sign_up(**given, password=PASSWORD)


def _request_sign_up(world: World, field: str, value: str) -> Any:
    given = {"workspace_name": "Kaze", "name": "Mori", "email": "mori@example.com", field: value}
    return accounts.request_sign_up(**given, password=PASSWORD, locale="en")


def _create_user(world: World, field: str, value: str) -> Any:
    given = {"workspace_name": "Kaze", "name": "Mori", "email": "mori@example.com", field: value}
    return accounts.create_user(**given, password=PASSWORD)


def _invite_member(world: World, field: str, value: str) -> Any:
    return members.invite_member(world.owner, email=value, role=Role.MEMBER)


def _accept_invitation(world: World, field: str, value: str) -> Any:
    given = {"name": "Mori", "password": PASSWORD, field: value}
    return members.accept_invitation(world.invitation_token(), **given)


def _rename_workspace(world: World, field: str, value: str) -> Any:
    return workspaces.rename_workspace(world.owner.workspace, value)


def _check_password(world: World, field: str, value: str) -> Any:
    return passwords.check_password(value)


# (case, service call, field, limit, value of a given length)
CASES = [
    ("create_partner", _create_partner, "name", limits.PARTNER_NAME, text),
    ("create_partner", _create_partner, "website", limits.PARTNER_WEBSITE, website),
    ("create_partner", _create_partner, "notes", limits.PARTNER_NOTES, text),
    ("update_partner", _update_partner, "name", limits.PARTNER_NAME, text),
    ("update_partner", _update_partner, "website", limits.PARTNER_WEBSITE, website),
    ("update_partner", _update_partner, "notes", limits.PARTNER_NOTES, text),
    ("add_contact", _add_contact, "name", limits.PERSON_NAME, text),
    ("add_contact", _add_contact, "email", limits.EMAIL, email),
    ("add_contact", _add_contact, "title", limits.CONTACT_TITLE, text),
    ("create_trait_set", _create_trait_set, "name", limits.TRAIT_SET_NAME, text),
    ("update_trait_set", _update_trait_set, "name", limits.TRAIT_SET_NAME, text),
    ("add_trait", _add_trait, "label_en", limits.TRAIT_LABEL, text),
    ("add_trait", _add_trait, "label_ja", limits.TRAIT_LABEL, text),
    ("add_trait", _add_trait, "description_en", limits.TRAIT_DESCRIPTION, text),
    ("add_trait", _add_trait, "question_other_ja", limits.TRAIT_QUESTION, text),
    ("update_trait", _update_trait, "label_ja", limits.TRAIT_LABEL, text),
    ("update_trait", _update_trait, "description_ja", limits.TRAIT_DESCRIPTION, text),
    ("update_trait", _update_trait, "question_self_en", limits.TRAIT_QUESTION, text),
    ("create_assessment", _create_assessment, "title", limits.ASSESSMENT_TITLE, text),
    ("update_draft", _update_draft, "title", limits.ASSESSMENT_TITLE, text),
    ("add_respondent", _add_respondent, "name", limits.PERSON_NAME, text),
    ("add_respondent", _add_respondent, "email", limits.EMAIL, email),
    ("decline", _decline, "reason", limits.DECLINE_REASON, text),
    ("add_commitment", _add_commitment, "action", limits.COMMITMENT_ACTION, text),
    ("add_commitment", _add_commitment, "owner", limits.COMMITMENT_OWNER, text),
    ("create_token", _create_token, "name", limits.API_TOKEN_NAME, text),
    ("sign_up", _sign_up, "workspace_name", limits.WORKSPACE_NAME, text),
    ("sign_up", _sign_up, "name", limits.PERSON_NAME, text),
    ("sign_up", _sign_up, "email", limits.EMAIL, email),
    ("request_sign_up", _request_sign_up, "workspace_name", limits.WORKSPACE_NAME, text),
    ("request_sign_up", _request_sign_up, "name", limits.PERSON_NAME, text),
    ("request_sign_up", _request_sign_up, "email", limits.EMAIL, email),
    ("create_user", _create_user, "workspace_name", limits.WORKSPACE_NAME, text),
    ("create_user", _create_user, "name", limits.PERSON_NAME, text),
    ("create_user", _create_user, "email", limits.EMAIL, email),
    ("invite_member", _invite_member, "email", limits.EMAIL, email),
    ("accept_invitation", _accept_invitation, "name", limits.PERSON_NAME, text),
    ("rename_workspace", _rename_workspace, "name", limits.WORKSPACE_NAME, text),
    ("check_password", _check_password, "password", limits.PASSWORD, text),
]


@pytest.fixture
def world(make_user, make_assessment) -> World:
    return World(make_user, make_assessment)


@pytest.mark.parametrize(
    ("call", "field", "limit", "value"),
    [pytest.param(*case[1:], id=f"{case[0]}.{case[2]}") for case in CASES],
)
def test_a_service_refuses_one_character_more_than_its_limit(world, call, field, limit, value):
    with pytest.raises(ServiceError) as refused:
        call(world, field, value(limit + 1))
    assert refused.value.field == field
    assert f"at most {limit} characters" in str(refused.value.message)
    db.session.rollback()


@pytest.mark.parametrize(
    ("call", "field", "limit", "value"),
    [pytest.param(*case[1:], id=f"{case[0]}.{case[2]}") for case in CASES],
)
def test_a_service_takes_text_as_long_as_its_limit(world, call, field, limit, value):
    call(world, field, value(limit))


@pytest.mark.parametrize("call", [_create_assessment, _update_draft], ids=["create", "update"])
def test_the_threshold_is_one_to_the_highest(world, call):
    for refused in (0, limits.THRESHOLD + 1, True):
        with pytest.raises(ServiceError) as error:
            call(world, "min_responses_per_side", refused)
        assert error.value.field == "min_responses_per_side"
        db.session.rollback()
    assert call(world, "min_responses_per_side", limits.THRESHOLD).min_responses_per_side == 50


def test_a_comment_one_character_too_long_saves_none_of_the_answers(world):
    respondent = world.respondent()
    assessment = respondent.assessment
    answers = [
        AnswerInput(trait_key=trait.key, other=3, self_=3, comment=text(limits.COMMENT))
        for trait in assessment.traits
    ]
    too_long = AnswerInput(
        trait_key=answers[0].trait_key, other=3, self_=3, comment=text(limits.COMMENT + 1)
    )

    with pytest.raises(AnswerErrors) as refused:
        save_answers(respondent, [too_long, *answers[1:]], submit=True)
    assert set(refused.value.errors) == {too_long.trait_key}
    assert (
        f"at most {limits.COMMENT} characters"
        in refused.value.errors[too_long.trait_key]["comment"]
    )
    db.session.rollback()
    assert respondent.answers == [] and respondent.submitted_at is None

    save_answers(respondent, answers, submit=True)
    assert respondent.submitted_at is not None


def test_a_side_takes_respondents_up_to_its_limit_withdrawn_ones_aside(world, monkeypatch):
    monkeypatch.setattr(limits, "RESPONDENTS_PER_SIDE", 3)
    draft = world.draft()
    invited = [r for r in draft.respondents if r.side is Side.CLIENT]
    for number in range(3 - len(invited)):
        add_respondent(draft, side=Side.CLIENT, name=f"Client {number}")
    with pytest.raises(ServiceError, match="at most 3 respondents"):
        add_respondent(draft, side=Side.CLIENT, name="One too many")
    add_respondent(draft, side=Side.COMPANY, name="The other side is its own count")
    first = next(r for r in draft.respondents if r.side is Side.CLIENT)
    respondents.withdraw_respondent(first)
    added, _token = add_respondent(draft, side=Side.CLIENT, name="In the withdrawn one's place")
    assert added.id is not None
