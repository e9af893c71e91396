"""Indexes for each queue filter: a consultation's comments in the queue's order, by state or
not, and a section's or practice example's comments in that order

Revision ID: d2a6f9c4e8b3
Revises: c5d8e2a7f3b1
Create Date: 2026-12-03 19:10:00.000000

The queue lists one consultation's comments oldest or newest first, a page at a time. With
the consultation's index alone, "any state" sorted every comment of the consultation for each
page; a section or practice example with few comments was looked for by walking the whole
queue. Each filter now leads an index that ends in the queue's order. The consultation's own
index and the section's and practice example's (id, state) indexes are the leading columns
of the new ones, so they go. Plain index statements, not a batch: on SQLite a batch could
copy the comment table and lose the search index's triggers.
"""
from alembic import op


# revision identifiers, used by Alembic.
revision = 'd2a6f9c4e8b3'
down_revision = 'c5d8e2a7f3b1'
branch_labels = None
depends_on = None

NEW_INDEXES = {
    'ix_comment_consultation_id_state_created_at_id': ['consultation_id', 'state', 'created_at', 'id'],
    'ix_comment_consultation_id_created_at_id': ['consultation_id', 'created_at', 'id'],
    'ix_comment_section_id_state_created_at_id': ['section_id', 'state', 'created_at', 'id'],
    'ix_comment_practice_item_id_state_created_at_id': ['practice_item_id', 'state', 'created_at', 'id'],
}
OLD_INDEXES = {
    'ix_comment_consultation_id': ['consultation_id'],
    'ix_comment_section_id_state': ['section_id', 'state'],
    'ix_comment_practice_item_id_state': ['practice_item_id', 'state'],
}


def upgrade():
    for name, columns in NEW_INDEXES.items():
        op.create_index(name, 'comment', columns)
    for name in OLD_INDEXES:
        op.drop_index(name, table_name='comment')


def downgrade():
    for name, columns in OLD_INDEXES.items():
        op.create_index(name, 'comment', columns)
    for name in NEW_INDEXES:
        op.drop_index(name, table_name='comment')
