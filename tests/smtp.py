"""A real SMTP server on loopback for tests that send mail (aiosmtpd)."""

from __future__ import annotations

import asyncio
import socket
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session

REFUSED = "nobody@refused.test"


@dataclass
class Mailbox:
    """An aiosmtpd handler that keeps what it receives; refuses one address on purpose."""

    port: int
    received: list[tuple[list[str], bytes]] = field(default_factory=list)
    # From this many messages on, the reply to DATA waits until `release` is set.
    hold_after: int | None = None
    release: threading.Event = field(default_factory=threading.Event)
    arrived: threading.Condition = field(default_factory=threading.Condition)

    async def handle_RCPT(
        self, server: SMTP, session: Session, envelope: Envelope, address: str, options: Any
    ) -> str:
        if address == REFUSED:
            return "550 5.1.1 No such mailbox"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        raw = envelope.original_content or b""
        with self.arrived:
            self.received.append((list(envelope.rcpt_tos), raw))
            self.arrived.notify_all()
        if self.hold_after is not None and len(self.received) >= self.hold_after:
            # Keep the sender waiting for the reply, as a slow server would.
            await asyncio.get_running_loop().run_in_executor(None, self.release.wait)
        return "250 Message accepted for delivery"

    def wait_for(self, count: int, timeout: float = 30.0) -> bool:
        """Wait until `count` messages have arrived (or `timeout` seconds have passed)."""
        with self.arrived:
            return self.arrived.wait_for(lambda: len(self.received) >= count, timeout)

    @property
    def messages(self) -> list[EmailMessage]:
        return [parse_message(raw) for _, raw in self.received]

    @property
    def recipients(self) -> list[str]:
        return [address for rcpt_tos, _ in self.received for address in rcpt_tos]


def parse_message(raw: bytes) -> EmailMessage:
    message = message_from_bytes(raw, policy=policy.default)
    assert isinstance(message, EmailMessage)
    return message


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def mailbox() -> Iterator[Mailbox]:
    box = Mailbox(port=free_port())
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


def mail_config(box: Mailbox, sender: str = "fitcheck <survey@fitcheck.test>") -> dict[str, Any]:
    return {"MAIL_SERVER": "127.0.0.1", "MAIL_PORT": box.port, "MAIL_DEFAULT_SENDER": sender}
