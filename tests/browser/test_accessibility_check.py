"""The accessibility check itself: every browser test relies on it finding what axe finds.

A page with two known faults (a text box without a label, grey text too faint to read) must
fail it, saying which rule and which element, with JavaScript on and with it off (where axe
checks a copy of the page).
"""

from __future__ import annotations

import pytest

from tests.browser.conftest import assert_accessible
from tests.helpers.browser import JAVASCRIPT

FAULTY_PAGE = """<!doctype html>
<html lang="en">
<head><title>A faulty page</title></head>
<body>
<main>
<h1>Tell us</h1>
<input id="unlabelled-name" type="text">
<p id="faint-words" style="color: #eeeeee; background: #ffffff">Words nobody can read.</p>
</main>
</body>
</html>"""


@JAVASCRIPT
def test_the_check_fails_a_page_axe_faults_and_says_which_rule_and_element(new_page, javascript):
    page = new_page(javascript=javascript)
    page.set_content(FAULTY_PAGE)
    with pytest.raises(AssertionError) as failure:
        assert_accessible(page)
    message = str(failure.value)
    assert "- label: " in message
    assert "#unlabelled-name" in message
    assert "- color-contrast: " in message
    assert "#faint-words" in message


@JAVASCRIPT
def test_the_check_passes_the_same_page_once_it_is_mended(new_page, javascript):
    page = new_page(javascript=javascript)
    page.set_content(
        FAULTY_PAGE.replace(
            '<input id="unlabelled-name"',
            '<label for="unlabelled-name">Name</label><input id="unlabelled-name"',
        ).replace("color: #eeeeee", "color: #0b0c0c")
    )
    assert_accessible(page)
