"""Alembic environment for Flask-Migrate: the app's engine and the models' metadata."""

import logging
from logging.config import fileConfig

from alembic import context
from flask import current_app

config = context.config
fileConfig(config.config_file_name, disable_existing_loggers=False)
logger = logging.getLogger("alembic.env")

database = current_app.extensions["migrate"].db


def get_engine_url():
    url = database.engine.url.render_as_string(hide_password=False)
    return url.replace("%", "%%")


config.set_main_option("sqlalchemy.url", get_engine_url())


def get_metadata():
    return database.metadata


def run_migrations_offline():
    """Emit SQL to stdout instead of running it (`flask db upgrade --sql`)."""
    context.configure(url=config.get_main_option("sqlalchemy.url"),
                      target_metadata=get_metadata(), literal_binds=True)
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online():
    # An autogenerate that finds no change writes no empty revision.
    def process_revision_directives(context, revision, directives):
        if getattr(config.cmd_opts, "autogenerate", False):
            script = directives[0]
            if script.upgrade_ops.is_empty():
                directives[:] = []
                logger.info("No changes in schema detected.")

    conf_args = current_app.extensions["migrate"].configure_args
    if conf_args.get("process_revision_directives") is None:
        conf_args["process_revision_directives"] = process_revision_directives

    with database.engine.connect() as connection:
        sqlite = connection.dialect.name == "sqlite"
        if sqlite:
            # Batch mode rebuilds a table on SQLite: create the new one, copy the rows, drop
            # the old one, rename. With foreign keys on (fitcheck turns them on for every
            # connection), DROP TABLE first deletes the old table's rows and cascades into
            # every table that references it: answers, respondents, commitments… So keys
            # are off while migrating (the pragma only works outside a transaction) and
            # checked once at the end.
            connection.exec_driver_sql("PRAGMA foreign_keys=OFF")
            connection.commit()
        context.configure(connection=connection, target_metadata=get_metadata(), **conf_args)
        with context.begin_transaction():
            context.run_migrations()
        if sqlite:
            broken = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
            connection.commit()
            connection.exec_driver_sql("PRAGMA foreign_keys=ON")
            if broken:
                raise RuntimeError(f"the migration left rows with broken foreign keys: {broken[:5]}")


def fill_summaries():
    """The data step of every upgrade that reaches the head: the rounds' summaries that
    are missing or outdated (a new summary engine) are computed here, once, rather than
    during a page visit (fitcheck.services.summaries)."""
    from alembic.runtime.migration import MigrationContext

    from fitcheck.services import summaries

    with database.engine.connect() as connection:
        current = MigrationContext.configure(connection).get_current_revision()
    if current != context.get_head_revision():  # a downgrade, or an upgrade to a revision
        return
    try:
        count = summaries.fill_lacking()
    finally:
        database.session.remove()
    if count:
        logger.info("Computed %d round summaries.", count)


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
    fill_summaries()
