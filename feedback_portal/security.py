"""Security headers, the request size limit, and the one inline script we allow."""

from __future__ import annotations

import base64
import hashlib
import logging
import time
from collections.abc import Callable, Iterator
from datetime import timedelta
from functools import wraps
from typing import TypeGuard
from urllib.parse import unquote_to_bytes, urlsplit

from flask import Flask, Response, abort, current_app, flash, redirect, request, session, url_for
from flask_login import current_user, login_user, logout_user
from werkzeug.sansio.multipart import Data, Epilogue, Field, File, MultipartDecoder, NeedData
from werkzeug.wrappers import Response as WerkzeugResponse

# Routes take the rate limiter and CSRF protection from here, not from extensions, which also
# holds the database.
from feedback_portal.extensions import csrf as csrf
from feedback_portal.extensions import limiter as limiter
from feedback_portal.permissions import ROLES_WITH, Capability

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
    app.before_request(refuse_unguarded_staff_routes)
    app.before_request(expire_idle_staff_sessions)
    app.after_request(set_security_headers)


def refuse_oversized_body() -> None:
    """Refuse a large body from its declared length, before any view reads it."""
    limit = request.max_content_length
    if limit is not None and request.content_length is not None and request.content_length > limit:
        abort(413)


def refuse_undecodable_form() -> None:
    """A form body that is not valid UTF-8 gets the 400 page, not a comment full of \ufffd.

    Werkzeug decodes multipart fields with errors="replace", so both encodings a browser
    may use are checked here, on the raw bytes, before anything parses the form.
    """
    if request.method != "POST":
        return
    if request.mimetype == "application/x-www-form-urlencoded":
        body = request.get_data(cache=True, parse_form_data=False)
        if not _is_utf8(unquote_to_bytes(body.replace(b"+", b" "))):
            abort(400)
    elif request.mimetype == "multipart/form-data":
        boundary = request.mimetype_params.get("boundary", "").encode("ascii", "replace")
        body = request.get_data(cache=True, parse_form_data=False)
        if boundary and not all(_is_utf8(value) for value in _multipart_field_values(body, boundary)):
            abort(400)


def _is_utf8(data: bytes) -> bool:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def _multipart_field_values(body: bytes, boundary: bytes) -> Iterator[bytes]:
    """The raw bytes of each text field (not file) of a multipart body.

    A malformed body yields what it can: Werkzeug's parser then refuses it as it always has.
    """
    decoder = MultipartDecoder(boundary)
    decoder.receive_data(body)
    decoder.receive_data(None)
    chunks: list[bytes] | None = None
    try:
        event = decoder.next_event()
        while not isinstance(event, Epilogue | NeedData):
            if isinstance(event, Field):
                chunks = []
            elif isinstance(event, File):
                chunks = None
            elif isinstance(event, Data) and chunks is not None:
                chunks.append(event.data)
                if not event.more_data:
                    yield b"".join(chunks)
            event = decoder.next_event()
    except ValueError:
        return


SECURITY_HEADERS = (
    ("Content-Security-Policy", CONTENT_SECURITY_POLICY),
    ("Strict-Transport-Security", "max-age=31536000; includeSubDomains"),
    ("X-Content-Type-Options", "nosniff"),
    ("Referrer-Policy", "same-origin"),
    ("X-Frame-Options", "DENY"),
    ("Permissions-Policy", "camera=(), microphone=(), geolocation=()"),
    ("Cross-Origin-Opener-Policy", "same-origin"),
)


def set_security_headers(response: Response) -> Response:
    """Every header above that the response has not set itself.

    Added in one go: seven setdefault calls, each a scan of the headers, cost a public page
    more than a tenth of its time.
    """
    headers = response.headers
    present = {name.lower() for name in headers.keys()}  # noqa: SIM118 - Headers iterates pairs
    headers.extend([(name, value) for name, value in SECURITY_HEADERS if name.lower() not in present])
    if request.path.startswith("/staff/") or request.path == "/staff":
        headers["Cache-Control"] = "no-store"
        # Also covers downloads and redirects, which carry no <meta name="robots">.
        headers["X-Robots-Tag"] = "noindex, nofollow"
    return response


# Staff access -------------------------------------------------------------------------------

STAFF_IDLE_TIMEOUT = timedelta(minutes=30)
STAFF_ABSOLUTE_TIMEOUT = timedelta(hours=12)
logger = logging.getLogger(__name__)


def requires_roles(*roles: str) -> Callable:
    """Name the roles a staff route allows. A staff route without this is refused to everyone."""

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        def guarded(*args, **kwargs):
            if not current_user.is_authenticated:
                if request.method == "GET":
                    return redirect(url_for("staff.sign_in", next=request.full_path.rstrip("?")))
                abort(403)
            if current_user.role not in roles:
                logger.warning(
                    "Access refused: staff user %s (%s) to %s",
                    current_user.id,
                    current_user.role,
                    request.endpoint,
                )
                abort(403)
            return view(*args, **kwargs)

        setattr(guarded, "allowed_roles", frozenset(roles))  # noqa: B010 - read by refuse_unguarded_staff_routes
        return guarded

    return decorator


def requires(capability: Capability) -> Callable:
    """Name the capability a staff route needs: the roles allowed are those that have it."""
    return requires_roles(*sorted(ROLES_WITH[capability]))


def public_staff_route(view: Callable) -> Callable:
    """Mark a staff route that people use before signing in (the sign-in page itself)."""
    setattr(view, "allowed_roles", "anyone")  # noqa: B010 - read by refuse_unguarded_staff_routes
    return view


def refuse_unguarded_staff_routes() -> None:
    """Deny by default: a staff route that names no roles is refused, whoever asks."""
    if request.blueprint != "staff" or request.endpoint is None:
        return
    view = current_app.view_functions.get(request.endpoint)
    if getattr(view, "allowed_roles", None) is None:
        abort(403)


def expire_idle_staff_sessions() -> WerkzeugResponse | None:
    """Sign staff out after 30 minutes without activity, and 12 hours after they signed in."""
    if request.blueprint != "staff" or not current_user.is_authenticated:
        return None
    now = time.time()
    signed_in_at = session.get("signed_in_at", 0)
    last_seen_at = session.get("last_seen_at", 0)
    if (
        now - last_seen_at > STAFF_IDLE_TIMEOUT.total_seconds()
        or now - signed_in_at > STAFF_ABSOLUTE_TIMEOUT.total_seconds()
    ):
        logout_user()
        session.clear()
        flash("You have been signed out because you were inactive for 30 minutes, or signed in for 12 hours.")
        if request.method == "GET":
            return redirect(url_for("staff.sign_in", next=request.full_path.rstrip("?")))
        abort(403)
    # Keep-alive requests from the timeout warning are activity too.
    session["last_seen_at"] = now
    return None


def start_staff_session(user) -> None:
    """A fresh session at sign-in: nothing from before it survives."""
    session.clear()
    login_user(user)
    now = time.time()
    session["signed_in_at"] = now
    session["last_seen_at"] = now


def is_safe_next(target: str | None) -> TypeGuard[str]:
    """A redirect target that can only be a page of this site, as a browser will read it.

    Browsers drop tabs and line breaks inside a URL and read a backslash as a slash, so
    "/\t/evil.example" and "/\\evil.example" both lead away; any control character is refused.
    """
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return False
    if any(ord(character) < 32 or ord(character) == 127 for character in target):
        return False
    parsed = urlsplit(target)
    return not parsed.scheme and not parsed.netloc
