"""The migration builds the models' schema from nothing, and undoes it."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import inspect, text
from sqlalchemy.exc import IntegrityError

from fitcheck import create_app
from fitcheck.extensions import db

from .conftest import new_postgres_database


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def empty_database_url(request, tmp_path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'empty.sqlite3'}"
        return
    with new_postgres_database("fitcheck_migration") as url:
        yield url


def test_upgrade_matches_the_models_and_downgrade_removes_it(empty_database_url):
    app = create_app(
        {"TESTING": True, "SECRET_KEY": "m" * 40, "SQLALCHEMY_DATABASE_URI": empty_database_url}
    )
    runner = app.test_cli_runner()
    upgrade = runner.invoke(args=["db", "upgrade"])
    assert upgrade.exit_code == 0, upgrade.output
    with app.app_context():
        tables = set(inspect(db.engine).get_table_names())
    assert set(db.metadata.tables) <= tables

    check = runner.invoke(args=["db", "check"])
    assert check.exit_code == 0, check.output

    # The check can fail: a schema that drifted from the models is reported.
    with app.app_context(), db.engine.begin() as connection:
        connection.execute(text("DROP INDEX ix_partners_workspace_id"))
    drifted = runner.invoke(args=["db", "check"])
    assert drifted.exit_code != 0
    with app.app_context(), db.engine.begin() as connection:
        connection.execute(text("CREATE INDEX ix_partners_workspace_id ON partners (workspace_id)"))

    downgrade = runner.invoke(args=["db", "downgrade", "base"])
    assert downgrade.exit_code == 0, downgrade.output
    with app.app_context():
        assert set(inspect(db.engine).get_table_names()) <= {"alembic_version"}
        db.engine.dispose()


COUNTED = ("assessments", "assessment_traits", "respondents", "answers", "round_summaries")


def _counts() -> dict[str, int]:
    with db.engine.connect() as connection:
        return {
            table: connection.execute(text(f"SELECT count(*) FROM {table}")).scalar_one()  # noqa: S608 - fixed names
            for table in COUNTED
        }


def _demo_at_head(url: str) -> tuple[Any, Any]:
    """An app on `url` upgraded to the head, with the demo workspace loaded."""
    from fitcheck.services.demo import load_demo

    app = create_app({"TESTING": True, "SECRET_KEY": "m" * 40, "SQLALCHEMY_DATABASE_URI": url})
    runner = app.test_cli_runner()
    assert runner.invoke(args=["db", "upgrade"]).exit_code == 0
    with app.app_context():
        load_demo()
        db.session.remove()
    return app, runner


def test_upgrading_and_downgrading_a_database_with_rounds_keeps_every_row(empty_database_url):
    """SQLite rebuilds a table to alter it; with foreign keys on, dropping the old table
    would cascade into every row that references it. Nothing may be lost either way."""
    app, runner = _demo_at_head(empty_database_url)
    with app.app_context():
        before = _counts()
    assert before["answers"] > 1000

    down = runner.invoke(args=["db", "downgrade", "0002"])
    assert down.exit_code == 0, down.output
    with app.app_context():
        assert _counts() == before
    up = runner.invoke(args=["db", "upgrade"])
    assert up.exit_code == 0, up.output
    with app.app_context():
        assert _counts() == before
        db.engine.dispose()


def test_an_upgrade_computes_the_summaries_a_page_would_otherwise_wait_for(empty_database_url):
    """Summaries of an older engine (or none) are the upgrade's data step, never a page's."""
    from fitcheck.services import summaries

    app, runner = _demo_at_head(empty_database_url)
    with app.app_context():
        with db.engine.begin() as connection:
            connection.execute(text("UPDATE round_summaries SET engine = engine - 1"))
            connection.execute(
                text(
                    "DELETE FROM round_summaries WHERE assessment_id = "
                    "(SELECT min(id) FROM assessments WHERE state = 'revealed')"
                )
            )
        workspace = db.session.scalar(text("SELECT min(id) FROM workspaces"))
        assert summaries.pending(workspace) > 0
        db.session.remove()
    down = runner.invoke(args=["db", "downgrade", "0004"])
    assert down.exit_code == 0, down.output
    up = runner.invoke(args=["db", "upgrade"])
    assert up.exit_code == 0, up.output
    with app.app_context():
        assert summaries.pending(workspace) == 0
        engines = db.session.scalars(text("SELECT DISTINCT engine FROM round_summaries")).all()
        assert engines == [summaries.ENGINE]
        db.session.remove()
        db.engine.dispose()


def test_answers_by_respondent_are_found_through_the_unique_index(tmp_path):
    """The index of its own on answers.respondent_id is gone (0006): every lookup by
    respondent still uses an index, the unique (respondent_id, trait_id) one."""
    url = f"sqlite:///{tmp_path / 'plan.sqlite3'}"
    app = create_app({"TESTING": True, "SECRET_KEY": "m" * 40, "SQLALCHEMY_DATABASE_URI": url})
    assert app.test_cli_runner().invoke(args=["db", "upgrade"]).exit_code == 0
    with app.app_context(), db.engine.connect() as connection:
        indexes = {index["name"] for index in inspect(connection).get_indexes("answers")}
        assert "ix_answers_respondent_id" not in indexes
        plan = connection.execute(
            text("EXPLAIN QUERY PLAN SELECT * FROM answers WHERE respondent_id = 1")
        ).all()
        # SQLite names the unique constraint's index sqlite_autoindex_answers_<n>.
        steps = " ".join(str(row[-1]) for row in plan)
        assert "SEARCH answers USING INDEX sqlite_autoindex_answers" in steps, steps
        assert "SCAN" not in steps
        db.engine.dispose()


def _collecting_deadline_index(connection: Any) -> dict[str, Any] | None:
    found = [
        index
        for index in inspect(connection).get_indexes("assessments")
        if index["name"] == "ix_assessments_collecting_deadline"
    ]
    return dict(found[0]) if found else None


def test_the_partial_index_of_collecting_deadlines_comes_and_goes_with_0007(empty_database_url):
    """0007 adds `assessments (deadline) WHERE state = 'collecting'` on both databases (the
    condition included: `db check` compares no index's WHERE) and its downgrade drops it."""
    app = create_app(
        {"TESTING": True, "SECRET_KEY": "m" * 40, "SQLALCHEMY_DATABASE_URI": empty_database_url}
    )
    runner = app.test_cli_runner()
    for _ in range(2):  # up, down, and up again
        upgrade = runner.invoke(args=["db", "upgrade", "0007"])
        assert upgrade.exit_code == 0, upgrade.output
        with app.app_context(), db.engine.connect() as connection:
            index = _collecting_deadline_index(connection)
            assert index is not None
            assert index["column_names"] == ["deadline"] and not index["unique"]
            dialect = connection.dialect.name
            where = str(index["dialect_options"][f"{dialect}_where"])
            assert "state" in where and "'collecting'" in where, where
        downgrade = runner.invoke(args=["db", "downgrade", "0006"])
        assert downgrade.exit_code == 0, downgrade.output
        with app.app_context(), db.engine.connect() as connection:
            assert _collecting_deadline_index(connection) is None
    with app.app_context():
        db.engine.dispose()


def _workspace_columns(connection: Any) -> set[str]:
    return {column["name"] for column in inspect(connection).get_columns("workspaces")}


def _refused(connection: Any, statement: str) -> bool:
    """Whether the database refuses `statement` (a check constraint), leaving nothing."""
    try:
        with connection.begin_nested():
            connection.execute(text(statement))
    except IntegrityError:
        return True
    return False


def test_0008_gives_every_workspace_a_language_and_a_currency_and_takes_them_back(
    empty_database_url,
):
    """The existing workspaces get English and the yen from the server defaults; the new
    check constraints hold, and the table's older ones survive SQLite's rebuild both ways."""
    app = create_app(
        {"TESTING": True, "SECRET_KEY": "m" * 40, "SQLALCHEMY_DATABASE_URI": empty_database_url}
    )
    runner = app.test_cli_runner()
    assert runner.invoke(args=["db", "upgrade", "0007"]).exit_code == 0
    with app.app_context(), db.engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO workspaces (name, similarity_threshold, level_threshold, created_at)"
                " VALUES ('Before 0008', 80, 0.6, CURRENT_TIMESTAMP)"
            )
        )
    for _ in range(2):  # up, down, and up again
        upgrade = runner.invoke(args=["db", "upgrade", "0008"])
        assert upgrade.exit_code == 0, upgrade.output
        with app.app_context(), db.engine.connect() as connection:
            row = connection.execute(text("SELECT name, language, currency FROM workspaces")).one()
            assert tuple(row) == ("Before 0008", "en", "JPY")
            for statement in (
                "UPDATE workspaces SET language = 'fr'",
                "UPDATE workspaces SET currency = 'XYZ'",
                "UPDATE workspaces SET similarity_threshold = 101",
            ):
                assert _refused(connection, statement), statement
            assert not _refused(connection, "UPDATE workspaces SET language = 'ja'")
            connection.rollback()
        downgrade = runner.invoke(args=["db", "downgrade", "0007"])
        assert downgrade.exit_code == 0, downgrade.output
        with app.app_context(), db.engine.connect() as connection:
            assert not {"language", "currency"} & _workspace_columns(connection)
            assert connection.execute(text("SELECT name FROM workspaces")).scalar_one() == (
                "Before 0008"
            )
            assert _refused(connection, "UPDATE workspaces SET level_threshold = 2")
            connection.rollback()
    with app.app_context():
        db.engine.dispose()
