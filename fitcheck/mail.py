"""Outgoing email: one function, `send_mail`, over SMTP or, in development, to the console.

The standard library is enough here and keeps a dependency out: `email.message.EmailMessage`
builds a correct UTF-8 (RFC 2047 headers, base64 or quoted-printable bodies) multipart
message, and `smtplib` speaks SMTP with STARTTLS and a timeout. Flask-Mail would add a
second configuration layer, an unbound extension and little else for a handful of mails.

Settings come from `current_app.config` when a mail is sent, never at import:
MAIL_SERVER (empty: print instead of sending), MAIL_PORT, MAIL_USE_TLS (STARTTLS),
MAIL_USERNAME, MAIL_PASSWORD and MAIL_DEFAULT_SENDER.
"""

from __future__ import annotations

import smtplib
import ssl
from email import policy
from email.message import EmailMessage
from email.utils import formatdate, make_msgid, parseaddr
from typing import Any

from flask import current_app

from .i18n import lazy_gettext as _l
from .services import ServiceError

SMTP_TIMEOUT_SECONDS = 10
# An app built from a test dict may carry no MAIL_* setting at all: it prints its mail.
DEFAULT_SENDER = "fitcheck@localhost"
# 7-bit bodies (base64 or quoted-printable for anything else) pass every relay, including
# the ones that do not announce 8BITMIME; headers are RFC 2047-encoded either way.
MAIL_POLICY = policy.SMTP.clone(cte_type="7bit")
CONSOLE_RULE = "=" * 24


class MailError(ServiceError):
    """The mail server did not take the message.

    `message` is a lazy translatable sentence safe to show to staff; the server's own
    reply, which may name hosts or accounts, goes to the log only. It is a `ServiceError`
    so that every view which shows why a use case failed shows this too, without a 500.
    """

    def __init__(self, message: Any = None, *, permanent: bool = False) -> None:
        super().__init__(message or _l("The email could not be sent. Please try again later."))
        # True when trying again cannot help: the server refused the address for good.
        self.permanent = permanent


def build_message(
    *,
    sender: str,
    to: str,
    subject: str,
    text: str,
    html: str | None = None,
    message_id: str | None = None,
) -> EmailMessage:
    """A UTF-8 message with a plain-text body and, when given, an HTML alternative."""
    message = EmailMessage(policy=MAIL_POLICY)
    message["From"] = sender
    message["To"] = to
    # A header cannot hold a line break; a name typed with one must not break the mail.
    message["Subject"] = " ".join(subject.split())
    message["Date"] = formatdate(localtime=False)
    # Give the domain ourselves: by default make_msgid asks DNS for this host's full name.
    domain = parseaddr(sender)[1].rpartition("@")[2] or "localhost"
    message["Message-ID"] = message_id or make_msgid(domain=domain)
    message.set_content(text)
    if html is not None:
        message.add_alternative(html, subtype="html")
    return message


def send_mail(to: str, subject: str, text: str, html: str | None = None) -> None:
    """Send one message to `to` now, with a new Message-ID (see `send_message`)."""
    send_message(to=to, subject=subject, text=text, html=html)


def send_message(
    *, to: str, subject: str, text: str, html: str | None = None, message_id: str | None = None
) -> None:
    """Send one message to `to`, or print it when MAIL_SERVER is empty.

    Only the outbox's worker calls this in the app (see `fitcheck.services.outbox`), which
    passes the Message-ID fixed when the mail was queued, so a resend is recognisable.
    Raises `MailError` when the server cannot be reached, refuses the login, the sender or
    the recipient, or does not answer within SMTP_TIMEOUT_SECONDS; `permanent` when the
    server refused the recipient with a 5xx reply.
    """
    config = current_app.config
    sender = config.get("MAIL_DEFAULT_SENDER") or DEFAULT_SENDER
    message = build_message(
        sender=sender, to=to, subject=subject, text=text, html=html, message_id=message_id
    )
    server = config.get("MAIL_SERVER") or ""
    if not server:
        _print_to_console(message)
        return
    port = int(config.get("MAIL_PORT") or 25)
    try:
        with smtplib.SMTP(server, port, timeout=SMTP_TIMEOUT_SECONDS) as smtp:
            if config.get("MAIL_USE_TLS"):
                smtp.starttls(context=ssl.create_default_context())
            if config.get("MAIL_USERNAME"):
                smtp.login(config["MAIL_USERNAME"], config.get("MAIL_PASSWORD") or "")
            smtp.send_message(message)
    except smtplib.SMTPRecipientsRefused as error:
        current_app.logger.warning("Mail %s refused: %r", message["Message-ID"], error)
        codes = [code for code, _reply in error.recipients.values()]
        permanent = bool(codes) and all(500 <= code < 600 for code in codes)
        raise MailError(_l("The mail server refused this address."), permanent=permanent) from error
    except (smtplib.SMTPException, OSError) as error:
        # OSError covers refused connections, DNS failures, timeouts and TLS errors.
        current_app.logger.warning(
            "Mail %s could not be sent through %s:%d: %r",
            message["Message-ID"],
            server,
            port,
            error,
        )
        raise MailError() from error


def render_for_console(message: EmailMessage) -> str:
    """The whole message as a person reads it: every header, then each part decoded."""
    lines = [f"{CONSOLE_RULE} fitcheck mail (not sent: MAIL_SERVER is empty) {CONSOLE_RULE}"]
    lines += [
        f"{name}: {value}"
        for name, value in message.items()
        if not name.lower().startswith("content-") and name.lower() != "mime-version"
    ]
    for part in message.walk():
        if part.is_multipart():
            continue
        lines += [f"{CONSOLE_RULE} {part.get_content_type()} {CONSOLE_RULE}"]
        lines += str(part.get_content()).splitlines()
    lines += [f"{CONSOLE_RULE} end of mail {CONSOLE_RULE}"]
    return "\n".join(lines)


def _print_to_console(message: EmailMessage) -> None:
    rendered = render_for_console(message)
    current_app.logger.info("%s", rendered)
    # The app logger shows INFO only in debug mode; stdout is where `make run` is watched.
    print(rendered, flush=True)
