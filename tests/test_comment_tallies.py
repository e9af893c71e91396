"""The tallies the figures read agree with the comments, whatever happens to the comments."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import delete, select, update

from feedback_portal.extensions import db
from feedback_portal.models import Channel, Comment, CommentHourTally, CommentState, CommentTally, Reaction
from feedback_portal.services import documents
from tests.factories import make_comment
from tests.helpers.tallies import kept_tallies, recounted_tallies

STATES = st.sampled_from(list(CommentState))
REACTIONS = st.sampled_from([None, *Reaction])
CHANNELS = st.sampled_from(list(Channel))
# Hours either side of the clocks going forward (29 March 2026) and of midnight.
MOMENTS = st.integers(min_value=0, max_value=72).map(
    lambda hours: datetime(2026, 3, 28, 0, 30, tzinfo=UTC) + timedelta(hours=hours)
)
ADD = st.tuples(st.just("add"), st.integers(0, 20), st.tuples(STATES, REACTIONS))
CHANGE = st.one_of(
    st.tuples(st.just("state"), st.integers(0, 50), STATES),
    st.tuples(st.just("reaction"), st.integers(0, 50), REACTIONS),
    st.tuples(st.just("channel"), st.integers(0, 50), CHANNELS),
    st.tuples(st.just("created_at"), st.integers(0, 50), MOMENTS),
    st.tuples(st.just("section_id"), st.integers(0, 50), st.none()),
)
REMOVE = st.tuples(st.just("remove"), st.integers(0, 50), st.none())


def places(app) -> list[tuple[str | None, str | None]]:
    """The whole document, each section, and each practice example: (section slug, item key)."""
    with app.app_context():
        version = documents.get_current_version()
        return [
            (None, None),
            *((section.slug, None) for section in version.sections),
            *((section.slug, item.key) for section in version.sections for item in section.items),
        ]


def apply(app, operation: tuple, targets: list[tuple[str | None, str | None]]) -> None:
    action, which, value = operation
    if action == "add":
        section, item = targets[which % len(targets)]
        state, reaction = value
        make_comment(app, section_slug=section, item_key=item, state=state, reaction=reaction)
        return
    with app.app_context():
        ids = db.session.scalars(select(Comment.id).order_by(Comment.id)).all()
        if not ids:
            return
        chosen = Comment.id == ids[which % len(ids)]
        if action == "remove":
            db.session.execute(delete(Comment).where(chosen))
        elif action == "section_id":
            db.session.execute(update(Comment).where(chosen).values(section_id=None, practice_item_id=None))
        else:
            db.session.execute(update(Comment).where(chosen).values({action: value}))
        db.session.commit()


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(operations=st.lists(st.one_of(ADD, ADD, CHANGE, CHANGE, REMOVE), min_size=1, max_size=12))
def test_the_tallies_match_a_recount_after_any_adds_changes_and_removals(app, operations):
    targets = places(app)
    for operation in operations:
        apply(app, operation, targets)
    with app.app_context(), db.engine.connect() as connection:
        assert kept_tallies(connection) == recounted_tallies(connection)


def test_flask_tallies_recount_puts_wrong_tallies_right(app):
    for state in (CommentState.PENDING, CommentState.PUBLISHED, CommentState.PUBLISHED):
        make_comment(app, state=state, reaction=Reaction.YES)
    with app.app_context():
        with db.engine.begin() as connection:
            right = kept_tallies(connection)
            connection.execute(update(CommentTally).values(comments=CommentTally.comments + 5))
            connection.execute(delete(CommentHourTally))
            assert kept_tallies(connection) != right
        result = app.test_cli_runner().invoke(args=["tallies", "recount"])
        assert result.exit_code == 0, result.output
        assert "The tallies count 3 comments." in result.output
        with db.engine.connect() as connection:
            assert kept_tallies(connection) == right == recounted_tallies(connection)
