"""What the portal remembers about a visitor, and where.

During their visit, in the session cookie. Their name and email address only if they ask,
and then encrypted, in a cookie of their own (see `remembered_details`).
"""

from __future__ import annotations

import secrets

from flask import session

from feedback_portal.public import remembered_details

MAX_REMEMBERED_REFERENCES = 20
# The one-time permission to answer the "About you" questions once: a random token and the
# consultation's id, nothing else. It is never stored in the database, so the answers it lets
# in cannot be joined to the comment or offer that earned it.
ABOUT_YOU = "about_you"


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


def remember_contact(name: str | None, email: str | None, *, asked: bool) -> None:
    """Remember a name and email address on this device only if the person ticked the box.

    Leaving it unticked forgets what was remembered before: on a shared computer, that is
    what someone who did not ask to be remembered expects.
    """
    if asked:
        remembered_details.remember(name, email)
    else:
        remembered_details.forget()


def remembered_contact() -> dict[str, str]:
    # Visits from before details were encrypted kept them, readable, in the session.
    if "contact" in session:
        session.pop("contact")
    return remembered_details.remembered()


def forget_contact() -> None:
    session.pop("contact", None)
    # The last offer's withdraw link too: the next person at a shared computer must not find it.
    session.pop("withdraw_url", None)
    session.pop("offer_emailed", None)
    session.pop(ABOUT_YOU, None)
    remembered_details.forget()


def remember_answer(target_key: str) -> None:
    """So that the "your answer has been counted" page is shown only after an answer was sent."""
    answered = [key for key in session.get("answered", []) if key != target_key]
    session["answered"] = [*answered, target_key][-MAX_REMEMBERED_REFERENCES:]


def has_answered(target_key: str) -> bool:
    return target_key in session.get("answered", [])


def allow_about_you(consultation_id: int | None) -> None:
    """After a comment or an offer: this browser may answer the "About you" questions once."""
    if consultation_id is None:
        session.pop(ABOUT_YOU, None)
        return
    session[ABOUT_YOU] = {"token": secrets.token_urlsafe(16), "consultation": consultation_id}


def about_you_token() -> str | None:
    permission = session.get(ABOUT_YOU)
    return permission["token"] if permission else None


def about_you_consultation(token: str | None) -> int | None:
    """The consultation the answers count for, if `token` is this browser's permission."""
    permission = session.get(ABOUT_YOU)
    if not permission or not token or not secrets.compare_digest(permission["token"], token):
        return None
    return int(permission["consultation"])


def use_about_you() -> None:
    """The answers were sent: the permission is spent."""
    session.pop(ABOUT_YOU, None)
