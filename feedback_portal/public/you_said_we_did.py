""" "You said, we did": the consultation's outcome, and the comments behind each summary."""

from __future__ import annotations

from flask import render_template, request

from feedback_portal.charts import layout
from feedback_portal.public.routes import blueprint
from feedback_portal.services import documents, figures, summaries
from feedback_portal.services.exceptions import NotFound
from feedback_portal.vocabulary import CHANGING_STATUSES


@blueprint.get("/you-said-we-did")
def view_you_said_we_did() -> str:
    version = documents.get_current_version()
    parts = summaries.list_published_by_part(version)
    changes = [
        (shown, action)
        for part in parts
        for shown in part.summaries
        for action in shown.summary.actions
        if action.status in CHANGING_STATUSES
    ]
    return render_template(
        "public/you_said_we_did.html",
        version=version,
        parts=parts,
        changes=changes,
        chart=layout(figures.outcome_figure()),
    )


@blueprint.get("/you-said-we-did/<id:summary_id>/comments")
def view_summary_comments(summary_id: int) -> str:
    summary = summaries.get_published_summary(summary_id)
    theme = None
    if "theme" in request.args:
        theme_id = request.args.get("theme", type=int)
        if theme_id is None:
            raise NotFound("No such theme")
        theme = summaries.find_theme(summary, theme_id)
    return render_template(
        "public/summary_comments.html",
        summary=summary,
        label=summaries.target_label(summary),
        theme=theme,
        comments=summaries.list_comments_behind(summary, theme),
    )
