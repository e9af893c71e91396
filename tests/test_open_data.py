"""Open data: the page that describes it, and the published comments as CSV and as JSON in pages.

Each test runs on SQLite and, with --database-url, on PostgreSQL. The files are read as
software would read them: parsed CSV, parsed JSON, following the `next` links.
"""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select, update

from feedback_portal.extensions import db
from feedback_portal.models import Comment, CommentState, StaffUser, Tag
from feedback_portal.services import moderation, open_data, privacy, responses
from feedback_portal.services.export import OPEN_PROFILE
from tests.factories import make_comment, make_staff, signed_in_client
from tests.pages import check_page, parse, text_of
from tests.staff.moderation_helpers import id_of, set_created_at
from tests.staff.test_export import post_export, read_csv

CSV_PATH = "/open-data/comments.csv"
JSON_PATH = "/open-data/comments.json"
HEADINGS = [column.heading for column in OPEN_PROFILE.columns]
KEYS = [column.key for column in OPEN_PROFILE.columns]
LICENCE = "https://www.nationalarchives.gov.uk/doc/open-government-licence/version/3/"


# Helpers ----------------------------------------------------------------------------------------


def staff(app: Flask) -> StaffUser:
    """A moderator to act through the services, in the current app context."""
    user = db.session.scalar(select(StaffUser).where(StaffUser.role == "moderator"))
    if user is None:
        make_staff(app, role="moderator")
        user = db.session.scalar(select(StaffUser).where(StaffUser.role == "moderator"))
    return user


def csv_rows(client: FlaskClient) -> list[dict[str, str]]:
    response = client.get(CSV_PATH)
    assert response.status_code == 200
    raw = response.get_data()
    assert raw.startswith(b"\xef\xbb\xbf")
    header, *rows = csv.reader(io.StringIO(raw.decode("utf-8-sig"), newline=""))
    assert header == HEADINGS
    return [dict(zip(header, row, strict=True)) for row in rows]


def path_of(link: str) -> str:
    parts = urlsplit(link)
    return f"{parts.path}?{parts.query}"


def json_pages(client: FlaskClient, limit: int | None = None) -> list[dict]:
    """Every page of the JSON, from the first, following `next` until it is null."""
    pages = []
    path: str | None = JSON_PATH + (f"?limit={limit}" if limit else "")
    while path is not None:
        response = client.get(path)
        assert response.status_code == 200, response.get_data(as_text=True)
        assert response.mimetype == "application/json"
        page = json.loads(response.get_data())
        assert set(page) == {"data", "links"}
        pages.append(page)
        path = path_of(page["links"]["next"]) if page["links"]["next"] else None
        assert len(pages) < 100, "the pages never end"
    return pages


def json_rows(client: FlaskClient, limit: int | None = None) -> list[dict]:
    return [row for page in json_pages(client, limit) for row in page["data"]]


def all_bytes(client: FlaskClient) -> bytes:
    """Both files, every JSON page of one row included."""
    data = client.get(CSV_PATH).get_data()
    path: str | None = JSON_PATH + "?limit=1"
    while path is not None:
        body = client.get(path).get_data()
        data += body
        next_link = json.loads(body)["links"]["next"]
        path = path_of(next_link) if next_link else None
    return data


def etag_of(client: FlaskClient, path: str) -> str:
    response = client.get(path)
    assert response.status_code == 200
    response.close()
    return response.headers["ETag"]


def make_one_in_every_state(app: Flask) -> dict[str, str]:
    """A comment with a name and email address in every state a comment can be in."""
    references = {}
    for state in CommentState:
        references[state] = make_comment(
            app,
            text=f"Text of the {state} comment",
            name=f"Person {state.title()}",
            email=f"{state}@example.com",
        )
    with app.app_context():
        for state, reference in references.items():
            values = {"state": state}
            if state != CommentState.PUBLISHED:
                values["published_at"] = None
            db.session.execute(update(Comment).where(Comment.reference == reference).values(**values))
        db.session.commit()
    return references


# What the files hold ------------------------------------------------------------------------


def test_only_published_comments_are_in_either_file_and_no_name_or_email_address(app, client):
    references = make_one_in_every_state(app)
    published = references[CommentState.PUBLISHED]

    assert [row["Reference"] for row in csv_rows(client)] == [published]
    assert [row["reference"] for row in json_rows(client, limit=1)] == [published]
    everything = all_bytes(client)
    for state, reference in references.items():
        assert (reference.encode() in everything) == (state == CommentState.PUBLISHED)
        assert f"Person {state.title()}".encode() not in everything
        assert f"{state}@example.com".encode() not in everything
        if state != CommentState.PUBLISHED:
            assert f"Text of the {state} comment".encode() not in everything
    assert b"@" not in everything


def test_a_redacted_comment_is_in_the_files_as_published_never_as_written(app, client):
    reference = make_comment(app, text="Ring Jo Bloggs on 07700 900123 about it", state="pending")
    comment_id = id_of(app, reference)
    with app.app_context():
        moderation.publish_redacted_comment(comment_id, 1, "Ring [name removed] about it", staff(app))

    assert [row["Comment"] for row in csv_rows(client)] == ["Ring [name removed] about it"]
    assert [row["comment"] for row in json_rows(client)] == ["Ring [name removed] about it"]
    everything = all_bytes(client)
    assert b"Jo Bloggs" not in everything and b"07700" not in everything


def test_a_row_holds_what_the_comment_is_about_its_answer_dates_themes_and_published_response(app, client):
    reference = make_comment(
        app, text="=SUM(A1) is how I feel", section_slug="basic", item_key="basic-1", reaction="partly"
    )
    published_at = datetime(2026, 3, 14, 10, 15, 30, tzinfo=UTC)
    comment_id = id_of(app, reference)
    with app.app_context():
        db.session.execute(update(Comment).where(Comment.id == comment_id).values(published_at=published_at))
        db.session.commit()
        moderation.add_tag(comment_id, "Transport", staff(app))
        moderation.add_tag(comment_id, "accessible meetings", staff(app))
        responses.save_response(
            comment_id, 0, "We will change it.", True, staff(app), now=datetime(2026, 3, 20, 9, 0, tzinfo=UTC)
        )
        item_text = db.session.get(Comment, comment_id).practice_item.text

    (row,) = json_rows(client)
    assert row == {
        "reference": reference,
        "date_published": "2026-03-14T10:15:30Z",
        "date_received": row["date_received"],
        "channel": "online",
        "section": "Basic – one way",
        "practice_example": item_text,
        "makes_sense": "partly",
        "comment": "=SUM(A1) is how I feel",
        "themes": ["accessible meetings", "transport"],
        "response": "We will change it.",
        "response_published": "2026-03-20T09:00:00Z",
    }
    assert list(row) == KEYS
    datetime.fromisoformat(row["date_received"])
    (cells,) = csv_rows(client)
    assert cells["Comment"] == "'=SUM(A1) is how I feel"  # a spreadsheet cannot run it
    assert cells["Themes"] == "accessible meetings; transport"
    assert cells["Response"] == "We will change it."
    assert cells["Response published"] == "2026-03-20T09:00:00Z"
    assert cells["Date published"] == "2026-03-14T10:15:30Z"


def test_a_response_is_in_the_files_only_while_it_is_published(app, client):
    drafted, published, withdrawn = (make_comment(app, text=f"Comment {n}") for n in range(3))
    ids = {reference: id_of(app, reference) for reference in (drafted, published, withdrawn)}
    with app.app_context():
        actor = staff(app)
        responses.save_response(ids[drafted], 0, "Draft words", False, actor)
        responses.save_response(ids[published], 0, "Published words", True, actor)
        responses.save_response(ids[withdrawn], 0, "Withdrawn words", True, actor)
        responses.withdraw_response(ids[withdrawn], 1, actor)

    by_reference = {row["reference"]: row["response"] for row in json_rows(client)}
    assert by_reference == {drafted: None, published: "Published words", withdrawn: None}
    assert {row["Reference"]: row["Response"] for row in csv_rows(client)} == {
        drafted: "",
        published: "Published words",
        withdrawn: "",
    }
    everything = all_bytes(client)
    assert b"Draft words" not in everything and b"Withdrawn words" not in everything


def test_the_public_file_and_the_staff_open_data_export_have_the_same_columns_and_rows(app, client):
    for number in range(3):
        make_comment(app, text=f"Comment {number}", reaction="yes")
    make_comment(app, text="Waiting", state="pending")
    analyst = signed_in_client(app, role="analyst")
    staff_rows = read_csv(post_export(analyst, profile="open"))
    public = client.get(CSV_PATH).get_data().decode("utf-8-sig")
    assert list(csv.reader(io.StringIO(public, newline=""))) == staff_rows
    assert staff_rows[0] == HEADINGS


# The files as downloads ---------------------------------------------------------------------


def test_the_csv_file_is_a_streamed_utf8_attachment_that_may_be_cached_briefly(app, client):
    make_comment(app, text="یہ تعریف واضح ہے 👍🏽")
    response = client.get(CSV_PATH)
    assert response.is_streamed
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    today = datetime.now(UTC).date().isoformat()
    assert response.headers["Content-Disposition"] == f'attachment; filename="feedback-open-{today}.csv"'
    assert response.headers["Cache-Control"] == "public, max-age=300"
    assert response.headers["ETag"].startswith('"')
    assert "یہ تعریف واضح ہے 👍🏽" in response.get_data().decode("utf-8")


def test_the_json_is_streamed_and_keeps_any_script_as_written(app, client):
    make_comment(app, text="এই সংজ্ঞাটি পরিষ্কার")
    response = client.get(JSON_PATH)
    assert response.is_streamed
    assert response.headers["Content-Type"] == "application/json"
    assert response.headers["Cache-Control"] == "public, max-age=300"
    assert json.loads(response.get_data())["data"][0]["comment"] == "এই সংজ্ঞাটি পরিষ্কার"


def test_no_comments_gives_the_header_and_an_empty_page(app, client):
    assert csv_rows(client) == []
    assert json_pages(client) == [{"data": [], "links": {"next": None}}]


# Paging -------------------------------------------------------------------------------------


def test_following_next_walks_every_published_comment_exactly_once_oldest_first(app, client):
    start = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
    references = []
    for number in range(23):
        reference = make_comment(app, text=f"Comment {number}")
        # Two comments in the same microsecond: the id breaks the tie.
        set_created_at(app, reference, start + timedelta(minutes=number // 2))
        references.append(reference)
    make_comment(app, text="Pending", state="pending")

    pages = json_pages(client, limit=5)
    assert [len(page["data"]) for page in pages] == [5, 5, 5, 5, 3]
    assert [row["reference"] for page in pages for row in page["data"]] == references
    assert [row["reference"] for row in json_rows(client)] == references  # one page of 100
    assert [row["Reference"] for row in csv_rows(client)] == references
    assert pages[0]["links"]["next"].startswith("http://")  # absolute, from PUBLIC_BASE_URL
    assert parse_qs(urlsplit(pages[0]["links"]["next"]).query)["limit"] == ["5"]


def test_the_csv_file_reads_in_batches_and_holds_every_row_once(app, client, monkeypatch):
    monkeypatch.setattr(open_data, "BATCH_SIZE", 4)
    start = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
    references = []
    for number in range(10):
        reference = make_comment(app, text=f"Comment {number}")
        set_created_at(app, reference, start + timedelta(minutes=number // 3))  # ties across batches
        references.append(reference)
    assert [row["Reference"] for row in csv_rows(client)] == references


def test_a_comment_published_while_someone_pages_through_comes_at_the_end(app, client):
    first = [make_comment(app, text=f"Comment {number}") for number in range(3)]
    response = client.get(JSON_PATH + "?limit=2")
    next_link = json.loads(response.get_data())["links"]["next"]
    late = make_comment(app, text="Published later")
    rest = json.loads(client.get(path_of(next_link)).get_data())
    assert [row["reference"] for row in rest["data"]] == [first[2], late]


@pytest.mark.parametrize(
    "query",
    [
        "after=abc",
        "after=",
        "after=1700000000000000.5",
        "limit=0",
        "limit=1001",
        "limit=ten",
        "limit=-1",
        "limit=%EF%BC%95",  # a full-width 5: a digit to Python, not a page size
    ],
)
def test_a_page_link_that_is_not_ours_gets_400_as_json(app, client, query):
    make_comment(app)
    response = client.get(f"{JSON_PATH}?{query}")
    assert response.status_code == 400
    assert response.mimetype == "application/json"
    error = json.loads(response.get_data())["error"]
    assert error["status"] == 400 and error["message"]


def test_a_changed_cursor_gets_400_not_another_page(app, client):
    for number in range(3):
        make_comment(app, text=f"Comment {number}")
    next_link = json.loads(client.get(JSON_PATH + "?limit=1").get_data())["links"]["next"]
    after = parse_qs(urlsplit(next_link).query)["after"][0]
    moment, key, signature = after.split(".")
    for tampered in (f"{moment}.{int(key) + 1}.{signature}", f"{moment}.{key}.{signature[:-2]}xx"):
        response = client.get(f"{JSON_PATH}?after={tampered}")
        assert response.status_code == 400
        assert "page links" in json.loads(response.get_data())["error"]["message"]
    assert client.get(path_of(next_link)).status_code == 200


# ETag and If-None-Match ---------------------------------------------------------------------


@pytest.mark.parametrize("path", [CSV_PATH, JSON_PATH, JSON_PATH + "?limit=1"])
def test_an_unchanged_file_asked_for_with_its_etag_gets_304_and_no_body(app, client, path):
    make_comment(app, text="Clear to me")
    etag = etag_of(client, path)
    response = client.get(path, headers={"If-None-Match": etag})
    assert response.status_code == 304
    assert response.get_data() == b""
    assert response.headers["ETag"] == etag
    assert response.headers["Cache-Control"] == "public, max-age=300"
    assert client.get(path, headers={"If-None-Match": '"something-else"'}).status_code == 200
    assert client.get(path, headers={"If-None-Match": f'W/{etag}, "other"'}).status_code == 304


def test_the_files_have_different_etags(app, client):
    make_comment(app)
    assert (
        len({etag_of(client, CSV_PATH), etag_of(client, JSON_PATH), etag_of(client, JSON_PATH + "?limit=1")})
        == 3
    )


def test_the_etag_changes_with_everything_that_changes_the_files(app, client):
    published = make_comment(app, text="Published first")
    waiting = make_comment(app, text="Waiting", state="pending")
    seen = [etag_of(client, CSV_PATH)]

    def changed() -> bool:
        etag = etag_of(client, CSV_PATH)
        new = etag not in seen
        seen.append(etag)
        return new

    published_id, waiting_id = id_of(app, published), id_of(app, waiting)
    with app.app_context():
        actor = staff(app)
        assert not changed(), "a new staff account changes nothing in the files"
        moderation.publish_comment(waiting_id, 1, actor)
        assert changed(), "publishing a comment"
        moderation.publish_redacted_comment(waiting_id, 2, "Waiting, redacted", actor)
        assert changed(), "redacting a published comment"
        moderation.add_tag(published_id, "transport", actor)
        assert changed(), "giving a comment a theme"
        responses.save_response(published_id, 0, "Thank you", True, actor)
        assert changed(), "publishing a response"
        responses.save_response(published_id, 1, "Thank you, we will", True, actor)
        assert changed(), "editing a published response"
        db.session.execute(update(Tag).values(name="buses"))  # a rename, audited or not
        db.session.commit()
        assert changed(), "renaming a theme"
        moderation.hide_comment(published_id, 1, "personal-information", actor)
        assert changed(), "hiding a comment"
    make_comment(app, text="Published at once, as in post-moderation")
    assert changed(), "a comment published as it was sent"


def test_the_etag_is_the_same_while_nothing_in_the_files_changes(app, client):
    make_comment(app, text="Clear to me")
    etag = etag_of(client, CSV_PATH)
    signed_in_client(app, role="moderator")  # an account and a sign-in, in the audit log
    analyst = signed_in_client(app, role="analyst")
    post_export(analyst, profile="open").get_data()  # an export, in the audit log
    assert etag_of(client, CSV_PATH) == etag


def test_a_withdrawn_comment_leaves_the_files_and_changes_the_etag(app, client):
    reference = make_comment(app, text="I take this back")
    etag = etag_of(client, CSV_PATH)
    with app.app_context():
        comment = db.session.scalar(select(Comment).where(Comment.reference == reference))
        privacy.withdraw_comment(reference, privacy.comment_link_token(comment, "withdraw"))
    assert etag_of(client, CSV_PATH) != etag
    assert csv_rows(client) == []


def test_on_postgresql_the_etag_and_the_rows_it_describes_come_from_one_snapshot(app, client, monkeypatch):
    with app.app_context():
        if db.engine.dialect.name != "postgresql":
            pytest.skip("SQLite has no snapshot across statements; see services/open_data.py")
    monkeypatch.setattr(open_data, "BATCH_SIZE", 2)
    before = [make_comment(app, text=f"Before {number}") for number in range(3)]
    response = client.get(CSV_PATH)
    chunks = iter(response.response)
    received = [next(chunks)]
    # Published after the ETag was made and the first batch read: not in this file.
    make_comment(app, text="Published meanwhile")
    received.extend(chunks)
    response.close()
    rows = list(csv.reader(io.StringIO(b"".join(received).decode("utf-8-sig"), newline="")))
    assert [row[0] for row in rows[1:]] == before
    assert etag_of(client, CSV_PATH) != response.headers["ETag"]


# Rate limits --------------------------------------------------------------------------------


ONE_LIMIT = {"RATELIMIT_ENABLED": True, "OPEN_DATA_RATE_LIMIT": "3 per minute"}


@pytest.mark.parametrize("app_overrides", [ONE_LIMIT])
def test_too_many_requests_for_the_files_from_one_address_get_429(app, app_overrides):
    client = app.test_client()
    address = {"REMOTE_ADDR": "198.51.100.20"}
    statuses = [
        client.get(path, environ_base=address).status_code for path in (CSV_PATH, JSON_PATH, CSV_PATH)
    ]
    assert statuses == [200, 200, 200]
    refused = client.get(JSON_PATH, environ_base=address)
    assert refused.status_code == 429
    assert refused.mimetype == "application/json"
    assert "too many" in json.loads(refused.get_data())["error"]["message"]
    assert int(refused.headers["Retry-After"]) > 0
    assert client.get(CSV_PATH, environ_base=address).status_code == 429
    # Someone else is counted on their own, and the page about the data is not limited.
    assert client.get(CSV_PATH, environ_base={"REMOTE_ADDR": "198.51.100.21"}).status_code == 200
    assert client.get("/open-data", environ_base=address).status_code == 200


# The page -----------------------------------------------------------------------------------


def test_the_page_lists_the_columns_of_the_profile_and_links_to_both_files_and_the_licence(app, client):
    soup = check_page(client.get("/open-data"))
    assert soup.h1.get_text(strip=True) == "Open data"
    table = soup.select_one("table#columns")
    assert [th.get_text(strip=True) for th in table.select("tbody th")] == HEADINGS
    assert [code.get_text(strip=True) for code in table.select("tbody code")] == KEYS
    holds = [" ".join(row.select_one("td").get_text().split()) for row in table.select("tbody tr")]
    assert holds == [f"{column.description} In JSON: {column.key}" for column in OPEN_PROFILE.columns]
    hrefs = [link["href"] for link in soup.select("main a")]
    assert CSV_PATH in hrefs and JSON_PATH in hrefs and LICENCE in hrefs
    text = text_of(soup)
    assert "Open Government Licence v3.0" in text
    assert "no names, email addresses or other contact details" in text


def test_every_page_links_to_open_data_from_its_footer(app, client):
    for path in ["/", "/definition/basic", "/privacy"]:
        footer = parse(client.get(path)).select_one("footer")
        assert footer.find("a", string="Open data")["href"] == "/open-data"
