"""Flask's signed-cookie sessions, with the signer made once for the app's keys.

Flask makes a new serializer twice a request (to open the session and to save it), and making
one costs about as much as signing with it; every public page view pays for it.
"""

from __future__ import annotations

from flask import Flask
from flask.sessions import SecureCookieSessionInterface
from itsdangerous import URLSafeTimedSerializer


class SignedCookieSessions(SecureCookieSessionInterface):
    def __init__(self) -> None:
        self._made_for: tuple[object, ...] | None = None
        self._serializer: URLSafeTimedSerializer | None = None

    def get_signing_serializer(self, app: Flask) -> URLSafeTimedSerializer | None:
        keys = (app.secret_key, *(app.config["SECRET_KEY_FALLBACKS"] or ()))
        if keys != self._made_for:
            # Made before it is named, so another thread never sees new keys with the old signer.
            serializer = super().get_signing_serializer(app)
            self._serializer, self._made_for = serializer, keys
        return self._serializer


def init_app(app: Flask) -> None:
    app.session_interface = SignedCookieSessions()
