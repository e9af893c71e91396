"""Indexes for the queries that run: the audit log by action, person and record; comments by day

Revision ID: b9e4d2c7a1f5
Revises: 6b2e1f8d4c32
Create Date: 2026-12-03 09:30:00.000000

The audit log lists newest first, so a filter on a rare action walked the whole date index
backwards; each filter now leads an index that ends in the log's order. The digest counts a
period's comments, which no index beginning with created_at could serve.
"""
from alembic import op


# revision identifiers, used by Alembic.
revision = 'b9e4d2c7a1f5'
down_revision = '6b2e1f8d4c32'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('audit_entry', schema=None) as batch_op:
        batch_op.drop_index('ix_audit_entry_action')
        batch_op.drop_index('ix_audit_entry_actor_id')
        batch_op.create_index('ix_audit_entry_action_occurred_at_id', ['action', 'occurred_at', 'id'])
        batch_op.create_index('ix_audit_entry_actor_id_occurred_at_id', ['actor_id', 'occurred_at', 'id'])
        batch_op.create_index('ix_audit_entry_record', ['record_type', 'record_id'])
    with op.batch_alter_table('comment', schema=None) as batch_op:
        batch_op.create_index('ix_comment_created_at_id', ['created_at', 'id'])


def downgrade():
    with op.batch_alter_table('comment', schema=None) as batch_op:
        batch_op.drop_index('ix_comment_created_at_id')
    with op.batch_alter_table('audit_entry', schema=None) as batch_op:
        batch_op.drop_index('ix_audit_entry_record')
        batch_op.drop_index('ix_audit_entry_actor_id_occurred_at_id')
        batch_op.drop_index('ix_audit_entry_action_occurred_at_id')
        batch_op.create_index('ix_audit_entry_actor_id', ['actor_id'])
        batch_op.create_index('ix_audit_entry_action', ['action'])
