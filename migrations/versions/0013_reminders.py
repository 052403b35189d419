"""reminders that reach people: a log of every reminder e-mail (sent, bounced, failed; by whom, which batch),
replacing the `notification` table, and per-round schedules ("remind N days before the deadline")

Revision ID: 0013
Revises: 0012
Create Date: 2026-11-30 07:00:00.000000

The rows of `notification` (written by `flask review remind`) are carried over: their status stays sent or
failed, their audience is "unsent" (the command did not record it) and each old row is its own batch.
"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None

STATUS = sa.Enum('sent', 'bounced', 'failed', name='reminderstatus', native_enum=False, length=20)


def upgrade():
    op.create_table('reminder_message',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('batch_id', sa.String(length=32), nullable=False),
    sa.Column('round_id', sa.Integer(), nullable=False),
    sa.Column('org_unit_id', sa.Integer(), nullable=True),
    sa.Column('audience', sa.String(length=20), nullable=False),
    sa.Column('address', sa.String(length=255), nullable=False),
    sa.Column('subject', sa.String(length=255), nullable=False),
    sa.Column('status', STATUS, nullable=False),
    sa.Column('error', sa.Text(), nullable=True),
    sa.Column('sent_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('sent_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['org_unit_id'], ['org_unit.id'], name=op.f('fk_reminder_message_org_unit_id_org_unit'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['round_id'], ['survey_round.id'], name=op.f('fk_reminder_message_round_id_survey_round'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['sent_by_id'], ['app_user.id'], name=op.f('fk_reminder_message_sent_by_id_app_user'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_reminder_message'))
    )
    with op.batch_alter_table('reminder_message', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_reminder_message_batch_id'), ['batch_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_reminder_message_org_unit_id'), ['org_unit_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_reminder_message_round_id'), ['round_id'], unique=False)

    op.create_table('reminder_schedule',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('round_id', sa.Integer(), nullable=False),
    sa.Column('days_before', sa.Integer(), nullable=False),
    sa.Column('claimed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('claimed_by', sa.String(length=64), nullable=True),
    sa.Column('batch_id', sa.String(length=32), nullable=True),
    sa.ForeignKeyConstraint(['round_id'], ['survey_round.id'], name=op.f('fk_reminder_schedule_round_id_survey_round'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_reminder_schedule')),
    sa.UniqueConstraint('round_id', 'days_before', name=op.f('uq_reminder_schedule_round_id_days_before'))
    )
    with op.batch_alter_table('reminder_schedule', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_reminder_schedule_round_id'), ['round_id'], unique=False)

    op.execute(
        "INSERT INTO reminder_message (batch_id, round_id, org_unit_id, audience, address, subject, status, error,"
        " sent_at) SELECT 'n' || CAST(id AS VARCHAR(20)), round_id, org_unit_id, 'unsent', recipient, subject,"
        " CASE WHEN status = 'sent' THEN 'sent' ELSE 'failed' END, error, created_at"
        " FROM notification WHERE round_id IS NOT NULL"
    )
    op.drop_table('notification')


def downgrade():
    op.create_table('notification',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('round_id', sa.Integer(), nullable=True),
    sa.Column('org_unit_id', sa.Integer(), nullable=True),
    sa.Column('channel', sa.String(length=20), nullable=False),
    sa.Column('recipient', sa.String(length=255), nullable=False),
    sa.Column('subject', sa.String(length=255), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('error', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['org_unit_id'], ['org_unit.id'], name=op.f('fk_notification_org_unit_id_org_unit'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['round_id'], ['survey_round.id'], name=op.f('fk_notification_round_id_survey_round'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_notification'))
    )
    op.execute(
        "INSERT INTO notification (created_at, round_id, org_unit_id, channel, recipient, subject, status, error)"
        " SELECT sent_at, round_id, org_unit_id, 'email', address, subject,"
        " CASE WHEN status = 'sent' THEN 'sent' ELSE 'failed' END, error FROM reminder_message"
    )
    with op.batch_alter_table('reminder_schedule', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_reminder_schedule_round_id'))
    op.drop_table('reminder_schedule')
    with op.batch_alter_table('reminder_message', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_reminder_message_round_id'))
        batch_op.drop_index(batch_op.f('ix_reminder_message_org_unit_id'))
        batch_op.drop_index(batch_op.f('ix_reminder_message_batch_id'))
    op.drop_table('reminder_message')
