"""Absolute links, for emails and for links a person is given to pass on.

Every absolute link is built from PUBLIC_BASE_URL, never from the request's Host header: a
client chooses that header, and a forged one would put the client's own server into a link
that is mailed to someone else.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from flask import current_app
from werkzeug.routing import MapAdapter


def public_url_adapter() -> MapAdapter:
    """Builds this app's addresses on PUBLIC_BASE_URL."""
    base = urlsplit(current_app.config["PUBLIC_BASE_URL"])
    return current_app.url_map.bind(
        base.netloc, script_name=base.path.rstrip("/") or "/", url_scheme=base.scheme
    )


def public_url(endpoint: str, **values: Any) -> str:
    """The address of `endpoint` (a full name, like 'public.view_section') on PUBLIC_BASE_URL."""
    current_app.inject_url_defaults(endpoint, values)
    return public_url_adapter().build(endpoint, values, force_external=True)
