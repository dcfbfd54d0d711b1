"""The worker as it runs in production: `flask --app fitcheck worker` in a process of its
own, on the real queue (Huey on an SQLite file beside SQLite, on Redis beside PostgreSQL),
sending through a real SMTP server on loopback."""

from __future__ import annotations

import os
import secrets
import signal
import subprocess
import threading
from collections import Counter
from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
import redis
from flask import Flask
from sqlalchemy import select

from fitcheck.extensions import db
from fitcheck.models import MailStatus, OutboxMessage, utcnow
from fitcheck.services import assessments, outbox
from fitcheck.tasks import queue

from .conftest import REDIS_URL, require_or_skip
from .servers import WORKER
from .smtp import Mailbox, mail_config, parse_message

ROOT = Path(__file__).resolve().parents[1]
WAIT_SECONDS = 60


@pytest.fixture
def queue_url(database_url: str, tmp_path: Path) -> str:
    """Huey's SQLite file for the SQLite run; Redis, as several machines use, for PostgreSQL."""
    if database_url.startswith("sqlite"):
        return f"sqlite:///{tmp_path / 'tasks.sqlite3'}"
    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2).ping()
    except redis.RedisError as error:
        require_or_skip(f"Redis is not reachable at {REDIS_URL}: {error}")
    return REDIS_URL


@pytest.fixture
def app_config(app_config: dict[str, Any], mailbox: Mailbox, queue_url: str) -> dict[str, Any]:
    return {
        **app_config,
        **mail_config(mailbox),
        "TASK_QUEUE_URL": queue_url,
        # A queue of this test's own: parallel runs may share one Redis.
        "TASK_QUEUE_NAME": f"fitcheck-test-{secrets.token_hex(4)}",
    }


@pytest.fixture
def start_worker(app: Flask) -> Iterator[Callable[[], subprocess.Popen[bytes]]]:
    """Start `flask --app fitcheck worker` against this test's database, queue and mail."""
    started: list[subprocess.Popen[bytes]] = []
    config = app.config
    env = {
        **os.environ,
        "DATABASE_URL": config["SQLALCHEMY_DATABASE_URI"],
        "SECRET_KEY": config["SECRET_KEY"],
        "TASK_QUEUE_URL": config["TASK_QUEUE_URL"],
        "TASK_QUEUE_NAME": config["TASK_QUEUE_NAME"],
        "MAIL_SERVER": config["MAIL_SERVER"],
        "MAIL_PORT": str(config["MAIL_PORT"]),
        "MAIL_DEFAULT_SENDER": config["MAIL_DEFAULT_SENDER"],
        "BASE_URL": config["BASE_URL"],
    }

    def start() -> subprocess.Popen[bytes]:
        process = subprocess.Popen(
            WORKER,
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
        )
        started.append(process)
        return process

    yield start
    for process in started:
        if process.poll() is None:
            process.kill()
        process.wait(timeout=WAIT_SECONDS)
        assert process.stdout is not None
        process.stdout.close()
    queue().flush()


def _stop(process: subprocess.Popen[bytes]) -> str:
    """Stop a worker as Ctrl-C does (it finishes the task at hand) and return its output."""
    process.send_signal(signal.SIGINT)
    output, _ = process.communicate(timeout=WAIT_SECONDS)
    return output.decode("utf-8", "replace")


def _message_ids(mailbox: Mailbox) -> list[str]:
    return [str(parse_message(raw)["Message-ID"]) for _, raw in mailbox.received]


def test_the_worker_sends_what_a_launch_queued(
    app: Flask,
    mailbox: Mailbox,
    make_assessment: Callable[..., Any],
    start_worker: Callable[[], subprocess.Popen[bytes]],
) -> None:
    draft, tokens = make_assessment(launch=False, company=2, client=2)
    assessments.launch(draft, invite=True)
    assert mailbox.received == [], "nothing leaves inside the request"
    assert len(queue()) >= 1, "the commit woke the worker's queue"

    worker = start_worker()
    assert mailbox.wait_for(4, WAIT_SECONDS), _stop(worker)
    output = _stop(worker)

    assert sorted(mailbox.recipients) == sorted(str(r.email) for r in tokens)
    db.session.expire_all()
    rows = db.session.scalars(select(OutboxMessage)).all()
    assert [row.status for row in rows] == [MailStatus.SENT] * 4, output
    assert sorted(_message_ids(mailbox)) == sorted(row.message_id for row in rows)
    text = [parse_message(raw).get_body(("plain",)) for _, raw in mailbox.received]
    assert all(part is not None and "http://fitcheck.test/r/" in str(part) for part in text)


def test_a_worker_killed_mid_batch_resends_only_the_message_it_was_sending(
    app: Flask,
    mailbox: Mailbox,
    make_assessment: Callable[..., Any],
    start_worker: Callable[[], subprocess.Popen[bytes]],
) -> None:
    draft, _ = make_assessment(launch=False, company=3, client=2)
    assessments.launch(draft, invite=True)
    mailbox.hold_after = 3  # the server keeps the worker waiting for its reply to mail 3

    worker = start_worker()
    assert mailbox.wait_for(3, WAIT_SECONDS)
    worker.kill()  # mid-delivery: no chance to record anything more
    worker.wait(timeout=WAIT_SECONDS)
    mailbox.release.set()

    db.session.expire_all()
    rows = db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)).all()
    in_flight = [row for row in rows if row.claimed_until is not None]
    assert [row.status for row in rows].count(MailStatus.SENT) == 2
    assert len(in_flight) == 1 and in_flight[0].status is MailStatus.QUEUED

    # The next worker comes round once the dead one's lease has run out.
    later = utcnow() + outbox.LEASE + timedelta(seconds=1)
    assert outbox.deliver_due(now=lambda: later) == 3

    sent = Counter(_message_ids(mailbox))
    assert len(sent) == 5
    assert {mid: n for mid, n in sent.items() if n > 1} == {in_flight[0].message_id: 2}
    db.session.expire_all()
    assert all(row.status is MailStatus.SENT for row in db.session.scalars(select(OutboxMessage)))


def test_two_workers_at_once_never_send_the_same_message(
    app: Flask, mailbox: Mailbox, make_assessment: Callable[..., Any]
) -> None:
    draft, _ = make_assessment(launch=False, company=8, client=8)
    assessments.launch(draft, invite=True)
    start = threading.Barrier(2)
    sent: list[int] = []

    def worker() -> None:
        with app.app_context():
            start.wait()
            sent.append(outbox.deliver_due())
            db.session.remove()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(WAIT_SECONDS)

    assert sum(sent) == 16
    ids = _message_ids(mailbox)
    assert len(ids) == 16 and len(set(ids)) == 16
