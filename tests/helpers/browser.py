"""What the browser journeys share: running with and without JavaScript, and moving by keyboard."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page

# Every journey runs twice: with JavaScript, and with it turned off.
JAVASCRIPT = pytest.mark.parametrize("javascript", [True, False], ids=["javascript-on", "javascript-off"])


def focused_matches(page: Page, selector: str) -> bool:
    return page.evaluate("s => !!document.activeElement && document.activeElement.matches(s)", selector)


def tab_until(page: Page, selector: str, limit: int = 120) -> None:
    """Press Tab, as a keyboard user would, until the element matching `selector` has focus."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if focused_matches(page, selector):
            return
    pytest.fail(f"{selector} was not reached after pressing Tab {limit} times")
