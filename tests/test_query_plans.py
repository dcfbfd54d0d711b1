"""The queries that would not scale to 10,000 workspaces (docs/performance.md, "At scale"),
checked where the database decides: the plan PostgreSQL (and SQLite) makes of the very
statements the services send, with their parameters, recorded as they run.

A test database holds a few rows, and on a few rows a sequential scan is the cheapest
plan; so where a test asks whether an index *can* serve a query, it turns sequential
scans off (`enable_seqscan = off` makes them a last resort, it does not forbid them).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import event, text

from fitcheck.extensions import db
from fitcheck.models import Commitment, RevealPolicy, RoundSummary, Side, utcnow
from fitcheck.models.assessments import COLLECTING_PREDICATE
from fitcheck.services import (
    analysis,
    assessments,
    commitments,
    portfolio_view,
    scheduler,
    summaries,
    workspace_export,
)

on_postgresql = pytest.mark.parametrize(
    "database_url", [pytest.param("postgresql", marks=pytest.mark.postgres)], indirect=True
)

Statement = tuple[str, Any]  # SQL as sent, and its parameters


@contextmanager
def recorded() -> Iterator[list[Statement]]:
    """Every statement sent inside the block, with its parameters."""
    statements: list[Statement] = []

    def record(*args: Any) -> None:
        _connection, _cursor, sql, parameters, _context, _executemany = args
        statements.append((sql, parameters))

    event.listen(db.engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        event.remove(db.engine, "before_cursor_execute", record)


def plan(statement: Statement, *, seqscan: bool = True) -> str:
    """The plan the database makes of a recorded statement with its own parameters."""
    sql, parameters = statement
    db.session.rollback()
    with db.engine.connect() as connection, connection.begin():
        if db.engine.dialect.name == "sqlite":
            rows = connection.exec_driver_sql(f"EXPLAIN QUERY PLAN {sql}", parameters).all()
            return "\n".join(str(row[-1]) for row in rows)
        if not seqscan:
            connection.exec_driver_sql("SET LOCAL enable_seqscan = off")
        rows = connection.exec_driver_sql(f"EXPLAIN {sql}", parameters).all()
        return "\n".join(str(row[0]) for row in rows)


def sent(statements: list[Statement], *words: str) -> list[Statement]:
    """The SELECTs among `statements` that contain every one of `words`."""
    found = [
        (sql, parameters)
        for sql, parameters in statements
        if sql.lstrip().upper().startswith("SELECT") and all(word in sql for word in words)
    ]
    assert found, f"no statement with {words}"
    return found


# --------------------------------------------------------------------------------------------
# Rounds lacking a summary: an anti-join, never NOT IN over every workspace's summaries
# --------------------------------------------------------------------------------------------


@on_postgresql
def test_rounds_lacking_a_summary_are_found_by_an_anti_join_not_a_subplan_of_every_summary(
    worked_example,
):
    ours, owner = worked_example(partner_name="Ours")
    worked_example(partner_name="Theirs")  # another workspace, its round summarised
    db.session.execute(
        RoundSummary.__table__.delete().where(RoundSummary.__table__.c.assessment_id == ours.id)
    )
    db.session.commit()

    with recorded() as statements:
        assert summaries.pending(owner.workspace_id) == 1
    (count,) = sent(statements, "round_summaries")
    with recorded() as statements:
        assert summaries.fill_lacking() == 1
    assert summaries.pending(owner.workspace_id) == 0

    for statement in [count, *sent(statements, "round_summaries")]:
        # NOT IN (SELECT …) is planned as a hashed SubPlan of every summary of every
        # workspace: past work_mem, it is scanned once for each round.
        for seqscan in (True, False):
            found = plan(statement, seqscan=seqscan)
            assert "Anti Join" in found, found
            assert "SubPlan" not in found, found
    # The portfolio's count reads this workspace's summaries only.
    assert "round_summaries.workspace_id" in count[0]


# --------------------------------------------------------------------------------------------
# The worker's deadline queries: the partial index of the rounds being answered
# --------------------------------------------------------------------------------------------


def test_the_deadline_queries_read_the_collecting_rounds_through_the_partial_index(
    make_user, make_assessment
):
    user = make_user()
    deadline = utcnow() + timedelta(days=2)
    assessment, _ = make_assessment(user, deadline=deadline, reveal_policy=RevealPolicy.DEADLINE)
    make_assessment(user)  # collecting without a deadline
    make_assessment(user, deadline=deadline, launch=False)  # a draft with one
    moment = utcnow()

    with recorded() as statements:
        assert scheduler.reveal_at_deadlines(moment) == 0
        scheduler.send_due_reminders(moment)  # its query runs, whatever is due
    deadline_queries = sent(statements, "FROM assessments", "assessments.deadline <=")
    assert len(deadline_queries) == 2
    for statement in deadline_queries:
        # The state written out as the index's predicate is: a bound parameter could not
        # prove it in a generic plan (a statement prepared and run many times).
        assert f"assessments.{COLLECTING_PREDICATE}" in statement[0]
        found = plan(statement, seqscan=False)
        if db.engine.dialect.name == "sqlite":
            assert "USING INDEX ix_assessments_collecting_deadline" in found, found
        else:
            assert "ix_assessments_collecting_deadline" in found, found
            assert "Seq Scan" not in found, found
    # Past the deadline, the same index finds the round to reveal.
    with recorded() as statements:
        scheduler.reveal_at_deadlines(deadline + timedelta(minutes=1))
    (due,) = sent(statements, "FROM assessments", "assessments.deadline <=")
    assert "ix_assessments_collecting_deadline" in plan(due, seqscan=False)
    db.session.refresh(assessment)
    assert assessment.deadline_missed_at is not None  # nobody answered: it stays sealed


# --------------------------------------------------------------------------------------------
# The results page's commitments: a union of ids, each through its index by round
# --------------------------------------------------------------------------------------------


@on_postgresql
def test_a_rounds_commitments_are_found_through_the_indexes_by_round(worked_example):
    first, _ = worked_example(partner_name="Kept")
    carried = commitments.add_commitment(
        first, trait_id=first.traits[0].id, side=Side.COMPANY, action="Carried on"
    )
    following = assessments.start_next_round(first)
    assessments.launch(following, invite=False)  # carries the open promise into it
    # The workspace's other promises, as a large workspace has hundreds.
    db.session.add_all(
        Commitment(
            workspace_id=first.workspace_id,
            assessment_id=following.id,
            trait_id=following.traits[0].id,
            side=Side.CLIENT,
            action=f"Promise {number}",
        )
        for number in range(300)
    )
    db.session.commit()
    db.session.execute(text("ANALYZE commitments, commitment_reviews"))
    db.session.commit()

    with recorded() as statements:
        shown = commitments.list_commitments(first)
    assert [(seen.commitment.id, seen.went_to) for seen in shown] == [(carried.id, following)]
    (query,) = sent(statements, "FROM commitments")
    found = plan(query, seqscan=False)
    # `assessment_id = :id OR id IN (SELECT … commitment_reviews …)` can use no index:
    # PostgreSQL filters every commitment of the workspace through a SubPlan.
    assert "ix_commitments_assessment_id" in found, found
    assert "SubPlan" not in found, found
    assert "Seq Scan" not in found, found


# --------------------------------------------------------------------------------------------
# Rounds joined to the partners of their own workspace
# --------------------------------------------------------------------------------------------

# The ON clause of a join to partners (aliased by a joined eager load or not).
PARTNER_JOIN = re.compile(
    r"JOIN partners(?: AS (\w+))? ON (.*?)(?:\bLEFT OUTER JOIN\b|\bJOIN\b|\bWHERE\b|$)", re.S
)


def test_rounds_are_joined_to_the_partners_of_their_own_workspace(
    worked_example, make_user, make_assessment
):
    """Joined on `partners.id` alone, the planner hashes every workspace's partners; with
    the workspace in the ON clause it reads this one's through its index."""
    revealed, owner = worked_example(partner_name="Joined")
    workspace_id = owner.workspace_id
    db.session.execute(
        RoundSummary.__table__.delete().where(RoundSummary.__table__.c.assessment_id == revealed.id)
    )
    db.session.commit()
    reads: dict[str, Callable[[], object]] = {
        "summaries": summaries.fill_lacking,
        "portfolio": lambda: portfolio_view.portfolio(workspace_id),
        "analysis": lambda: analysis.analyse_portfolio(workspace_id),
        "workspace export": lambda: workspace_export.workspace_archive(workspace_id),
    }
    for name, read in reads.items():
        with recorded() as statements:
            read()
        joins = [m.groups() for sql, _ in statements for m in PARTNER_JOIN.finditer(sql)]
        assert joins, name
        for alias, condition in joins:
            partners = alias or "partners"
            assert f"{partners}.workspace_id = assessments.workspace_id" in condition, (
                name,
                condition,
            )
