"""Pages for the Citizen Involvement Team, under /staff. Every route names the roles it allows.

One module per feature: auth (signing in, accounts), dashboard, moderation, responses, admin.
"""

from flask import Blueprint

blueprint = Blueprint("staff", __name__, url_prefix="/staff")

# The modules add their routes to the blueprint when imported.
from feedback_portal.staff import (  # noqa: E402, F401
    admin,
    auth,
    dashboard,
    export,
    figures,
    moderation,
    offline_feedback,
    outbox,
    responses,
    themes,
)
