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
        # (the keys, the serializer made for them): one attribute, read once, so that a thread
        # never pairs one set of keys with another's serializer.
        self._made: tuple[tuple[object, ...], URLSafeTimedSerializer | None] | None = None

    def get_signing_serializer(self, app: Flask) -> URLSafeTimedSerializer | None:
        keys = (app.secret_key, *(app.config["SECRET_KEY_FALLBACKS"] or ()))
        made = self._made
        if made is None or made[0] != keys:
            made = (keys, super().get_signing_serializer(app))
            self._made = made
        return made[1]


def init_app(app: Flask) -> None:
    app.session_interface = SignedCookieSessions()
