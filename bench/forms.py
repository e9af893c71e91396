"""Comment forms for the POST figure, scraped from the page as a browser gets them.

Each form view has its own submission key and signed "shown at" token, good for one comment:
so the bench GETs the page once per POST it may send, keeps the session cookie that carries
the CSRF token, and writes one line per form for bench/lua/post.lua.
"""

from __future__ import annotations

import html
import http.client
import re
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import urlencode

from bench.servers import HOST

SCRAPERS = 4
FORM = re.compile(r"<form\b[^>]*>.*?</form>", re.DOTALL)
INPUT = re.compile(r"<input\b[^>]*>")
ATTRIBUTE = re.compile(r'(\w[\w-]*)="([^"]*)"')
COMMENT_TEXT = "This works for me: being asked before the service is designed, not after."
# With an email address, each comment queues its receipt in the outbox, as a real one does.


class FormNotFound(RuntimeError):
    """The page had no comment form to scrape."""


def hidden_fields(page: str) -> dict[str, str]:
    """The hidden fields of the page's comment form (the one with a submission key)."""
    for form in FORM.findall(page):
        if 'name="submission_key"' not in form:
            continue
        fields = {}
        for tag in INPUT.findall(form):
            attributes = {name: html.unescape(value) for name, value in ATTRIBUTE.findall(tag)}
            if attributes.get("type") == "hidden" and "name" in attributes:
                fields[attributes["name"]] = attributes.get("value", "")
        return fields
    raise FormNotFound("no comment form (with a submission key) on the page")


def comment_body(fields: dict[str, str]) -> str:
    return urlencode(
        {
            **fields,
            "website": "",
            "comment": COMMENT_TEXT,
            "reaction": "yes",
            "name": "A bench reader",
            "email": "reader@example.org",
        }
    )


def session_cookie(headers: list[tuple[str, str]]) -> str | None:
    for name, value in headers:
        # "session" in development, "__Host-session" in production.
        if name.lower() == "set-cookie" and value.split("=", 1)[0].endswith("session"):
            return value.split(";", 1)[0]
    return None


def scrape(port: int, path: str, count: int) -> list[str]:
    """`count` lines "cookie<TAB>body", each from its own GET of `path`."""

    def one_scraper(share: int) -> list[str]:
        connection = http.client.HTTPConnection(HOST, port, timeout=30)
        cookie: str | None = None
        lines = []
        try:
            for _ in range(share):
                connection.request("GET", path, headers={"Cookie": cookie} if cookie else {})
                response = connection.getresponse()
                page = response.read().decode()
                if response.status != 200:
                    raise FormNotFound(f"GET {path} answered {response.status}")
                cookie = session_cookie(response.getheaders()) or cookie
                lines.append(f"{cookie or '-'}\t{comment_body(hidden_fields(page))}")
        finally:
            connection.close()
        return lines

    shares = [count // SCRAPERS + (1 if n < count % SCRAPERS else 0) for n in range(SCRAPERS)]
    with ThreadPoolExecutor(SCRAPERS) as pool:
        return [line for lines in pool.map(one_scraper, shares) for line in lines]


def write_pool(lines: list[str], path: Path) -> Path:
    path.write_text("\n".join(lines) + "\n")
    return path
