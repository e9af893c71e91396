"""Security headers, the request size limit, and the one inline script we allow."""

from __future__ import annotations

import base64
import hashlib
import hmac
from urllib.parse import unquote_to_bytes

from flask import Flask, Response, abort, current_app, request

# govuk-frontend-jinja's page template adds this script at the top of <body> so that
# styles for JavaScript-enhanced components apply before first paint. It is allowed by
# its hash; no other inline script can run.
GOVUK_INLINE_SCRIPT = (
    "document.body.className += ' js-enabled' + "
    "('noModule' in HTMLScriptElement.prototype ? ' govuk-frontend-supported' : '');"
)


def script_hash(source: str) -> str:
    digest = hashlib.sha256(source.encode()).digest()
    return "'sha256-" + base64.b64encode(digest).decode() + "'"


CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        f"script-src 'self' {script_hash(GOVUK_INLINE_SCRIPT)}",
        "img-src 'self' data:",
        "object-src 'none'",
        "base-uri 'none'",
        "frame-ancestors 'none'",
        "form-action 'self'",
    ]
)


def init_app(app: Flask) -> None:
    app.before_request(refuse_oversized_body)
    app.before_request(refuse_undecodable_form)
    app.after_request(set_security_headers)


def refuse_oversized_body() -> None:
    """Refuse a large body from its declared length, before any view reads it."""
    limit = request.max_content_length
    if limit is not None and request.content_length is not None and request.content_length > limit:
        abort(413)


def refuse_undecodable_form() -> None:
    """A form body that is not valid UTF-8 gets the 400 page, not a comment full of \ufffd."""
    if request.method != "POST" or request.mimetype != "application/x-www-form-urlencoded":
        return
    body = request.get_data(cache=True, parse_form_data=False)
    try:
        unquote_to_bytes(body.replace(b"+", b" ")).decode("utf-8")
    except UnicodeDecodeError:
        abort(400)


def set_security_headers(response: Response) -> Response:
    headers = response.headers
    headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
    headers.setdefault("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("Referrer-Policy", "same-origin")
    headers.setdefault("X-Frame-Options", "DENY")
    headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
    headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
    if request.path.startswith("/staff/") or request.path == "/staff":
        headers["Cache-Control"] = "no-store"
    return response


def keyed_hash(purpose: str, value: str) -> str:
    """A one-way code for `value` that cannot be reversed or matched without our secret key.

    Used where abuse control needs to recognise a repeat (the same address, the same
    visitor) without storing who it was. The purpose keeps codes for different uses apart.
    """
    key = hashlib.sha256(("keyed-hash:" + current_app.config["SECRET_KEY"]).encode()).digest()
    return hmac.new(key, f"{purpose}\x00{value}".encode(), hashlib.sha256).hexdigest()
