"""Passwords: how strong they must be, and hashing them with argon2id."""

from __future__ import annotations

import functools
import secrets

from argon2 import PasswordHasher, profiles
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app

from feedback_portal.services.exceptions import DomainError

PASSWORD_MIN_LENGTH = 15
PASSWORD_MAX_LENGTH = 128

# Words an attacker would try first against this portal's accounts.
CONTEXT_WORDS = [
    "council",
    "birmingham",
    "brum",
    "consultation",
    "coproduction",
    "co-production",
    "citizen",
    "involvement",
    "getinvolved",
    "feedback",
    "portal",
    "password",
    "adults",
    "social",
    "care",
    "health",
]
MIN_LETTERS_BEYOND_CONTEXT = 8
# zxcvbn refuses longer input; the first 72 characters of a longer password say enough.
ZXCVBN_MAX_LENGTH = 72

_HASHERS = {
    # argon2id with argon2-cffi's defaults, above ASVS's minimum.
    "standard": PasswordHasher(),
    # For the test suite only, where hundreds of sign-ins would otherwise cost minutes.
    "cheapest": PasswordHasher.from_parameters(profiles.CHEAPEST),
}


def _hasher() -> PasswordHasher:
    return _HASHERS[current_app.config["ARGON2_PROFILE"]]


@functools.cache
def _dummy_hash(hasher: PasswordHasher) -> str:
    """Verified against when the account does not exist, so both answers take as long.

    Made on first use, not at import, so that no process pays for it before it signs anyone in.
    """
    return hasher.hash(secrets.token_urlsafe(24))


class WeakPassword(DomainError):
    """The password would be too easy to guess; the message says why."""


def check_password(password: str, email: str | None = None) -> None:
    """Raise WeakPassword with a reason a person can act on. No composition rules."""
    if len(password) < PASSWORD_MIN_LENGTH:
        raise WeakPassword(f"Your password must be at least {PASSWORD_MIN_LENGTH} characters")
    if len(password) > PASSWORD_MAX_LENGTH:
        raise WeakPassword(f"Your password must be {PASSWORD_MAX_LENGTH} characters or fewer")
    # Imported here, not with this module: it builds its dictionaries as it loads, which every
    # command and worker would pay for at start, while only setting a password needs them.
    from zxcvbn import zxcvbn

    user_inputs = [*CONTEXT_WORDS]
    if email:
        user_inputs += [email, *email.replace("@", ".").split(".")]
    if (
        _made_of_context_words(password, user_inputs)
        or zxcvbn(password[:ZXCVBN_MAX_LENGTH], user_inputs=user_inputs)["score"] < 3
    ):
        raise WeakPassword(
            "Your password is too easy to guess: it is too common or made of words about this "
            "service. Try three or four random words"
        )


def _made_of_context_words(password: str, words: list[str]) -> bool:
    """True when little is left once this service's words, digits and punctuation are taken out."""
    remainder = password.lower()
    for word in sorted({w.lower() for w in words if len(w) >= 3}, key=len, reverse=True):
        remainder = remainder.replace(word, "")
    return len([c for c in remainder if c.isalpha()]) < MIN_LETTERS_BEYOND_CONTEXT


def hash_password(password: str) -> str:
    return _hasher().hash(password)


def password_matches(password_hash: str | None, password: str) -> bool:
    """Whether the password is this hash's. With no hash, as slow as a real check and False."""
    try:
        hasher = _hasher()
        return hasher.verify(password_hash or _dummy_hash(hasher), password) and password_hash is not None
    except (VerificationError, InvalidHashError):
        return False
