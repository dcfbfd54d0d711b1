"""Scheduled work, run by the worker's tick once a minute; every step is safe to repeat.

- mail whose time has come (first tries and retries) leaves the outbox;
- (more steps are added here: deadline reveals, reminders, weekly digests)
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from ..models import utcnow
from . import outbox


def tick(*, now: Callable[[], datetime] = utcnow) -> None:
    """One minute's work."""
    outbox.deliver_due(now=now)
