"""A stamp for the public pages' cache, renewed by every change they show

Revision ID: c3e8a1f6b2d4
Revises: a7b3c9d1e5f2
Create Date: 2026-12-03 14:00:00.000000

One row. The cache keys its pages by the stamp, so a new stamp retires every cached page at
once, on every server.
"""
import secrets

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'c3e8a1f6b2d4'
down_revision = 'a7b3c9d1e5f2'
branch_labels = None
depends_on = None


def upgrade():
    stamp = op.create_table(
        'public_content_stamp',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('stamp', sa.String(length=32), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_public_content_stamp')),
    )
    op.bulk_insert(stamp, [{'id': 1, 'stamp': secrets.token_hex(16)}])


def downgrade():
    op.drop_table('public_content_stamp')
