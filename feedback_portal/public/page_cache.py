"""Public pages that are the same for every visitor, rendered once and kept until they change.

Most of a document page (its text, the published comments with their responses and
summaries, the empty comment form) is the same for everyone until staff act. It is rendered
once with stand-ins where a visitor's own values go (the CSRF token, each form's submission key
and signed time), kept under the public content stamp (services/public_content.py), and each
visitor gets that copy with their own values put in: byte for byte the page a render for them
would have made. A visitor with anything of their own on the page (remembered details, a
message, a form with errors) gets it rendered for them alone.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Callable
from datetime import UTC, datetime

from flask import current_app, g, request, session
from flask_wtf.csrf import generate_csrf

from feedback_portal.public import visitor
from feedback_portal.public.spam import form_token_stand_ins, real_form_tokens
from feedback_portal.services import consultations, public_content
from feedback_portal.services.public_content import CachedPage

CSRF_FIELD = "csrf_token"


def shared_page(render: Callable[[], str]) -> str:
    """The page `render` makes, from the cache when it may be shared with this visitor."""
    if not _may_share():
        return render()
    stamp = public_content.current_stamp()
    if stamp is None:
        return render()
    key = f"{stamp}:{request.path}"
    page = public_content.cached_page(key)
    if page is None or (page.valid_until is not None and page.valid_until <= datetime.now(UTC)):
        page = _render_shared(render)
        public_content.keep_page(key, page)
    return _for_this_visitor(page)


def _may_share() -> bool:
    return (
        current_app.config["PAGE_CACHE_ENABLED"]
        and request.method == "GET"
        and not request.args
        and "_flashes" not in session
        and not visitor.remembered_contact()
    )


def _render_shared(render: Callable[[], str]) -> CachedPage:
    prefix = f"standin{secrets.token_hex(12)}"
    csrf_stand_in = _csrf_stand_in(prefix)
    # Flask-WTF gives every form on the page the token it finds here.
    setattr(g, CSRF_FIELD, csrf_stand_in)
    try:
        with form_token_stand_ins(prefix) as stand_ins:
            html = render()
    finally:
        g.pop(CSRF_FIELD, None)
    every_stand_in = [csrf_stand_in, *stand_ins.names()]
    # Split once here, so that each visitor's copy is one join, not a search of the whole page
    # for each stand-in: the text between them at even places, the stand-ins at odd ones.
    pieces = re.split("(" + "|".join(map(re.escape, every_stand_in)) + ")", html)
    return CachedPage(
        pieces=tuple(pieces),
        stand_in_prefix=prefix,
        form_names=tuple(stand_ins.form_names),
        valid_until=consultations.next_opening_or_closing(),
    )


def _csrf_stand_in(prefix: str) -> str:
    return f"{prefix}csrf"


def _for_this_visitor(page: CachedPage) -> str:
    values = real_form_tokens(page.stand_in_prefix, page.form_names)
    csrf_stand_in = _csrf_stand_in(page.stand_in_prefix)
    pieces = list(page.pieces)
    # Only a page with a form gets a CSRF token: making one starts a session, and its cookie.
    if csrf_stand_in in pieces[1::2]:
        values[csrf_stand_in] = generate_csrf()
    for place in range(1, len(pieces), 2):
        pieces[place] = values[pieces[place]]
    return "".join(pieces)
