"""What became of my comment: the page for its reference, linked from its receipt and thank-you page."""

from __future__ import annotations

from flask import make_response, render_template, request
from flask.typing import ResponseReturnValue

from feedback_portal.public.routes import blueprint
from feedback_portal.services import outcomes


@blueprint.get("/comments/<reference>")
def view_my_comment(reference: str) -> ResponseReturnValue:
    token = request.args.get("token")
    page = outcomes.get_my_comment(reference, token)
    response = make_response(render_template("public/my_comment.html", page=page, private=token is not None))
    if token is not None:
        # The token is the author's key to this page: no search engine keeps it, no other
        # site is told it (Referer), no shared cache holds the page.
        response.headers["Referrer-Policy"] = "no-referrer"
        response.headers["X-Robots-Tag"] = "noindex, nofollow"
        response.headers["Cache-Control"] = "no-store"
    return response
