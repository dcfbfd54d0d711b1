"""Index the deadlines of the rounds being answered: `ix_assessments_collecting_deadline`,
a partial index on `assessments (deadline) WHERE state = 'collecting'`.

Every minute the worker looks, across every workspace, for rounds whose deadline has come
(`reveal_at_deadlines`) or whose reminders are due (`send_due_reminders`). Without an index
both read every round ever made; this one holds only the rounds being answered, a few
among millions, and serves both.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-04
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

# As the model's `COLLECTING_PREDICATE`, written out: a migration does not import the app.
COLLECTING = sa.text("state = 'collecting'")


def upgrade() -> None:
    # A plain CREATE INDEX on both databases: no table is rebuilt (batch mode would gain
    # nothing here, and on SQLite a rebuild of `assessments` is what 0004 warns about).
    op.create_index(
        "ix_assessments_collecting_deadline",
        "assessments",
        ["deadline"],
        unique=False,
        postgresql_where=COLLECTING,
        sqlite_where=COLLECTING,
    )


def downgrade() -> None:
    op.drop_index("ix_assessments_collecting_deadline", table_name="assessments")
