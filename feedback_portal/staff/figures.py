"""Figures: charts of the feedback, drawn on the server as SVG, each with its numbers as a table.

The routes only: feedback_portal/charts.py works out where everything on a chart goes.
"""

from __future__ import annotations

from flask import Response, render_template, stream_with_context
from flask.typing import ResponseReturnValue

from feedback_portal.charts import layout
from feedback_portal.permissions import Capability
from feedback_portal.security import requires
from feedback_portal.services import figures
from feedback_portal.services.csv_files import download_headers, started
from feedback_portal.staff import blueprint


@blueprint.get("/figures")
@requires(Capability.READ_FEEDBACK)
def view_figures() -> str:
    charts = [layout(figure) for figure in figures.list_figures()]
    return render_template("staff/figures.html", charts=charts)


@blueprint.get("/figures/<name>.csv")
@requires(Capability.READ_FEEDBACK)
def download_figure(name: str) -> ResponseReturnValue:
    figure = figures.get_figure(name)
    return Response(
        stream_with_context(started(figures.figure_csv(figure))),
        mimetype="text/csv",
        headers=download_headers(figure.csv_filename),
    )
