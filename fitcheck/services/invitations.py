"""Invitations and reminders: the respondent's personal link, mailed in their language.

Inviting queues a mail in the outbox in the same transaction that records the invitation
(`fitcheck.services.outbox`); the worker sends it. Each mail is written by a pair of
templates, `templates/mail/<name>.txt` (which also sets `subject` at its top) and
`templates/mail/<name>.html`, rendered in the respondent's locale when the worker sends
it, so the link it carries is rebuilt then and never stored.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask import current_app
from sqlalchemy import Select, func, select

from ..extensions import db
from ..i18n import lazy_gettext as _l
from ..i18n import supported_locales
from ..models import (
    Assessment,
    AssessmentTrait,
    MailStatus,
    OutboxMessage,
    Respondent,
    Side,
    State,
    utcnow,
)
from ..tokens import invitation_token
from ..urls import external_url
from . import ServiceError, outbox
from .dates import format_datetime
from .outbox import Rendered

# The respondent's start page, /r/<token> (fitcheck.views.respond).
RESPOND_ENDPOINT = "respond.start"
# What "how long it takes" promises: two ratings and an optional importance per trait, the
# same estimate as the respondent's start page gives.
MINUTES_PER_TRAIT = 1
# The kinds of mail a respondent gets about answering (the progress page shows their state).
RESPONDENT_MAIL = ("invitation", "reminder", "results_ready")


def link_token(respondent: Respondent) -> str:
    """The token of the respondent's personal link, rebuilt from its nonce."""
    return invitation_token(current_app.config["SECRET_KEY"], respondent.token_nonce)


def invitation_url(respondent: Respondent) -> str:
    """The absolute URL of the respondent's personal link, `/r/<token>`, under BASE_URL."""
    return external_url(RESPOND_ENDPOINT, token=link_token(respondent))


def send_invitation(respondent: Respondent, *, now: datetime | None = None) -> None:
    """Queue the respondent's invitation (again, if asked twice) and record when."""
    moment = now or utcnow()
    assessment = respondent.assessment
    _check_collecting(assessment, moment, _l("Launch the assessment before inviting anyone."))
    _check_reachable(respondent)
    queue_mail(respondent, "invitation", now=moment)
    respondent.invited_at = moment
    db.session.commit()


def queue_invitations(assessment: Assessment, *, now: datetime | None = None) -> int:
    """Queue an invitation for everyone with an email not invited yet, in the caller's
    transaction; return how many."""
    moment = now or utcnow()
    pending = list(
        db.session.scalars(_still_waiting(assessment).where(Respondent.invited_at.is_(None)))
    )
    for respondent in pending:
        queue_mail(respondent, "invitation", now=moment)
        respondent.invited_at = moment
    return len(pending)


def send_invitations(assessment: Assessment, *, now: datetime | None = None) -> int:
    """Invite everyone with an email who has not been invited yet; return how many."""
    moment = now or utcnow()
    _check_collecting(assessment, moment, _l("Launch the assessment before inviting anyone."))
    count = queue_invitations(assessment, now=moment)
    db.session.commit()
    return count


def send_reminders(assessment: Assessment, *, now: datetime | None = None) -> int:
    """Remind everyone with an email who has neither submitted nor declined; return how many.

    Withdrawn respondents are never reminded.
    """
    moment = now or utcnow()
    _check_collecting(
        assessment, moment, _l("Reminders can be sent once the assessment is launched.")
    )
    count = queue_reminders(assessment, now=moment)
    db.session.commit()
    return count


def queue_reminders(assessment: Assessment, *, now: datetime, slot: int | None = None) -> int:
    """Queue a reminder for everyone still owing answers, in the caller's transaction.

    `slot`: the automatic reminder's days before the deadline; each respondent gets at
    most one reminder per slot (the outbox's dedupe key holds it).
    """
    count = 0
    for respondent in db.session.scalars(_still_waiting(assessment)):
        key = None if slot is None else f"reminder:{respondent.id}:{slot}d"
        if key is not None and outbox.already_queued(key):
            continue
        queue_mail(respondent, "reminder", now=now, dedupe_key=key)
        respondent.reminded_at = now
        respondent.reminder_count += 1
        count += 1
    return count


def queue_mail(
    respondent: Respondent, kind: str, *, now: datetime, dedupe_key: str | None = None
) -> OutboxMessage:
    assert respondent.email  # checked by the callers, with a message for people
    return outbox.enqueue(
        kind,
        to=respondent.email,
        locale=respondent.locale,
        workspace_id=respondent.workspace_id,
        payload={"respondent_id": respondent.id},
        respondent_id=respondent.id,
        dedupe_key=dedupe_key,
        now=now,
    )


def mail_states(assessment: Assessment) -> dict[int, OutboxMessage]:
    """Each respondent's latest mail of this assessment, by respondent id (one query)."""
    rows = db.session.scalars(
        select(OutboxMessage)
        .join(Respondent, Respondent.id == OutboxMessage.respondent_id)
        .where(
            Respondent.assessment_id == assessment.id,
            OutboxMessage.kind.in_(RESPONDENT_MAIL),
        )
        .order_by(OutboxMessage.created_at, OutboxMessage.id)
    )
    return {row.respondent_id: row for row in rows if row.respondent_id is not None}


def find_mail(assessment: Assessment, message_id: int) -> OutboxMessage | None:
    """A respondent's mail of this assessment (and so of its workspace), or None."""
    return db.session.scalar(
        select(OutboxMessage)
        .join(Respondent, Respondent.id == OutboxMessage.respondent_id)
        .where(
            OutboxMessage.id == message_id,
            Respondent.assessment_id == assessment.id,
            Respondent.workspace_id == assessment.workspace_id,
        )
    )


def resend(message: OutboxMessage) -> None:
    """Staff's "send again" on a failed mail: a fresh set of tries, same Message-ID."""
    if message.status is not MailStatus.FAILED:
        raise ServiceError(_l("Only a mail that failed can be sent again."))
    outbox.requeue(message)
    db.session.commit()


def render_invitation(message: OutboxMessage) -> Rendered | None:
    respondent = _still_expected(message)
    return None if respondent is None else _render(respondent, "invitation")


def render_reminder(message: OutboxMessage) -> Rendered | None:
    respondent = _still_expected(message)
    if respondent is None or respondent.submitted_at or respondent.declined_at:
        return None
    return _render(respondent, "reminder")


def _still_expected(message: OutboxMessage) -> Respondent | None:
    """The respondent, if they are still asked to answer."""
    respondent = db.session.get(Respondent, message.payload.get("respondent_id", -1))
    if respondent is None or respondent.withdrawn_at is not None:
        return None
    if respondent.assessment.state is not State.COLLECTING:
        return None
    return respondent


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


def _minutes(assessment: Assessment) -> int:
    traits = db.session.scalar(
        select(func.count(AssessmentTrait.id)).where(AssessmentTrait.assessment_id == assessment.id)
    )
    return max(1, (traits or 0) * MINUTES_PER_TRAIT)


def locale_of(respondent: Respondent) -> str:
    if respondent.locale in supported_locales():
        return str(respondent.locale)
    return str(current_app.config.get("BABEL_DEFAULT_LOCALE", "en"))


def respondent_context(respondent: Respondent) -> dict[str, Any]:
    """What every mail to a respondent can say: names from their side, their link."""
    assessment = respondent.assessment
    company = assessment.partner.workspace.name
    partner = assessment.partner.name
    own, other = (company, partner) if respondent.side is Side.COMPANY else (partner, company)
    return {
        "locale": locale_of(respondent),
        "name": respondent.name,
        "company": company,
        "partner": partner,
        "own_side": own,
        "other_side": other,
        "deadline": (
            format_datetime(assessment.deadline, "full", zone=True) if assessment.deadline else None
        ),
        "minutes": _minutes(assessment),
        "draft_saved": respondent.draft_saved_at is not None,
        "url": invitation_url(respondent),
    }


def _render(respondent: Respondent, name: str) -> Rendered:
    from .mailings import render_templates

    return render_templates(name, respondent_context(respondent))
