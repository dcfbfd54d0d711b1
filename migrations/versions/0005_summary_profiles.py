"""Each round's stored summary keeps its mirror profiles by trait key
(`round_summaries.profiles`), for the workspace's normative profile and the response style.

The distinctive profile correlation of a round needs the `us` and `them` profiles of every
revealed round of the workspace; reading them from the summaries spares reading every
round's answers on each results page. Existing summaries are left with NULL and are
recomputed on the next read (the summaries' engine version goes from 1 to 2).

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-04
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # A plain ADD COLUMN on both databases: no table is rebuilt.
    op.add_column("round_summaries", sa.Column("profiles", sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("round_summaries") as batch:
        batch.drop_column("profiles")
