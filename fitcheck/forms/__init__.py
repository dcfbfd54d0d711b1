"""FlaskForm classes, one module per area. Forms check shape; rules that need the database
live in services and come back as field errors.

Every form derives from `base.FlaskForm`, which applies the text rule of `fitcheck.text`
(no control characters) to every field people type into, whatever the form."""

from .auth import (
    ApiTokenForm,
    ChangePasswordForm,
    LanguageForm,
    SignInForm,
    SignOutForm,
    SignUpForm,
)
from .members import InviteMemberForm, JoinForm, RoleForm
from .staff import (
    ActionForm,
    AssessmentForm,
    CommitmentForm,
    ContactForm,
    DeadlineForm,
    OutcomeForm,
    OutcomeImportForm,
    PartnerForm,
    PickRespondentsForm,
    RespondentForm,
    TraitForm,
    TraitSetForm,
)
from .survey import DeclineForm, SurveyForm, build_survey_form

__all__ = [
    "ActionForm",
    "ApiTokenForm",
    "AssessmentForm",
    "ChangePasswordForm",
    "CommitmentForm",
    "ContactForm",
    "DeadlineForm",
    "DeclineForm",
    "InviteMemberForm",
    "JoinForm",
    "LanguageForm",
    "OutcomeForm",
    "OutcomeImportForm",
    "PartnerForm",
    "PickRespondentsForm",
    "RespondentForm",
    "RoleForm",
    "SignInForm",
    "SignOutForm",
    "SignUpForm",
    "SurveyForm",
    "TraitForm",
    "TraitSetForm",
    "build_survey_form",
]
