"""Documents edited in the browser: a draft's revision, the closing contact details, item keys never reused

Revision ID: e6c2a8d4f1b7
Revises: f7d3b9e5a2c8
Create Date: 2026-12-03 09:00:00.000000

The closing "Contact us" part of each version's last section moves into the version's own
contact details, where admins edit it. Each document's item key sequence starts after the
highest number its practice items' keys end with, so a new item never takes an old key.
"""
import re

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'e6c2a8d4f1b7'
down_revision = 'f7d3b9e5a2c8'
branch_labels = None
depends_on = None

CONTACT_HEADING = "## Contact us"


def upgrade():
    with op.batch_alter_table('document', schema=None) as batch_op:
        batch_op.add_column(sa.Column('item_key_sequence', sa.Integer(), server_default='0', nullable=False))
    with op.batch_alter_table('document_version', schema=None) as batch_op:
        batch_op.add_column(sa.Column('contact_details', sa.Text(), server_default='', nullable=False))
        batch_op.add_column(sa.Column('revision', sa.Integer(), server_default='1', nullable=False))
    connection = op.get_bind()
    _move_contact_details_out_of_sections(connection)
    _start_item_key_sequences(connection)


def _move_contact_details_out_of_sections(connection):
    last_sections = connection.execute(
        sa.text(
            "SELECT s.id, s.version_id, s.body FROM section s WHERE s.position = "
            "(SELECT MAX(o.position) FROM section o WHERE o.version_id = s.version_id)"
        )
    ).all()
    for section_id, version_id, body in last_sections:
        lines = (body or "").split("\n")
        if CONTACT_HEADING not in [line.strip() for line in lines]:
            continue
        at = [line.strip() for line in lines].index(CONTACT_HEADING)
        kept = "\n".join(lines[:at]).strip()
        contact = "\n".join(lines[at + 1 :]).strip()
        connection.execute(sa.text("UPDATE section SET body = :body WHERE id = :id"), {"body": kept, "id": section_id})
        connection.execute(
            sa.text("UPDATE document_version SET contact_details = :contact WHERE id = :id"),
            {"contact": contact, "id": version_id},
        )


def _start_item_key_sequences(connection):
    highest = {}
    for document_id, key in connection.execute(
        sa.text(
            "SELECT v.document_id, i.key FROM practice_item i "
            "JOIN section s ON s.id = i.section_id JOIN document_version v ON v.id = s.version_id"
        )
    ):
        match = re.search(r"(\d+)$", key)
        number = int(match.group(1)) if match else 0
        highest[document_id] = max(highest.get(document_id, 0), number)
    for document_id, number in highest.items():
        connection.execute(
            sa.text("UPDATE document SET item_key_sequence = :n WHERE id = :id"), {"n": number, "id": document_id}
        )


def downgrade():
    connection = op.get_bind()
    for version_id, contact in connection.execute(
        sa.text("SELECT id, contact_details FROM document_version WHERE contact_details <> ''")
    ).all():
        section = connection.execute(
            sa.text("SELECT id, body FROM section WHERE version_id = :v ORDER BY position DESC LIMIT 1"),
            {"v": version_id},
        ).first()
        if section is not None:
            body = f"{section.body.rstrip()}\n\n{CONTACT_HEADING}\n\n{contact}\n"
            connection.execute(sa.text("UPDATE section SET body = :body WHERE id = :id"), {"body": body, "id": section.id})
    with op.batch_alter_table('document_version', schema=None) as batch_op:
        batch_op.drop_column('revision')
        batch_op.drop_column('contact_details')
    with op.batch_alter_table('document', schema=None) as batch_op:
        batch_op.drop_column('item_key_sequence')
