"""Friendly error pages. No stack trace, SQL or secret ever reaches a page."""

from __future__ import annotations

import logging
from typing import Any

from flask import Flask, g, render_template, request
from flask.globals import request_ctx
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import DBAPIError, OperationalError
from werkzeug.exceptions import HTTPException, InternalServerError, ServiceUnavailable

from feedback_portal import links
from feedback_portal.extensions import db, login_manager
from feedback_portal.load_shedding import ServerBusy
from feedback_portal.services.exceptions import (
    AlreadyDone,
    Conflict,
    ConsultationClosed,
    DomainError,
    InvalidLink,
    NotFound,
    SummaryChanged,
)

logger = logging.getLogger(__name__)

PAGES = {400, 403, 404, 405, 409, 413, 429, 500, 503}
# Each domain error a service raises, and the status and page a person gets when no route
# handles it. The most specific class listed wins.
DOMAIN_ERROR_PAGES: dict[type[DomainError], tuple[int, str | None]] = {
    DomainError: (400, None),
    NotFound: (404, None),
    InvalidLink: (404, "errors/invalid_link.html"),
    AlreadyDone: (410, "errors/already_done.html"),
    Conflict: (409, None),
    ConsultationClosed: (403, "errors/consultation_closed.html"),
    SummaryChanged: (409, "staff/summary_changed.html"),
}
# Free-text fields of the public forms, given back on an error page so nothing typed is lost.
TEXT_FIELDS = {
    "comment": "Your comment",
    "details": "What you told us",
    "how_to_be_involved": "How you would like to be involved",
    "access_needs": "Your access needs",
}


def init_app(app: Flask) -> None:
    app.register_error_handler(CSRFError, render_form_expired)
    app.register_error_handler(ServerBusy, render_busy)
    for domain_error in DOMAIN_ERROR_PAGES:
        app.register_error_handler(domain_error, render_domain_error)
    app.register_error_handler(HTTPException, render_http_error)
    app.register_error_handler(OperationalError, render_database_unavailable)
    app.register_error_handler(DBAPIError, render_database_unavailable)
    app.register_error_handler(Exception, render_unexpected_error)


def submitted_texts() -> list[tuple[str, str]]:
    """What the person typed into a form we could not accept, to show back to them."""
    if request.method != "POST" or request.content_length is None:
        return []
    if request.max_content_length is not None and request.content_length > request.max_content_length:
        return []
    try:
        form = request.form
    except Exception:  # noqa: BLE001 - an unreadable body has nothing to give back
        return []
    return [(label, form[name]) for name, label in TEXT_FIELDS.items() if form.get(name, "").strip()]


def render_error_page(code: int, template: str | None = None, **context: Any):
    if request_ctx.url_adapter is None:
        # The request named a host we do not serve (TRUSTED_HOSTS), so Flask made no way to
        # build links for it: the page links to the portal's own address instead.
        request_ctx.url_adapter = links.public_url_adapter()
    template = template or (f"errors/{code}.html" if code in PAGES else "errors/generic.html")
    return render_template(template, code=code, submitted_texts=submitted_texts(), **context), code


def render_form_expired(error: CSRFError):
    return render_error_page(400, "errors/form_expired.html")


def render_domain_error(error: DomainError):
    for kind in type(error).__mro__:
        if kind in DOMAIN_ERROR_PAGES:
            code, template = DOMAIN_ERROR_PAGES[kind]
            return render_error_page(code, template, error=error)
    return render_error_page(InternalServerError.code)


def render_http_error(error: HTTPException):
    if error.response is not None:
        # It brought its own answer: the open data JSON's 429 is JSON, not a page.
        return error.response
    response = render_error_page(error.code or 500)
    valid_methods = getattr(error, "valid_methods", None)
    if error.code == 405 and valid_methods:
        return response[0], response[1], {"Allow": ", ".join(valid_methods)}
    return response


def render_busy(error: ServerBusy):
    # A late request may have changed the session before its commit was refused.
    _discard_session()
    body, code = render_error_page(ServiceUnavailable.code, "errors/busy.html")
    return body, code, {"Retry-After": str(error.retry_after)}


def render_database_unavailable(error: Exception):
    # Log the kind of failure only: the message can carry SQL with personal data in it.
    logger.error("Database unavailable: %s", type(error).__name__)
    _discard_session()
    _stop_loading_the_user()
    return render_error_page(ServiceUnavailable.code)


def render_unexpected_error(error: Exception):
    if isinstance(error, HTTPException):
        return render_http_error(error)
    logger.exception("Unhandled error", exc_info=error)
    _discard_session()
    return render_error_page(InternalServerError.code)


def _stop_loading_the_user() -> None:
    """Let the error page treat a staff member whose account could not be read as signed out.

    Flask-Login loads the user from the database the first time a page asks; if that is
    what failed, the page would ask again and fail again, giving a 500 instead of this page.
    This request only: the session is left as it was.
    """
    if "_login_user" not in g:
        g._login_user = login_manager.anonymous_user()


def _discard_session() -> None:
    try:
        db.session.rollback()
    except Exception:  # noqa: BLE001 - the database may be the thing that failed
        logger.warning("Could not roll back the session after an error")
