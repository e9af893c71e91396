"""A second consultation with its own comments, with JavaScript on and off: a visitor finds it
from the home page, reads its document and comments on it; each consultation's comments are on
its own pages only. axe checks every new page."""

from __future__ import annotations

from playwright.sync_api import expect

from tests.browser.conftest import assert_accessible
from tests.factories import make_comment, use_post_moderation
from tests.helpers.browser import JAVASCRIPT
from tests.helpers.second_consultation import open_second_consultation


@JAVASCRIPT
def test_a_second_consultation_with_its_own_comments(app, live_server, new_page, javascript, tmp_path):
    use_post_moderation(app)
    make_comment(app, "The basic level reads well.", section_slug="basic")
    second = open_second_consultation(app, tmp_path, moderation_mode="post")
    page = new_page(javascript=javascript)

    page.goto(live_server + "/")
    others = page.locator("#other-consultations + ul")
    expect(others).to_contain_text("Our carers charter")
    expect(others).to_contain_text("You can comment until 23:59 on 31 December 2099.")
    assert_accessible(page)
    others.get_by_role("link", name="Our carers charter").click()
    expect(page).to_have_url(f"{live_server}/consultations/{second}/definition")
    expect(page.locator("h1")).to_have_text("Our carers charter")
    assert_accessible(page)

    page.locator(f"main a[href='/consultations/{second}/definition/promises']").first.click()
    expect(page).to_have_url(f"{live_server}/consultations/{second}/definition/promises")
    expect(page.locator("h1")).to_contain_text("Our promises")
    expect(page.locator("main")).not_to_contain_text("The basic level reads well.")
    assert_accessible(page)
    page.get_by_label("Your comment", exact=True).fill("An evening meeting would help me.")
    page.get_by_role("button", name="Send comment").click()
    expect(page.locator(".govuk-panel")).to_be_visible()

    page.goto(f"{live_server}/consultations/{second}/definition/promises")
    expect(page.locator("main")).to_contain_text("An evening meeting would help me.")
    assert_accessible(page)
    page.goto(live_server + "/definition/basic")
    expect(page.locator("main")).to_contain_text("The basic level reads well.")
    expect(page.locator("main")).not_to_contain_text("An evening meeting would help me.")
