"""A moderator describes, renames and merges themes at /staff/themes.

With JavaScript on and off; axe checks every page on the way, its error states included, and the
page a second moderator on an old page gets. Asks for `live_server` before `new_page` (see
test_feedback_journeys.py).
"""

from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.browser.conftest import assert_accessible
from tests.browser.test_staff_journeys import expect_flash, signed_in_page
from tests.factories import make_comment, make_staff
from tests.helpers.browser import JAVASCRIPT
from tests.helpers.themes import comment_themes, give_theme, take_theme_off

MODERATOR = "moderator@example.gov.uk"
SECOND_MODERATOR = "second.moderator@example.gov.uk"


@JAVASCRIPT
def test_a_moderator_describes_renames_and_merges_a_theme(live_server, new_page, app, javascript):
    make_staff(app, role="moderator", email=MODERATOR)
    make_staff(app, role="moderator", email=SECOND_MODERATOR)
    first, second = (
        make_comment(app, text="The buses do not run late."),
        make_comment(app, text="Trains too."),
    )
    travel = give_theme(app, first, "travel")
    give_theme(app, second, "transport")
    # A second moderator opens the theme before the first changes it.
    late = signed_in_page(new_page, live_server, SECOND_MODERATOR, javascript=javascript)
    late.goto(f"{live_server}/staff/themes/{travel}")

    page = signed_in_page(new_page, live_server, MODERATOR, javascript=javascript)
    page.get_by_role("navigation").get_by_role("link", name="Themes").click()
    expect(page.locator("h1")).to_have_text("Themes")
    expect(page.locator("#themes")).to_contain_text("travel")
    assert_accessible(page)

    page.locator("#themes").get_by_role("link", name="travel", exact=True).click()
    expect(page.locator("h1")).to_have_text("travel")
    assert_accessible(page)

    # A name another theme has: the error summary, what was typed kept, and a way to merge.
    page.get_by_label("Name").fill("Transport")
    page.get_by_label("Description (optional)").fill("Getting to meetings: buses, trains, lifts.")
    page.get_by_role("button", name="Save changes").click()
    expect(page).to_have_title(re.compile(r"^Error: "))
    expect(page.locator(".govuk-error-summary")).to_contain_text(
        "There is already a theme called ‘transport’"
    )
    expect(page.get_by_label("Description (optional)")).to_have_value(
        "Getting to meetings: buses, trains, lifts."
    )
    expect(page.locator("#merge-suggestion")).to_contain_text("Merge this theme into ‘transport’")
    assert_accessible(page)

    page.get_by_label("Name").fill("Getting about")
    page.get_by_role("button", name="Save changes").click()
    expect_flash(page, "The theme ‘getting about’ is saved.")
    expect(page.locator("#theme-summary")).to_contain_text("Getting to meetings: buses, trains, lifts.")
    assert_accessible(page)

    # The second moderator, on the page from before, is told and nothing of theirs is saved.
    late.get_by_label("Description (optional)").fill("Late words.")
    late.get_by_role("button", name="Save changes").click()
    expect(late.locator("h1")).to_have_text("This theme has changed since you opened it")
    expect(late.locator("#typed-description")).to_have_value("Late words.")
    assert_accessible(late)

    # Merging: choose nothing first, then the theme to merge into, then confirm.
    page.get_by_role("button", name="Continue").click()
    expect(page).to_have_title(re.compile(r"^Error: "))
    expect(page.locator(".govuk-error-summary")).to_contain_text("Select the theme to merge this one into")
    assert_accessible(page)
    page.get_by_label("Merge into").select_option(label="transport")
    page.get_by_role("button", name="Continue").click()
    expect(page.locator("h1")).to_have_text("Merge ‘getting about’ into ‘transport’?")
    expect(page.locator("#merge-effects")).to_contain_text("1 comment with ‘getting about’")
    assert_accessible(page)
    page.get_by_role("button", name="Merge themes").click()
    expect_flash(page, "The theme is merged into ‘transport’: 1 comment and 0 summaries moved.")
    expect(page.locator("h1")).to_have_text("transport")
    expect(page.locator("#theme-comments")).to_contain_text("2 comments")
    assert_accessible(page)
    assert comment_themes(app) == {(first, "transport"), (second, "transport")}

    page.get_by_role("navigation").get_by_role("link", name="Figures").click()
    expect(page.locator("#comments-by-theme")).to_contain_text("transport")
    assert_accessible(page)


@JAVASCRIPT
def test_a_theme_is_deleted_only_when_nothing_uses_it(live_server, new_page, app, javascript):
    make_staff(app, role="moderator", email=MODERATOR)
    reference = make_comment(app, text="About the buses.")
    spare = give_theme(app, reference, "spare")
    take_theme_off(app, reference, spare)

    page = signed_in_page(new_page, live_server, MODERATOR, javascript=javascript)
    page.goto(f"{live_server}/staff/themes/{spare}")
    expect(page.get_by_role("button", name="Delete theme")).to_be_visible()
    # Someone gives the theme to a comment while the page is open: the delete is refused, and says why.
    give_theme(app, reference, "spare")
    page.get_by_role("button", name="Delete theme").click()
    expect(page).to_have_title(re.compile(r"^Error: "))
    expect(page.locator(".govuk-error-summary")).to_contain_text(
        "You cannot delete this theme because 1 comment uses it"
    )
    expect(page.locator("#delete-refused")).to_contain_text("Merge it into another theme")
    assert_accessible(page)

    take_theme_off(app, reference, spare)
    page.goto(f"{live_server}/staff/themes/{spare}")
    page.get_by_role("button", name="Delete theme").click()
    expect_flash(page, "The theme ‘spare’ is deleted.")
    expect(page.locator("#no-themes")).to_be_visible()
    assert_accessible(page)
