"""Signs that a form was filled in by a program rather than a person.

A bot that trips them gets the normal thank-you page, so it learns nothing; what it sent
is stored as spam for moderators to see, and never published.
"""

from __future__ import annotations

import time

from flask import current_app
from itsdangerous import BadSignature, URLSafeSerializer

from feedback_portal.public.forms import SpamTrapMixin


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt="form-shown-at")


def form_shown_token(form_name: str, submission_key: str, now: float | None = None) -> str:
    """A signed note of when a form was shown, to put in the form.

    It names the form's submission key, which saves at most one record: so one page view
    is good for one comment, and a second one sent with its token is told apart as reused.
    """
    return _serializer().dumps([int(now if now is not None else time.time()), form_name, submission_key])


def spam_signal(form: SpamTrapMixin, now: float | None = None) -> str | None:
    """Why this form looks automated, or None if it looks like a person sent it."""
    if form.website.data:
        return "honeypot"
    try:
        shown_at, form_name, submission_key = _serializer().loads(form.form_shown_at.data or "")
        shown_at = int(shown_at)
    except (BadSignature, TypeError, ValueError):
        return "no-form-time"
    if (form_name, submission_key) != (type(form).__name__, form.submission_key.data):
        return "reused-form"
    elapsed = (now if now is not None else time.time()) - shown_at
    if elapsed < current_app.config["MIN_FORM_FILL_SECONDS"]:
        return "too-fast"
    return None
