"""Invitations and reminders by email, received by a real SMTP server on loopback."""

from __future__ import annotations

import re
import socket
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from typing import Any

import pytest
from flask import Flask
from flask_babel import force_locale, gettext
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from fitcheck import mail
from fitcheck.extensions import db
from fitcheck.mail import MailError, send_mail
from fitcheck.models import MailStatus, OutboxMessage, Respondent, Side, State
from fitcheck.services import ServiceError, assessments, invitations, outbox
from fitcheck.services.answers import AnswerInput, save_answers
from fitcheck.services.respondents import add_respondent, find_respondent, withdraw_respondent

from .smtp import REFUSED, Mailbox, parse_message
from .smtp import free_port as _free_port

SENDER = "fitcheck <survey@fitcheck.test>"
LINK = re.compile(r"http://fitcheck\.test/r/([A-Za-z0-9_-]+)\s")  # SERVER_NAME of conftest
DEADLINE = datetime(2031, 3, 14, 9, 0, tzinfo=UTC)  # 18:00 in Tokyo


@pytest.fixture
def app_config(app_config: dict[str, Any], mailbox: Mailbox) -> dict[str, Any]:
    return {
        **app_config,
        "MAIL_SERVER": "127.0.0.1",
        "MAIL_PORT": mailbox.port,
        "MAIL_DEFAULT_SENDER": SENDER,
    }


@pytest.fixture
def launched(make_assessment: Callable[..., Any]) -> Callable[..., Any]:
    """An assessment collecting answers, with a deadline; returns (assessment, respondents)."""

    def build(**counts: Any) -> tuple[Any, list[Respondent]]:
        assessment, tokens = make_assessment(deadline=DEADLINE, **counts)
        return assessment, list(tokens)

    return build


def _parse(raw: bytes) -> EmailMessage:
    return parse_message(raw)


def _text(message: EmailMessage) -> str:
    part = message.get_body(("plain",))
    assert part is not None
    return str(part.get_content()).replace("\r\n", "\n")  # MIME text travels with CRLF


def _html(message: EmailMessage) -> str:
    part = message.get_body(("html",))
    assert part is not None
    return str(part.get_content()).replace("\r\n", "\n")


def _by_side(respondents: list[Respondent], side: Side) -> Respondent:
    return next(r for r in respondents if r.side is side)


def _deliver(now: datetime = DEADLINE) -> int:
    """What the worker does: send every queued mail that is due by `now`."""
    return outbox.deliver_due(now=lambda: now)


def _submit(respondent: Respondent) -> None:
    answers = [
        AnswerInput(trait_key=trait.key, other=3, self_=3) for trait in respondent.assessment.traits
    ]
    save_answers(respondent, answers, submit=True, now=DEADLINE - timedelta(days=1))


def test_invitation_reaches_the_respondent_with_a_link_that_finds_them(
    app: Flask, mailbox: Mailbox, launched: Callable[..., Any]
) -> None:
    assessment, respondents = launched()
    client_side = _by_side(respondents, Side.CLIENT)
    now = DEADLINE - timedelta(days=7)

    invitations.send_invitation(client_side, now=now)
    assert mailbox.received == [], "mail leaves through the worker, not the request"
    assert _deliver(now) == 1

    assert mailbox.recipients == ["client1@example.com"]
    (message,) = mailbox.messages
    assert message["To"] == "client1@example.com"
    assert message["From"] == SENDER
    company, partner = assessment.partner.workspace.name, assessment.partner.name
    assert company in message["Subject"] and partner in message["Subject"]
    text = _text(message)
    assert "Dear Client 1," in text
    # A client rates the company, and itself as the partner.
    assert f"you will rate {company} and your own side, {partner}." in text
    assert "sealed until the reveal" in text
    assert "If you would rather not take part" in text
    assert f"It takes about {len(assessment.traits)} minutes." in text
    assert "Please answer by Friday, March 14, 2031" in text
    match = LINK.search(text)
    assert match, text
    url = f"http://fitcheck.test/r/{match.group(1)}"
    assert url == invitations.invitation_url(client_side)
    assert find_respondent(match.group(1)) == client_side
    assert f'href="{url}"' in _html(message)
    db.session.refresh(client_side)
    assert client_side.invited_at == now


def test_company_respondent_is_asked_to_rate_the_partner(
    app: Flask, mailbox: Mailbox, launched: Callable[..., Any]
) -> None:
    assessment, respondents = launched()

    invitations.send_invitation(_by_side(respondents, Side.COMPANY))
    _deliver()

    company, partner = assessment.partner.workspace.name, assessment.partner.name
    assert f"you will rate {partner} and your own side, {company}." in _text(mailbox.messages[0])


def test_japanese_respondent_gets_a_japanese_invitation(
    app: Flask, mailbox: Mailbox, launched: Callable[..., Any]
) -> None:
    sealed = (
        "Answers stay sealed until the reveal: no one sees what the other side answered before "
        "then, and your name is never shown next to your answers."
    )
    with force_locale("ja"):
        assert gettext(sealed) != sealed, "the mail wording must be translated"
    assessment, respondents = launched()
    respondent = _by_side(respondents, Side.CLIENT)
    respondent.locale = "ja"
    db.session.commit()

    invitations.send_invitation(respondent)
    _deliver()

    (raw,) = [raw for _, raw in mailbox.received]
    raw.decode("ascii")  # headers RFC 2047-encoded, bodies base64: safe for any relay
    message = _parse(raw)
    assert "パートナー適合度アンケートへのご招待" in message["Subject"]
    assert assessment.partner.name in message["Subject"]
    text = _text(message)
    assert "Client 1 様" in text
    # The deadline to the minute, its zone in words (the brackets are the translator's).
    assert re.search(r"2031年3月14日金曜日 18:00 ?[(（]日本時間[)）] ?までにご回答ください。", text)
    assert "結果公開まで非公開" in text
    assert '<html lang="ja">' in _html(message)
    assert LINK.search(text)


def test_html_part_escapes_what_people_typed(
    app: Flask, mailbox: Mailbox, launched: Callable[..., Any]
) -> None:
    assessment, respondents = launched()
    assessment.partner.name = 'Tom & <b>"Jerry"</b>'
    db.session.commit()

    invitations.send_invitation(_by_side(respondents, Side.CLIENT))
    _deliver()

    (message,) = mailbox.messages
    assert 'Tom & <b>"Jerry"</b>' in _text(message)
    html = _html(message)
    assert "<b>" not in html
    assert "Tom &amp; &lt;b&gt;&#34;Jerry&#34;&lt;/b&gt;" in html


def test_send_invitations_reaches_each_waiting_respondent_once(
    app: Flask, mailbox: Mailbox, launched: Callable[..., Any]
) -> None:
    assessment, respondents = launched(company=2, client=2)
    already, withdrawn = respondents[0], respondents[1]
    invitations.send_invitation(already)
    withdraw_respondent(withdrawn)
    add_respondent(assessment, side=Side.CLIENT, name="No Email")
    _deliver()
    del mailbox.received[:]

    sent = invitations.send_invitations(assessment)
    _deliver()

    expected = sorted(r.email for r in respondents[2:] if r.email)
    assert sent == 2
    assert sorted(mailbox.recipients) == expected
    assert invitations.send_invitations(assessment) == 0
    assert _deliver() == 0
    assert len(mailbox.received) == 2


def test_reminders_go_only_to_those_who_still_owe_answers_and_count_up(
    app: Flask, mailbox: Mailbox, launched: Callable[..., Any]
) -> None:
    assessment, respondents = launched(company=3, client=2)
    submitted, declined, withdrawn, waiting, drafting = respondents
    _submit(submitted)
    declined.declined_at = DEADLINE - timedelta(days=2)
    db.session.commit()
    withdraw_respondent(withdrawn)
    save_answers(drafting, [], now=DEADLINE - timedelta(days=2))
    add_respondent(assessment, side=Side.CLIENT, name="No Email")
    first, second = DEADLINE - timedelta(days=3), DEADLINE - timedelta(days=1)

    assert invitations.send_reminders(assessment, now=first) == 2
    assert _deliver(first) == 2
    assert invitations.send_reminders(assessment, now=second) == 2
    assert _deliver(second) == 2

    assert sorted(mailbox.recipients) == sorted([waiting.email, drafting.email] * 2)
    for respondent in (waiting, drafting):
        db.session.refresh(respondent)
        assert respondent.reminder_count == 2
        assert respondent.reminded_at == second
    for respondent in (submitted, declined, withdrawn):
        db.session.refresh(respondent)
        assert (respondent.reminder_count, respondent.reminded_at) == (0, None)
    by_recipient = {str(m["To"]): _text(m) for m in mailbox.messages}
    assert "Reminder" in mailbox.messages[0]["Subject"]
    assert "Your draft is saved" in by_recipient[str(drafting.email)]
    assert "Your draft is saved" not in by_recipient[str(waiting.email)]
    assert "The survey closes on Friday, March 14, 2031" in by_recipient[str(waiting.email)]


def test_reminders_are_refused_unless_the_assessment_is_collecting(
    app: Flask, mailbox: Mailbox, make_assessment: Callable[..., Any]
) -> None:
    draft, _ = make_assessment(launch=False)
    with pytest.raises(ServiceError):
        invitations.send_reminders(draft)
    revealed, _ = make_assessment()
    assessments.reveal(revealed)
    assert revealed.state is State.REVEALED
    with pytest.raises(ServiceError):
        invitations.send_reminders(revealed)
    with pytest.raises(ServiceError):
        invitations.send_invitations(revealed)
    assert mailbox.received == []


def test_nothing_is_sent_after_the_deadline(
    app: Flask, mailbox: Mailbox, launched: Callable[..., Any]
) -> None:
    assessment, respondents = launched()
    late = DEADLINE + timedelta(minutes=1)
    with pytest.raises(ServiceError, match="deadline has passed"):
        invitations.send_reminders(assessment, now=late)
    with pytest.raises(ServiceError, match="deadline has passed"):
        invitations.send_invitation(respondents[0], now=late)
    assert mailbox.received == []


@pytest.mark.parametrize("state", ["no email", "withdrawn", "submitted", "declined"])
def test_invitation_is_refused_to_whom_it_cannot_concern(
    app: Flask, mailbox: Mailbox, launched: Callable[..., Any], state: str
) -> None:
    assessment, respondents = launched()
    respondent = respondents[0]
    if state == "no email":
        respondent, _ = add_respondent(assessment, side=Side.CLIENT, name="Nomail")
    elif state == "withdrawn":
        withdraw_respondent(respondent)
    elif state == "submitted":
        _submit(respondent)
    else:
        respondent.declined_at = DEADLINE - timedelta(days=1)
        db.session.commit()

    with pytest.raises(ServiceError):
        invitations.send_invitation(respondent)

    assert mailbox.received == []
    assert respondent.invited_at is None


def test_console_mode_prints_the_invitation_instead_of_sending_it(
    app: Flask, mailbox: Mailbox, launched: Callable[..., Any], capsys: pytest.CaptureFixture[str]
) -> None:
    _, respondents = launched()
    respondent = _by_side(respondents, Side.COMPANY)
    app.config["MAIL_SERVER"] = ""

    invitations.send_invitation(respondent)
    _deliver()

    out = capsys.readouterr().out
    assert "fitcheck mail (not sent: MAIL_SERVER is empty)" in out
    assert "To: company1@example.com" in out
    assert invitations.invitation_url(respondent) in out
    assert "end of mail" in out
    assert mailbox.received == []
    assert respondent.invited_at is not None


def test_console_mode_shows_japanese_as_written(
    app: Flask, mailbox: Mailbox, capsys: pytest.CaptureFixture[str]
) -> None:
    app.config["MAIL_SERVER"] = ""

    send_mail("ito@example.com", "ご招待", "伊藤様\nよろしくお願いします。", "<p>伊藤様</p>")

    out = capsys.readouterr().out
    assert "Subject: ご招待" in out
    assert "伊藤様\nよろしくお願いします。" in out
    assert "<p>伊藤様</p>" in out
    assert mailbox.received == []


def test_send_mail_delivers_utf8_text_and_html(app: Flask, mailbox: Mailbox) -> None:
    send_mail("ito@example.com", "件名：ご招待\n(改行)", "本文です。", "<p>本文です。</p>")

    (message,) = mailbox.messages
    assert message["Subject"] == "件名：ご招待 (改行)"
    assert _text(message) == "本文です。\n"
    assert _html(message) == "<p>本文です。</p>\n"
    assert message["Message-ID"].endswith("@fitcheck.test>")


def test_a_refused_address_fails_at_once_with_a_reason_staff_can_read(
    app: Flask, mailbox: Mailbox, launched: Callable[..., Any]
) -> None:
    _, respondents = launched()
    respondent = respondents[0]
    respondent.email = REFUSED
    db.session.commit()
    invitations.send_invitation(respondent, now=DEADLINE - timedelta(days=7))

    assert _deliver() == 0

    message = db.session.scalar(select(OutboxMessage))
    assert message is not None
    assert message.status is MailStatus.FAILED
    assert message.attempts == 1
    assert message.last_error == "The mail server refused this address."
    assert "550" not in message.last_error
    assert mailbox.received == []
    assert invitations.mail_states(respondent.assessment)[respondent.id] == message


def test_an_unreachable_server_is_retried_later_with_a_growing_delay(
    app: Flask, mailbox: Mailbox, launched: Callable[..., Any]
) -> None:
    _, respondents = launched()
    respondent = respondents[0]
    first_try = DEADLINE - timedelta(days=7)
    invitations.send_invitation(respondent, now=first_try)
    app.config["MAIL_PORT"] = _free_port()  # nothing listens there

    assert _deliver(first_try) == 0
    message = db.session.scalar(select(OutboxMessage))
    assert message is not None
    assert (message.status, message.attempts) == (MailStatus.QUEUED, 1)
    assert message.next_attempt_at == first_try + outbox.retry_delay(1)
    assert "could not be sent" in message.last_error
    assert _deliver(first_try + timedelta(seconds=30)) == 0, "not before its retry time"
    assert message.attempts == 1

    app.config["MAIL_PORT"] = mailbox.port
    assert _deliver(message.next_attempt_at) == 1
    db.session.refresh(message)
    assert (message.status, message.attempts, message.last_error) == (MailStatus.SENT, 2, "")
    (received,) = mailbox.messages
    assert received["Message-ID"] == message.message_id


def test_retries_stop_after_the_last_attempt_and_staff_can_send_it_again(
    app: Flask, mailbox: Mailbox, launched: Callable[..., Any]
) -> None:
    _, respondents = launched()
    moment = DEADLINE - timedelta(days=7)
    invitations.send_invitation(respondents[0], now=moment)
    app.config["MAIL_PORT"] = _free_port()
    message = db.session.scalar(select(OutboxMessage))
    assert message is not None
    for _attempt in range(outbox.MAX_ATTEMPTS):
        _deliver(message.next_attempt_at)
        db.session.refresh(message)
    assert (message.status, message.attempts) == (MailStatus.FAILED, outbox.MAX_ATTEMPTS)
    assert outbox.retry_delay(outbox.MAX_ATTEMPTS) <= outbox.LONGEST_RETRY

    app.config["MAIL_PORT"] = mailbox.port
    invitations.resend(message)
    assert _deliver(DEADLINE) == 1
    db.session.refresh(message)
    assert message.status is MailStatus.SENT
    with pytest.raises(ServiceError):
        invitations.resend(message)


def test_the_outbox_row_commits_or_rolls_back_with_the_launch(
    app: Flask, mailbox: Mailbox, make_assessment: Callable[..., Any]
) -> None:
    draft, _ = make_assessment(launch=False)
    add_respondent(draft, side=Side.CLIENT, name="Valid", email="valid@example.com")
    # A respondent row that breaks a constraint makes the launch's commit fail.
    draft.respondents[0].submitted_at = DEADLINE
    draft.respondents[0].declined_at = DEADLINE

    with pytest.raises(IntegrityError):
        assessments.launch(draft, invite=True)
    db.session.rollback()

    assert db.session.scalar(select(func.count(OutboxMessage.id))) == 0
    db.session.refresh(draft)
    assert draft.state is State.DRAFT

    assessments.launch(draft, invite=True)
    queued = db.session.scalars(select(OutboxMessage.to_address)).all()
    assert sorted(queued) == sorted(r.email for r in draft.respondents if r.email)


def test_a_mail_no_longer_needed_is_cancelled_not_sent(
    app: Flask, mailbox: Mailbox, launched: Callable[..., Any]
) -> None:
    _, respondents = launched()
    moment = DEADLINE - timedelta(days=3)
    invitations.send_reminders(respondents[0].assessment, now=moment)
    _submit(respondents[0])  # answered before the worker came round

    _deliver(DEADLINE)

    states = {m.to_address: m.status for m in db.session.scalars(select(OutboxMessage))}
    assert states[str(respondents[0].email)] is MailStatus.CANCELLED
    assert mailbox.recipients == [r.email for r in respondents[1:]]


def test_a_silent_server_times_out_into_mail_error(
    app: Flask, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(mail, "SMTP_TIMEOUT_SECONDS", 0.2)
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen()  # accepts the connection, never says hello
        app.config["MAIL_PORT"] = silent.getsockname()[1]
        with pytest.raises(MailError):
            send_mail("ito@example.com", "Hello", "Hello.")


def test_a_refused_address_does_not_hold_up_the_rest_of_the_batch(
    app: Flask, mailbox: Mailbox, launched: Callable[..., Any]
) -> None:
    assessment, respondents = launched(company=2, client=1)
    reached, refused, untouched = respondents
    refused.email = REFUSED
    db.session.commit()

    assert invitations.send_invitations(assessment, now=DEADLINE - timedelta(days=7)) == 3
    assert _deliver() == 2

    assert sorted(mailbox.recipients) == sorted([str(reached.email), str(untouched.email)])
    states = invitations.mail_states(assessment)
    assert [states[r.id].status for r in respondents] == [
        MailStatus.SENT,
        MailStatus.FAILED,
        MailStatus.SENT,
    ]
