"""a round's archive time: an archived round is out of respondents' sight and still the province's to see

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-30 07:00:00.000000

Rounds opened before this revision are not archived (NULL).
"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('survey_round', schema=None) as batch_op:
        batch_op.add_column(sa.Column('archived_at', sa.DateTime(timezone=True), nullable=True))


def downgrade():
    with op.batch_alter_table('survey_round', schema=None) as batch_op:
        batch_op.drop_column('archived_at')
