"""Friendly error pages. No stack trace, SQL or secret ever reaches a page."""

from __future__ import annotations

import logging

from flask import Flask, render_template
from sqlalchemy.exc import DBAPIError, OperationalError
from werkzeug.exceptions import HTTPException, InternalServerError, ServiceUnavailable

from feedback_portal.extensions import db
from feedback_portal.services.errors import NotFound

logger = logging.getLogger(__name__)

PAGES = {400, 403, 404, 405, 413, 429, 500, 503}


def init_app(app: Flask) -> None:
    app.register_error_handler(HTTPException, render_http_error)
    app.register_error_handler(NotFound, render_not_found)
    app.register_error_handler(OperationalError, render_database_unavailable)
    app.register_error_handler(DBAPIError, render_database_unavailable)
    app.register_error_handler(Exception, render_unexpected_error)


def render_error_page(code: int):
    template = f"errors/{code}.html" if code in PAGES else "errors/generic.html"
    return render_template(template, code=code), code


def render_http_error(error: HTTPException):
    response = render_error_page(error.code or 500)
    if error.code == 405 and error.valid_methods:
        return response[0], response[1], {"Allow": ", ".join(error.valid_methods)}
    return response


def render_not_found(error: NotFound):
    return render_error_page(404)


def render_database_unavailable(error: Exception):
    # Log the kind of failure only: the message can carry SQL with personal data in it.
    logger.error("Database unavailable: %s", type(error).__name__)
    _discard_session()
    return render_error_page(ServiceUnavailable.code)


def render_unexpected_error(error: Exception):
    if isinstance(error, HTTPException):
        return render_http_error(error)
    logger.exception("Unhandled error", exc_info=error)
    _discard_session()
    return render_error_page(InternalServerError.code)


def _discard_session() -> None:
    try:
        db.session.rollback()
    except Exception:  # noqa: BLE001 - the database may be the thing that failed
        logger.warning("Could not roll back the session after an error")
