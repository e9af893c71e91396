"""Pages for the Citizen Involvement Team, under /staff. Every route names the roles it allows."""

from flask import Blueprint

blueprint = Blueprint("staff", __name__, url_prefix="/staff")
