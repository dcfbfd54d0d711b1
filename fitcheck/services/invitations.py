"""Invitations and reminders: the respondent's personal link, mailed in their language.

Each mail is written by a pair of templates, `templates/mail/<name>.txt` (which also sets
`subject` at its top) and `templates/mail/<name>.html`, rendered under the respondent's
locale with `flask_babel.force_locale`.

The mail server is not part of the database transaction, so a respondent's `invited_at` or
`reminded_at` is committed right after their mail has left. A failure part-way through a
batch then leaves a true record: what was sent is recorded, the rest is not, and sending
again reaches only those still waiting. A failed mail raises `fitcheck.mail.MailError`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flask import current_app, url_for
from flask_babel import force_locale, format_datetime
from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, func, select

from ..extensions import db
from ..i18n import supported_locales
from ..mail import MailError, send_mail
from ..models import Assessment, AssessmentTrait, Respondent, Side, State, utcnow
from . import ServiceError
from .assessments import link_token

# The respondent's start page, /r/<token> (fitcheck.views.respond).
RESPOND_ENDPOINT = "respond.start"
# What "how long it takes" promises: two ratings and an optional importance per trait, the
# same estimate as the respondent's start page gives.
MINUTES_PER_TRAIT = 1


@dataclass(frozen=True)
class _Round:
    """What every mail of one assessment says, looked up once per batch."""

    company: str
    partner: str
    deadline: datetime | None
    minutes: int


def invitation_url(respondent: Respondent) -> str:
    """The absolute URL of the respondent's personal link, `/r/<token>`.

    Outside a request (the CLI, a worker) Flask needs SERVER_NAME to build it.
    """
    return url_for(RESPOND_ENDPOINT, token=link_token(respondent), _external=True)


def send_invitation(respondent: Respondent, *, now: datetime | None = None) -> None:
    """Mail the respondent their invitation (again, if asked twice) and record when."""
    moment = now or utcnow()
    assessment = respondent.assessment
    _check_collecting(assessment, moment, _l("Launch the assessment before inviting anyone."))
    _check_reachable(respondent)
    _mail(respondent, "invitation", _round_of(assessment))
    respondent.invited_at = moment
    db.session.commit()


def send_invitations(assessment: Assessment, *, now: datetime | None = None) -> int:
    """Invite everyone with an email who has not been invited yet; return how many."""
    moment = now or utcnow()
    _check_collecting(assessment, moment, _l("Launch the assessment before inviting anyone."))
    pending = list(
        db.session.scalars(_still_waiting(assessment).where(Respondent.invited_at.is_(None)))
    )
    details = _round_of(assessment)
    for sent, respondent in enumerate(pending):
        _mail_one_of_many(respondent, "invitation", details, sent, len(pending))
        respondent.invited_at = moment
        db.session.commit()  # see the module docstring
    return len(pending)


def send_reminders(assessment: Assessment, *, now: datetime | None = None) -> int:
    """Remind everyone with an email who has neither submitted nor declined; return how many.

    Withdrawn respondents are never reminded.
    """
    moment = now or utcnow()
    _check_collecting(
        assessment, moment, _l("Reminders can be sent once the assessment is launched.")
    )
    pending = list(db.session.scalars(_still_waiting(assessment)))
    details = _round_of(assessment)
    for sent, respondent in enumerate(pending):
        _mail_one_of_many(respondent, "reminder", details, sent, len(pending))
        respondent.reminded_at = moment
        respondent.reminder_count += 1
        db.session.commit()  # see the module docstring
    return len(pending)


def _check_collecting(assessment: Assessment, moment: datetime, draft_message: Any) -> None:
    if assessment.state is State.DRAFT:
        raise ServiceError(draft_message)
    if assessment.state is not State.COLLECTING:
        raise ServiceError(_l("This assessment is not collecting answers."))
    if assessment.deadline is not None and moment > assessment.deadline:
        raise ServiceError(
            _l("The deadline has passed: extend it before sending invitations or reminders.")
        )


def _check_reachable(respondent: Respondent) -> None:
    if not respondent.email:
        raise ServiceError(_l("%(name)s has no email address.", name=respondent.name), "email")
    if respondent.withdrawn_at is not None:
        raise ServiceError(_l("This invitation was withdrawn."))
    if respondent.submitted_at is not None:
        raise ServiceError(_l("%(name)s has already submitted.", name=respondent.name))
    if respondent.declined_at is not None:
        raise ServiceError(_l("%(name)s has declined to take part.", name=respondent.name))


def _still_waiting(assessment: Assessment) -> Select[Respondent]:
    """Respondents with an email who still owe their answers."""
    return (
        select(Respondent)
        .where(
            Respondent.assessment_id == assessment.id,
            Respondent.email.is_not(None),
            Respondent.email != "",
            Respondent.withdrawn_at.is_(None),
            Respondent.submitted_at.is_(None),
            Respondent.declined_at.is_(None),
        )
        .order_by(Respondent.id)
    )


def _round_of(assessment: Assessment) -> _Round:
    traits = db.session.scalar(
        select(func.count(AssessmentTrait.id)).where(AssessmentTrait.assessment_id == assessment.id)
    )
    partner = assessment.partner
    return _Round(
        company=partner.workspace.name,
        partner=partner.name,
        deadline=assessment.deadline,
        minutes=max(1, (traits or 0) * MINUTES_PER_TRAIT),
    )


def _locale_of(respondent: Respondent) -> str:
    if respondent.locale in supported_locales():
        return str(respondent.locale)
    return str(current_app.config.get("BABEL_DEFAULT_LOCALE", "en"))


def _mail(respondent: Respondent, name: str, details: _Round) -> None:
    """Render `mail/<name>.txt` and `.html` in the respondent's language and send them."""
    assert respondent.email  # checked by the callers, with a message for people
    locale = _locale_of(respondent)
    own, other = (
        (details.company, details.partner)
        if respondent.side is Side.COMPANY
        else (details.partner, details.company)
    )
    with force_locale(locale):
        context: dict[str, Any] = {
            "locale": locale,
            "name": respondent.name,
            "company": details.company,
            "partner": details.partner,
            "own_side": own,
            "other_side": other,
            "deadline": format_datetime(details.deadline, "full") if details.deadline else None,
            "minutes": details.minutes,
            "draft_saved": respondent.draft_saved_at is not None,
            "url": invitation_url(respondent),
        }
        subject, text = _render(f"mail/{name}.txt", context)
        _, html = _render(f"mail/{name}.html", {**context, "subject": subject})
    send_mail(respondent.email, subject, text, html)


def _mail_one_of_many(
    respondent: Respondent, name: str, details: _Round, sent: int, total: int
) -> None:
    """`_mail`, telling staff how far a batch got when the mail server fails in its middle."""
    try:
        _mail(respondent, name, details)
    except MailError as error:
        if not sent:
            raise
        raise MailError(
            _l(
                "The mail server failed after %(sent)d of %(total)d emails; "
                "the others were not sent. Please try again later.",
                sent=sent,
                total=total,
            )
        ) from error


def _render(template_name: str, context: dict[str, Any]) -> tuple[str, str]:
    """The template's `subject` (set at its top) and its body."""
    template = current_app.jinja_env.get_template(template_name)
    module = template.make_module(context)
    subject = " ".join(str(getattr(module, "subject", "")).split())
    return subject, str(module).strip() + "\n"
