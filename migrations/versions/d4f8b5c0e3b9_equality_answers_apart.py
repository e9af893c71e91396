"""About you: equality monitoring answers, in a table of their own with nothing linking them to anyone

Revision ID: d4f8b5c0e3b9
Revises: b9e4d2c7a1f5
Create Date: 2026-12-03 09:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'd4f8b5c0e3b9'
down_revision = 'b9e4d2c7a1f5'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'equality_answer',
        sa.Column('id', sa.String(length=32), nullable=False),
        sa.Column('consultation_id', sa.Integer(), nullable=False),
        sa.Column('given_in', sa.Date(), nullable=False),
        sa.Column('age_band', sa.String(length=30), nullable=True),
        sa.Column('disability', sa.String(length=30), nullable=True),
        sa.Column('ethnicity', sa.String(length=30), nullable=True),
        sa.Column('sex', sa.String(length=30), nullable=True),
        sa.Column('gender_identity', sa.String(length=30), nullable=True),
        sa.Column('religion', sa.String(length=30), nullable=True),
        sa.Column('sexual_orientation', sa.String(length=30), nullable=True),
        sa.Column('carer', sa.String(length=30), nullable=True),
        sa.Column('area', sa.String(length=60), nullable=True),
        sa.Column('consent_wording', sa.Text(), nullable=False),
        sa.Column('consent_wording_version', sa.String(length=30), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_equality_answer')),
    )
    with op.batch_alter_table('equality_answer', schema=None) as batch_op:
        batch_op.create_index(
            'ix_equality_answer_consultation_id_given_in', ['consultation_id', 'given_in'], unique=False
        )


def downgrade():
    with op.batch_alter_table('equality_answer', schema=None) as batch_op:
        batch_op.drop_index('ix_equality_answer_consultation_id_given_in')
    op.drop_table('equality_answer')
