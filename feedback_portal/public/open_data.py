"""Open data: the page that describes it, and the published comments as CSV and as JSON in pages.

The files are for software as much as for people: they stream, carry an ETag (a request with
If-None-Match gets 304 and no body while nothing has changed), may be cached publicly for a
few minutes, and are rate limited per client address like the public forms.
"""

from __future__ import annotations

from flask import Response, current_app, jsonify, render_template, request, stream_with_context
from flask.typing import ResponseReturnValue
from flask_limiter import RequestLimit

from feedback_portal.public.routes import blueprint
from feedback_portal.security import limiter
from feedback_portal.services import open_data
from feedback_portal.services.csv_files import started
from feedback_portal.services.exceptions import InvalidPageLink
from feedback_portal.services.export import OPEN_DATA, OPEN_PROFILE, export_filename

LICENCE_URL = "https://www.nationalarchives.gov.uk/doc/open-government-licence/version/3/"
# Seconds a browser or proxy may keep a copy without asking: short, as the files change
# whenever a comment is published.
MAX_AGE = 300
RATE_LIMIT_SCOPE = "open-data"


def open_data_rate_limit() -> str:
    return current_app.config["OPEN_DATA_RATE_LIMIT"]


@blueprint.get("/open-data")
def view_open_data() -> str:
    return render_template(
        "public/open_data.html",
        profile=OPEN_PROFILE,
        licence_url=LICENCE_URL,
        page_size=open_data.PAGE_SIZE,
        max_page_size=open_data.MAX_PAGE_SIZE,
        max_age_minutes=MAX_AGE // 60,
    )


@blueprint.get("/open-data/comments.csv")
@limiter.shared_limit(open_data_rate_limit, scope=RATE_LIMIT_SCOPE)
def download_open_data_comments() -> ResponseReturnValue:
    disposition = f'attachment; filename="{export_filename(OPEN_DATA)}"'
    consultation = request.args.get("consultation", type=int)
    return _send(open_data.open_csv_file(consultation), "text/csv", {"Content-Disposition": disposition})


def _too_many_requests_as_json(limit: RequestLimit) -> Response:
    return _json_error(429, "You have asked for too many pages too quickly. Wait a minute, then try again.")


@blueprint.get("/open-data/comments.json")
@limiter.shared_limit(open_data_rate_limit, scope=RATE_LIMIT_SCOPE, on_breach=_too_many_requests_as_json)
def list_open_data_comments() -> ResponseReturnValue:
    try:
        data_file = open_data.open_json_page(
            request.args.get("after"),
            request.args.get("limit"),
            request.args.get("consultation", type=int),
        )
    except InvalidPageLink as error:
        return _json_error(400, str(error))
    return _send(data_file, "application/json", {})


def _send(data_file: open_data.DataFile, mimetype: str, headers: dict[str, str]) -> Response:
    if request.if_none_match.contains_weak(data_file.etag):
        data_file.close()
        response = Response(status=304)
    else:
        response = Response(
            stream_with_context(started(data_file.chunks)), mimetype=mimetype, headers=headers
        )
    response.set_etag(data_file.etag)
    response.cache_control.public = True
    response.cache_control.max_age = MAX_AGE
    # Open data: any website's script may read it. It never depends on who asks.
    response.headers["Access-Control-Allow-Origin"] = "*"
    return response


def _json_error(status: int, message: str) -> Response:
    response = jsonify(error={"status": status, "message": message})
    response.status_code = status
    response.headers["Access-Control-Allow-Origin"] = "*"
    return response
