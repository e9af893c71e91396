"""About you: equality answers stored only with their consent tick, apart from comments, reported
only as totals with small groups suppressed, and deleted with the consultation's contact details."""

from __future__ import annotations

import json
import zipfile
from datetime import UTC, datetime, timedelta

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import inspect, select

from feedback_portal.extensions import db
from feedback_portal.models import Comment, EqualityAnswer
from feedback_portal.services import consultations, equality, privacy
from feedback_portal.services.privacy import RetentionPeriods
from tests.factories import REFERENCE, comment_post, signed_in_client
from tests.pages import check_page, heading, parse, text_of
from tests.staff.test_export import export_fields, read_csv

PAGE = "/about-you"
SECTION = "/definition/basic"


def answer_rows(app: Flask) -> list[EqualityAnswer]:
    with app.app_context():
        rows = list(db.session.scalars(select(EqualityAnswer)))
        db.session.expunge_all()
        return rows


def send_comment(client: FlaskClient, text: str = "This makes sense to me.", **fields: str) -> str:
    response = client.post(SECTION, data=comment_post(client, SECTION, comment=text, **fields))
    match = REFERENCE.match(response.headers["Location"])
    assert match, response.headers["Location"]
    return match.group(1)


def about_you_post(client: FlaskClient, **answers: str) -> dict[str, str]:
    soup = check_page(client.get(PAGE))
    data = {field["name"]: field.get("value", "") for field in soup.select("form input[type=hidden]")}
    data.update(answers)
    return data


def answer(client: FlaskClient, **answers: str):
    return client.post(PAGE, data=about_you_post(client, **answers))


def make_answers(app: Flask, count: int, given: datetime | None = None, **answers: str) -> None:
    with app.app_context():
        consultation_id = equality.consultation_for_answers()
        assert consultation_id is not None
        for _ in range(count):
            equality.record_answers(
                consultation_id,
                equality.AboutYouAnswers(
                    answers={k: v for k, v in answers.items() if k != "area"}, area=answers.get("area")
                ),
                consented=True,
                now=given,
            )


# Asking ---------------------------------------------------------------------------------------


def test_the_thank_you_page_invites_the_questions_without_the_reference_in_the_link(client):
    reference = send_comment(client)
    soup = check_page(client.get(f"/feedback/{reference}"))
    link = soup.select_one("#about-you-link")
    assert link["href"] == PAGE
    # Nor in the Referer header that following it would send.
    assert link["rel"] == ["noreferrer"]
    form = check_page(client.get(PAGE))
    assert heading(form) == "About you (optional)"
    assert reference not in str(form)
    consent = form.select_one("input[name=consent]")
    assert consent is not None and not consent.has_attr("checked")
    assert equality.CONSENT_WORDING in text_of(form)
    assert "Public Sector Equality Duty" in text_of(form)
    # Every question has its "Prefer not to say".
    assert len(form.select("input[type=radio][value=prefer-not-to-say]")) == 8
    assert form.select_one("a#skip-bottom")["href"] == "/about-you/skipped"


def test_the_get_involved_done_page_invites_the_questions_too(client):
    data = comment_post(client, "/get-involved", name="Priya Shah", email="priya@example.com")
    data.update(interests="training", consent="y")
    assert client.post("/get-involved", data=data).status_code == 302
    soup = check_page(client.get("/get-involved/done"))
    assert soup.select_one("#about-you-link")["href"] == PAGE


def test_without_a_comment_or_offer_there_are_no_questions(client, app):
    assert heading(check_page(client.get(PAGE))) == "There are no questions to answer"
    assert parse(client.get("/")).select_one("#about-you-link") is None


def test_answers_without_the_consent_tick_are_not_stored_and_stay_on_the_form(client, app):
    send_comment(client)
    response = answer(client, age_band="25-34", ethnicity="mixed", area="LS6")
    soup = check_page(response)
    assert soup.title.get_text().startswith("Error: ")
    assert (
        "Tick the box to agree to us keeping your answers"
        in soup.select_one(".govuk-error-summary").get_text()
    )
    assert soup.select_one("input[name=age_band][value='25-34']").has_attr("checked")
    assert soup.select_one("input[name=ethnicity][value=mixed]").has_attr("checked")
    assert soup.select_one("input[name=area]")["value"] == "LS6"
    assert answer_rows(app) == []


def test_answers_with_the_tick_are_stored_once_with_the_consent_words_and_only_the_month(client, app):
    send_comment(client)
    data = about_you_post(client, age_band="25-34", sex="prefer-not-to-say", area=" ls6 ", consent="y")
    response = client.post(PAGE, data=data)
    assert response.headers["Location"] == "/about-you/sent"
    assert heading(check_page(client.get("/about-you/sent"))) == "Thank you"
    [row] = answer_rows(app)
    assert (row.age_band, row.sex, row.ethnicity, row.area) == ("25-34", "prefer-not-to-say", None, "LS6")
    assert (row.consent_wording, row.consent_wording_version) == (equality.CONSENT_WORDING, "about-you-v1")
    assert row.given_in.day == 1
    # The permission is spent: the same form sent again stores nothing more.
    again = client.post(PAGE, data=data)
    assert heading(check_page(again)) == "There are no questions to answer"
    assert len(answer_rows(app)) == 1


def test_a_whole_postcode_is_refused(client, app):
    send_comment(client)
    soup = check_page(answer(client, area="LS6 3AB", consent="y"))
    assert "Enter only the first part of your postcode, like LS6" in text_of(soup)
    assert answer_rows(app) == []


def test_skipping_records_nothing(client, app):
    send_comment(client)
    soup = check_page(client.get("/about-you/skipped"))
    assert "We have recorded nothing about you." in text_of(soup)
    assert answer_rows(app) == []


# Unlinkable -----------------------------------------------------------------------------------


def _values(rows: list[dict[str, str]]) -> dict[str, list[str]]:
    columns: dict[str, list[str]] = {}
    for row in rows:
        for key, value in row.items():
            columns.setdefault(key, []).append(value)
    return columns


def _csv_dicts(raw: list[list[str]]) -> list[dict[str, str]]:
    header, *rows = raw
    return [dict(zip(header, row, strict=True)) for row in rows]


def test_no_exported_column_of_a_comment_joins_to_any_column_of_the_answers(client, app):
    """Three people each comment and answer. Every column that tells their comments apart (the
    reference, times, names, addresses, text, links) shares no value with any column of the
    answers' table or of the totals file; and the answers' only time is a month."""
    for number, (age, area) in enumerate([("25-34", "LS6"), ("35-44", "LS7"), ("45-54", "Headingley")]):
        person = Flask.test_client(app)
        send_comment(
            person, f"Comment number {number}.", name=f"Person {number}", email=f"p{number}@example.com"
        )
        assert answer(person, age_band=age, area=area, consent="y").status_code == 302
    with app.app_context():
        middle_of_month = datetime.now(UTC).replace(day=15, hour=10)
        for number, comment in enumerate(db.session.scalars(select(Comment).order_by(Comment.id))):
            comment.created_at = middle_of_month + timedelta(minutes=number)
            comment.state, comment.published_at = (
                "published",
                middle_of_month + timedelta(hours=1, minutes=number),
            )
        db.session.commit()

    admin = signed_in_client(app, role="admin")
    internal = _csv_dicts(
        read_csv(
            admin.post(
                "/staff/export.csv",
                data=export_fields(admin, profile="internal", include_contact_details="y"),
            )
        )
    )
    open_data = _csv_dicts(read_csv(client.get("/open-data/comments.csv")))
    assert len(internal) == len(open_data) == 3
    exported = {f"internal:{k}": v for k, v in _values(internal).items()} | {
        f"open:{k}": v for k, v in _values(open_data).items()
    }
    # A column that tells the three comments apart is one a join could use.
    identifying = {name: set(values) for name, values in exported.items() if len(set(values)) == len(values)}
    assert {"internal:Reference", "open:Reference"} <= set(identifying), sorted(identifying)
    for name, values in list(identifying.items()):
        # A time could be matched at any precision down to the day.
        identifying[name] = values | {value[:10] for value in values if value[:4].isdigit()}

    with app.app_context():
        table = inspect(db.engine).get_columns("equality_answer")
        stored = db.session.execute(select(EqualityAnswer.__table__)).mappings().all()
    answer_values = {column["name"]: {str(row[column["name"]]) for row in stored} for column in table}
    totals = read_csv(admin.get("/staff/figures/about-you/totals.csv"))
    for index, heading_text in enumerate(totals[0]):
        answer_values[f"file:{heading_text}"] = {row[index] for row in totals[1:]}

    joins = [
        (export_column, answer_column, shared)
        for export_column, values in identifying.items()
        for answer_column, held in answer_values.items()
        if (shared := values & held)
    ]
    assert joins == []
    assert all(row["given_in"].day == 1 for row in stored)
    # Not a counter: the order answers were added in says nothing.
    assert all(len(str(row["id"])) == 32 for row in stored)
    assert not any(c["name"].endswith("_id") and c["name"] != "consultation_id" for c in table)
    with app.app_context():
        assert inspect(db.engine).get_foreign_keys("equality_answer") == []


# Totals ---------------------------------------------------------------------------------------


def test_small_groups_show_fewer_than_5_and_a_question_with_one_hides_its_total(app):
    make_answers(app, 5, age_band="25-34", sex="female", area="LS6")
    make_answers(app, 5, age_band="25-34", sex="male", area="ls6")
    make_answers(app, 5, age_band="25-34", sex="prefer-not-to-say", area="Headingley")
    make_answers(app, 2, age_band="65-74", area="Hyde Park")
    client = signed_in_client(app, role="analyst")
    soup = check_page(client.get("/staff/figures"))

    def table(key: str) -> dict[str, str]:
        rows = soup.select(f"#about-you-{key} tbody tr")
        return {row.th.get_text(strip=True): row.td.get_text(strip=True) for row in rows}

    ages = table("age_band")
    assert ages["25 to 34"] == "15"
    assert ages["65 to 74"] == "fewer than 5"
    assert ages["Under 18"] == "0"  # nobody: no one to tell apart
    assert ages["Total who answered"].startswith("Not shown")
    sexes = table("sex")
    assert sexes == {"Female": "5", "Male": "5", "Prefer not to say": "5", "Total who answered": "15"}
    areas = table("area")
    assert areas["LS6"] == "10" and areas["Headingley"] == "5"
    assert "Hyde Park" not in areas
    assert areas["Other areas, each given by fewer than 5 people"] == "fewer than 5"
    assert areas["Total who answered"].startswith("Not shown")

    rows = read_csv(client.get("/staff/figures/about-you/totals.csv"))
    assert rows[0] == ["Question", "Answer", "Number of people"]
    by_answer = {(question, answer_text): count for question, answer_text, count in rows[1:]}
    assert by_answer[("What is your age?", "65 to 74")] == "fewer than 5"
    assert by_answer[("What is your sex?", "Total who answered")] == "15"
    assert by_answer[("What is your age?", "Total who answered")].startswith("Not shown")
    assert not any(count.isdigit() and 0 < int(count) < 5 for count in by_answer.values())
    workbook = client.get("/staff/figures/about-you/totals.xlsx")
    assert workbook.status_code == 200 and workbook.data[:2] == b"PK"


def test_moderators_see_the_totals_and_nothing_else_of_the_answers(app):
    make_answers(app, 1, age_band="25-34")
    client = signed_in_client(app, role="moderator")
    soup = check_page(client.get("/staff/figures"))
    assert soup.select_one("#about-you-age_band") is not None


# Retention ------------------------------------------------------------------------------------


def test_retention_deletes_the_answers_after_the_contact_period_and_keeps_them_before(app, runner):
    closes = datetime(2026, 3, 10, 17, tzinfo=UTC)
    with app.app_context():
        consultations.get_current_consultation().closes_at = closes
        db.session.commit()
    make_answers(app, 1, given=datetime(2026, 2, 20, tzinfo=UTC), age_band="18-24")
    # An offer made after the consultation closed: counted from the end of its own month.
    make_answers(app, 1, given=datetime(2026, 7, 5, tzinfo=UTC), age_band="75-and-over")
    with app.app_context():
        periods = privacy.get_retention_periods()
        assert periods == RetentionPeriods()

    def run(now: str) -> list[str]:
        result = runner.invoke(args=["retention", "run", "--now", now])
        assert result.exit_code == 0, result.output
        return sorted(row.age_band for row in answer_rows(app))

    assert run("2027-03-01T00:00:00") == ["18-24", "75-and-over"]
    assert run("2027-03-11T00:00:00") == ["75-and-over"]
    assert run("2027-07-31T00:00:00") == ["75-and-over"]
    result = runner.invoke(args=["retention", "run", "--now", "2027-08-01T00:00:00"])
    assert "Deleted 1 sets of answers about the people who took part" in result.output
    assert answer_rows(app) == []


def test_the_privacy_notice_and_a_search_for_a_person_say_the_answers_cannot_be_found(client, app, runner):
    soup = check_page(client.get("/privacy"))
    assert (
        "Public Sector Equality Duty"
        in soup.select_one("#about-you").find_next("p").find_next("p").find_next("p").get_text()
    )
    assert "12 months after the" in soup.select_one("#retention-about-you").get_text()
    assert "cannot be found from your email address" in soup.select_one("#retention-about-you").get_text()
    send_comment(client, name="Ann", email="ann@example.com")
    assert answer(client, age_band="25-34", consent="y").status_code == 302
    found = runner.invoke(args=["privacy", "find", "ann@example.com"])
    assert "Not found by email address: Answers to the optional ‘About you’ questions" in found.output
    erased = runner.invoke(args=["privacy", "erase", "ann@example.com", "--yes"])
    assert "cannot be found, copied or erased for one person" in erased.output
    assert len(answer_rows(app)) == 1


def test_the_subject_access_file_says_the_answers_cannot_be_found_by_email(client, app, runner, tmp_path):
    send_comment(client, name="Ann", email="ann@example.com")
    assert answer(client, age_band="25-34", consent="y").status_code == 302
    output = tmp_path / "ann.zip"
    result = runner.invoke(args=["privacy", "export", "ann@example.com", "--output", str(output)])
    assert result.exit_code == 0, result.output
    with zipfile.ZipFile(output) as archive:
        names = archive.namelist()
        readable = archive.read(next(name for name in names if name.endswith(".txt"))).decode()
        machine = json.loads(archive.read(next(name for name in names if name.endswith(".json"))))
    assert "What cannot be found by an email address" in readable
    assert "They are deleted 12 months after their consultation closes." in readable
    assert "25-34" not in readable
    [note] = machine["not_findable_by_email"]
    assert note.startswith("Answers to the optional ‘About you’ questions")


def test_not_you_clears_the_permission_to_answer_on_a_shared_computer(client, app):
    send_comment(client)
    data = comment_post(client, "/definition/basic")
    response = client.post("/forget-my-details", data={"csrf_token": data["csrf_token"], "return_to": "/"})
    assert response.status_code == 302
    assert heading(check_page(client.get(PAGE))) == "There are no questions to answer"
