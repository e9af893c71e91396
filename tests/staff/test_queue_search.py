"""The queue's text search: what it finds, in which order, a page at a time, as the text changes.

The search reads an index made for it (a trigram index on PostgreSQL, an FTS5 table on SQLite;
tests/test_query_plans.py checks that it does). These tests hold it to what it found before
the index existed: the words anywhere in the comment or its redacted version, in any case,
with % and _ taken as themselves. Each runs on SQLite and, with --database-url, on PostgreSQL.
"""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from feedback_portal.extensions import db
from feedback_portal.models import Comment, StaffUser
from feedback_portal.services import moderation, privacy
from tests.factories import make_comment, signed_in_client
from tests.pages import check_page, text_of
from tests.staff.moderation_helpers import set_created_at
from tests.staff.test_queue import make_many_comments, references_on

JANUARY = datetime(2026, 1, 10, 12, 0, tzinfo=UTC)


@pytest.fixture
def moderator(app):
    return signed_in_client(app, role="moderator")


def found(client, words: str, **filters: str) -> list[str]:
    soup = check_page(client.get("/staff/comments", query_string={"state": "any", "text": words, **filters}))
    return references_on(soup)


@pytest.fixture
def written(app):
    """Comments, newest last, whose words tell searches apart."""
    made = {
        "council": make_comment(app, text="The Councillors met on Tuesday", state="pending"),
        "community": make_comment(app, text="Community meetings, held in the evening", state="pending"),
        "percent": make_comment(app, text="I am 100% sure of this", state="published"),
        "percent-word": make_comment(app, text="I am 100 percent sure; 10 sure ways", state="published"),
        "underscore": make_comment(app, text="Words like snake_case are jargon", state="pending"),
        "no-underscore": make_comment(app, text="Words like snakeXcase and snake case", state="pending"),
        "quoted": make_comment(app, text='They said "not now" (twice) AND left*', state="rejected"),
        "go": make_comment(app, text="Going ahead was agreed long ago", state="pending"),
    }
    for offset, key in enumerate(made):
        set_created_at(app, made[key], JANUARY + timedelta(days=offset))
    return made


@pytest.mark.parametrize(
    ("words", "expected"),
    [
        # Inside words, in any case; newest first, as the any-state queue is.
        ("UNCILLOR", ["council"]),
        ("ommun", ["community"]),
        ("MEET", ["community"]),
        ("ET", ["community", "council"]),
        ("tuesday", ["council"]),
        # % and _ are themselves, not wildcards, however long the words.
        ("100%", ["percent"]),
        ("0% s", ["percent"]),
        ("00%", ["percent"]),
        ("e_c", ["underscore"]),
        ("snake_case", ["underscore"]),
        ("a_e", []),
        ("1%s", []),
        ("%", ["percent"]),
        ("_", ["underscore"]),
        # What a search syntax might read as its own: quotes, brackets, operators, stars.
        ('"not now"', ["quoted"]),
        ('said "not', ["quoted"]),
        ("(twice) AND left*", ["quoted"]),
        ("NOT", ["quoted"]),
        ("now OR never", []),
        # Shorter than the index's trigrams: still found anywhere.
        ("go", ["go", "underscore"]),
        ("GO", ["go", "underscore"]),
        ("s,", ["community"]),
        ("; ", ["percent-word"]),
        # Spaces are part of the words.
        ("snake case", ["no-underscore"]),
        ("met on", ["council"]),
        ("meton", []),
        ("nobody wrote this", []),
    ],
)
def test_the_search_finds_the_words_anywhere_in_any_case_taking_every_character_as_itself(
    moderator, written, words, expected
):
    assert found(moderator, words) == [written[key] for key in expected]


def test_the_search_keeps_the_other_filters_and_the_queue_s_order(moderator, written):
    # Pending comments come oldest first.
    assert found(moderator, "words like", state="pending") == [
        written["underscore"],
        written["no-underscore"],
    ]
    assert found(moderator, "100", state="published") == [written["percent-word"], written["percent"]]
    assert found(moderator, "100", state="pending") == []


def test_a_search_is_paged_like_the_queue_every_match_once_in_order(app, moderator):
    ids = make_many_comments(app, 130, lambda index: JANUARY + timedelta(minutes=index))
    with app.app_context():
        # Every third comment says something else, so the matches are not the whole queue.
        for comment_id in ids[::3]:
            db.session.get(Comment, comment_id).body = "Something else entirely"
        db.session.commit()
    pages, url = [], "/staff/comments?text=COMMENT+NUMBER"
    while url:
        soup = check_page(moderator.get(url))
        pages.append(references_on(soup))
        next_link = soup.select_one(".govuk-pagination__next a")
        url = next_link["href"] if next_link else None
    expected = [f"CP-T{index:05d}" for index in range(130) if index % 3]  # oldest first: pending
    assert [len(page) for page in pages] == [50, 36]
    assert [reference for page in pages for reference in page] == expected


def test_the_search_sees_a_redaction_a_withdrawal_and_erased_contact_details(app, moderator):
    reference = make_comment(
        app, text="Call Sam Lee on 0121 496 0000", state="pending", name="Sam Lee", email="sam@example.org"
    )
    admin = signed_in_client(app, role="admin")
    assert found(admin, "sam@EXAMPLE") == [reference]
    assert found(moderator, "[name removed]") == []
    with app.app_context():
        comment = db.session.scalar(select(Comment).where(Comment.reference == reference))
        actor = db.session.scalar(select(StaffUser))
        moderation.publish_redacted_comment(comment.id, comment.revision, "Call [name removed]", actor)
    # The redacted text is found, and the original too, as staff can still read it.
    assert found(moderator, "[NAME REMOVED]") == [reference]
    assert found(moderator, "0121 496") == [reference]
    with app.app_context():
        comment = db.session.scalar(select(Comment).where(Comment.reference == reference))
        privacy.erase_contact_details(reference, privacy.comment_link_token(comment, "erase"))
    assert found(admin, "sam@example") == []
    assert found(admin, "0121 496") == [reference]
    with app.app_context():
        comment = db.session.scalar(select(Comment).where(Comment.reference == reference))
        privacy.withdraw_comment(reference, privacy.comment_link_token(comment, "withdraw"))
    assert found(moderator, "0121 496") == []
    assert found(moderator, "name removed") == []
    soup = check_page(moderator.get("/staff/comments", query_string={"state": "any", "text": "0121 496"}))
    assert "No comments match these filters" in text_of(soup)


def test_a_deleted_comment_leaves_the_search_and_a_new_one_joins_it(app, moderator):
    kept = make_comment(app, text="A comment about the bus station", state="pending")
    gone = make_comment(app, text="Another comment about the bus station", state="pending")
    with app.app_context():
        db.session.delete(db.session.scalar(select(Comment).where(Comment.reference == gone)))
        db.session.commit()
    assert found(moderator, "bus station") == [kept]
    newer = make_comment(app, text="The BUS STATION again", state="pending")
    assert found(moderator, "bus station") == [newer, kept]


def test_the_search_finds_exactly_the_comments_holding_the_words_for_many_words(app):
    """Comments and words drawn from a few letters in both cases and the characters a pattern
    or a search syntax might read as its own: each search finds exactly the comments whose text
    or redacted text holds the words, ignoring case, newest first; never by the name alone."""
    draw = random.Random(15)

    def written(alphabet: str, shortest: int, longest: int) -> str:
        return "".join(draw.choice(alphabet) for _ in range(draw.randint(shortest, longest)))

    symbols, letters = 'aAbBc %_\\"*():', "aAb"
    texts = [written(symbols if index % 2 else letters, 1, 40) for index in range(40)]
    redactions = [draw.choice([None, written(symbols, 1, 8), written(letters, 1, 8)]) for _ in texts]
    references = [
        make_comment(app, text=f"x{text}x", state="pending", name=written(letters, 3, 20)) for text in texts
    ]
    with app.app_context():
        for offset, (reference, redaction) in enumerate(zip(references, redactions, strict=True)):
            comment = db.session.scalar(select(Comment).where(Comment.reference == reference))
            comment.public_body, comment.created_at = redaction, JANUARY + timedelta(minutes=offset)
        db.session.commit()
        pieces = [text[start : start + draw.randint(1, 6)] for text in texts for start in (0, len(text) // 2)]
        made_up = [written(symbols, 1, 6) for _ in range(40)] + [written(letters, 3, 9) for _ in range(80)]
        for words in dict.fromkeys(piece for piece in pieces + made_up if piece.strip()):
            page = moderation.list_queue(moderation.QueueFilters(state=None, text=words), page_size=100)
            expected = [
                reference
                for reference, text, redaction in zip(references, texts, redactions, strict=True)
                if words.lower() in f"x{text}x".lower() or words.lower() in (redaction or "").lower()
            ]
            assert [row.comment.reference for row in page.rows] == list(reversed(expected)), words
