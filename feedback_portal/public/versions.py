"""Earlier versions of the document, and what changed in each version."""

from __future__ import annotations

from flask import redirect, render_template, url_for
from flask.typing import ResponseReturnValue

from feedback_portal.public.routes import blueprint
from feedback_portal.services import document_versions, documents


@blueprint.get("/definition/versions/<id:number>")
def view_version(number: int) -> ResponseReturnValue:
    current = documents.get_current_version()
    if number == current.number:
        return redirect(url_for(".view_definition"))
    version = document_versions.get_published_version(number, current.document_id)
    return render_template("public/version.html", version=version, current=current)


@blueprint.get("/definition/changes")
def view_changes() -> str:
    versions = document_versions.list_published_versions()
    return render_template(
        "public/changes.html",
        changes=document_versions.list_changes(versions),
        current=versions[-1],
    )
