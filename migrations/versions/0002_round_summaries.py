"""Store each revealed round's mirror summary for the portfolio and its analysis.

Rounds revealed before this revision get their summary the first time the portfolio or
the analysis reads them.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('round_summaries',
    sa.Column('assessment_id', sa.Integer(), nullable=False),
    sa.Column('engine', sa.Integer(), nullable=False),
    sa.Column('withheld', sa.Boolean(), nullable=False),
    sa.Column('similarity', sa.Double(), nullable=True),
    sa.Column('level_us', sa.Double(), nullable=True),
    sa.Column('level_them', sa.Double(), nullable=True),
    sa.Column('x', sa.Double(), nullable=True),
    sa.Column('y', sa.Double(), nullable=True),
    sa.Column('company_responses', sa.Integer(), nullable=False),
    sa.Column('client_responses', sa.Integer(), nullable=False),
    sa.Column('computed_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('workspace_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['assessment_id', 'workspace_id'], ['assessments.id', 'assessments.workspace_id'], name=op.f('fk_round_summaries_assessment_id_assessments'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['workspace_id'], ['workspaces.id'], name=op.f('fk_round_summaries_workspace_id_workspaces'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('assessment_id', name=op.f('pk_round_summaries'))
    )
    with op.batch_alter_table('round_summaries', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_round_summaries_workspace_id'), ['workspace_id'], unique=False)


def downgrade():
    with op.batch_alter_table('round_summaries', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_round_summaries_workspace_id'))

    op.drop_table('round_summaries')
