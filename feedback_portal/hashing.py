"""One-way codes made with the app's secret key: no request code, so services can use them."""

from __future__ import annotations

import functools
import hashlib
import hmac

from flask import current_app


@functools.lru_cache(maxsize=4)
def _key_for(secret_key: str) -> bytes:
    # Derived once per secret, not once per call: an export hashes every row.
    return hashlib.sha256(("keyed-hash:" + secret_key).encode()).digest()


def keyed_hash(purpose: str, value: str) -> str:
    """A one-way code for `value` that cannot be reversed or matched without our secret key.

    Used where abuse control needs to recognise a repeat (the same address, the same
    visitor) without storing who it was. The purpose keeps codes for different uses apart.
    """
    key = _key_for(current_app.config["SECRET_KEY"])
    return hmac.new(key, f"{purpose}\x00{value}".encode(), hashlib.sha256).hexdigest()
