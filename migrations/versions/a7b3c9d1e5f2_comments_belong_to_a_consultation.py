"""Comments belong to a consultation: each existing comment to its document's consultation

Revision ID: a7b3c9d1e5f2
Revises: e6c2a8d4f1b7
Create Date: 2026-12-03 10:00:00.000000

A comment's consultation is the one of its document whose dates held the moment it was made,
else that document's first. A document with comments and no consultation (none is made that
way now) gets a draft one first, so that every comment has a consultation and none is lost.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'a7b3c9d1e5f2'
down_revision = 'e6c2a8d4f1b7'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('comment', schema=None) as batch_op:
        batch_op.add_column(sa.Column('consultation_id', sa.Integer(), nullable=True))
    op.execute(
        "INSERT INTO consultation (document_id, title, status, moderation_mode, created_at) "
        "SELECT d.id, d.title, 'draft', 'pre', d.created_at FROM document d "
        "WHERE NOT EXISTS (SELECT 1 FROM consultation c WHERE c.document_id = d.id) "
        "AND EXISTS (SELECT 1 FROM comment JOIN document_version v ON v.id = comment.document_version_id "
        "WHERE v.document_id = d.id)"
    )
    its_consultations = (
        "SELECT MIN(c.id) FROM consultation c JOIN document_version v ON v.document_id = c.document_id "
        "WHERE v.id = comment.document_version_id"
    )
    op.execute(
        f"UPDATE comment SET consultation_id = ({its_consultations} "
        "AND c.opens_at <= comment.created_at AND comment.created_at < c.closes_at)"
    )
    op.execute(f"UPDATE comment SET consultation_id = ({its_consultations}) WHERE consultation_id IS NULL")
    with op.batch_alter_table('comment', schema=None) as batch_op:
        batch_op.alter_column('consultation_id', existing_type=sa.Integer(), nullable=False)
        batch_op.create_index(batch_op.f('ix_comment_consultation_id'), ['consultation_id'], unique=False)
        batch_op.create_foreign_key(
            batch_op.f('fk_comment_consultation_id_consultation'), 'consultation', ['consultation_id'], ['id']
        )


def downgrade():
    with op.batch_alter_table('comment', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_comment_consultation_id_consultation'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_comment_consultation_id'))
        batch_op.drop_column('consultation_id')
