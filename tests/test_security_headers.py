"""Every response carries the headers quality.md asks for."""

import base64
import hashlib

from tests.factories import signed_in_client
from tests.pages import parse


def test_pages_carry_the_security_headers(client):
    response = client.get("/definition")
    csp = response.headers["Content-Security-Policy"]
    for directive in (
        "default-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "frame-ancestors 'none'",
        "form-action 'self'",
    ):
        assert directive in csp
    assert "unsafe-inline" not in csp
    assert "unsafe-eval" not in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert response.headers["Strict-Transport-Security"].startswith("max-age=")


def test_every_inline_script_is_allowed_by_its_hash_and_no_other(client):
    response = client.get("/")
    csp = response.headers["Content-Security-Policy"]
    inline_scripts = [script.string for script in parse(response).find_all("script") if not script.get("src")]
    assert len(inline_scripts) == 1
    digest = base64.b64encode(hashlib.sha256(inline_scripts[0].encode()).digest()).decode()
    assert f"'sha256-{digest}'" in csp


def test_staff_pages_and_downloads_are_never_cached(app, client):
    for path in ("/staff/login", "/staff/forgot-password"):
        response = client.get(path)
        assert response.status_code == 200, path
        assert response.headers["Cache-Control"] == "no-store", path
    admin = signed_in_client(app, role="admin")
    for path in ("/staff/", "/staff/comments", "/staff/audit", "/staff/audit.csv", "/staff/account"):
        response = admin.get(path)
        assert response.status_code == 200, path
        assert response.headers["Cache-Control"] == "no-store", path


def test_the_brand_stylesheet_is_css(client):
    response = client.get("/brand.css")
    assert response.mimetype == "text/css"
    assert response.get_data(as_text=True).startswith(":root {")


def test_search_engines_are_kept_off_the_staff_side(app, client):
    robots = client.get("/robots.txt")
    assert robots.status_code == 200
    assert robots.mimetype == "text/plain"
    assert "Disallow: /staff/" in robots.get_data(as_text=True).splitlines()

    sign_in = client.get("/staff/login")
    assert sign_in.headers["X-Robots-Tag"] == "noindex, nofollow"
    assert parse(sign_in).find("meta", attrs={"name": "robots"})["content"] == "noindex, nofollow"
    admin = signed_in_client(app, role="admin")
    for path in ("/staff/", "/staff/comments", "/staff/audit.csv"):
        assert admin.get(path).headers["X-Robots-Tag"] == "noindex, nofollow", path

    public = client.get("/definition")
    assert "X-Robots-Tag" not in public.headers
    assert parse(public).find("meta", attrs={"name": "robots"}) is None
