"""Themes as a managed list: a description for each theme, and a revision against lost changes

Revision ID: 6b2e1f8d4c32
Revises: a1c5e2f7b086
Create Date: 2026-12-02 17:37:12.856237

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '6b2e1f8d4c32'
down_revision = 'a1c5e2f7b086'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('tag', schema=None) as batch_op:
        batch_op.add_column(sa.Column('description', sa.Text(), nullable=True))
        # Themes made before this start at revision 1, as new ones do.
        batch_op.add_column(sa.Column('revision', sa.Integer(), server_default='1', nullable=False))


def downgrade():
    with op.batch_alter_table('tag', schema=None) as batch_op:
        batch_op.drop_column('revision')
        batch_op.drop_column('description')
