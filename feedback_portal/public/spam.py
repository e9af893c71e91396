"""Signs that a form was filled in by a program rather than a person.

A bot that trips them gets the normal thank-you page, so it learns nothing; what it sent
is stored as spam for moderators to see, and never published.
"""

from __future__ import annotations

import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from functools import lru_cache
from typing import TypeVar

from flask import current_app
from flask_wtf import FlaskForm
from itsdangerous import BadData, BadSignature, TimestampSigner, URLSafeSerializer

from feedback_portal.public.forms import SpamTrapMixin
from feedback_portal.services import feedback

F = TypeVar("F", bound=FlaskForm)


@lru_cache(maxsize=4)
def _signer(secret_key: str) -> TimestampSigner:
    # Made once per key: a signer is stateless, and making one costs as much as using it.
    return TimestampSigner(secret_key, salt="form-shown-at")


def _earlier_serializer() -> URLSafeSerializer:
    """How forms shown before 2026-12-06 carry their time: still read, so that a person who was
    filling one in while the portal was updated is not taken for a program."""
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt="form-shown-at")


def form_shown_token(form_name: str, submission_key: str) -> str:
    """A signed note of when a form was shown, to put in the form.

    It names the form's submission key, which saves at most one record: so one page view
    is good for one comment, and a second one sent with its token is told apart as reused.
    """
    return _signer(current_app.config["SECRET_KEY"]).sign(f"{form_name}:{submission_key}").decode()


def _read_form_shown_token(token: str) -> tuple[int, str, str]:
    """(when the form was shown, its name, its submission key); BadData if not ours."""
    try:
        note, shown_at = _signer(current_app.config["SECRET_KEY"]).unsign(token, return_timestamp=True)
    except BadSignature:
        earlier_shown_at, form_name, submission_key = _earlier_serializer().loads(token)
        return int(earlier_shown_at), form_name, submission_key
    form_name, _, submission_key = note.decode().partition(":")
    return int(shown_at.timestamp()), form_name, submission_key


def spam_signal(form: SpamTrapMixin, now: float | None = None) -> str | None:
    """Why this form looks automated, or None if it looks like a person sent it."""
    if form.website.data:
        return "honeypot"
    try:
        shown_at, form_name, submission_key = _read_form_shown_token(form.form_shown_at.data or "")
    except (BadData, TypeError, ValueError, OverflowError):
        return "no-form-time"
    if (form_name, submission_key) != (type(form).__name__, form.submission_key.data):
        return "reused-form"
    elapsed = (now if now is not None else time.time()) - shown_at
    if elapsed < current_app.config["MIN_FORM_FILL_SECONDS"]:
        return "too-fast"
    return None


def new_form(form_class: type[F], contact: dict[str, str]) -> F:
    """A form as first shown: its one-time submission key, the signed time it was shown, and any
    details the person asked us to remember."""
    key, shown_at = form_tokens(form_class.__name__)
    return form_class(data={**contact, "submission_key": key, "form_shown_at": shown_at})


def form_tokens(form_name: str) -> tuple[str, str]:
    """A new one-time submission key for a form, and the signed time it was shown.

    While a page is rendered to be shared by every visitor, the form gets stand-ins instead,
    which each visitor's copy of the page replaces with values of its own.
    """
    stand_ins = _stand_ins.get()
    if stand_ins is not None:
        return stand_ins.add(form_name)
    key = feedback.new_submission_key()
    return key, form_shown_token(form_name, key)


@dataclass
class FormTokenStandIns:
    """The stand-ins given to the forms of one shared page, in the order they were made."""

    prefix: str
    form_names: list[str] = field(default_factory=list)

    def add(self, form_name: str) -> tuple[str, str]:
        number = len(self.form_names)
        self.form_names.append(form_name)
        return _stand_in_names(self.prefix, number)

    def names(self) -> list[str]:
        """Every stand-in given out, each form's key then its time."""
        return [
            name for number in range(len(self.form_names)) for name in _stand_in_names(self.prefix, number)
        ]


def _stand_in_names(prefix: str, number: int) -> tuple[str, str]:
    """The stand-ins for the submission key and the signed time of a page's form `number`."""
    return f"{prefix}key{number}x", f"{prefix}shown{number}x"


def real_form_tokens(prefix: str, form_names: Sequence[str]) -> dict[str, str]:
    """What each stand-in of a shared page becomes for one visitor: new tokens for each form."""
    values = {}
    for number, form_name in enumerate(form_names):
        key_stand_in, shown_at_stand_in = _stand_in_names(prefix, number)
        values[key_stand_in], values[shown_at_stand_in] = form_tokens(form_name)
    return values


@contextmanager
def form_token_stand_ins(prefix: str) -> Iterator[FormTokenStandIns]:
    stand_ins = FormTokenStandIns(prefix)
    reset = _stand_ins.set(stand_ins)
    try:
        yield stand_ins
    finally:
        _stand_ins.reset(reset)


_stand_ins: ContextVar[FormTokenStandIns | None] = ContextVar("form_token_stand_ins", default=None)
