"""Review meetings: after the reveal, both sides step through the mirror together and
record commitments; the summary is mailed to the participants.

Three new tables, nothing altered:

- `review_meetings`: a meeting of a round (its language, the order of its steps frozen at
  the start, the current step, a revision every screen compares, who started it and when,
  when it ended and its summary was queued). A partial unique index on `assessment_id`
  where `ended_at IS NULL` lets one meeting of a round run at a time.
- `review_meeting_participants`: a respondent of the round or a member of the workspace;
  composite keys tie the respondent and the meeting to the same round.
- `review_meeting_commitments`: which commitments were made in which meeting. A table
  rather than a column of `commitments`, which is rebuilt on SQLite to be altered (see
  0004) and whose rows are carried from round to round.

Written by hand from `flask db migrate`'s output. Every key to a workspace, round or
meeting cascades; the user who started a meeting is set to null when they leave.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-20
"""

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

# As the model's `RUNNING_PREDICATE`, written out: a migration does not import the app.
RUNNING = sa.text("ended_at IS NULL")


def upgrade() -> None:
    op.create_table(
        "review_meetings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("assessment_id", sa.Integer(), nullable=False),
        sa.Column("language", sa.String(length=5), nullable=False),
        sa.Column(
            "step_order",
            sa.Enum(
                "gap",
                "importance",
                "trait_set",
                name="meeting_order",
                native_enum=False,
                create_constraint=True,
                length=10,
            ),
            nullable=False,
        ),
        sa.Column("trait_ids", sa.JSON(), nullable=False),
        sa.Column("step", sa.Integer(), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("discussed", sa.JSON(), nullable=False),
        sa.Column("started_by_id", sa.Integer(), nullable=True),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ended_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("summary_queued_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("workspace_id", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "language IN ('en', 'ja')", name=op.f("ck_review_meetings_language_known")
        ),
        sa.CheckConstraint("step >= 0", name=op.f("ck_review_meetings_step_not_negative")),
        sa.CheckConstraint("revision >= 0", name=op.f("ck_review_meetings_revision_not_negative")),
        sa.CheckConstraint(
            "ended_at IS NULL OR ended_at >= started_at",
            name=op.f("ck_review_meetings_ends_after_start"),
        ),
        sa.ForeignKeyConstraint(
            ["assessment_id", "workspace_id"],
            ["assessments.id", "assessments.workspace_id"],
            name=op.f("fk_review_meetings_assessment_id_assessments"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["started_by_id"],
            ["users.id"],
            name=op.f("fk_review_meetings_started_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["workspace_id"],
            ["workspaces.id"],
            name=op.f("fk_review_meetings_workspace_id_workspaces"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_review_meetings")),
        sa.UniqueConstraint(
            "id", "assessment_id", name=op.f("uq_review_meetings_id_assessment_id")
        ),
        sa.UniqueConstraint("id", "workspace_id", name=op.f("uq_review_meetings_id_workspace_id")),
    )
    with op.batch_alter_table("review_meetings", schema=None) as batch_op:
        for column in ("assessment_id", "started_by_id", "workspace_id"):
            batch_op.create_index(batch_op.f(f"ix_review_meetings_{column}"), [column])
    # Plain CREATE INDEX (as 0007): the partial index of the running meeting, per round.
    op.create_index(
        "uq_review_meetings_running",
        "review_meetings",
        ["assessment_id"],
        unique=True,
        postgresql_where=RUNNING,
        sqlite_where=RUNNING,
    )

    op.create_table(
        "review_meeting_participants",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("meeting_id", sa.Integer(), nullable=False),
        sa.Column("assessment_id", sa.Integer(), nullable=False),
        sa.Column("respondent_id", sa.Integer(), nullable=True),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("workspace_id", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "(respondent_id IS NULL) <> (user_id IS NULL)",
            name=op.f("ck_review_meeting_participants_respondent_or_member"),
        ),
        sa.ForeignKeyConstraint(
            ["assessment_id", "workspace_id"],
            ["assessments.id", "assessments.workspace_id"],
            name=op.f("fk_review_meeting_participants_assessment_id_assessments"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["meeting_id", "assessment_id"],
            ["review_meetings.id", "review_meetings.assessment_id"],
            name=op.f("fk_review_meeting_participants_meeting_id_review_meetings"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["respondent_id", "assessment_id"],
            ["respondents.id", "respondents.assessment_id"],
            name=op.f("fk_review_meeting_participants_respondent_id_respondents"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_review_meeting_participants_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["workspace_id"],
            ["workspaces.id"],
            name=op.f("fk_review_meeting_participants_workspace_id_workspaces"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_review_meeting_participants")),
        sa.UniqueConstraint(
            "meeting_id",
            "respondent_id",
            name=op.f("uq_review_meeting_participants_meeting_id_respondent_id"),
        ),
        sa.UniqueConstraint(
            "meeting_id", "user_id", name=op.f("uq_review_meeting_participants_meeting_id_user_id")
        ),
    )
    with op.batch_alter_table("review_meeting_participants", schema=None) as batch_op:
        for column in ("assessment_id", "meeting_id", "respondent_id", "user_id", "workspace_id"):
            batch_op.create_index(batch_op.f(f"ix_review_meeting_participants_{column}"), [column])

    op.create_table(
        "review_meeting_commitments",
        sa.Column("commitment_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("meeting_id", sa.Integer(), nullable=False),
        sa.Column("workspace_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["commitment_id", "workspace_id"],
            ["commitments.id", "commitments.workspace_id"],
            name=op.f("fk_review_meeting_commitments_commitment_id_commitments"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["meeting_id", "workspace_id"],
            ["review_meetings.id", "review_meetings.workspace_id"],
            name=op.f("fk_review_meeting_commitments_meeting_id_review_meetings"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["workspace_id"],
            ["workspaces.id"],
            name=op.f("fk_review_meeting_commitments_workspace_id_workspaces"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("commitment_id", name=op.f("pk_review_meeting_commitments")),
    )
    with op.batch_alter_table("review_meeting_commitments", schema=None) as batch_op:
        for column in ("meeting_id", "workspace_id"):
            batch_op.create_index(batch_op.f(f"ix_review_meeting_commitments_{column}"), [column])


def downgrade() -> None:
    with op.batch_alter_table("review_meeting_commitments", schema=None) as batch_op:
        for column in ("workspace_id", "meeting_id"):
            batch_op.drop_index(batch_op.f(f"ix_review_meeting_commitments_{column}"))
    op.drop_table("review_meeting_commitments")

    with op.batch_alter_table("review_meeting_participants", schema=None) as batch_op:
        for column in ("workspace_id", "user_id", "respondent_id", "meeting_id", "assessment_id"):
            batch_op.drop_index(batch_op.f(f"ix_review_meeting_participants_{column}"))
    op.drop_table("review_meeting_participants")

    op.drop_index("uq_review_meetings_running", table_name="review_meetings")
    with op.batch_alter_table("review_meetings", schema=None) as batch_op:
        for column in ("workspace_id", "started_by_id", "assessment_id"):
            batch_op.drop_index(batch_op.f(f"ix_review_meetings_{column}"))
    op.drop_table("review_meetings")
