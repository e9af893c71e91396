"""Checks that public and staff forms share: what text, names and email addresses may be.

Every field is validated positively: what is allowed, not what is not.
"""

from __future__ import annotations

import re
import unicodedata
from typing import ClassVar

from flask_wtf import FlaskForm
from wtforms import Field, HiddenField
from wtforms.validators import DataRequired, Length, ValidationError

from feedback_portal.addresses import (
    MAX_LENGTH,
    NotEnglishLetters,
    NotOneAddress,
    UnsendableAddress,
    sendable_address,
)

NAME_MAX_LENGTH = 100
COMMENT_MAX_LENGTH = 5000
SUBMISSION_KEY = re.compile(r"^[A-Za-z0-9_-]{16,64}$")
LINE_BREAKS = {"\n", "\r", "\t"}
# Characters that could not be typed into a form by a person and that PostgreSQL and
# SQLite would not store alike (NUL) or that corrupt text for every later reader.
_UNTYPEABLE = {"Cc", "Cs", "Co", "Cn"}


def strip(value: str | None) -> str | None:
    return value.strip() if isinstance(value, str) else value


def normalise_line_breaks(value: str | None) -> str | None:
    # Browsers send CRLF; a person typed one line break, not two characters.
    return value.replace("\r\n", "\n").replace("\r", "\n") if isinstance(value, str) else value


def blank_to_none(value: str | None) -> str | None:
    return value or None


class PlainText:
    """Text a person could have typed: no control characters; line breaks only if allowed."""

    def __init__(self, multiline: bool = False, message: str | None = None) -> None:
        self.multiline = multiline
        self.message = message

    def __call__(self, form: FlaskForm, field: Field) -> None:
        for character in field.data or "":
            if self.multiline and character in LINE_BREAKS:
                continue
            if unicodedata.category(character) in _UNTYPEABLE:
                raise ValidationError(
                    self.message
                    or f"{field.label.text} must only include letters, numbers, spaces and punctuation"
                )


class OneEmailAddress:
    """Exactly one address that our mail path can send to, by the same rule it sends by."""

    message = "Enter an email address in the correct format, like name@example.com"
    messages: ClassVar[dict[type[UnsendableAddress], str]] = {
        NotOneAddress: "Enter one email address, like name@example.com",
        NotEnglishLetters: (
            "Enter an email address using only English letters, numbers and symbols like . _ - + before the @"
        ),
    }

    def __call__(self, form: FlaskForm, field: Field) -> None:
        if not field.data:
            return
        try:
            field.data = sendable_address(field.data)
        except UnsendableAddress as error:
            raise ValidationError(self.messages.get(type(error), self.message)) from None


def comment_text_checks(what: str) -> list:
    """What a comment's text must be, and so anything published beside it: `what` names it in messages."""
    return [
        DataRequired(message=f"Enter {what}"),
        Length(
            max=COMMENT_MAX_LENGTH,
            message=f"{what.capitalize()} must be {COMMENT_MAX_LENGTH:,} characters or fewer",
        ),
        PlainText(multiline=True, message=f"{what.capitalize()} must not include control characters"),
    ]


# What a name or an email address must be, on every public form that asks for one.
NAME_CHECKS = [
    Length(max=NAME_MAX_LENGTH, message=f"Your name must be {NAME_MAX_LENGTH} characters or fewer"),
    PlainText(message="Your name must only include letters, numbers, spaces and punctuation"),
]
EMAIL_CHECKS = [
    Length(max=MAX_LENGTH, message=f"Your email address must be {MAX_LENGTH} characters or fewer"),
    OneEmailAddress(),
]


class SubmissionKey(HiddenField):
    """A random key per rendered form: the same form sent twice makes one record."""

    def pre_validate(self, form: FlaskForm) -> None:
        if not SUBMISSION_KEY.match(self.data or ""):
            raise ValidationError("This form has expired. Send it again.")
