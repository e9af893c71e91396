"""Themes as a managed list: renaming, describing, merging and deleting, and who may.

Each test runs on SQLite and, with --database-url, on PostgreSQL.
"""

from __future__ import annotations

import threading

import pytest

from feedback_portal.extensions import db
from feedback_portal.models import StaffUser
from feedback_portal.services import themes
from feedback_portal.services.exceptions import Conflict
from tests.factories import make_comment, make_staff, signed_in_client
from tests.helpers.audit import audit_entries
from tests.helpers.themes import (
    comment_themes,
    give_theme,
    make_summary,
    staff_user,
    summary_themes,
    take_theme_off,
    theme,
    theme_id,
)
from tests.pages import check_page, heading, text_of
from tests.staff.moderation_helpers import audit_json, csrf_token

MODERATOR = "moderator@example.gov.uk"


@pytest.fixture
def moderator(app):
    return signed_in_client(app, role="moderator")


def actor(app) -> StaffUser:
    return staff_user(app, MODERATOR)


def test_merging_moves_the_comments_and_deletes_the_merged_theme(app, moderator):
    first, second, third = (make_comment(app, text=f"Comment {n}.") for n in range(3))
    transport = give_theme(app, first, "transport")
    give_theme(app, second, "transport")
    buses = give_theme(app, third, "buses")

    with app.app_context():
        result = themes.merge_themes(transport, 1, buses, actor(app))
        assert (result.comments_moved, result.comments_with_both, result.summaries_moved) == (2, 0, 0)

    assert comment_themes(app) == {(first, "buses"), (second, "buses"), (third, "buses")}
    assert theme(app, transport) is None
    assert theme(app, buses).revision == 2


def test_a_comment_with_both_themes_keeps_one(app, moderator):
    both, only_old = make_comment(app, text="Both."), make_comment(app, text="Old only.")
    old = give_theme(app, both, "travel")
    new = give_theme(app, both, "transport")
    give_theme(app, only_old, "travel")

    with app.app_context():
        result = themes.merge_themes(old, 1, new, actor(app))
        assert (result.comments_moved, result.comments_with_both) == (1, 1)

    assert comment_themes(app) == {(both, "transport"), (only_old, "transport")}


def test_merging_moves_summary_themes_without_duplicate_rows(app, moderator):
    reference = make_comment(app)
    old = give_theme(app, reference, "travel")
    new = give_theme(app, reference, "transport")
    other = give_theme(app, reference, "housing")
    with_both = make_summary(app, [old, new])
    with_old = make_summary(app, [old, other])

    with app.app_context():
        assert themes.merge_themes(old, 1, new, actor(app)).summaries_moved == 1

    assert summary_themes(app) == sorted([(with_both, new), (with_old, new), (with_old, other)])


def test_the_merge_is_audited_with_counts_and_no_comment_text(app, moderator):
    reference = make_comment(app, text="A very private remark about my neighbour.")
    old = give_theme(app, reference, "travel")
    new = give_theme(app, make_comment(app), "transport")

    with app.app_context():
        themes.merge_themes(old, 1, new, actor(app))

    [entry] = audit_entries(app, themes.MERGE_ACTION)
    assert (entry.record_type, entry.record_id) == ("theme", new)
    assert entry.before == {"merged_theme_id": old, "merged_theme": "travel"}
    assert entry.details == {"comments_moved": 1, "comments_with_both": 0, "summaries_moved": 0}
    assert "private remark" not in audit_json(app)


def test_a_theme_in_use_cannot_be_deleted_and_an_unused_one_can(app, moderator):
    reference = make_comment(app)
    used = give_theme(app, make_comment(app), "used")
    in_a_summary = give_theme(app, reference, "in a summary")
    make_summary(app, [in_a_summary])
    unused = give_theme(app, reference, "unused")
    take_theme_off(app, reference, unused)
    take_theme_off(app, reference, in_a_summary)
    with app.app_context():
        with pytest.raises(themes.ThemeInUse) as refused:
            themes.delete_theme(used, 1, actor(app))
        assert (refused.value.comments, refused.value.summaries) == (1, 0)
        with pytest.raises(themes.ThemeInUse) as refused:
            themes.delete_theme(in_a_summary, 1, actor(app))
        assert (refused.value.comments, refused.value.summaries) == (0, 1)
        assert themes.delete_theme(unused, 1, actor(app)) == "unused"

    assert theme(app, used) is not None and theme(app, in_a_summary) is not None
    assert theme(app, unused) is None
    [entry] = audit_entries(app, themes.DELETE_ACTION)
    assert (entry.record_id, entry.before) == (unused, {"name": "unused"})


def test_renaming_into_an_existing_name_is_refused(app, moderator):
    travel = give_theme(app, make_comment(app), "travel")
    transport = give_theme(app, make_comment(app), "transport")

    with app.app_context(), pytest.raises(themes.ThemeNameTaken) as refused:
        themes.update_theme(travel, 1, "  Transport ", None, actor(app))
    assert (refused.value.existing_id, refused.value.existing_name) == (transport, "transport")
    assert theme(app, travel).name == "travel"
    assert audit_entries(app, themes.RENAME_ACTION) == []


def test_renaming_and_describing_are_audited_without_the_description(app, moderator):
    travel = give_theme(app, make_comment(app), "travel")
    with app.app_context():
        themes.update_theme(travel, 1, "Getting About", "Buses, trains and lifts to meetings.", actor(app))
        themes.update_theme(travel, 2, "getting about", "Buses and trains.", actor(app))
    renamed = theme(app, travel)
    assert (renamed.name, renamed.description, renamed.revision) == ("getting about", "Buses and trains.", 3)
    entries = [e for e in audit_entries(app) if e.record_type == "theme"]
    assert [(e.action, e.before, e.after, e.details) for e in entries] == [
        ("theme.rename", {"name": "travel"}, {"name": "getting about"}, {"description_changed": True}),
        (
            "theme.describe",
            {"name": "getting about"},
            {"name": "getting about"},
            {"description_changed": True},
        ),
    ]
    assert "Buses" not in audit_json(app)


def test_a_change_from_an_old_page_is_refused(app, moderator):
    travel = give_theme(app, make_comment(app), "travel")
    transport = give_theme(app, make_comment(app), "transport")
    with app.app_context():
        themes.update_theme(travel, 1, "trips", None, actor(app))
        with pytest.raises(themes.ThemeChanged) as changed:
            themes.update_theme(travel, 1, "journeys", None, actor(app))
        assert changed.value.current_name == "trips"
        with pytest.raises(themes.ThemeChanged):
            themes.merge_themes(travel, 1, transport, actor(app))
        with pytest.raises(themes.ThemeChanged):
            themes.delete_theme(travel, 1, actor(app))
        themes.merge_themes(travel, 2, transport, actor(app))
        with pytest.raises(themes.ThemeChanged) as changed:
            themes.update_theme(travel, 2, "journeys", None, actor(app))
        assert changed.value.current_name is None
    assert theme(app, transport).name == "transport"


# Both racers write at once, so on SQLite the second waits for the first's write lock. On a loaded
# CI machine the first can hold it past production's 3-second wait, and the race would then fail
# on "database is locked", which is not what it tests.
PATIENT_LOCKS = pytest.mark.parametrize("app_overrides", [{"DATABASE_LOCK_TIMEOUT_MS": 30_000}])


def race(app, *acts) -> list[str]:
    """Run each act at once, in its own thread and session; each says 'won' or 'refused'."""
    start = threading.Barrier(len(acts), timeout=10)
    results: list[str] = ["" for _ in acts]

    def run(index: int, act) -> None:
        with app.app_context():
            user = db.session.get(StaffUser, make_staff_id(app, f"racer{index}@example.gov.uk"))
            start.wait()
            try:
                act(user)
                results[index] = "won"
            except (Conflict, themes.ThemeNameTaken):
                results[index] = "refused"
            finally:
                db.session.remove()

    for index in range(len(acts)):
        make_staff(app, role="moderator", email=f"racer{index}@example.gov.uk")
    threads = [threading.Thread(target=run, args=(index, act)) for index, act in enumerate(acts)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return results


def make_staff_id(app, email: str) -> int:
    with app.app_context():
        return db.session.scalar(db.select(StaffUser.id).where(StaffUser.email == email))


@PATIENT_LOCKS
def test_two_staff_merging_the_same_theme_at_once_move_each_comment_once(app, moderator):
    references = [make_comment(app, text=f"Comment {n}.") for n in range(3)]
    old = give_theme(app, references[0], "travel")
    give_theme(app, references[1], "travel")
    buses = give_theme(app, references[2], "buses")
    trains = give_theme(app, references[2], "trains")

    results = race(
        app,
        lambda user: themes.merge_themes(old, 1, buses, user),
        lambda user: themes.merge_themes(old, 1, trains, user),
    )

    assert sorted(results) == ["refused", "won"]
    winner = "buses" if results[0] == "won" else "trains"
    pairs = comment_themes(app)
    assert {(references[0], winner), (references[1], winner)} <= pairs
    assert not any(name == "travel" for _, name in pairs)
    assert len(audit_entries(app, themes.MERGE_ACTION)) == 1


@PATIENT_LOCKS
def test_a_rename_and_a_merge_at_once_lose_nothing(app, moderator):
    reference = make_comment(app)
    old = give_theme(app, reference, "travel")
    into = give_theme(app, make_comment(app), "transport")

    results = race(
        app,
        lambda user: themes.update_theme(old, 1, "journeys", None, user),
        lambda user: themes.merge_themes(old, 1, into, user),
    )

    assert sorted(results) == ["refused", "won"]
    if results[0] == "won":
        assert (reference, "journeys") in comment_themes(app)
        assert theme(app, into).name == "transport"
    else:
        assert (reference, "transport") in comment_themes(app)
        assert theme_id(app, "journeys") is None


@PATIENT_LOCKS
def test_merging_two_themes_into_each_other_at_once_keeps_one(app, moderator):
    first, second = make_comment(app, text="First."), make_comment(app, text="Second.")
    a = give_theme(app, first, "alpha")
    b = give_theme(app, second, "beta")

    results = race(
        app,
        lambda user: themes.merge_themes(a, 1, b, user),
        lambda user: themes.merge_themes(b, 1, a, user),
    )

    assert sorted(results) == ["refused", "won"]
    names = {name for _, name in comment_themes(app)}
    assert len(names) == 1
    assert {reference for reference, _ in comment_themes(app)} == {first, second}


@PATIENT_LOCKS
def test_two_themes_renamed_to_the_same_name_at_once_stay_two(app, moderator):
    first = give_theme(app, make_comment(app), "travel")
    second = give_theme(app, make_comment(app), "trips")

    results = race(
        app,
        lambda user: themes.update_theme(first, 1, "journeys", None, user),
        lambda user: themes.update_theme(second, 1, "journeys", None, user),
    )

    assert sorted(results) == ["refused", "won"]
    assert sorted([theme(app, first).name, theme(app, second).name]) == [
        "journeys",
        "travel" if results[1] == "won" else "trips",
    ]


# The pages ---------------------------------------------------------------------------------------


def test_the_list_shows_each_theme_with_its_counts_and_links_to_the_queue(app, moderator):
    published = make_comment(app, text="Published.")
    pending = make_comment(app, text="Pending.", state="pending")
    transport = give_theme(app, published, "transport")
    give_theme(app, pending, "transport")
    soup = check_page(moderator.get("/staff/themes"))
    assert heading(soup) == "Themes"
    row = soup.select_one(f"#theme-{transport}")
    assert [text_of(cell) for cell in row.select("td")][1:] == [
        "2 comments with the theme transport",
        "1 published comment with the theme transport",
        "0",
    ]
    links = [a["href"] for a in row.select("a")]
    assert links == [
        f"/staff/themes/{transport}",
        "/staff/comments?tag=transport&state=any",
        "/staff/comments?tag=transport&state=published",
    ]
    queue = check_page(moderator.get(links[1]))
    assert {card.get("id") for card in queue.select("[id^=comment-row-]")} or published in text_of(queue)


def test_the_navigation_links_to_the_themes(app, moderator):
    soup = check_page(moderator.get("/staff/themes"))
    assert soup.select_one(".govuk-service-navigation a[href='/staff/themes']") is not None


def post(client, path: str, **fields):
    return client.post(path, data={"csrf_token": csrf_token(client), **fields})


def test_renaming_on_the_page_and_a_taken_name_suggests_merging(app, moderator):
    travel = give_theme(app, make_comment(app), "travel")
    transport = give_theme(app, make_comment(app), "transport")

    response = post(
        moderator, f"/staff/themes/{travel}", theme_revision="1", name="Transport", description="Kept text."
    )
    soup = check_page(response, 400)
    assert soup.title.get_text().startswith("Error: ")
    summary = soup.select_one(".govuk-error-summary")
    assert "There is already a theme called ‘transport’" in text_of(summary)
    assert summary.select_one("a")["href"] == "#name"
    assert soup.select_one("#name")["value"] == "Transport"
    assert soup.select_one("#description").get_text() == "Kept text."
    merge = soup.select_one("#merge-suggestion a")["href"]
    assert merge == f"/staff/themes/{travel}/merge?into={transport}"

    response = post(moderator, f"/staff/themes/{travel}", theme_revision="1", name="Journeys", description="")
    assert response.status_code == 302
    soup = check_page(moderator.get(response.headers["Location"]))
    assert heading(soup) == "journeys"
    assert "The theme ‘journeys’ is saved." in text_of(soup)


@pytest.mark.parametrize(
    ("name", "description", "message"),
    [
        ("", "", "Enter a name for the theme"),
        ("x" * 61, "", "The name must be 60 characters or fewer"),
        ("bad;name", "", "A theme must only include letters, numbers, spaces and hyphens"),
        ("fine", "x" * 501, "The description must be 500 characters or fewer"),
        ("fine", "bell\x07", "The description must not include control characters"),
    ],
)
def test_bad_input_gets_the_error_summary_and_keeps_the_text(app, moderator, name, description, message):
    travel = give_theme(app, make_comment(app), "travel")
    response = post(
        moderator, f"/staff/themes/{travel}", theme_revision="1", name=name, description=description
    )
    soup = check_page(response, 400)
    assert message in text_of(soup.select_one(".govuk-error-summary"))
    assert theme(app, travel).name == "travel"


def test_merging_through_the_confirmation_page(app, moderator):
    reference = make_comment(app)
    travel = give_theme(app, reference, "travel")
    transport = give_theme(app, make_comment(app), "transport")

    soup = check_page(moderator.get(f"/staff/themes/{travel}/merge"), 400)
    assert "Select the theme to merge this one into" in text_of(soup.select_one(".govuk-error-summary"))

    soup = check_page(moderator.get(f"/staff/themes/{travel}/merge?into={transport}"))
    assert heading(soup) == "Merge ‘travel’ into ‘transport’?"
    form = soup.select_one(f"form[action='/staff/themes/{travel}/merge']")
    fields = {field["name"]: field.get("value", "") for field in form.select("input")}
    response = moderator.post(form["action"], data=fields)
    assert response.headers["Location"] == f"/staff/themes/{transport}"
    assert comment_themes(app) >= {(reference, "transport")}
    assert moderator.get(f"/staff/themes/{travel}").status_code == 404
    # The same confirmation sent again: the theme is gone, and the page says so.
    soup = check_page(moderator.post(form["action"], data=fields), 409)
    assert heading(soup) == "This theme has changed since you opened it"


def test_deleting_on_the_page(app, moderator):
    reference = make_comment(app)
    used = give_theme(app, reference, "used")
    soup = check_page(moderator.get(f"/staff/themes/{used}"))
    assert "You cannot delete this theme because 1 comment uses it" in text_of(
        soup.select_one("#delete-refused")
    )
    soup = check_page(post(moderator, f"/staff/themes/{used}/delete", theme_revision="1"), 409)
    assert "You cannot delete this theme because 1 comment uses it" in text_of(
        soup.select_one(".govuk-error-summary")
    )
    assert soup.select_one(".govuk-error-summary a")["href"] == "#delete-theme"

    spare = give_theme(app, reference, "spare")
    take_theme_off(app, reference, spare)
    response = post(moderator, f"/staff/themes/{spare}/delete", theme_revision="1")
    assert response.headers["Location"] == "/staff/themes"
    assert theme(app, spare) is None


def test_an_analyst_sees_the_themes_but_cannot_change_them(app):
    make_staff(app, role="moderator", email=MODERATOR)
    travel = give_theme(app, make_comment(app), "travel")
    analyst = signed_in_client(app, role="analyst")
    check_page(analyst.get("/staff/themes"))
    soup = check_page(analyst.get(f"/staff/themes/{travel}"))
    assert not [form for form in soup.select("form") if form["action"].startswith("/staff/themes")]
    assert "Rename or describe" not in text_of(soup)
    assert analyst.get(f"/staff/themes/{travel}/merge?into={travel}").status_code == 403
    for path, fields in [
        (f"/staff/themes/{travel}", {"theme_revision": "1", "name": "hacked"}),
        (f"/staff/themes/{travel}/merge", {"theme_revision": "1", "into": str(travel)}),
        (f"/staff/themes/{travel}/delete", {"theme_revision": "1"}),
    ]:
        assert post(analyst, path, **fields).status_code == 403
    assert theme(app, travel).name == "travel"


def test_signed_out_people_are_sent_to_sign_in(client):
    response = client.get("/staff/themes")
    assert response.status_code == 302
    assert "/staff/login" in response.headers["Location"]


def test_the_audit_log_names_each_theme_change_in_words(app, moderator):
    travel = give_theme(app, make_comment(app), "travel")
    transport = give_theme(app, make_comment(app), "transport")
    with app.app_context():
        themes.update_theme(travel, 1, "trips", "Getting about.", actor(app))
        themes.merge_themes(travel, 2, transport, actor(app))
    admin = signed_in_client(app, role="admin")
    soup = check_page(admin.get("/staff/audit", query_string={"record_type": "theme"}))
    rows = soup.select("#audit-entries tbody tr")
    actions = [text_of(row.select("td")[2]) for row in rows]
    assert actions == ["Merged a theme into another (theme.merge)", "Renamed a theme (theme.rename)"]
    assert rows[0].select_one(f"a[href='/staff/themes/{transport}']") is not None


def test_the_list_version_grows_with_every_change_to_a_theme(app, moderator):
    def version() -> int:
        with app.app_context():
            return themes.list_version()

    seen = [version()]
    reference = make_comment(app)
    travel = give_theme(app, reference, "travel")
    seen.append(version())
    transport = give_theme(app, make_comment(app), "transport")
    seen.append(version())
    with app.app_context():
        themes.update_theme(travel, 1, "trips", None, actor(app))
        seen.append(themes.list_version())
        themes.update_theme(travel, 2, "trips", "Described.", actor(app))
        seen.append(themes.list_version())
        themes.merge_themes(travel, 3, transport, actor(app))
        seen.append(themes.list_version())
    spare = give_theme(app, reference, "spare")
    seen.append(version())
    take_theme_off(app, reference, spare)
    seen.append(version())
    with app.app_context():
        themes.delete_theme(spare, 1, actor(app))
    seen.append(version())
    assert seen == sorted(set(seen))
    assert len(seen) == 9


def test_merging_into_a_theme_that_has_just_gone_says_so(app, moderator):
    travel = give_theme(app, make_comment(app), "travel")
    transport = give_theme(app, make_comment(app), "transport")
    buses = give_theme(app, make_comment(app), "buses")
    confirmation = check_page(moderator.get(f"/staff/themes/{travel}/merge?into={transport}"))
    with app.app_context():
        themes.merge_themes(transport, 1, buses, actor(app))
    form = confirmation.select_one(f"form[action='/staff/themes/{travel}/merge']")
    fields = {field["name"]: field.get("value", "") for field in form.select("input")}
    soup = check_page(moderator.post(form["action"], data=fields), 409)
    assert "merged the theme you chose to merge into, or deleted it" in text_of(soup)
    assert theme(app, travel).name == "travel"
