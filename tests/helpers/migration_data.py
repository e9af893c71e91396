"""Rows written straight into a database at an older migration, before upgrading it."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import text
from sqlalchemy.engine import Connection


def insert_document_and_consultation(connection: Connection, now: datetime) -> None:
    """Document 1, its version 1 and consultation 1 (a draft): what every comment belongs to."""
    connection.execute(
        text("INSERT INTO document (id, slug, title, created_at) VALUES (1, 'd', 'D', :now)"), {"now": now}
    )
    connection.execute(
        text(
            "INSERT INTO document_version (id, document_id, number, summary, created_at) "
            "VALUES (1, 1, 1, '', :now)"
        ),
        {"now": now},
    )
    connection.execute(
        text(
            "INSERT INTO consultation (id, document_id, title, status, moderation_mode, created_at) "
            "VALUES (1, 1, 'D', 'draft', 'pre', :now)"
        ),
        {"now": now},
    )


def insert_section_and_example(connection: Connection) -> None:
    """Section 1 ('basic') of version 1, and its practice example 1 ('b1')."""
    connection.execute(
        text(
            "INSERT INTO section (id, version_id, position, slug, heading, body, items_intro) "
            "VALUES (1, 1, 1, 'basic', 'Basic', '', '')"
        )
    )
    connection.execute(
        text("INSERT INTO practice_item (id, section_id, position, key, text) VALUES (1, 1, 1, 'b1', 'B')")
    )
