"""Comment tallies kept by triggers: how many comments of each kind, and per hour, for the figures

Revision ID: e4a7c9b2d6f1
Revises: d2a6f9c4e8b3
Create Date: 2026-12-04 19:45:00.000000

The figures page counted every comment of the consultation for each figure (five seconds at a
million comments on SQLite, 0.8 s on PostgreSQL). Two small tables now hold those counts
(feedback_portal/models/tallies.py): one row per kind of comment (consultation, section,
practice example, state, answer, channel) and one per consultation, hour received and state.
Triggers on the comment table keep them, in the transaction that changes the comment: an
insert adds one to its kind, a change of any tallied column takes one from the old kind and
adds one to the new, a delete takes one away. Existing comments are counted in once, here.

On PostgreSQL, concurrent changes lock the tally rows they touch until they commit. A change
to one comment touches its two kinds in one order (compared as rows), then its two hours in
one order, so concurrent changes of one comment each (all the app makes: bulk moderation is a
transaction per comment) wait for each other rather than deadlock. Writers wait while this
migration counts, so no comment is written between the count and the triggers.

A later migration that rebuilds the comment table on SQLite (batch mode) drops these triggers
with it and must create them again (tests/test_migrations.py checks that they exist at head).
A statement that changes many comments at once on PostgreSQL updates the same few tally rows
once per comment, each update a new row version: load comments in bulk with the trigger
disabled, then run `flask tallies recount`.
"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'e4a7c9b2d6f1'
down_revision = 'd2a6f9c4e8b3'
branch_labels = None
depends_on = None

KIND = ("consultation_id", "section_id", "practice_item_id", "state", "reaction", "channel")
HOUR_KIND = ("consultation_id", "hour", "state")
TALLIED = ("consultation_id", "section_id", "practice_item_id", "state", "reaction", "channel", "created_at")
SQLITE_HOUR = "strftime('%Y-%m-%d %H', {row}.created_at)"
POSTGRESQL_HOUR = "to_char({row}.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24')"


def upgrade():
    op.create_table(
        'comment_tally',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('consultation_id', sa.Integer(), nullable=False),
        sa.Column('section_id', sa.Integer(), nullable=False),
        sa.Column('practice_item_id', sa.Integer(), nullable=False),
        sa.Column('state', sa.String(length=20), nullable=False),
        sa.Column('reaction', sa.String(length=10), nullable=False),
        sa.Column('channel', sa.String(length=10), nullable=False),
        sa.Column('comments', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ['consultation_id'], ['consultation.id'], name=op.f('fk_comment_tally_consultation_id_consultation')
        ),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_comment_tally')),
        sa.UniqueConstraint(*KIND, name='uq_comment_tally_kind'),
    )
    op.create_table(
        'comment_hour_tally',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('consultation_id', sa.Integer(), nullable=False),
        sa.Column('hour', sa.String(length=13), nullable=False),
        sa.Column('state', sa.String(length=20), nullable=False),
        sa.Column('comments', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ['consultation_id'],
            ['consultation.id'],
            name=op.f('fk_comment_hour_tally_consultation_id_consultation'),
        ),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_comment_hour_tally')),
        sa.UniqueConstraint(*HOUR_KIND, name='uq_comment_hour_tally_kind'),
    )
    postgresql = op.get_bind().dialect.name == "postgresql"
    hour = POSTGRESQL_HOUR if postgresql else SQLITE_HOUR
    if postgresql:
        # Readers go on; writers wait until the counts and the trigger are committed together.
        op.execute("LOCK TABLE comment IN SHARE ROW EXCLUSIVE MODE")
    op.execute(
        f"INSERT INTO comment_tally ({', '.join(KIND)}, comments) "
        f"SELECT {', '.join(_kind('comment'))}, count(*) FROM comment GROUP BY {', '.join(_kind('comment'))}"
    )
    op.execute(
        f"INSERT INTO comment_hour_tally ({', '.join(HOUR_KIND)}, comments) "
        f"SELECT consultation_id, {hour.format(row='comment')}, state, count(*) FROM comment "
        f"GROUP BY consultation_id, {hour.format(row='comment')}, state"
    )
    if postgresql:
        _postgresql_triggers()
    else:
        _sqlite_triggers()


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS comment_tally ON comment")
        op.execute("DROP FUNCTION IF EXISTS comment_tally_count()")
    else:
        for event in ("insert", "update", "delete"):
            op.execute(f"DROP TRIGGER IF EXISTS comment_tally_{event}")
    op.drop_table('comment_hour_tally')
    op.drop_table('comment_tally')


def _kind(row):
    """The tally columns' values for a comment row ('new', 'old' or the table)."""
    return (
        f"{row}.consultation_id",
        f"coalesce({row}.section_id, 0)",
        f"coalesce({row}.practice_item_id, 0)",
        f"{row}.state",
        f"coalesce({row}.reaction, '')",
        f"{row}.channel",
    )


def _add_kind(row):
    return (
        f"INSERT INTO comment_tally ({', '.join(KIND)}, comments) VALUES ({', '.join(_kind(row))}, 1) "
        f"ON CONFLICT ({', '.join(KIND)}) DO UPDATE SET comments = comment_tally.comments + 1; "
    )


def _add_hour(row, hour):
    return (
        f"INSERT INTO comment_hour_tally ({', '.join(HOUR_KIND)}, comments) "
        f"VALUES ({row}.consultation_id, {hour.format(row=row)}, {row}.state, 1) "
        f"ON CONFLICT ({', '.join(HOUR_KIND)}) DO UPDATE SET comments = comment_hour_tally.comments + 1; "
    )


def _take_kind(row):
    matches = " AND ".join(f"{column} = {value}" for column, value in zip(KIND, _kind(row), strict=True))
    return f"UPDATE comment_tally SET comments = comments - 1 WHERE {matches}; "


def _take_hour(row, hour):
    return (
        f"UPDATE comment_hour_tally SET comments = comments - 1 WHERE consultation_id = {row}.consultation_id "
        f"AND hour = {hour.format(row=row)} AND state = {row}.state; "
    )


def _sqlite_triggers():
    # One writer at a time on SQLite: the order of the changes does not matter.
    add = _add_kind("new") + _add_hour("new", SQLITE_HOUR)
    take = _take_kind("old") + _take_hour("old", SQLITE_HOUR)
    op.execute(f"CREATE TRIGGER comment_tally_insert AFTER INSERT ON comment BEGIN {add}END")
    op.execute(f"CREATE TRIGGER comment_tally_delete AFTER DELETE ON comment BEGIN {take}END")
    op.execute(
        f"CREATE TRIGGER comment_tally_update AFTER UPDATE OF {', '.join(TALLIED)} ON comment BEGIN {take}{add}END"
    )


def _postgresql_triggers():
    old_kind, new_kind = f"ROW({', '.join(_kind('OLD'))})", f"ROW({', '.join(_kind('NEW'))})"
    old_hour = f"ROW(OLD.consultation_id, {POSTGRESQL_HOUR.format(row='OLD')}, OLD.state)"
    new_hour = f"ROW(NEW.consultation_id, {POSTGRESQL_HOUR.format(row='NEW')}, NEW.state)"
    # Each pair of rows in ascending order, so two changes never hold one each of the same two.
    kinds_in_order = (
        f"IF {old_kind} < {new_kind} THEN {_take_kind('OLD')}{_add_kind('NEW')}"
        f"ELSIF {old_kind} > {new_kind} THEN {_add_kind('NEW')}{_take_kind('OLD')}END IF; "
    )
    hours_in_order = (
        f"IF {old_hour} < {new_hour} THEN {_take_hour('OLD', POSTGRESQL_HOUR)}{_add_hour('NEW', POSTGRESQL_HOUR)}"
        f"ELSIF {old_hour} > {new_hour} THEN {_add_hour('NEW', POSTGRESQL_HOUR)}"
        f"{_take_hour('OLD', POSTGRESQL_HOUR)}END IF; "
    )
    op.execute(
        "CREATE FUNCTION comment_tally_count() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
        f"IF TG_OP = 'INSERT' THEN {_add_kind('NEW')}{_add_hour('NEW', POSTGRESQL_HOUR)}"
        f"ELSIF TG_OP = 'DELETE' THEN {_take_kind('OLD')}{_take_hour('OLD', POSTGRESQL_HOUR)}"
        f"ELSE {kinds_in_order}{hours_in_order}"
        "END IF; RETURN NULL; END $$"
    )
    op.execute(
        f"CREATE TRIGGER comment_tally AFTER INSERT OR DELETE OR UPDATE OF {', '.join(TALLIED)} ON comment "
        "FOR EACH ROW EXECUTE FUNCTION comment_tally_count()"
    )
