"""Real pages in Debian's Chromium, driven by Playwright, each checked by axe-core.

Playwright cannot download its own browsers here, so it drives the system's Chromium: Debian's
headless shell (`/usr/bin/chromium-headless-shell`, the build Playwright itself runs headless
pages in), else Debian's full Chromium, or CHROMIUM_PATH. Without one these tests are reported
as not run, loudly; with REQUIRE_BROWSER=1 (as in CI) that is a failure.
"""

from __future__ import annotations

import os
import re
import shutil
import weakref
from collections.abc import Callable, Iterator

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, BrowserContext, Page, sync_playwright

from tests.conftest import INSTALL_CHROMIUM

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
WCAG_22_AA_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22a", "wcag22aa"]
# Only violations are described in full: by default axe also describes every element that
# passed each rule, which cost about a third of each check and was never read.
AXE_OPTIONS = {"runOnly": {"type": "tag", "values": WCAG_22_AA_TAGS}, "resultTypes": ["violations"]}
# The headless shell first: the same engine without the desktop browser around it, it takes
# about 40% less CPU for the same tests than full Chromium in headless mode.
CHROMIUM_CANDIDATES = ("chromium-headless-shell", "chromium", "chromium-browser")


def chromium_path() -> str | None:
    chosen = os.environ.get("CHROMIUM_PATH")
    if chosen:
        return chosen if os.path.exists(chosen) else None
    return next(filter(None, map(shutil.which, CHROMIUM_CANDIDATES)), None)


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    path = chromium_path()
    if path is None:
        message = f"Chromium was not found. {INSTALL_CHROMIUM}"
        if os.environ.get("REQUIRE_BROWSER") == "1":
            pytest.fail(f"{message}, and REQUIRE_BROWSER=1.")
        pytest.skip(f"BROWSER TESTS NOT RUN: {message}")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=path, args=CHROMIUM_ARGS, headless=True)
        yield browser
        browser.close()


# Pages opened with JavaScript turned off, which axe (itself JavaScript) cannot run in.
_WITHOUT_JAVASCRIPT: weakref.WeakSet[Page] = weakref.WeakSet()
# For each of their contexts, the page with JavaScript where axe checks copies of them: one per
# context, so that the styles and fonts are fetched once, not for every check.
_AXE_COPIES: dict[BrowserContext, Page] = {}


@pytest.fixture
def new_page(browser: Browser, live_server: str) -> Iterator[Callable[..., Page]]:
    """Open a page in a fresh browser context: `new_page(javascript=False, width=320)`.

    It depends on live_server so that pages close before the server stops.
    """
    contexts: list[BrowserContext] = []
    problems: list[str] = []

    def open_page(javascript: bool = True, width: int = 1024, height: int = 768) -> Page:
        context = browser.new_context(
            java_script_enabled=javascript, viewport={"width": width, "height": height}
        )
        contexts.append(context)
        page = context.new_page()
        if not javascript:
            _WITHOUT_JAVASCRIPT.add(page)
        page.set_default_timeout(10_000)
        # A CSP violation, a script error or a missing asset is a bug even when the page
        # looks right. An error status of the page itself is what some tests ask for.
        page.on(
            "console",
            lambda message: (
                message.type == "error"
                and not message.text.startswith("Failed to load resource")
                and problems.append(message.text)
            ),
        )
        page.on("pageerror", lambda error: problems.append(str(error)))
        page.on(
            "response",
            lambda response: (
                response.status >= 400
                and response.request.resource_type != "document"
                and problems.append(f"{response.status} for {response.url}")
            ),
        )
        return page

    yield open_page
    for context in contexts:
        copy = _AXE_COPIES.pop(context, None)
        if copy is not None:
            copy.context.close()
        context.close()
    assert not problems, f"the browser reported errors: {problems}"


@pytest.fixture
def page(new_page: Callable[..., Page]) -> Page:
    return new_page()


_axe = Axe()
_SCRIPT = re.compile(r"<script\b[^>]*>.*?</script>", re.DOTALL | re.IGNORECASE)


def assert_accessible(page: Page) -> None:
    """axe-core finds no WCAG 2.2 A or AA violation on the page as it is now.

    axe is JavaScript, so for a page opened without JavaScript it checks a copy of the
    page exactly as rendered (scripts removed, same styles) in a page that can run it.
    """
    if page in _WITHOUT_JAVASCRIPT:
        html = _SCRIPT.sub("", page.content()).replace("<head>", f'<head><base href="{page.url}">', 1)
        copy = _AXE_COPIES.get(page.context)
        if copy is None:
            copy = page.context.browser.new_context(viewport=page.viewport_size).new_page()
            _AXE_COPIES[page.context] = copy
        elif page.viewport_size:
            copy.set_viewport_size(page.viewport_size)
        copy.set_content(html, wait_until="load")
        _assert_no_violations(copy, page.url)
        return
    _assert_no_violations(page, page.url)


def _assert_no_violations(page: Page, url: str) -> None:
    results = _axe.run(page, options=AXE_OPTIONS)
    violations = results.response["violations"]
    assert not violations, "axe found violations on {}:\n{}".format(
        url,
        "\n".join(
            f"- {violation['id']}: {violation['help']} ({len(violation['nodes'])} elements: "
            + ", ".join(str(node["target"]) for node in violation["nodes"][:3])
            + ")"
            for violation in violations
        ),
    )


def assert_no_horizontal_scroll(page: Page) -> None:
    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0, f"{page.url} scrolls sideways by {overflow}px"
