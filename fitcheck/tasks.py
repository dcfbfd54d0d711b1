"""The task queue: Huey, on SQLite for one machine and on Redis for several.

Why Huey (docs/deployment.md says more): it runs on an embedded SQLite file with nothing
to install, so `make run` starts a worker beside the web server; the same code runs on
Redis with any number of workers on any number of machines; and it has periodic tasks
built in. Celery and Dramatiq need a broker server even on one machine; RQ needs Redis
and a separate scheduler.

The queue only wakes the worker. What must happen lives in the database: mail in the
outbox, deadlines and reminder days on the assessments. So a lost wake-up costs at most a
minute (the tick below finds the work), and every task is safe to run twice or on two
machines at once.

`init_app()` builds the queue from TASK_QUEUE_URL and registers the tasks; the worker
(`flask --app fitcheck worker`) consumes them with its scheduler in the foreground.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from flask import Flask, current_app
from huey import Huey, MemoryHuey, RedisHuey, SqliteHuey, crontab

from .extensions import db

EXTENSION = "fitcheck.tasks"


def build_queue(url: str, name: str = "fitcheck") -> Huey:
    """The Huey instance for `sqlite:///path`, `redis://…` or `memory://`."""
    scheme = urlsplit(url).scheme
    if scheme == "sqlite":
        path = Path(url.removeprefix("sqlite:///"))
        path.parent.mkdir(parents=True, exist_ok=True)
        # Huey's SQLite storage waits for the file's lock instead of failing at once.
        return SqliteHuey(name, filename=str(path), timeout=5)
    if scheme in {"redis", "rediss", "unix"}:
        return RedisHuey(name, url=url)
    if scheme == "memory":
        return MemoryHuey(name)
    raise ValueError(f"TASK_QUEUE_URL must be sqlite:///…, redis://… or memory://, not {url!r}")


def _in_app_context(app: Flask, work: Callable[[], Any]) -> Callable[[], None]:
    """A task body run inside the app, with a session of its own that ends with it."""

    def run() -> None:
        with app.app_context():
            try:
                work()
            finally:
                db.session.remove()

    run.__name__ = work.__name__
    return run


def _deliver_outbox() -> None:
    from .services import outbox

    outbox.deliver_due()


def _fill_summaries() -> None:
    from .services import summaries

    summaries.fill_lacking()


def _tick() -> None:
    from .services import scheduler

    scheduler.tick()


def init_app(app: Flask) -> None:
    from .services import outbox

    queue = build_queue(str(app.config["TASK_QUEUE_URL"]), str(app.config["TASK_QUEUE_NAME"]))
    deliver = queue.task(name="deliver_outbox")(_in_app_context(app, _deliver_outbox))
    fill = queue.task(name="fill_summaries")(_in_app_context(app, _fill_summaries))
    # Every minute: deadlines, reminders, digests, and mail whose retry time has come.
    queue.periodic_task(crontab(minute="*"), name="tick")(_in_app_context(app, _tick))

    def wake_outbox() -> None:
        try:
            deliver()
        except Exception:  # the queue is down: the minute tick sends the mail instead
            app.logger.warning("Could not wake the worker; mail goes out on its next tick")

    def wake_summaries() -> None:
        try:
            fill()
        except Exception:  # the queue is down: the minute tick fills them instead
            app.logger.warning("Could not wake the worker; summaries come on its next tick")

    app.extensions[EXTENSION] = queue
    app.extensions["fitcheck.wake_outbox"] = wake_outbox
    app.extensions["fitcheck.wake_summaries"] = wake_summaries
    outbox.listen_for_commits()


def queue() -> Huey:
    huey: Huey = current_app.extensions[EXTENSION]
    return huey
