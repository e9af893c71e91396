"""Reading a cookie's value every way someone who copied it could: as it is, and decoded."""

from __future__ import annotations

import base64
import binascii
import contextlib
import re
import zlib


def every_reading_of(value: str) -> str:
    """The value as it is, and each part of it base64-decoded (and inflated), together.

    Flask's session cookie is base64 of JSON, sometimes zlib-compressed, then a signature:
    anything kept in it can be read back this way.
    """
    readings = [value]
    for part in re.split(r"[.:|]", value):
        for decode in (base64.urlsafe_b64decode, base64.b64decode):
            try:
                raw = decode(part + "=" * (-len(part) % 4))
            except (binascii.Error, ValueError):
                continue
            readings.append(raw.decode("latin-1"))
            with contextlib.suppress(zlib.error):
                readings.append(zlib.decompress(raw).decode("latin-1"))
    return "\n".join(readings)
