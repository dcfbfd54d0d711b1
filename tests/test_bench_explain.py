"""bench/explain.py on a tiny dataset, so that the script cannot rot: its bulk load gives
data the app accepts, every page it visits answers, every statement is recorded with its
parameters and explained, and explaining a write leaves nothing behind.

The benchmark itself (3 million answers) is not a test; docs/performance.md has its numbers.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator

import pytest
from sqlalchemy import create_engine, func, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError

from bench import explain
from bench.timing import scratch_app
from fitcheck.extensions import db
from fitcheck.models import Answer, Assessment, AuditEvent, RoundSummary, State
from fitcheck.services.results import compute_fit, submitted_answers
from fitcheck.services.summaries import ENGINE, Summary

from .conftest import DEFAULT_POSTGRES, require_or_skip

pytestmark = pytest.mark.postgres

TINY = explain.Sizes(workspaces=2, partners=3, rounds=2, respondents=4, traits=3)


@pytest.fixture(scope="module")
def scratch_url() -> Iterator[str]:
    """A database of its own, created by the script's own helper and dropped after."""
    base = make_url(os.environ.get("TEST_DATABASE_URL", DEFAULT_POSTGRES))
    name = f"fitcheck_explain_test_{os.getpid()}_{secrets.token_hex(3)}"
    url = base.set(database=name).render_as_string(hide_password=False)
    try:
        explain.scratch_database(url)
    except OperationalError as error:
        require_or_skip(f"PostgreSQL is not reachable at {base}: {error.orig}")
    try:
        yield url
    finally:
        admin = create_engine(base, isolation_level="AUTOCOMMIT")
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def _count(model: type) -> int:
    return int(db.session.scalar(select(func.count()).select_from(model)) or 0)


def test_the_script_visits_every_page_and_explains_every_statement(scratch_url):
    with scratch_app(scratch_url) as app:
        target = explain.build(TINY)
        revealed = select(func.count(Answer.id)).join(
            Assessment, Assessment.id == Answer.assessment_id
        )
        assert db.session.scalar(revealed.where(Assessment.state == State.REVEALED)) == (
            TINY.answers
        )
        # The second workspace's summaries were copied from the first's: they must be what
        # the engine computes from its own answers.
        second = db.session.scalars(
            select(Assessment).where(
                Assessment.workspace_id != target.workspace_id,
                Assessment.state == State.REVEALED,
            )
        ).all()
        assert len(second) == TINY.partners * TINY.rounds
        for assessment in second:
            stored = db.session.get_one(RoundSummary, assessment.id)
            assert stored.engine == ENGINE
            computed = Summary.of(
                assessment.id,
                compute_fit(assessment, submitted_answers(assessment)),
            )
            assert (stored.similarity, stored.level_us, stored.profiles) == (
                computed.similarity,
                computed.level_us,
                computed.profiles,
            )

        visits = explain.visit(app, target)
        assert [(v.page.name, v.outcome) for v in visits] == [
            (page.name, "200") for page in explain.pages(target)
        ] + [("worker's minute tick", "done")]
        assert all(v.statements for v in visits)
        submit = next(v for v in visits if v.page.method == "PUT")
        upsert = next(s for s in submit.statements if s.sql.startswith("INSERT INTO answers"))
        assert upsert.parameters  # recorded with what it ran with

        answers, events = _count(Answer), _count(AuditEvent)
        plans = explain.explain_visits(visits)
        for page, mine in zip(visits, plans, strict=True):
            assert set(mine) == {s.sql for s in page.statements if explain._explainable(s.sql)}
            assert all("Execution Time" in plan.text for plan in mine.values())
        # The upsert and the export's audit event ran under EXPLAIN ANALYZE and were undone.
        assert (_count(Answer), _count(AuditEvent)) == (answers, events)

        statement = explain.Statement(
            "SELECT * FROM answers WHERE comment = %(comment)s", {"comment": "none"}
        )
        with db.engine.connect() as connection:
            plan = explain.explain(connection, statement, frozenset({"answers"}))
        assert plan.flags == (f"Seq Scan on answers ({answers} rows read, 0 kept)",)


def test_a_scan_that_reads_far_more_than_it_keeps_is_flagged():
    node = {
        "Node Type": "Index Scan",
        "Relation Name": "assessments",
        "Index Name": "ix_assessments_workspace_id",
        "Actual Rows": 2,
        "Actual Loops": 1,
        "Rows Removed by Filter": 5000,
    }
    plan = explain.read_plan({"Plan": node, "Execution Time": 1.5}, "", frozenset())
    assert plan.flags == ("Index Scan on assessments reads 5002 rows to keep 2",)
    assert (plan.rows_read, plan.indexes, plan.execution_ms) == (
        5002,
        ("ix_assessments_workspace_id",),
        1.5,
    )
    narrow = explain.read_plan({"Plan": node | {"Rows Removed by Filter": 10}}, "", frozenset())
    assert narrow.flags == ()


@pytest.mark.parametrize("name", ["test", "postgres", "template1"])
def test_the_script_refuses_a_database_that_is_not_a_scratch_one(name):
    with pytest.raises(SystemExit, match="Refusing"):
        explain.scratch_database(f"postgresql+psycopg://postgres@127.0.0.1:5432/{name}")
