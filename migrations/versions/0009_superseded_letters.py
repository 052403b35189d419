"""superseded certification letters are kept

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-30 04:10:00.000000

Certifying a returned set again used to overwrite the letter's key, leaving the earlier signed letter with
no row (and the storage sweep would now delete it). Each replaced letter is kept in its own row.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'superseded_letter',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('certification_id', sa.Integer(), nullable=False),
        sa.Column('letter_key', sa.String(length=64), nullable=False),
        sa.Column('letter_name', sa.String(length=255), nullable=False),
        sa.Column('letter_sha256', sa.String(length=64), nullable=False),
        sa.Column('letter_size', sa.Integer(), nullable=False),
        sa.Column('certified_by_id', sa.Integer(), nullable=True),
        sa.Column('certified_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('superseded_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['certification_id'], ['agency_certification.id'],
                                name=op.f('fk_superseded_letter_certification_id_agency_certification'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['certified_by_id'], ['app_user.id'],
                                name=op.f('fk_superseded_letter_certified_by_id_app_user'), ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_superseded_letter')),
    )
    with op.batch_alter_table('superseded_letter', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_superseded_letter_certification_id'), ['certification_id'], unique=False)


def downgrade():
    with op.batch_alter_table('superseded_letter', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_superseded_letter_certification_id'))
    op.drop_table('superseded_letter')
