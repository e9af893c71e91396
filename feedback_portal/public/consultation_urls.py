"""The document's pages under each consultation's own URLs, as well as today's.

`/definition…` is the current consultation's document, so that bookmarks keep working;
`/consultations/<id>/definition…` is any public consultation's. The same views serve both: the
consultation in the URL is chosen for the request (services then read its document, comments
and dates), and every link the page makes to those views keeps it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Blueprint, g

from feedback_portal.services import consultations, documents

PREFIX = "/consultations/<id:consultation_id>"
# The endpoints that have a consultation's URL too: a link to any other stays as it is.
CONSULTATION_ENDPOINTS: set[str] = set()


def in_every_consultation(
    blueprint: Blueprint, method: str, path: str, defaults: dict[str, Any] | None = None
) -> Callable[[Callable], Callable]:
    """Route `path` for the current consultation and, under PREFIX, for any other."""

    def register(view: Callable) -> Callable:
        CONSULTATION_ENDPOINTS.add(f"{blueprint.name}.{view.__name__}")
        # The default tells the URL builder this rule is for links without a consultation.
        plain_defaults = {**(defaults or {}), "consultation_id": None}
        blueprint.add_url_rule(path, view_func=view, methods=[method], defaults=plain_defaults)
        if defaults:
            blueprint.add_url_rule(PREFIX + path, view_func=view, methods=[method], defaults=defaults)
        else:
            blueprint.add_url_rule(PREFIX + path, view_func=view, methods=[method])
        return view

    return register


def init_blueprint(blueprint: Blueprint) -> None:
    @blueprint.url_value_preprocessor
    def choose_consultation(_endpoint: str | None, values: dict[str, Any] | None) -> None:
        consultation_id = (values or {}).pop("consultation_id", None)
        if consultation_id is None:
            return
        consultation = consultations.get_public_consultation(consultation_id)
        consultations.choose_consultation(consultation.id)
        g.chosen_consultation_id = consultation.id

    @blueprint.teardown_request
    def forget_consultation(_error: BaseException | None) -> None:
        consultations.choose_consultation(None)
        documents.choose_document(None)

    @blueprint.url_defaults
    def keep_consultation(endpoint: str, values: dict[str, Any]) -> None:
        chosen = g.get("chosen_consultation_id")
        if chosen is not None and endpoint in CONSULTATION_ENDPOINTS:
            values.setdefault("consultation_id", chosen)
