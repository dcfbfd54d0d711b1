"""Drop `ix_answers_respondent_id`: the unique index on (respondent_id, trait_id) already
serves every lookup by respondent, and each extra index costs every answer written.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-04
"""

from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # A plain DROP INDEX on both databases: no table is rebuilt.
    op.drop_index("ix_answers_respondent_id", table_name="answers")


def downgrade() -> None:
    op.create_index("ix_answers_respondent_id", "answers", ["respondent_id"], unique=False)
