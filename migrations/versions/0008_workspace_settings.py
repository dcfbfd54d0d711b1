"""A workspace's language and currency: `workspaces.language` ('en' or 'ja', the language
its exports name their columns in) and `workspaces.currency` (the ISO 4217 code of every
amount it records), each with a named check constraint.

Both columns are NOT NULL with a server default, so the workspaces that exist get values
as they are added: English, whose exports stay exactly as they were (the machine names
only), and the yen. Their owners change either on the workspace's settings page.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-20
"""

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

# As the model's `WORKSPACE_LANGUAGES` and `fitcheck.money.CURRENCIES`, written out: a
# migration does not import the app, and a later change of either list is a migration too.
LANGUAGES = ("en", "ja")
CURRENCIES = (
    "JPY",
    "USD",
    "EUR",
    "GBP",
    "CNY",
    "KRW",
    "TWD",
    "SGD",
    "AUD",
    "CAD",
    "CHF",
    "HKD",
    "THB",
)


def _one_of(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(value) for value in values)})"


def upgrade() -> None:
    # Batch mode: SQLite cannot add a table constraint with ALTER TABLE, so it rebuilds
    # `workspaces` (a few rows; env.py keeps foreign keys off meanwhile, so the rebuild
    # cascades into nothing); PostgreSQL runs plain ALTER TABLE statements.
    with op.batch_alter_table("workspaces", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("language", sa.String(length=5), server_default="en", nullable=False)
        )
        batch_op.add_column(
            sa.Column("currency", sa.String(length=3), server_default="JPY", nullable=False)
        )
        batch_op.create_check_constraint(
            batch_op.f("ck_workspaces_language_known"), _one_of("language", LANGUAGES)
        )
        batch_op.create_check_constraint(
            batch_op.f("ck_workspaces_currency_known"), _one_of("currency", CURRENCIES)
        )


def downgrade() -> None:
    with op.batch_alter_table("workspaces", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("ck_workspaces_currency_known"), type_="check")
        batch_op.drop_constraint(batch_op.f("ck_workspaces_language_known"), type_="check")
        batch_op.drop_column("currency")
        batch_op.drop_column("language")
