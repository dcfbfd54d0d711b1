"""The mail outbox: mail is written to the database with what caused it, and sent by the
worker, never inside a web request.

`enqueue()` adds a row to the caller's transaction: an invitation is queued if and only if
the launch that caused it commits. After a commit that queued mail, the worker is woken
(see `fitcheck.tasks`); if the queue cannot be reached, the worker's minute tick finds the
row anyway.

`deliver_due()` is what the worker runs. It claims one row at a time with a conditional
update (a lease, `claimed_until`), renders it, sends it, and records the outcome in its own
commit. So two workers never send the same row; a worker killed mid-batch leaves every
sent row recorded, and only the row it was sending is sent again once its lease runs out,
with the same Message-ID. A failure is retried with a growing delay; after
MAX_ATTEMPTS, or at once for an address the server refuses for good, the row is `failed`
with a reason staff can read.

The mail itself is rendered when it is sent, by the renderer of its `kind` (a module that
owns that mail: invitations, members, …), in the row's locale and with links to BASE_URL.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.utils import make_msgid
from typing import Any
from urllib.parse import urlsplit

from flask import current_app
from flask_babel import force_locale
from sqlalchemy import event, or_, select, update
from sqlalchemy.orm import Session

from ..extensions import db
from ..i18n import lazy_gettext as _l
from ..mail import MailError, send_message
from ..models import MailStatus, OutboxMessage, utcnow

MAX_ATTEMPTS = 8
# Delay before try n+1 after n failures: 1 min, 2, 4, … capped at 6 hours.
FIRST_RETRY = timedelta(minutes=1)
LONGEST_RETRY = timedelta(hours=6)
# How long a worker may take to send one mail before another may try it.
LEASE = timedelta(minutes=2)
WAKE_FLAG = "fitcheck.outbox.wake"


@dataclass(frozen=True)
class Rendered:
    subject: str
    text: str
    html: str | None = None


Renderer = Callable[[OutboxMessage], Rendered | None]


def enqueue(
    kind: str,
    *,
    to: str,
    locale: str | None,
    workspace_id: int | None,
    payload: dict[str, Any] | None = None,
    respondent_id: int | None = None,
    dedupe_key: str | None = None,
    now: datetime | None = None,
) -> OutboxMessage:
    """Queue one mail in the current transaction; the caller commits."""
    if kind not in renderers():
        raise ValueError(f"no renderer for mail kind {kind!r}")
    message = OutboxMessage(
        workspace_id=workspace_id,
        kind=kind,
        to_address=to,
        locale=locale if locale in current_app.config["LANGUAGES"] else _default_locale(),
        payload=payload or {},
        respondent_id=respondent_id,
        dedupe_key=dedupe_key,
        message_id=make_msgid(domain=_sender_domain()),
        next_attempt_at=now or utcnow(),
    )
    db.session.add(message)
    db.session.info[WAKE_FLAG] = True
    return message


def already_queued(dedupe_key: str) -> bool:
    return (
        db.session.scalar(select(OutboxMessage.id).where(OutboxMessage.dedupe_key == dedupe_key))
        is not None
    )


def requeue(message: OutboxMessage, *, now: datetime | None = None) -> None:
    """Staff asked to send a failed (or any unsent) mail again: a fresh set of tries."""
    if message.status is MailStatus.SENT:
        return
    message.status = MailStatus.QUEUED
    message.attempts = 0
    message.last_error = ""
    message.next_attempt_at = now or utcnow()
    message.claimed_until = None
    db.session.info[WAKE_FLAG] = True


def retry_delay(attempts: int) -> timedelta:
    """How long to wait after the `attempts`-th failure."""
    delay: timedelta = FIRST_RETRY * 2 ** max(0, attempts - 1)
    return min(delay, LONGEST_RETRY)


def deliver_due(*, now: Callable[[], datetime] = utcnow, limit: int | None = None) -> int:
    """Send every queued mail whose time has come, one claimed row at a time; return the
    number sent. Safe to run in many workers at once."""
    sent = 0
    for message_id in _due_ids(now(), limit):
        if deliver(message_id, now=now):
            sent += 1
    return sent


def deliver(message_id: int, *, now: Callable[[], datetime] = utcnow) -> bool:
    """Claim, render, send and record one message. False if another worker has it, it is
    not due, or it failed this time."""
    if not _claim(message_id, now()):
        return False
    message = db.session.get(OutboxMessage, message_id)
    if message is None:  # pragma: no cover - deleted between claim and read
        return False
    try:
        rendered = render(message)
        if rendered is None:
            # No longer needed (already answered, withdrawn, deleted): nothing to send.
            _finish(message, MailStatus.CANCELLED, "", now())
            return False
        send_message(
            to=message.to_address,
            subject=rendered.subject,
            text=rendered.text,
            html=rendered.html,
            message_id=message.message_id,
        )
    except MailError as error:
        db.session.rollback()
        _failed(message_id, error, now())
        return False
    except Exception:
        db.session.rollback()
        current_app.logger.exception("Mail %s could not be rendered", message_id)
        _failed(message_id, MailError(_l("The email could not be prepared.")), now(), final=True)
        return False
    _finish(message, MailStatus.SENT, "", now())
    return True


def render(message: OutboxMessage) -> Rendered | None:
    with force_locale(message.locale):
        return renderers()[message.kind](message)


def renderers() -> dict[str, Renderer]:
    """Every kind of mail and the function that writes it."""
    from . import mailings

    return mailings.renderers()


def _due_ids(moment: datetime, limit: int | None) -> Iterator[int]:
    query = (
        select(OutboxMessage.id)
        .where(
            OutboxMessage.status == MailStatus.QUEUED,
            OutboxMessage.next_attempt_at <= moment,
            or_(OutboxMessage.claimed_until.is_(None), OutboxMessage.claimed_until < moment),
        )
        .order_by(OutboxMessage.next_attempt_at, OutboxMessage.id)
        .limit(limit)
    )
    ids = list(db.session.scalars(query))
    db.session.rollback()  # end the read: every claim below is its own transaction
    yield from ids


def _claim(message_id: int, moment: datetime) -> bool:
    result = db.session.execute(
        update(OutboxMessage)
        .where(
            OutboxMessage.id == message_id,
            OutboxMessage.status == MailStatus.QUEUED,
            OutboxMessage.next_attempt_at <= moment,
            or_(OutboxMessage.claimed_until.is_(None), OutboxMessage.claimed_until < moment),
        )
        .values(claimed_until=moment + LEASE)
        .execution_options(synchronize_session=False)
    )
    db.session.commit()
    return bool(result.rowcount)  # type: ignore[attr-defined]


def _finish(message: OutboxMessage, status: MailStatus, reason: str, moment: datetime) -> None:
    message.status = status
    message.claimed_until = None
    message.last_error = reason
    if status is MailStatus.SENT:
        message.sent_at = moment
    message.attempts += 1
    db.session.commit()


def _failed(message_id: int, error: MailError, moment: datetime, *, final: bool = False) -> None:
    message = db.session.get(OutboxMessage, message_id)
    if message is None:  # pragma: no cover
        return
    message.attempts += 1
    message.claimed_until = None
    with force_locale("en"):
        message.last_error = str(error.message)
    if final or error.permanent or message.attempts >= MAX_ATTEMPTS:
        message.status = MailStatus.FAILED
    else:
        message.next_attempt_at = moment + retry_delay(message.attempts)
    db.session.commit()


def _default_locale() -> str:
    return str(current_app.config.get("BABEL_DEFAULT_LOCALE", "en"))


def _sender_domain() -> str:
    from email.utils import parseaddr

    sender = current_app.config.get("MAIL_DEFAULT_SENDER") or ""
    domain = parseaddr(sender)[1].rpartition("@")[2]
    return domain or urlsplit(current_app.config.get("BASE_URL", "")).hostname or "localhost"


def _wake_after_commit(session: Session) -> None:
    if not session.info.pop(WAKE_FLAG, False):
        return
    wake = current_app.extensions.get("fitcheck.wake_outbox")
    if wake is not None:
        wake()


def _forget_after_rollback(session: Session, _previous: Any) -> None:
    session.info.pop(WAKE_FLAG, None)


def listen_for_commits() -> None:
    """Wake the worker after a commit that queued mail (bound once, at app creation)."""
    if not event.contains(db.session, "after_commit", _wake_after_commit):
        event.listen(db.session, "after_commit", _wake_after_commit)
        event.listen(db.session, "after_soft_rollback", _forget_after_rollback)
