"""Scheduled work, run by the worker's tick once a minute; every step is safe to repeat,
and safe to run in several workers on several machines at once.

- rounds revealed at their deadline reveal themselves when both sides reached k; below k
  they stay sealed and their owner is told, once per deadline;
- those who have not answered are reminded the chosen days before the deadline, once per
  slot, never for a slot already past at launch;
- on Monday from 09:00 (the app's timezone), the weekly digest of commitments, once a week;
- mail whose time has come (first tries and retries) leaves the outbox;
- sign-up requests (which hold a password hash) and password resets are deleted a day
  after their link expired.

Nothing here reads and then writes without a guard: a state changes by a conditional
UPDATE (only one worker matches), periodic work inserts a `ScheduleMark` first (its key is
the lock: a second insert fails), and mail carries a dedupe key. Every step takes the
moment from `now`, so tests control time.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from flask import current_app
from sqlalchemy import ColumnElement, delete, literal, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.attributes import set_committed_value

from ..extensions import db
from ..models import (
    Assessment,
    PasswordReset,
    RevealPolicy,
    ScheduleMark,
    SignUpRequest,
    State,
    utcnow,
)
from . import assessments, invitations, notifications, outbox, summaries
from .assessments import MAX_REMINDER_DAYS

# The weekly digest goes out on Monday (ISO weekday 1) from this hour, in the app's timezone.
DIGEST_WEEKDAY = 1
DIGEST_TIME = time(9, 0)


def tick(*, now: Callable[[], datetime] = utcnow) -> None:
    """One minute's work. A step that fails is logged and tried again next minute; it
    does not keep the others from running."""
    moment = now()
    steps = (
        reveal_at_deadlines,
        send_due_reminders,
        send_weekly_digest,
        forget_dead_links,
        fill_summaries,
    )
    for step in steps:
        try:
            step(moment)
        except Exception:
            db.session.rollback()
            current_app.logger.exception("%s failed; trying again next minute", step.__name__)
    outbox.deliver_due(now=now)


def fill_summaries(moment: datetime) -> int:
    """Rounds revealed before summaries existed, or summarised by an older engine, get
    their summary here rather than on a page visit (`summaries.fill_lacking`)."""
    return summaries.fill_lacking()


# --------------------------------------------------------------------------------------------
# Deadlines
# --------------------------------------------------------------------------------------------


def collecting() -> ColumnElement[bool]:
    """`assessments.state = 'collecting'` with the value written into the SQL, as the
    predicate of the partial index `ix_assessments_collecting_deadline` is: the deadline
    queries then read the few rounds being answered through it, not every round of every
    workspace each minute. As a bound parameter, PostgreSQL could not tell that the index
    applies in a generic plan (of a statement prepared once and run every minute)."""
    return Assessment.state == literal(
        State.COLLECTING.value, Assessment.state.type, literal_execute=True
    )


def reveal_at_deadlines(moment: datetime) -> int:
    """Every round revealed at its deadline whose deadline has come: reveal it, or tell its
    owner it stays sealed. Returns how many were revealed."""
    due = list(
        db.session.scalars(
            select(Assessment.id)
            .where(
                collecting(),
                Assessment.reveal_policy == RevealPolicy.DEADLINE,
                Assessment.deadline <= moment,
                Assessment.deadline_missed_at.is_(None),
            )
            .order_by(Assessment.deadline, Assessment.id)
        )
    )
    db.session.rollback()  # end the read: each round below is its own transaction
    return sum(_each(due, lambda assessment_id: at_deadline(assessment_id, moment)))


def at_deadline(assessment_id: int, moment: datetime) -> bool:
    """One round at its deadline. True when this call revealed it."""
    assessment = db.session.get(Assessment, assessment_id)
    if assessment is None:
        return False
    if assessments.reveal_at_deadline(assessment, now=moment):
        return True
    # A side is below k (or another worker revealed it first: then nothing matches here).
    missed = db.session.execute(
        update(Assessment)
        .where(
            Assessment.id == assessment_id,
            Assessment.state == State.COLLECTING,
            Assessment.reveal_policy == RevealPolicy.DEADLINE,
            Assessment.deadline <= moment,
            Assessment.deadline_missed_at.is_(None),
        )
        .values(deadline_missed_at=moment)
        .execution_options(synchronize_session=False)
    )
    if not missed.rowcount:  # type: ignore[attr-defined]
        db.session.rollback()
        return False
    set_committed_value(assessment, "deadline_missed_at", moment)
    notifications.queue_deadline_missed(assessment, now=moment)
    db.session.commit()
    return False


# --------------------------------------------------------------------------------------------
# Reminders
# --------------------------------------------------------------------------------------------


def due_slots(
    reminder_days: Iterable[object],
    *,
    deadline: datetime,
    launched_at: datetime | None,
    moment: datetime,
) -> list[int]:
    """The reminder days whose time has come: deadline − d days is past, the deadline is
    not, and the slot was still ahead at launch. Pure."""
    if launched_at is None or not moment < deadline:
        return []
    slots = []
    for day in reminder_days:
        if isinstance(day, bool) or not isinstance(day, int) or not 1 <= day <= MAX_REMINDER_DAYS:
            continue
        slot = deadline - timedelta(days=day)
        if launched_at < slot <= moment:
            slots.append(day)
    return sorted(set(slots), reverse=True)


def _slot_key(assessment_id: int, day: int) -> str:
    return f"reminders:{assessment_id}:{day}d"


def send_due_reminders(moment: datetime) -> int:
    """Remind, for every collecting round, whoever still owes answers when one of its
    reminder days has come. Two queries when nothing is due, however many rounds collect.
    Returns how many reminders were queued."""
    rows = db.session.execute(
        select(
            Assessment.id, Assessment.deadline, Assessment.launched_at, Assessment.reminder_days
        ).where(
            collecting(),
            Assessment.deadline > moment,
            Assessment.deadline <= moment + timedelta(days=MAX_REMINDER_DAYS),
        )
    ).all()
    due: dict[int, list[int]] = {}
    for assessment_id, deadline, launched_at, days in rows:
        if deadline is None:  # pragma: no cover - the query asks for a deadline
            continue
        slots = due_slots(days or [], deadline=deadline, launched_at=launched_at, moment=moment)
        if slots:
            due[assessment_id] = slots
    if not due:
        db.session.rollback()
        return 0
    keys = [_slot_key(assessment_id, day) for assessment_id, days in due.items() for day in days]
    done = set(db.session.scalars(select(ScheduleMark.key).where(ScheduleMark.key.in_(keys))))
    db.session.rollback()
    pending = {
        assessment_id: [day for day in days if _slot_key(assessment_id, day) not in done]
        for assessment_id, days in sorted(due.items())
    }
    return sum(
        _each(
            [assessment_id for assessment_id, days in pending.items() if days],
            lambda assessment_id: remind(assessment_id, pending[assessment_id], moment),
        )
    )


def remind(assessment_id: int, slots: list[int], moment: datetime) -> int:
    """Take the round's due slots (their marks are the lock) and queue one reminder for
    whoever still owes answers. When the worker was off through several slots, only the
    latest is sent: one reminder, not a burst. Returns how many were queued."""
    try:
        db.session.add_all(
            ScheduleMark(key=_slot_key(assessment_id, day), done_at=moment) for day in slots
        )
        db.session.flush()
    except IntegrityError:  # another worker took these slots
        db.session.rollback()
        return 0
    assessment = db.session.get(Assessment, assessment_id)
    if assessment is None or assessment.state is not State.COLLECTING:
        db.session.rollback()
        return 0
    count = invitations.queue_reminders(assessment, now=moment, slot=min(slots))
    db.session.commit()
    return count


# --------------------------------------------------------------------------------------------
# The weekly digest
# --------------------------------------------------------------------------------------------


def digest_week(moment: datetime) -> tuple[str, datetime] | None:
    """This week's digest key and the local moment, if the digest is due now (Monday from
    09:00 in the app's timezone); else None."""
    zone = ZoneInfo(str(current_app.config.get("BABEL_DEFAULT_TIMEZONE") or "UTC"))
    local = moment.astimezone(zone)
    if local.isoweekday() != DIGEST_WEEKDAY or local.time() < DIGEST_TIME:
        return None
    year, week, _ = local.isocalendar()
    return f"{year}-W{week:02d}", local


def send_weekly_digest(moment: datetime) -> int:
    """This week's digest of commitments, once: the mark `digest:<week>` is inserted in
    the same transaction as the mail, so a second worker's insert fails and it stops.
    Returns how many digests were queued."""
    due = digest_week(moment)
    if due is None:
        return 0
    week, local = due
    key = f"digest:{week}"
    if db.session.get(ScheduleMark, key) is not None:
        db.session.rollback()
        return 0
    try:
        db.session.add(ScheduleMark(key=key, done_at=moment))
        db.session.flush()
    except IntegrityError:  # another worker is on it, or did it
        db.session.rollback()
        return 0
    count = notifications.queue_commitment_digests(week=week, today=local.date(), now=moment)
    db.session.commit()
    return count


# --------------------------------------------------------------------------------------------


def _each(ids: Iterable[int], work: Callable[[int], int | bool]) -> list[int]:
    """Run `work` for each id, each in its own transaction; a failure is logged, rolled
    back and retried on a later tick, and the others go on."""
    results = []
    for item in ids:
        try:
            results.append(int(work(item)))
        except Exception:
            db.session.rollback()
            current_app.logger.exception("Scheduled work on %s failed; retrying later", item)
    return results


# --------------------------------------------------------------------------------------------
# Housekeeping
# --------------------------------------------------------------------------------------------

# How long an expired sign-up or reset link is kept, so "this link has expired" can still
# be told apart from "unknown link" for a while.
DEAD_LINK_KEPT = timedelta(days=1)


def forget_dead_links(moment: datetime) -> int:
    """Delete sign-up requests and password resets whose link expired over a day ago: an
    unconfirmed sign-up holds a password hash that nobody should keep. Returns how many."""
    cutoff = moment - DEAD_LINK_KEPT
    removed = 0
    for model in (SignUpRequest, PasswordReset):
        result = db.session.execute(delete(model).where(model.expires_at < cutoff))
        removed += int(result.rowcount or 0)  # type: ignore[attr-defined]
    db.session.commit()
    return removed
