"""The moderation queue: filters in the URL, its order, keyset pagination, working through it, bulk.

Each test runs on SQLite and, with --database-url, on PostgreSQL.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
from sqlalchemy import event, select

from feedback_portal.extensions import db
from feedback_portal.models import Comment, Report, StaffUser
from feedback_portal.services import consultations, documents, moderation
from tests.factories import make_comment, signed_in_client
from tests.pages import check_page, heading, parse, text_of
from tests.staff.moderation_helpers import (
    audit_entries,
    comment_audit_entries,
    comment_by_id,
    csrf_token,
    id_of,
    post_action,
    set_created_at,
)

JANUARY = datetime(2026, 1, 10, 12, 0, tzinfo=UTC)


@pytest.fixture
def moderator(app):
    return signed_in_client(app, role="moderator")


def references_on(soup) -> list[str]:
    return [link.get_text(strip=True) for link in soup.select("table.council-queue tbody tr td a.govuk-link")]


def texts_on(soup) -> list[str]:
    return [cell.get_text() for cell in soup.select("table.council-queue tbody tr td p[dir=auto]")]


def make_many_comments(app, count: int, created_at) -> list[int]:
    """`count` pending comments on the basic section, made directly for speed. Returns their ids."""
    with app.app_context():
        version = documents.get_current_version()
        section = documents.get_section_page("basic").section
        consultation_id = consultations.get_current_consultation().id
        comments = [
            Comment(
                reference=f"CP-T{index:05d}",
                submission_key=f"bulk-test-key-{index:05d}",
                document_version_id=version.id,
                consultation_id=consultation_id,
                section_id=section.id,
                body=f"Comment number {index}",
                state="pending",
                created_at=created_at(index),
            )
            for index in range(count)
        ]
        db.session.add_all(comments)
        db.session.commit()
        return [comment.id for comment in comments]


# Order and pagination ---------------------------------------------------------------------------


def test_pending_comments_come_oldest_first_and_other_states_newest_first(app, moderator):
    newer = make_comment(app, text="Newer", state="pending")
    older = make_comment(app, text="Older", state="pending")
    set_created_at(app, older, JANUARY)
    set_created_at(app, newer, JANUARY + timedelta(days=1))
    soup = check_page(moderator.get("/staff/comments"))
    assert heading(soup) == "Pending comments"
    assert references_on(soup) == [older, newer]

    published_old = make_comment(app, text="Old published")
    published_new = make_comment(app, text="New published")
    set_created_at(app, published_old, JANUARY)
    set_created_at(app, published_new, JANUARY + timedelta(days=2))
    soup = check_page(moderator.get("/staff/comments?state=published"))
    assert heading(soup) == "Published comments"
    assert references_on(soup) == [published_new, published_old]


@pytest.mark.parametrize("state", ["pending", "published"])
def test_keyset_pagination_gives_every_comment_once_with_no_offset(app, moderator, state):
    # Forty comments share each of the first two moments, so page boundaries fall inside ties.
    def created_at(index: int) -> datetime:
        return JANUARY + timedelta(minutes=min(index // 40, 2) * 10 + max(0, index - 80))

    ids = make_many_comments(app, 120, created_at)
    with app.app_context():
        db.session.execute(db.update(Comment).values(state=state))
        db.session.commit()
    statements: list[tuple[str, object]] = []

    def capture(conn, cursor, statement, parameters, context, executemany):
        statements.append((statement, parameters))

    with app.app_context():
        event.listen(db.engine, "before_cursor_execute", capture)
    try:
        pages, url = [], f"/staff/comments?state={state}&section=basic"
        while url:
            soup = check_page(moderator.get(url))
            pages.append(references_on(soup))
            next_link = soup.select_one(".govuk-pagination__next a")
            url = next_link["href"] if next_link else None
            if url:
                assert parse_qs(urlsplit(url).query)["section"] == ["basic"], (
                    "the next page keeps the filters"
                )
    finally:
        with app.app_context():
            event.remove(db.engine, "before_cursor_execute", capture)

    assert [len(page) for page in pages] == [50, 50, 20]
    seen = [reference for page in pages for reference in page]
    assert len(set(seen)) == 120
    expected = [f"CP-T{index:05d}" for index in range(120)]  # created_at, then id, ascending
    assert seen == (expected if state == "pending" else list(reversed(expected)))
    # Pages after the first start from the last row seen, not by skipping rows.
    keyset = [sql for sql, _ in statements if "(comment.created_at, comment.id)" in sql]
    assert len(keyset) == 2
    if not app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        assert not any("OFFSET" in sql.upper() for sql, _ in statements)
    for sql, parameters in statements:
        if "OFFSET" in sql.upper():
            # SQLAlchemy's SQLite dialect always writes "LIMIT ? OFFSET ?" and binds 0: nothing skipped.
            assert sql.rstrip().endswith("OFFSET ?") and list(parameters)[-1] == 0, sql
    assert len(ids) == 120


def test_a_made_up_page_cursor_is_ignored(app, moderator):
    reference = make_comment(app, state="pending")
    for cursor in ("nonsense", "1-x", "-1-2", "99999999999999999999-1", "1-2-3"):
        soup = check_page(moderator.get(f"/staff/comments?after={cursor}"))
        assert references_on(soup) == [reference], cursor


# Filters ----------------------------------------------------------------------------------------


@pytest.fixture
def varied(app, moderator):
    """Comments that differ in one way each, with known creation dates."""
    made = {
        "buses": make_comment(app, text="Buses are late", reaction="yes", state="pending"),
        "we": make_comment(
            app,
            text="Who is 'we'?",
            section_slug="transformative",
            item_key="transformative-3",
            reaction="no",
            state="pending",
        ),
        "percent": make_comment(
            app, text="I agree 100% with this", section_slug=None, reaction="partly", state="pending"
        ),
        "underscore": make_comment(app, text="Words like snake_case are jargon", state="pending"),
        "plain": make_comment(app, text="Plain comment with nothing special", state="pending"),
        "reported": make_comment(app, text="A published and reported comment"),
        "redacted": make_comment(app, text="Call Sam on 0121 496 0000"),
    }
    for offset, key in enumerate(made):
        set_created_at(app, made[key], JANUARY + timedelta(days=30 * offset))
    with app.app_context():
        comment = db.session.scalar(select(Comment).where(Comment.reference == made["redacted"]))
        comment.public_body = "Call [name removed]"
        db.session.add(
            Report(
                comment_id=id_of(app, made["reported"]),
                reason="abusive",
                reporter_key="k" * 64,
                created_at=JANUARY,
            )
        )
        db.session.commit()
    with app.app_context():
        actor = db.session.scalar(select(StaffUser))
        moderation.add_tag(id_of(app, made["plain"]), "Jargon", actor)
    return made


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("", ["buses", "we", "percent", "underscore", "plain"]),
        ("section=basic", ["buses", "underscore", "plain"]),
        ("section=transformative", ["we"]),
        ("section=document", ["percent"]),
        ("item=transformative-3", ["we"]),
        ("reaction=yes", ["buses"]),
        ("reaction=partly", ["percent"]),
        ("created_from=2026-02-01", ["we", "percent", "underscore", "plain"]),
        ("created_to=2026-02-09", ["buses", "we"]),
        ("created_from=2026-02-09&created_to=2026-03-11", ["we", "percent"]),
        ("tag=jargon", ["plain"]),
        ("text=BUSES", ["buses"]),
        ("text=%25", ["percent"]),
        ("text=_", ["underscore"]),
        ("text=%27we%27", ["we"]),
        ("state=published", ["redacted", "reported"]),
        ("state=published&has_reports=yes", ["reported"]),
        ("state=published&text=name+removed", ["redacted"]),
        ("state=published&text=0121", ["redacted"]),
        ("state=rejected", []),
    ],
)
def test_each_filter_narrows_the_queue(app, moderator, varied, query, expected):
    soup = check_page(moderator.get(f"/staff/comments?{query}"))
    assert references_on(soup) == [varied[key] for key in expected]
    if not expected:
        assert "No comments match these filters" in text_of(soup)


def test_the_filters_are_shown_as_chosen_so_the_view_can_be_bookmarked(app, moderator, varied):
    soup = check_page(
        moderator.get("/staff/comments?section=basic&reaction=yes&text=late&created_from=2026-01-01")
    )
    assert soup.select_one("select#section option[selected]")["value"] == "basic"
    assert soup.select_one("select#reaction option[selected]")["value"] == "yes"
    assert soup.select_one("input#text")["value"] == "late"
    assert soup.select_one("input#created_from")["value"] == "2026-01-01"
    form = soup.select_one("form[method=get]")
    assert form["action"] == "/staff/comments"
    assert soup.select_one("label[for=created_from]") is not None
    assert "For example, 2026-11-26" in text_of(soup.select_one("#created_from-hint"))
    link = soup.select_one("table.council-queue tbody a")
    return_to = parse_qs(urlsplit(link["href"]).query)["return_to"][0]
    assert parse_qs(urlsplit(return_to).query) == {
        "section": ["basic"],
        "reaction": ["yes"],
        "text": ["late"],
        "created_from": ["2026-01-01"],
    }


@pytest.mark.parametrize(
    ("query", "message"),
    [
        (
            "created_from=2026-03-01&created_to=2026-02-01",
            "The ‘received to’ date must be the same as or after the ‘received from’ date",
        ),
        ("created_from=2026-02-30", "The ‘received from’ date must be a real date"),
        ("created_to=26/11/2026", "The ‘received to’ date must be a real date"),
        ("state=everything", "Select a state from the list"),
        ("section=nowhere", "Select a section from the list"),
        ("text=bad%00", "must not include control characters"),
    ],
)
def test_bad_filters_are_explained_and_kept(app, moderator, query, message):
    make_comment(app, state="pending")
    soup = check_page(moderator.get(f"/staff/comments?{query}"))
    assert soup.title.get_text().startswith("Error: ")
    assert message in text_of(soup.select_one(".govuk-error-summary"))
    assert references_on(soup) == []
    assert "Correct the filters to see comments" in text_of(soup)
    if "created_from=2026-03-01" in query:
        assert soup.select_one("input#created_to")["value"] == "2026-02-01"
        assert soup.select_one(".govuk-error-summary a")["href"] == "#created_to"


def test_the_queue_shows_what_a_moderator_needs_to_triage(app, moderator):
    reference = make_comment(
        app,
        text="<script>alert(1)</script> " + "long " * 60,
        section_slug="transformative",
        item_key="transformative-3",
        reaction="no",
        state="pending",
    )
    soup = check_page(moderator.get("/staff/comments"))
    row = soup.select_one(f"tr#row-{id_of(app, reference)}")
    cells = text_of(row)
    assert reference in cells and "Transformative – equal" in cells and "Led jointly by citizens" in cells
    assert "No" in cells and "Pending" in cells and "just now" in cells
    excerpt = row.select_one("p[dir=auto]")
    assert excerpt.get_text().startswith("<script>alert(1)</script>")
    assert len(excerpt.get_text()) <= 170
    assert "<script>alert(1)" not in moderator.get("/staff/comments").get_data(as_text=True)
    checkbox = row.select_one("input[type=checkbox][name=comments]")
    assert checkbox["value"] == f"{id_of(app, reference)}:1"
    assert soup.select_one(f"label[for='{checkbox['id']}']") is not None


# Working through the queue ----------------------------------------------------------------------


def test_after_an_action_the_moderator_goes_to_the_next_comment_in_the_same_queue(app, moderator):
    first, second, elsewhere, third = (
        make_comment(app, text="First", state="pending", reaction="yes"),
        make_comment(app, text="Second", state="pending", reaction="yes"),
        make_comment(app, text="Elsewhere", state="pending", section_slug="intermediate", reaction="yes"),
        make_comment(app, text="Third", state="pending", reaction="yes"),
    )
    for offset, reference in enumerate((first, second, elsewhere, third)):
        set_created_at(app, reference, JANUARY + timedelta(hours=offset))
    queue = "/staff/comments?section=basic&reaction=yes"
    soup = check_page(moderator.get(queue))
    link = soup.select_one("table.council-queue tbody a")["href"]
    page = check_page(moderator.get(link))
    assert heading(page) == f"Comment {first}"
    return_to = page.select_one(
        f"form[action='/staff/comments/{id_of(app, first)}/publish'] input[name=return_to]"
    )
    assert return_to["value"] == queue

    response = post_action(moderator, id_of(app, first), "publish", return_to=queue)
    target = urlsplit(response.headers["Location"])
    assert target.path == f"/staff/comments/{id_of(app, second)}"
    assert parse_qs(target.query)["return_to"] == [queue]
    banner = parse(moderator.get(response.headers["Location"])).select_one(".govuk-notification-banner")
    assert f"Comment {first} is published" in text_of(banner)

    response = post_action(moderator, id_of(app, second), "reject", return_to=queue)
    assert urlsplit(response.headers["Location"]).path == f"/staff/comments/{id_of(app, third)}"
    response = post_action(moderator, id_of(app, third), "spam", return_to=queue)
    assert response.headers["Location"] == queue
    assert references_on(parse(moderator.get(queue))) == []


@pytest.mark.parametrize(
    "return_to",
    [
        "https://evil.example/staff/comments",
        "//evil.example/staff/comments",
        "/staff/users",
        "javascript:alert(1)",
    ],
)
def test_return_to_only_ever_goes_to_a_queue_of_this_site(app, moderator, return_to):
    comment_id = id_of(app, make_comment(app, state="pending"))
    response = post_action(moderator, comment_id, "publish", return_to=return_to)
    assert response.headers["Location"] == f"/staff/comments/{comment_id}"
    page = check_page(moderator.get(f"/staff/comments/{comment_id}?return_to={return_to}"))
    assert page.select_one("a.govuk-back-link")["href"] == "/staff/comments"


def test_the_dashboard_links_each_section_and_count_into_the_queue(app, moderator):
    make_comment(app, state="pending")
    make_comment(app, state="published", section_slug=None)
    soup = check_page(moderator.get("/staff/"))
    hrefs = {link["href"] for link in soup.select("table a")}
    assert "/staff/comments?section=basic" in hrefs
    assert "/staff/comments?section=document" in hrefs
    assert "/staff/comments?state=pending&section=basic" in hrefs
    assert "/staff/comments?state=published&section=document" in hrefs
    assert "/staff/comments?state=pending" in hrefs
    for href in hrefs:
        check_page(moderator.get(href))


# Bulk actions -----------------------------------------------------------------------------------


def bulk_post(client, values: list[str], action: str, reason: str = "", return_to: str = "/staff/comments"):
    return client.post(
        "/staff/comments/bulk",
        data={
            "csrf_token": csrf_token(client),
            "comments": values,
            "bulk_action": action,
            "bulk_reason": reason,
            "return_to": return_to,
        },
    )


def test_a_bulk_publish_applies_each_comment_on_its_own_terms(app, moderator):
    fresh = id_of(app, make_comment(app, text="Fresh", state="pending"))
    changed = id_of(app, make_comment(app, text="Changed", state="pending"))
    rejected = id_of(app, make_comment(app, text="Rejected", state="rejected"))
    also_fresh = id_of(app, make_comment(app, text="Also fresh", state="pending"))
    soup = check_page(moderator.get("/staff/comments"))
    values = [box["value"] for box in soup.select("input[name=comments]")]
    assert f"{changed}:1" in values
    post_action(signed_in_client(app, role="admin"), changed, "spam", revision=1)

    response = bulk_post(
        moderator, [f"{fresh}:1", f"{changed}:1", f"{rejected}:1", f"{also_fresh}:1"], "publish"
    )

    soup = check_page(response)
    assert heading(soup) == "What happened to the selected comments"
    rows = {text_of(row.th): text_of(row.td) for row in soup.select("tbody tr")}
    reference = {cid: comment_by_id(app, cid).reference for cid in (fresh, changed, rejected, also_fresh)}
    assert rows == {
        reference[fresh]: "Published",
        reference[changed]: "Skipped: it changed since you loaded the queue",
        reference[rejected]: "Skipped: a rejected comment cannot be published",
        reference[also_fresh]: "Published",
    }
    assert "Published: 2 of 4 comments" in text_of(soup)
    assert [comment_by_id(app, cid).state for cid in (fresh, changed, rejected, also_fresh)] == [
        "published",
        "spam",
        "rejected",
        "published",
    ]
    publishes = audit_entries(app, "comment.publish")
    assert sorted(entry.record_id for entry in publishes) == sorted([fresh, also_fresh])
    assert all(entry.before == {"state": "pending", "revision": 1} for entry in publishes)
    assert len(comment_audit_entries(app)) == 3  # two publishes and the other moderator's spam


def test_a_bulk_reject_records_the_reason_on_each(app, moderator):
    ids = [id_of(app, make_comment(app, state="pending")) for _ in range(3)]
    response = bulk_post(moderator, [f"{cid}:1" for cid in ids], "reject", reason="duplicate")
    assert [text_of(cell) for cell in check_page(response).select("tbody td")] == ["Rejected"] * 3
    for cid in ids:
        comment = comment_by_id(app, cid)
        assert (comment.state, comment.rejection_reason, comment.revision) == ("rejected", "duplicate", 2)
    assert [entry.details for entry in comment_audit_entries(app)] == [{"reason": "duplicate"}] * 3


def test_a_bulk_spam_takes_published_and_pending_comments(app, moderator):
    pending = id_of(app, make_comment(app, state="pending"))
    published = id_of(app, make_comment(app, state="published"))
    hidden = id_of(app, make_comment(app, state="hidden"))
    soup = check_page(bulk_post(moderator, [f"{pending}:1", f"{published}:1", f"{hidden}:1"], "spam"))
    assert [text_of(cell) for cell in soup.select("tbody td")] == [
        "Marked as spam",
        "Marked as spam",
        "Skipped: a hidden comment cannot be marked as spam",
    ]
    assert [comment_by_id(app, cid).state for cid in (pending, published, hidden)] == [
        "spam",
        "spam",
        "hidden",
    ]


@pytest.mark.parametrize(
    ("values", "action", "reason", "message"),
    [
        ([], "publish", "", "Select at least one comment"),
        (["{id}:1"], "", "", "Select what to do with the selected comments"),
        (["{id}:1"], "delete", "", "Select what to do with the selected comments"),
        (["{id}:1"], "reject", "", "Select why you are rejecting the comments"),
        (["{id}:1"], "reject", "because", "Select a reason from the list"),
        (["{id}"], "publish", "", "Reload the queue and select the comments again"),
        (["{id}:1; DROP TABLE comment"], "publish", "", "Reload the queue and select the comments again"),
    ],
)
def test_a_bulk_action_with_something_missing_is_explained_on_the_queue(
    app, moderator, values, action, reason, message
):
    comment_id = id_of(app, make_comment(app, state="pending", section_slug="intermediate"))
    make_comment(app, state="pending")
    values = [value.format(id=comment_id) for value in values]
    response = bulk_post(moderator, values, action, reason, return_to="/staff/comments?section=intermediate")
    soup = check_page(response)
    assert soup.title.get_text().startswith("Error: ")
    assert message in text_of(soup.select_one(".govuk-error-summary"))
    assert references_on(soup) == [comment_by_id(app, comment_id).reference], "the same filtered queue"
    if values == [f"{comment_id}:1"]:
        assert soup.select_one(f"input[name=comments][value='{comment_id}:1']").has_attr("checked")
    assert comment_by_id(app, comment_id).state == "pending"
    assert comment_audit_entries(app) == []


def test_date_filters_follow_the_uk_day_in_summer_time(app, moderator):
    """00:30 on 2 July in the UK is 23:30 on 1 July in UTC: the UK day is what staff mean."""
    just_after_midnight = make_comment(app, text="Just after midnight", state="pending")
    set_created_at(app, just_after_midnight, datetime(2026, 7, 1, 23, 30, tzinfo=UTC))
    late_evening = make_comment(app, text="Late evening", state="pending")
    set_created_at(app, late_evening, datetime(2026, 7, 1, 22, 30, tzinfo=UTC))

    on_the_second = check_page(moderator.get("/staff/comments?created_from=2026-07-02&created_to=2026-07-02"))
    assert references_on(on_the_second) == [just_after_midnight]
    on_the_first = check_page(moderator.get("/staff/comments?created_from=2026-07-01&created_to=2026-07-01"))
    assert references_on(on_the_first) == [late_evening]

    page = check_page(moderator.get(f"/staff/comments/{id_of(app, just_after_midnight)}"))
    assert "2 July 2026, 00:30 BST" in text_of(page)


def test_a_comment_is_found_by_the_reference_people_quote_however_they_type_it(app, moderator):
    wanted = make_comment(app, text="The one they asked about", state="published")
    make_comment(app, text="Another", state="published")
    code = wanted.removeprefix("CP-")
    for typed in (wanted, code, code.lower(), f"cp-{code.lower()}", f"CP {code}"):
        soup = check_page(moderator.get("/staff/comments", query_string={"state": "any", "text": typed}))
        assert references_on(soup) == [wanted], typed


def test_the_queue_has_an_any_state_view(app, moderator):
    made = {
        state: make_comment(app, text=f"A {state} one", state=state)
        for state in ("pending", "hidden", "rejected")
    }
    soup = check_page(moderator.get("/staff/comments?state=any"))
    assert heading(soup) == "Comments in any state"
    assert sorted(references_on(soup)) == sorted(made.values())
    assert "Any state" in [option.get_text() for option in soup.select("select#state option")]


def test_names_and_emails_are_searched_only_for_roles_that_may_see_them(app, moderator):
    given = make_comment(
        app, text="Nothing personal here", name="Parveen Akhtar", email="parveen@example.org"
    )
    admin = signed_in_client(app, role="admin")
    for typed in ("akhtar", "PARVEEN@EXAMPLE"):
        found = check_page(admin.get("/staff/comments", query_string={"state": "any", "text": typed}))
        assert references_on(found) == [given], typed
        hidden = check_page(moderator.get("/staff/comments", query_string={"state": "any", "text": typed}))
        assert references_on(hidden) == [], typed
