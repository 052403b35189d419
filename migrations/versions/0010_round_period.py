"""a round's period: the annual report or the 6-, 9- or 12-month report of a fiscal year

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-07 09:00:00.000000

Rounds opened before this revision were annual reports; the server default says so for existing rows.
"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('survey_round', schema=None) as batch_op:
        batch_op.add_column(sa.Column(
            'period', sa.Enum('annual', 'month6', 'month9', 'month12', name='roundperiod', native_enum=False,
                              length=20),
            nullable=False, server_default='annual',
        ))


def downgrade():
    with op.batch_alter_table('survey_round', schema=None) as batch_op:
        batch_op.drop_column('period')
