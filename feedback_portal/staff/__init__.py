"""Pages for the Citizen Involvement Team, under /staff. Every route names the roles it allows.

One module per feature: auth (signing in, accounts), dashboard, moderation, responses, summaries,
involvement (the pipeline of offers to get involved), admin.
"""

from flask import Blueprint

blueprint = Blueprint("staff", __name__, url_prefix="/staff")

# The modules add their routes to the blueprint when imported.
from feedback_portal.staff import (  # noqa: E402, F401
    admin,
    auth,
    consultations,
    dashboard,
    document,
    document_choice,
    export,
    figures,
    involvement,
    involvement_options,
    moderation,
    offline_feedback,
    outbox,
    privacy,
    responses,
    summaries,
    themes,
)
