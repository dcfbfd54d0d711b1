"""Commands of `flask --app fitcheck …`; each calls the same service the web UI uses."""

from __future__ import annotations

import os

import click
from flask import Flask, current_app
from flask.cli import with_appcontext

from .extensions import db
from .services import ServiceError, accounts, api_tokens, demo, summaries
from .services.demo_plans import LANGUAGES as DEMO_LANGUAGES


@click.command("create-user")
@click.argument("email")
@click.option("--workspace", "workspace_name", required=True, help="Workspace name.")
@click.option("--name", default="", help="Display name (default: the email's local part).")
@click.password_option(help="Asked for when not given.")
def create_user_command(email: str, workspace_name: str, name: str, password: str) -> None:
    """Create a user; a new workspace's first user is its owner."""
    try:
        user = accounts.create_user(
            email=email, workspace_name=workspace_name, password=password, name=name
        )
    except ServiceError as error:
        raise click.ClickException(str(error.message)) from error
    role = "owner" if user.is_owner else "member"
    click.echo(f"Created {user.email} ({role}) in workspace “{user.workspace.name}”.")


@click.command("demo")
@click.option(
    "--language",
    type=click.Choice(DEMO_LANGUAGES),
    default=None,
    help="The language of the demo's own texts. A new demo defaults to the environment's "
    "(LC_ALL, LC_MESSAGES, LANG), else the app's default; a loaded demo switches to it.",
)
def demo_command(language: str | None) -> None:
    """Load the demo workspace (idempotent) and print how to sign in."""
    if language is None and demo.find_demo() is None:
        language = _environment_language()
    workspace, created = demo.load_demo(language)
    verb = "Loaded" if created else "Already loaded:"
    click.echo(f"{verb} demo workspace “{workspace.name}”.")
    click.echo(f"Sign in with {demo.DEMO_EMAIL} / {demo.DEMO_PASSWORD}")


def _environment_language() -> str | None:
    """The language of the shell's locale (`ja_JP.UTF-8` → `ja`) if the demo speaks it."""
    for name in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = os.environ.get(name)
        if value:  # the first one set decides, as for any program
            language = value.split(".")[0].split("_")[0].lower()
            return language if language in DEMO_LANGUAGES else None
    return None


@click.command("create-db")
def create_db_command() -> None:
    """Bring the database schema up to date (same as `flask db upgrade`)."""
    from flask_migrate import upgrade

    upgrade()
    click.echo(f"Database ready: {db.engine.url.render_as_string(hide_password=True)}")


@click.command("create-token")
@click.argument("email")
@click.option("--name", default="Command line", show_default=True, help="What the token is for.")
def create_token_command(email: str, name: str) -> None:
    """Create a personal API token for a user and print it, this once only."""
    try:
        token, secret = api_tokens.create_token_for_email(email, name)
    except ServiceError as error:
        raise click.ClickException(str(error.message)) from error
    click.echo(f"Created API token “{token.name}” for {token.user.email}. It is shown only now:")
    click.echo(secret)


@click.command("summarise")
def summarise_command() -> None:
    """Store every revealed round's summary that is missing or outdated.

    `flask db upgrade` and the worker do it too; the pages never do (they say how many
    rounds are pending). Run this to fill them at once without a worker.
    """
    count = summaries.fill_lacking()
    click.echo(f"Computed {count} round summaries.")


@click.command("worker")
@click.option(
    "--threads",
    type=click.IntRange(1, 32),
    default=None,
    help="Tasks run at once (default: WORKER_THREADS, 2).",
)
@with_appcontext
def worker_command(threads: int | None) -> None:
    """Run the worker and its scheduler in the foreground: sends mail, reveals at deadlines,
    reminds, and sends digests. Stop it with Ctrl-C (it finishes the task at hand)."""
    import logging

    from .tasks import queue

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    workers = threads or int(current_app.config.get("WORKER_THREADS", 2))
    consumer = queue().create_consumer(
        workers=workers,
        periodic=True,
        worker_type="thread",
        max_delay=float(current_app.config.get("WORKER_POLL_SECONDS", 1.0)),
    )
    click.echo(f"fitcheck worker: {workers} thread(s) on {current_app.config['TASK_QUEUE_URL']}")
    consumer.run()


def register_commands(app: Flask) -> None:
    for command in (
        worker_command,
        create_user_command,
        demo_command,
        create_db_command,
        create_token_command,
        summarise_command,
    ):
        app.cli.add_command(command)
