"""One row per promise: carrying a commitment into the next round moves it, and the
rounds it leaves become its history (`commitment_reviews`).

Until now the launch of an annual review copied last round's open commitments into the
new round (`commitments.carried_from_id`) and left the originals open, so a promise carried
twice was three open rows and was counted three times as overdue. Now a commitment is one
row for its whole life: `commitments.assessment_id` is the round it stands in, and each
round it was carried out of is a `commitment_reviews` row with its trait there and its
status at that moment. The round it was made in is its first review's (or its own) and is
not stored twice; `carried_from_id` goes.

Written by hand. The data: every chain of copies (following `carried_from_id`, oldest to
newest) becomes its newest row, which keeps its status, trait and round, and takes the
oldest row's `created_at` and `created_by_id` (when the promise was made, and by whom);
each older row becomes a review with its own round, trait and status, recorded when the
next copy was made; the older rows are deleted. A copy carried twice from the same round
(two reviews continuing one round) keeps its own branch, each with the shared history.
The downgrade turns the reviews back into copies.

On SQLite, `batch_alter_table` rebuilds `commitments` by DROP TABLE, which with foreign
keys on deletes whatever references it; so `commitments` is rebuilt while nothing but
itself refers to it: before `commitment_reviews` exists on the way up, after it is gone
on the way down, with the rows read first.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-04
"""

from collections import defaultdict

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

commitments = sa.table(
    "commitments",
    sa.column("id", sa.Integer()),
    sa.column("workspace_id", sa.Integer()),
    sa.column("assessment_id", sa.Integer()),
    sa.column("trait_id", sa.Integer()),
    sa.column("side", sa.String()),
    sa.column("action", sa.Text()),
    sa.column("owner", sa.String()),
    sa.column("owner_user_id", sa.Integer()),
    sa.column("due_on", sa.Date()),
    sa.column("status", sa.String()),
    sa.column("carried_from_id", sa.Integer()),
    sa.column("created_by_id", sa.Integer()),
    sa.column("created_at", sa.DateTime(timezone=True)),
    sa.column("updated_at", sa.DateTime(timezone=True)),
)
reviews = sa.table(
    "commitment_reviews",
    sa.column("id", sa.Integer()),
    sa.column("workspace_id", sa.Integer()),
    sa.column("commitment_id", sa.Integer()),
    sa.column("assessment_id", sa.Integer()),
    sa.column("trait_id", sa.Integer()),
    sa.column("status", sa.String()),
    sa.column("recorded_at", sa.DateTime(timezone=True)),
)


def _chains(rows):
    """(newest row, [(older row, the copy made of it)], oldest first) for each chain."""
    by_id = {row.id: row for row in rows}
    copied = {row.carried_from_id for row in rows if row.carried_from_id in by_id}
    for newest in rows:
        if newest.carried_from_id not in by_id or newest.id in copied:
            continue
        links, row, seen = [], newest, {newest.id}
        while row.carried_from_id in by_id and row.carried_from_id not in seen:
            older = by_id[row.carried_from_id]
            links.append((older, row))
            seen.add(older.id)
            row = older
        yield newest, links[::-1]


def upgrade():
    bind = op.get_bind()
    rows = bind.execute(
        sa.select(
            commitments.c.id,
            commitments.c.workspace_id,
            commitments.c.assessment_id,
            commitments.c.trait_id,
            commitments.c.status,
            commitments.c.carried_from_id,
            commitments.c.created_by_id,
            commitments.c.created_at,
        ).order_by(commitments.c.id)
    ).all()

    with op.batch_alter_table("commitments", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_commitments_carried_from_id_commitments"), type_="foreignkey"
        )
        batch_op.drop_index(batch_op.f("ix_commitments_carried_from_id"))
        batch_op.drop_column("carried_from_id")
        batch_op.create_unique_constraint(
            batch_op.f("uq_commitments_id_workspace_id"), ["id", "workspace_id"]
        )

    op.create_table(
        "commitment_reviews",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("commitment_id", sa.Integer(), nullable=False),
        sa.Column("assessment_id", sa.Integer(), nullable=False),
        sa.Column("trait_id", sa.Integer(), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "open",
                "in_progress",
                "done",
                "dropped",
                name="commitment_status",
                native_enum=False,
                create_constraint=True,
                length=11,
            ),
            nullable=False,
        ),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("workspace_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["assessment_id", "workspace_id"],
            ["assessments.id", "assessments.workspace_id"],
            name=op.f("fk_commitment_reviews_assessment_id_assessments"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["commitment_id", "workspace_id"],
            ["commitments.id", "commitments.workspace_id"],
            name=op.f("fk_commitment_reviews_commitment_id_commitments"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["trait_id", "assessment_id"],
            ["assessment_traits.id", "assessment_traits.assessment_id"],
            name=op.f("fk_commitment_reviews_trait_id_assessment_traits"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["workspace_id"],
            ["workspaces.id"],
            name=op.f("fk_commitment_reviews_workspace_id_workspaces"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_commitment_reviews")),
        sa.UniqueConstraint(
            "commitment_id",
            "assessment_id",
            name=op.f("uq_commitment_reviews_commitment_id_assessment_id"),
        ),
    )
    with op.batch_alter_table("commitment_reviews", schema=None) as batch_op:
        for column in ("assessment_id", "commitment_id", "trait_id", "workspace_id"):
            batch_op.create_index(batch_op.f(f"ix_commitment_reviews_{column}"), [column])

    merged = set()
    for newest, links in _chains(rows):
        if not links:
            continue
        bind.execute(
            reviews.insert(),
            [
                {
                    "workspace_id": newest.workspace_id,
                    "commitment_id": newest.id,
                    "assessment_id": older.assessment_id,
                    "trait_id": older.trait_id,
                    "status": older.status,
                    "recorded_at": copy.created_at,
                }
                for older, copy in links
            ],
        )
        oldest = links[0][0]
        bind.execute(
            commitments.update()
            .where(commitments.c.id == newest.id)
            .values(created_at=oldest.created_at, created_by_id=oldest.created_by_id)
        )
        merged.update(older.id for older, _ in links)
    ids = sorted(merged)
    for start in range(0, len(ids), 500):
        bind.execute(commitments.delete().where(commitments.c.id.in_(ids[start : start + 500])))


def downgrade():
    bind = op.get_bind()
    history = defaultdict(list)
    for review in bind.execute(
        sa.select(reviews).order_by(reviews.c.commitment_id, reviews.c.recorded_at, reviews.c.id)
    ):
        history[review.commitment_id].append(review)
    promises = (
        bind.execute(
            sa.select(
                *(column for column in commitments.c if column.name != "carried_from_id")
            ).where(commitments.c.id.in_(list(history)))
        ).all()
        if history
        else []
    )

    with op.batch_alter_table("commitment_reviews", schema=None) as batch_op:
        for column in ("workspace_id", "trait_id", "commitment_id", "assessment_id"):
            batch_op.drop_index(batch_op.f(f"ix_commitment_reviews_{column}"))
    op.drop_table("commitment_reviews")

    with op.batch_alter_table("commitments", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("uq_commitments_id_workspace_id"), type_="unique")
        batch_op.add_column(sa.Column("carried_from_id", sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f("ix_commitments_carried_from_id"), ["carried_from_id"])
        batch_op.create_foreign_key(
            batch_op.f("fk_commitments_carried_from_id_commitments"),
            "commitments",
            ["carried_from_id"],
            ["id"],
            ondelete="SET NULL",
        )

    # Each round a promise left becomes a copy again, oldest first, each carried from the
    # one before; the promise itself is the newest copy.
    for promise in promises:
        carried_from, made_at = None, promise.created_at
        for review in history[promise.id]:
            copy_id = bind.execute(
                commitments.insert()
                .values(
                    workspace_id=promise.workspace_id,
                    assessment_id=review.assessment_id,
                    trait_id=review.trait_id,
                    side=promise.side,
                    action=promise.action,
                    owner=promise.owner,
                    owner_user_id=promise.owner_user_id,
                    due_on=promise.due_on,
                    status=review.status,
                    carried_from_id=carried_from,
                    created_by_id=promise.created_by_id,
                    created_at=made_at,
                    updated_at=review.recorded_at,
                )
                .returning(commitments.c.id)
            ).scalar_one()
            carried_from, made_at = copy_id, review.recorded_at
        bind.execute(
            commitments.update()
            .where(commitments.c.id == promise.id)
            .values(carried_from_id=carried_from, created_at=made_at)
        )
