"""Stop these emails: one-click unsubscribe

Revision ID: e1b7a3c2d9f4
Revises: c94da6caeaf1
Create Date: 2026-12-02 06:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'e1b7a3c2d9f4'
down_revision = 'c94da6caeaf1'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('comment', schema=None) as batch_op:
        batch_op.add_column(sa.Column('emails_stopped_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.create_index('ix_comment_emails_stopped_at', ['emails_stopped_at'], unique=False)

    with op.batch_alter_table('outbox_message', schema=None) as batch_op:
        batch_op.add_column(sa.Column('unsubscribe_url', sa.Text(), nullable=True))


def downgrade():
    with op.batch_alter_table('outbox_message', schema=None) as batch_op:
        batch_op.drop_column('unsubscribe_url')

    with op.batch_alter_table('comment', schema=None) as batch_op:
        batch_op.drop_index('ix_comment_emails_stopped_at')
        batch_op.drop_column('emails_stopped_at')
