"""Feedback that arrives another way: its channel, the day it was received, who entered it

Revision ID: 3b7e1f0d9a42
Revises: 4b34cedc8cd2
Create Date: 2026-12-02 06:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '3b7e1f0d9a42'
down_revision = '4b34cedc8cd2'
branch_labels = None
depends_on = None


def upgrade():
    # Every comment so far was sent on this site: the server default says so for existing rows.
    with op.batch_alter_table('comment', schema=None) as batch_op:
        batch_op.add_column(sa.Column('channel', sa.String(length=10), server_default='online', nullable=False))
        batch_op.add_column(sa.Column('received_at', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('entered_by_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f('fk_comment_entered_by_id_staff_user'), 'staff_user', ['entered_by_id'], ['id']
        )


def downgrade():
    with op.batch_alter_table('comment', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_comment_entered_by_id_staff_user'), type_='foreignkey')
        batch_op.drop_column('entered_by_id')
        batch_op.drop_column('received_at')
        batch_op.drop_column('channel')
