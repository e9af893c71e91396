"""What the portal remembers about a visitor during their visit, in the session cookie only."""

from __future__ import annotations

import secrets

from flask import session

MAX_REMEMBERED_REFERENCES = 20


def visitor_id() -> str:
    """A random id for this browser's visit: lets a visitor report a comment only once."""
    if "visitor" not in session:
        session["visitor"] = secrets.token_urlsafe(16)
    return session["visitor"]


def remember_reference(reference: str) -> None:
    """The thank-you page of a comment is shown only to the browser that sent it."""
    references = [ref for ref in session.get("my_references", []) if ref != reference]
    session["my_references"] = [*references, reference][-MAX_REMEMBERED_REFERENCES:]


def my_references() -> list[str]:
    return list(session.get("my_references", []))


def remember_contact(name: str | None, email: str | None) -> None:
    """So that a person does not retype their name and email for a second comment."""
    contact = {key: value for key, value in (("name", name), ("email", email)) if value}
    if contact:
        session["contact"] = contact


def remembered_contact() -> dict[str, str]:
    return dict(session.get("contact", {}))


def forget_contact() -> None:
    session.pop("contact", None)


def remember_answer(target_key: str) -> None:
    """So that the "your answer has been counted" page is shown only after an answer was sent."""
    answered = [key for key in session.get("answered", []) if key != target_key]
    session["answered"] = [*answered, target_key][-MAX_REMEMBERED_REFERENCES:]


def has_answered(target_key: str) -> bool:
    return target_key in session.get("answered", [])
