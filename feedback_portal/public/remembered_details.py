"""A name and email address remembered on this device, only because the person asked.

They live in a cookie of their own, encrypted with a key derived from SECRET_KEY, so that
whoever holds the cookie (the next person at a library computer, a proxy's log) cannot read
them. The session cookie is signed but readable, so it never holds them. Nothing is kept on
the server: there is nothing for an erasure to find.
"""

from __future__ import annotations

import base64
import functools
import json

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from flask import Response, after_this_request, current_app, g, request

COOKIE_NAME = "remembered_details"
# Over HTTPS, like the session: a __Host- cookie cannot be set by a subdomain or over HTTP.
SECURE_COOKIE_NAME = "__Host-remembered_details"
DETAILS = ("name", "email")


def remembered() -> dict[str, str]:
    """The name and email address remembered on this device, or nothing.

    A cookie that was changed, made with another key or is older than its lifetime is
    ignored and deleted, as if nothing had been remembered.
    """
    if "remembered_details" not in g:
        g.remembered_details = _read_cookie()
    return dict(g.remembered_details)


def _read_cookie() -> dict[str, str]:
    token = request.cookies.get(cookie_name())
    if not token:
        return {}
    details = _decrypt(token)
    if not details:
        _delete_cookie_after_this_request()
        return {}
    _keep_page_out_of_caches()
    return details


def remember(name: str | None, email: str | None) -> None:
    """Remember these details on this device, for the lifetime the cookies page states."""
    details = {key: value for key, value in zip(DETAILS, (name, email), strict=True) if value}
    if not details:
        forget()
        return
    token = _fernet().encrypt(json.dumps(details).encode()).decode("ascii")
    g.remembered_details = details

    @after_this_request
    def set_cookie(response: Response) -> Response:
        response.set_cookie(
            cookie_name(),
            token,
            max_age=lifetime_seconds(),
            path="/",
            secure=_secure(),
            httponly=True,
            samesite="Lax",
        )
        return response


def forget() -> None:
    """Delete any details remembered on this device."""
    g.remembered_details = {}
    if cookie_name() in request.cookies:
        _delete_cookie_after_this_request()


def cookie_name() -> str:
    return SECURE_COOKIE_NAME if _secure() else COOKIE_NAME


def lifetime_seconds() -> int:
    return current_app.config["REMEMBERED_DETAILS_DAYS"] * 24 * 60 * 60


def _decrypt(token: str) -> dict[str, str]:
    try:
        data = json.loads(_fernet().decrypt(token.encode("ascii"), ttl=lifetime_seconds()))
    except (InvalidToken, UnicodeError, ValueError):
        return {}
    if not isinstance(data, dict):
        return {}
    return {key: value for key in DETAILS if isinstance(value := data.get(key), str) and value}


def _fernet() -> MultiFernet:
    # The fallbacks let details remembered before a change of SECRET_KEY still be read.
    secrets = [current_app.config["SECRET_KEY"], *(current_app.config.get("SECRET_KEY_FALLBACKS") or [])]
    return MultiFernet([_fernet_for(secret) for secret in secrets])


@functools.lru_cache(maxsize=4)
def _fernet_for(secret_key: str) -> Fernet:
    # A key of its own, so that this cookie and anything else made from SECRET_KEY stay apart.
    key = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=b"remembered-details").derive(
        secret_key.encode()
    )
    return Fernet(base64.urlsafe_b64encode(key))


def _secure() -> bool:
    return bool(current_app.config["SESSION_COOKIE_SECURE"])


def _delete_cookie_after_this_request() -> None:
    @after_this_request
    def delete_cookie(response: Response) -> Response:
        response.delete_cookie(cookie_name(), path="/", secure=_secure(), httponly=True, samesite="Lax")
        return response


def _keep_page_out_of_caches() -> None:
    # The page holds someone's name and email address: after they clear them, neither the
    # browser's Back button nor a shared cache may show it to the next person.
    @after_this_request
    def no_store(response: Response) -> Response:
        response.headers["Cache-Control"] = "no-store"
        response.vary.add("Cookie")
        return response
