"""Invitations and reminders by email, received by a real SMTP server on loopback."""

from __future__ import annotations

import re
import socket
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session
from flask import Flask
from flask_babel import force_locale, gettext

from fitcheck import mail
from fitcheck.extensions import db
from fitcheck.mail import MailError, send_mail
from fitcheck.models import Respondent, Side, State
from fitcheck.services import ServiceError, assessments, invitations
from fitcheck.services.assessments import AnswerInput

SENDER = "fitcheck <survey@fitcheck.test>"
REFUSED = "nobody@refused.test"
LINK = re.compile(r"http://fitcheck\.test/r/([A-Za-z0-9_-]+)\s")  # SERVER_NAME of conftest
DEADLINE = datetime(2031, 3, 14, 9, 0, tzinfo=UTC)  # 18:00 in Tokyo


@dataclass
class Mailbox:
    """An aiosmtpd handler that keeps what it receives; refuses one address on purpose."""

    port: int
    received: list[tuple[list[str], bytes]] = field(default_factory=list)

    async def handle_RCPT(
        self, server: SMTP, session: Session, envelope: Envelope, address: str, options: Any
    ) -> str:
        if address == REFUSED:
            return "550 5.1.1 No such mailbox"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        raw = envelope.original_content or b""
        self.received.append((list(envelope.rcpt_tos), raw))
        return "250 Message accepted for delivery"

    @property
    def messages(self) -> list[EmailMessage]:
        return [_parse(raw) for _, raw in self.received]

    @property
    def recipients(self) -> list[str]:
        return [address for rcpt_tos, _ in self.received for address in rcpt_tos]


def _parse(raw: bytes) -> EmailMessage:
    message = message_from_bytes(raw, policy=policy.default)
    assert isinstance(message, EmailMessage)
    return message


def _text(message: EmailMessage) -> str:
    part = message.get_body(("plain",))
    assert part is not None
    return str(part.get_content()).replace("\r\n", "\n")  # MIME text travels with CRLF


def _html(message: EmailMessage) -> str:
    part = message.get_body(("html",))
    assert part is not None
    return str(part.get_content()).replace("\r\n", "\n")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def mailbox() -> Iterator[Mailbox]:
    box = Mailbox(port=_free_port())
    # A server_hostname spares aiosmtpd a DNS lookup of this machine's name. No TLS context
    # and no AUTH: aiosmtpd warns only about AUTH without TLS, so it stays silent here.
    controller = Controller(
        box, hostname="127.0.0.1", port=box.port, server_hostname="mail.fitcheck.test"
    )
    controller.start()
    try:
        yield box
    finally:
        controller.stop()


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


def _by_side(respondents: list[Respondent], side: Side) -> Respondent:
    return next(r for r in respondents if r.side is side)


def _submit(respondent: Respondent) -> None:
    answers = [
        AnswerInput(trait_key=trait.key, other=3, self_=3) for trait in respondent.assessment.traits
    ]
    assessments.save_answers(respondent, answers, submit=True, now=DEADLINE - timedelta(days=1))


def test_invitation_reaches_the_respondent_with_a_link_that_finds_them(
    app: Flask, mailbox: Mailbox, launched: Callable[..., Any]
) -> None:
    assessment, respondents = launched()
    client_side = _by_side(respondents, Side.CLIENT)
    now = DEADLINE - timedelta(days=7)

    invitations.send_invitation(client_side, now=now)

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
    assert assessments.find_respondent(match.group(1)) == client_side
    assert f'href="{url}"' in _html(message)
    db.session.refresh(client_side)
    assert client_side.invited_at == now


def test_company_respondent_is_asked_to_rate_the_partner(
    app: Flask, mailbox: Mailbox, launched: Callable[..., Any]
) -> None:
    assessment, respondents = launched()

    invitations.send_invitation(_by_side(respondents, Side.COMPANY))

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

    (raw,) = [raw for _, raw in mailbox.received]
    raw.decode("ascii")  # headers RFC 2047-encoded, bodies base64: safe for any relay
    message = _parse(raw)
    assert "パートナー適合度アンケートへのご招待" in message["Subject"]
    assert assessment.partner.name in message["Subject"]
    text = _text(message)
    assert "Client 1 様" in text
    assert "2031年3月14日金曜日 18時00分00秒 日本標準時 までにご回答ください。" in text
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
    assessments.withdraw_respondent(withdrawn)
    assessments.add_respondent(assessment, side=Side.CLIENT, name="No Email")
    del mailbox.received[:]

    sent = invitations.send_invitations(assessment)

    expected = sorted(r.email for r in respondents[2:] if r.email)
    assert sent == 2
    assert sorted(mailbox.recipients) == expected
    assert invitations.send_invitations(assessment) == 0
    assert len(mailbox.received) == 2


def test_reminders_go_only_to_those_who_still_owe_answers_and_count_up(
    app: Flask, mailbox: Mailbox, launched: Callable[..., Any]
) -> None:
    assessment, respondents = launched(company=3, client=2)
    submitted, declined, withdrawn, waiting, drafting = respondents
    _submit(submitted)
    declined.declined_at = DEADLINE - timedelta(days=2)
    db.session.commit()
    assessments.withdraw_respondent(withdrawn)
    assessments.save_answers(drafting, [], now=DEADLINE - timedelta(days=2))
    assessments.add_respondent(assessment, side=Side.CLIENT, name="No Email")
    first, second = DEADLINE - timedelta(days=3), DEADLINE - timedelta(days=1)

    assert invitations.send_reminders(assessment, now=first) == 2
    assert invitations.send_reminders(assessment, now=second) == 2

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
        respondent, _ = assessments.add_respondent(assessment, side=Side.CLIENT, name="Nomail")
    elif state == "withdrawn":
        assessments.withdraw_respondent(respondent)
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


@pytest.mark.parametrize("failure", ["recipient refused", "connection refused"])
def test_smtp_failure_raises_mail_error_and_leaves_invited_at_unset(
    app: Flask, mailbox: Mailbox, launched: Callable[..., Any], failure: str
) -> None:
    _, respondents = launched()
    respondent = respondents[0]
    if failure == "recipient refused":
        respondent.email = REFUSED
        db.session.commit()
    else:
        app.config["MAIL_PORT"] = _free_port()

    with pytest.raises(MailError) as raised:
        invitations.send_invitation(respondent)

    assert "could not be sent" in str(raised.value)
    assert "550" not in str(raised.value)
    db.session.rollback()
    db.session.refresh(respondent)
    assert respondent.invited_at is None
    assert mailbox.received == []


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


def test_a_batch_cut_short_records_who_was_reached_and_says_how_far_it_got(
    app: Flask, mailbox: Mailbox, launched: Callable[..., Any]
) -> None:
    assessment, respondents = launched(company=2, client=1)
    reached, refused, untouched = respondents
    refused.email = REFUSED
    db.session.commit()

    with pytest.raises(MailError, match="after 1 of 3 emails"):
        invitations.send_invitations(assessment)

    db.session.rollback()
    assert mailbox.recipients == [reached.email]
    assert [r.invited_at is not None for r in (reached, refused, untouched)] == [
        True,
        False,
        False,
    ]
