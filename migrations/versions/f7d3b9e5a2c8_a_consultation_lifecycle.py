"""A consultation lifecycle: draft or scheduled, with dates a draft may not have yet

Revision ID: f7d3b9e5a2c8
Revises: d4f8b5c0e3b9
Create Date: 2026-12-03 08:50:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'f7d3b9e5a2c8'
down_revision = 'd4f8b5c0e3b9'
branch_labels = None
depends_on = None


def upgrade():
    # A consultation made before this had its dates from `flask seed` and was open between
    # them: scheduled, so that it behaves exactly as it did.
    with op.batch_alter_table('consultation', schema=None) as batch_op:
        batch_op.add_column(sa.Column('status', sa.String(length=20), server_default='scheduled', nullable=False))
        batch_op.alter_column('opens_at', existing_type=sa.DateTime(timezone=True), nullable=True)
        batch_op.alter_column('closes_at', existing_type=sa.DateTime(timezone=True), nullable=True)
    with op.batch_alter_table('consultation', schema=None) as batch_op:
        batch_op.alter_column('status', existing_type=sa.String(length=20), server_default=None)


def downgrade():
    # A draft without dates cannot be kept by the older schema: it gets a day that has passed.
    op.execute(
        "UPDATE consultation SET opens_at = created_at, closes_at = created_at "
        "WHERE opens_at IS NULL OR closes_at IS NULL"
    )
    with op.batch_alter_table('consultation', schema=None) as batch_op:
        batch_op.alter_column('closes_at', existing_type=sa.DateTime(timezone=True), nullable=False)
        batch_op.alter_column('opens_at', existing_type=sa.DateTime(timezone=True), nullable=False)
        batch_op.drop_column('status')
