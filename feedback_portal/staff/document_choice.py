"""Which document the staff document pages edit: the current consultation's, or the one named
by `?document=<slug>`, kept on every link and form of those pages."""

from __future__ import annotations

from typing import Any

from flask import current_app, g, request

from feedback_portal.services import consultations, documents
from feedback_portal.staff import blueprint

DOCUMENT_PAGES_MODULE = "feedback_portal.staff.document"


def _is_document_page(endpoint: str | None) -> bool:
    view = current_app.view_functions.get(endpoint or "")
    return view is not None and view.__module__ == DOCUMENT_PAGES_MODULE


@blueprint.before_request
def choose_document() -> None:
    slug = request.args.get("document")
    if slug and _is_document_page(request.endpoint):
        documents.choose_document(documents.get_document(slug).id)
        g.chosen_document_slug = slug


@blueprint.teardown_request
def forget_document(_error: BaseException | None) -> None:
    documents.choose_document(None)
    consultations.choose_consultation(None)


@blueprint.url_defaults
def keep_document(endpoint: str, values: dict[str, Any]) -> None:
    slug = g.get("chosen_document_slug")
    if slug and _is_document_page(endpoint):
        values.setdefault("document", slug)
