"""Routes for the public. Thin: load through a service, render a template."""

from __future__ import annotations

from flask import Blueprint, Response, current_app, jsonify, render_template

from feedback_portal.services import documents, health

blueprint = Blueprint("public", __name__)


@blueprint.get("/")
def view_home() -> str:
    version = documents.get_current_version()
    consultation = documents.get_current_consultation()
    return render_template("public/home.html", version=version, consultation=consultation)


@blueprint.get("/definition")
def view_definition() -> str:
    version = documents.get_current_version()
    return render_template("public/definition.html", version=version)


@blueprint.get("/definition/<slug>")
def view_section(slug: str) -> str:
    page = documents.get_section_page(slug)
    return render_template("public/section.html", page=page, section=page.section)


@blueprint.get("/privacy")
def view_privacy() -> str:
    return render_template("public/privacy.html")


@blueprint.get("/accessibility")
def view_accessibility() -> str:
    return render_template("public/accessibility.html")


@blueprint.get("/cookies")
def view_cookies() -> str:
    return render_template("public/cookies.html")


@blueprint.get("/healthz")
def check_health() -> tuple[Response, int]:
    if health.database_is_reachable():
        return jsonify(status="ok", database="ok"), 200
    return jsonify(status="unavailable", database="unavailable"), 503


@blueprint.get("/brand.css")
def brand_stylesheet() -> Response:
    """The council's colour, from settings, so another council can rebrand without a rebuild."""
    colour = current_app.config["BRAND_COLOUR"]  # validated as #rrggbb at start-up
    css = f":root {{ --govuk-brand-colour: {colour}; --council-brand-colour: {colour}; }}\n"
    response = Response(css, mimetype="text/css")
    response.cache_control.public = True
    response.cache_control.max_age = 3600
    return response
