"""An index for the comment text search: trigrams on PostgreSQL, an FTS5 table on SQLite

Revision ID: c5d8e2a7f3b1
Revises: c3e8a1f6b2d4
Create Date: 2026-12-03 13:45:00.000000

The staff search finds its words anywhere in a comment, its redacted version, and, for roles
that may see them, the name and email (ILIKE '%words%'). No B-tree can serve that, so every
search read every comment. PostgreSQL: a trigram GIN index over those four columns, which
serves ILIKE as it is; building it locks out new comments while it runs (about a minute at a
million comments). SQLite: an external-content FTS5 table with the trigram tokenizer over the
same columns, kept in step by triggers; the search asks it for the comments holding every
trigram of the words, then checks those with the same LIKE as before. It keeps no positions
(detail=none): a third of the size of a full index, and the LIKE checks the order anyway.

A later migration that rebuilds the comment table on SQLite (batch mode copies it, drops it and
renames the copy) drops these triggers with it: it must create them again
(tests/test_migrations.py checks that they exist at head).
"""
from alembic import op


# revision identifiers, used by Alembic.
revision = 'c5d8e2a7f3b1'
down_revision = 'c3e8a1f6b2d4'
branch_labels = None
depends_on = None

COLUMNS = ("body", "public_body", "author_name", "author_email")
# Trigram tokenizer: SQLite 3.34 and later.
TRIGRAMS_SINCE = (3, 34, 0)


def upgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        op.execute(
            "CREATE INDEX IF NOT EXISTS ix_comment_text_trgm ON comment USING gin ("
            + ", ".join(f"{column} gin_trgm_ops" for column in COLUMNS)
            + ")"
        )
        return
    if not _sqlite_has_trigrams():
        # The search keeps reading every comment, as before, and finds the same ones.
        return
    columns = ", ".join(COLUMNS)
    new = ", ".join(f"new.{column}" for column in COLUMNS)
    old = ", ".join(f"old.{column}" for column in COLUMNS)
    op.execute(
        f"CREATE VIRTUAL TABLE comment_search USING fts5({columns}, "
        "content='comment', content_rowid='id', tokenize='trigram', detail=none)"
    )
    # An external-content table holds only the index: each change to a comment's text is
    # told to it, the old text to take out and the new to put in.
    op.execute(
        "CREATE TRIGGER comment_search_insert AFTER INSERT ON comment BEGIN "
        f"INSERT INTO comment_search (rowid, {columns}) VALUES (new.id, {new}); END"
    )
    op.execute(
        "CREATE TRIGGER comment_search_delete AFTER DELETE ON comment BEGIN "
        f"INSERT INTO comment_search (comment_search, rowid, {columns}) VALUES ('delete', old.id, {old}); END"
    )
    op.execute(
        f"CREATE TRIGGER comment_search_update AFTER UPDATE OF {columns} ON comment BEGIN "
        f"INSERT INTO comment_search (comment_search, rowid, {columns}) VALUES ('delete', old.id, {old}); "
        f"INSERT INTO comment_search (rowid, {columns}) VALUES (new.id, {new}); END"
    )
    op.execute("INSERT INTO comment_search (comment_search) VALUES ('rebuild')")


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP INDEX IF EXISTS ix_comment_text_trgm")
        # Left in place if something else has come to use it.
        op.execute(
            "DO $$ BEGIN DROP EXTENSION IF EXISTS pg_trgm; "
            "EXCEPTION WHEN dependent_objects_still_exist THEN NULL; END $$"
        )
        return
    for event in ("insert", "delete", "update"):
        op.execute(f"DROP TRIGGER IF EXISTS comment_search_{event}")
    op.execute("DROP TABLE IF EXISTS comment_search")


def _sqlite_has_trigrams():
    version = op.get_bind().exec_driver_sql("SELECT sqlite_version()").scalar()
    if tuple(int(part) for part in version.split(".")[:3]) < TRIGRAMS_SINCE:
        return False
    options = {row[0] for row in op.get_bind().exec_driver_sql("PRAGMA compile_options")}
    return "ENABLE_FTS5" in options
