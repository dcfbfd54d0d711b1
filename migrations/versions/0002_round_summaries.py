"""Store each revealed round's mirror summary for the portfolio and its analysis.

Written by hand after `flask db migrate`: the table of `models.RoundSummary`, with the
composite key that pins it to its assessment's workspace. Rounds revealed before this
revision get their summary on the portfolio's first visit, or from `flask summarise`.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "round_summaries",
        sa.Column("assessment_id", sa.Integer(), nullable=False),
        sa.Column("engine", sa.Integer(), nullable=False),
        sa.Column("withheld", sa.Boolean(), nullable=False),
        sa.Column("similarity", sa.Double(), nullable=True),
        sa.Column("level_us", sa.Double(), nullable=True),
        sa.Column("level_them", sa.Double(), nullable=True),
        sa.Column("x", sa.Double(), nullable=True),
        sa.Column("y", sa.Double(), nullable=True),
        sa.Column("company_responses", sa.Integer(), nullable=False),
        sa.Column("client_responses", sa.Integer(), nullable=False),
        sa.Column("computed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("workspace_id", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "similarity IS NULL OR (similarity >= 0 AND similarity <= 100)",
            name=op.f("ck_round_summaries_similarity_range"),
        ),
        sa.CheckConstraint(
            "(level_us IS NULL OR (level_us >= 0 AND level_us <= 1))"
            " AND (level_them IS NULL OR (level_them >= 0 AND level_them <= 1))",
            name=op.f("ck_round_summaries_levels_range"),
        ),
        sa.CheckConstraint(
            "(x IS NULL) = (y IS NULL)", name=op.f("ck_round_summaries_point_whole")
        ),
        sa.CheckConstraint(
            "company_responses >= 0 AND client_responses >= 0",
            name=op.f("ck_round_summaries_responses_not_negative"),
        ),
        sa.ForeignKeyConstraint(
            ["assessment_id", "workspace_id"],
            ["assessments.id", "assessments.workspace_id"],
            name=op.f("fk_round_summaries_assessment_id_assessments"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["workspace_id"],
            ["workspaces.id"],
            name=op.f("fk_round_summaries_workspace_id_workspaces"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("assessment_id", name=op.f("pk_round_summaries")),
    )
    op.create_index(
        op.f("ix_round_summaries_workspace_id"), "round_summaries", ["workspace_id"]
    )


def downgrade():
    op.drop_index(op.f("ix_round_summaries_workspace_id"), table_name="round_summaries")
    op.drop_table("round_summaries")
