"""Exporting comments as an Excel workbook: every cell text, exactly as written, for the same
people as the CSV file, from the page and from `flask export xlsx`."""

from __future__ import annotations

import tempfile
import tracemalloc
from datetime import UTC, datetime

import pytest
from flask.testing import FlaskClient

from feedback_portal.services import export as exports
from feedback_portal.services import xlsx_files
from feedback_portal.services.export import stream as export_stream
from tests.factories import make_comment, signed_in_client
from tests.helpers.workbook import Sheet, all_xml, read_workbook
from tests.pages import check_page, text_of
from tests.staff.moderation_helpers import audit_entries
from tests.staff.test_export import (
    ALL_INTERNAL,
    AWKWARD_TEXTS,
    OPEN_HEADER,
    WITHOUT_CONTACT,
    bulk_insert_comments,
    comments,
    export_fields,
    make_awkward_comments,
    set_fields,
)

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# What a spreadsheet would turn into a formula, a negative sum, a date, a number or a time.
TEXTS_SPREADSHEETS_CHANGE = ["-2+3", "=1+1", "1/2", "007", "+44 7700 900123", "@home", "1e5", "12:30"]
# Shaped like the rich text XlsxWriter writes unescaped in constant-memory mode: it must stay text.
RICH_TEXT_LOOKALIKE = (
    '<r><t>x</t></r></is></c><c r="Z1"><f>HYPERLINK("http://example.com","x")</f></c><c><is><r>'
)
RICH_TEXT_LOOKALIKE += "</r>"


def today() -> str:
    return datetime.now(UTC).date().isoformat()


def post_workbook(client: FlaskClient, **fields: str):
    return client.post("/staff/export.csv", data=export_fields(client, file_format="xlsx", **fields))


def assert_is_a_workbook_download(response, profile: str) -> None:
    assert response.status_code == 200
    assert response.headers["Content-Type"] == XLSX_TYPE
    assert (
        response.headers["Content-Disposition"] == f'attachment; filename="feedback-{profile}-{today()}.xlsx"'
    )
    assert response.headers["Cache-Control"] == "no-store"


def only_sheet(data: bytes) -> Sheet:
    [sheet] = read_workbook(data)
    assert sheet.name == "Comments"
    return sheet


def as_dicts(sheet: Sheet) -> list[dict[str, str]]:
    header, *body = sheet.values
    return [dict(zip(header, row + [""] * (len(header) - len(row)), strict=True)) for row in body]


def assert_every_cell_is_text(sheet: Sheet) -> None:
    for row in sheet.cells:
        for cell in row:
            assert not cell.formula, cell
            if cell.text:
                assert cell.kind in ("inlineStr", "s"), cell
                assert cell.text_format, cell


# The cells --------------------------------------------------------------------------------------


def test_the_workbook_gives_back_what_people_wrote_where_csv_adds_an_apostrophe(app):
    written = [*TEXTS_SPREADSHEETS_CHANGE, RICH_TEXT_LOOKALIKE, *AWKWARD_TEXTS]
    references = [make_comment(app, text=f"placeholder {index}") for index in range(len(written))]
    for reference, text in zip(references, written, strict=True):
        set_fields(app, reference, body=text, author_name=text[:40], author_email=f"{text[:20]}@example.com")
    client = signed_in_client(app, role="analyst")
    response = post_workbook(client, profile="internal", include_contact_details="yes")
    assert_is_a_workbook_download(response, "internal")
    sheet = only_sheet(response.get_data())
    assert sheet.values[0] == ALL_INTERNAL
    assert_every_cell_is_text(sheet)
    rows = {row["Reference"]: row for row in as_dicts(sheet)}
    for reference, text in zip(references, written, strict=True):
        assert rows[reference]["Public text"] == text
        assert rows[reference]["Name"] == text[:40]
        assert rows[reference]["Email"] == f"{text[:20]}@example.com"
        assert rows[reference]["Document version"] == "1"
        assert rows[reference]["Reports"] == "0"
        assert rows[reference]["Redacted"] == "no"
    # The look-alike added no cell of its own: each row has the file's columns and no more.
    assert all(len(row) <= len(ALL_INTERNAL) for row in sheet.values)


def test_the_open_data_workbook_holds_the_public_text_as_written_and_nothing_personal(app):
    make_awkward_comments(app)
    client = signed_in_client(app, role="analyst")
    response = post_workbook(client, profile="open")
    assert_is_a_workbook_download(response, "open")
    data = response.get_data()
    sheet = only_sheet(data)
    assert sheet.values[0] == OPEN_HEADER
    assert_every_cell_is_text(sheet)
    published = [comment for comment in comments(app) if comment.state == "published"]
    assert [row["Comment"] for row in as_dicts(sheet)] == [comment.public_text for comment in published]
    assert "-Call me on [phone number removed], I'm [name removed]" in [
        row["Comment"] for row in as_dicts(sheet)
    ]
    everything = all_xml(data)
    assert "07700 900123" not in everything and "Jo Bloggs" not in everything
    for comment in comments(app):
        assert (comment.reference in everything) == (comment.state == "published")
        if comment.author_email:
            assert comment.author_email not in everything


def test_a_workbook_with_no_comments_has_its_header_only(app):
    client = signed_in_client(app, role="analyst")
    for profile, header in [("internal", WITHOUT_CONTACT), ("open", OPEN_HEADER)]:
        response = post_workbook(client, profile=profile)
        assert_is_a_workbook_download(response, profile)
        assert only_sheet(response.get_data()).values == [header]


def test_more_rows_than_a_sheet_holds_go_on_to_further_sheets_each_with_the_header(app, monkeypatch):
    monkeypatch.setattr(xlsx_files, "SHEET_ROWS", 4)
    references = [make_comment(app, text=f"Comment {number}") for number in range(7)]
    response = post_workbook(signed_in_client(app, role="analyst"), profile="internal")
    sheets = read_workbook(response.get_data())
    assert [sheet.name for sheet in sheets] == ["Comments", "Comments 2", "Comments 3"]
    assert all(sheet.values[0] == WITHOUT_CONTACT for sheet in sheets)
    assert [row["Reference"] for sheet in sheets for row in as_dicts(sheet)] == references


# Who may have what ------------------------------------------------------------------------------


def test_a_moderator_gets_a_workbook_without_contact_details_and_is_refused_them(app):
    make_comment(app, name="Sam Person", email="sam@example.com")
    moderator = signed_in_client(app, role="moderator")
    data = post_workbook(moderator, profile="internal").get_data()
    assert only_sheet(data).values[0] == WITHOUT_CONTACT
    assert "sam@example.com" not in all_xml(data) and "Sam Person" not in all_xml(data)

    response = post_workbook(moderator, profile="internal", include_contact_details="yes")
    check_page(response, 403)
    assert "Content-Disposition" not in response.headers
    [refusal] = audit_entries(app, exports.REFUSED_ACTION)
    assert refusal.details["role"] == "moderator"
    assert len(audit_entries(app, exports.EXPORT_ACTION)) == 1


def test_the_audit_log_says_which_format_was_exported(app):
    make_comment(app)
    client = signed_in_client(app, role="admin")
    post_workbook(client, profile="open").get_data()
    client.post("/staff/export.csv", data=export_fields(client, profile="open")).get_data()
    entries = audit_entries(app, exports.EXPORT_ACTION)
    assert [(entry.details["format"], entry.details["row_count"]) for entry in entries] == [
        ("xlsx", 1),
        ("csv", 1),
    ]


# The page ---------------------------------------------------------------------------------------


def test_the_page_offers_both_formats_and_explains_the_csv_apostrophe(app):
    soup = check_page(signed_in_client(app, role="analyst").get("/staff/export"))
    radios = soup.select("input[name=file_format]")
    assert [radio["value"] for radio in radios] == ["xlsx", "csv"]
    assert not any(radio.has_attr("checked") for radio in radios)
    labels = [text_of(soup.select_one(f"label[for={radio['id']}]")) for radio in radios]
    assert labels == ["Excel workbook (.xlsx)", "CSV file (.csv)"]
    csv_hint = text_of(soup.select_one(f"#{radios[1]['id']}-item-hint"))
    assert "apostrophe" in csv_hint and "choose the workbook to get exactly what people wrote" in csv_hint
    assert "‘1/2’ is not a date" in text_of(soup.select_one("#format-workbook"))
    assert "Software reading the file gets that apostrophe too" in text_of(soup.select_one("#format-csv"))
    assert (
        soup.select_one("form.council-export-form button[type=submit]").get_text(strip=True)
        == "Download file"
    )


@pytest.mark.parametrize("chosen", ["", "pdf"])
def test_a_form_with_no_format_chosen_says_so_and_gives_no_file(app, chosen):
    client = signed_in_client(app, role="analyst")
    response = client.post(
        "/staff/export.csv", data=export_fields(client, profile="open", file_format=chosen, state="pending")
    )
    soup = check_page(response)
    assert "Content-Disposition" not in response.headers
    assert soup.title.get_text().startswith("Error: Export comments")
    links = {link["href"]: link.get_text(strip=True) for link in soup.select(".govuk-error-summary__list a")}
    assert links["#file_format"] == "Select which format you need"
    assert "Open data only holds published comments" in links["#state"]
    assert "Select which format you need" in text_of(soup.select_one("#file_format-error"))
    assert soup.select_one("input[name=profile][value=open]").has_attr("checked")
    assert audit_entries(app, exports.EXPORT_ACTION) == []


# Memory and temporary files ---------------------------------------------------------------------


def peak_memory_of_workbook(client: FlaskClient, data: dict[str, str]) -> tuple[int, int]:
    tracemalloc.start()
    try:
        response = client.post("/staff/export.csv", data=data)
        size = sum(len(chunk) for chunk in response.response)
        response.close()
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return size, peak


def test_a_large_workbook_is_built_in_the_same_memory_as_a_small_one_and_leaves_no_files(
    app, monkeypatch, tmp_path
):
    scratch = tmp_path / "tmp"
    scratch.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(scratch))
    client = signed_in_client(app, role="admin")
    data = export_fields(client, profile="internal", include_contact_details="yes", file_format="xlsx")
    # Small batches, so that ten times the rows is many batches yet quick to trace.
    monkeypatch.setattr(export_stream, "BATCH_SIZE", 100)
    bulk_insert_comments(app, 300)
    peak_memory_of_workbook(client, data)
    small_size, small_peak = peak_memory_of_workbook(client, data)
    bulk_insert_comments(app, 2_700, start=300)
    large_size, large_peak = peak_memory_of_workbook(client, data)
    assert large_size > 5 * small_size
    print(f"peak memory: {small_peak:,} bytes for 300 rows, {large_peak:,} for 3,000")
    assert large_peak < 2 * small_peak + 1_000_000, (small_peak, large_peak)
    assert list(scratch.iterdir()) == []


# The command line -------------------------------------------------------------------------------


def test_the_command_writes_the_same_workbook_as_the_page(app, runner, tmp_path):
    make_awkward_comments(app)
    web = post_workbook(
        signed_in_client(app, role="admin"), profile="internal", include_contact_details="yes"
    )
    output = tmp_path / "internal.xlsx"
    result = runner.invoke(args=["export", "xlsx", "--profile", "internal", "-o", str(output)])
    assert result.exit_code == 0, result.output
    assert "Exported 13 comments (internal file)" in result.stderr
    assert only_sheet(output.read_bytes()).values == only_sheet(web.get_data()).values

    result = runner.invoke(args=["export", "xlsx", "--profile", "open", "--section", "basic"])
    assert result.exit_code == 0, result.output
    assert only_sheet(result.stdout_bytes).values[0] == OPEN_HEADER

    command_line = [
        e for e in audit_entries(app, exports.EXPORT_ACTION) if e.details["via"] == "command line"
    ]
    assert [(entry.details["format"], entry.details["profile"]) for entry in command_line] == [
        ("xlsx", "internal"),
        ("xlsx", "open"),
    ]


def test_the_workbook_command_refuses_what_the_csv_command_refuses(app, runner, tmp_path):
    output = tmp_path / "file.xlsx"
    result = runner.invoke(
        args=["export", "xlsx", "--profile", "open", "--state", "pending", "-o", str(output)]
    )
    assert result.exit_code == 2
    assert "Open data holds published comments only" in result.output
    assert not output.exists()
    assert audit_entries(app, exports.EXPORT_ACTION) == []


def test_a_failed_workbook_command_leaves_no_file_and_no_temporary_files(app, runner, tmp_path, monkeypatch):
    bulk_insert_comments(app, 50)
    monkeypatch.setattr(export_stream, "BATCH_SIZE", 10)
    scratch = tmp_path / "tmp"
    scratch.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(scratch))
    real_rows = export_stream._open_rows
    batches = []

    def fails_on_the_third_batch(*args, **kwargs):
        batches.append(1)
        if len(batches) == 3:
            raise RuntimeError("the database went away")
        return real_rows(*args, **kwargs)

    monkeypatch.setattr(export_stream, "_open_rows", fails_on_the_third_batch)
    output = tmp_path / "open.xlsx"
    result = runner.invoke(args=["export", "xlsx", "--profile", "open", "--output", str(output)])
    assert result.exit_code != 0
    assert not output.exists()
    assert list(scratch.iterdir()) == []


def test_the_csv_command_is_unchanged_beside_it(app, runner):
    make_comment(app, text="-2+3")
    result = runner.invoke(args=["export", "csv", "--profile", "open"])
    assert result.exit_code == 0, result.output
    assert result.stdout_bytes.startswith(b"\xef\xbb\xbf")
    assert b'"\'-2+3"' in result.stdout_bytes
