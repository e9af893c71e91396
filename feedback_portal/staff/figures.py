"""Figures: charts of the feedback, drawn on the server as SVG, each with its numbers as a table.

The routes only: feedback_portal/charts.py works out where everything on a chart goes.
"""

from __future__ import annotations

from typing import Any

from flask import Response, g, render_template, request, stream_with_context
from flask.typing import ResponseReturnValue

from feedback_portal.charts import layout
from feedback_portal.permissions import Capability
from feedback_portal.security import requires
from feedback_portal.services import consultations, figures
from feedback_portal.services.csv_files import download_headers, started
from feedback_portal.services.export import FORMATS
from feedback_portal.services.figures import equality
from feedback_portal.staff import blueprint


@blueprint.before_request
def choose_consultation() -> None:
    """`?consultation=<id>` on the figures pages: count that consultation's comments, not the
    current one's."""
    chosen = request.args.get("consultation", "")
    if request.endpoint in FIGURE_PAGES and chosen.isdigit():
        consultation = consultations.get_consultation(int(chosen))
        consultations.choose_consultation(consultation.id)
        g.figures_consultation = consultation.id


@blueprint.url_defaults
def keep_consultation(endpoint: str, values: dict[str, Any]) -> None:
    if endpoint in FIGURE_PAGES and g.get("figures_consultation") is not None:
        values.setdefault("consultation", g.figures_consultation)


@blueprint.get("/figures")
@requires(Capability.READ_FEEDBACK)
def view_figures() -> str:
    charts = [layout(figure) for figure in figures.list_figures()]
    viewed = consultations.viewed_consultation()
    return render_template(
        "staff/figures.html",
        charts=charts,
        consultation_items=[
            {"value": str(each.id), "text": each.title, "selected": each == viewed}
            for each in consultations.list_consultations()
        ],
        about_you=equality.equality_totals() if equality.has_answers() else None,
        smallest_shown=equality.SMALLEST_SHOWN,
    )


@blueprint.get("/figures/<name>.csv")
@requires(Capability.READ_FEEDBACK)
def download_figure(name: str) -> ResponseReturnValue:
    figure = figures.get_figure(name)
    return Response(
        stream_with_context(started(figures.figure_csv(figure))),
        mimetype="text/csv",
        headers=download_headers(figure.csv_filename),
    )


@blueprint.get("/figures/about-you/totals.<any(csv, xlsx):file_format>")
@requires(Capability.READ_FEEDBACK)
def download_about_you_totals(file_format: str) -> ResponseReturnValue:
    """The "About you" answers as totals only, small groups shown as "fewer than 5"."""
    return Response(
        stream_with_context(started(equality.stream_totals(file_format))),
        mimetype=FORMATS[file_format].content_type,
        headers=download_headers(equality.totals_filename(file_format)),
    )


FIGURE_PAGES = {"staff.view_figures", "staff.download_figure"}
