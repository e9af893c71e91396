"""Whether the parts the portal depends on are answering."""

from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from feedback_portal.extensions import db


def database_is_reachable() -> bool:
    try:
        db.session.execute(text("SELECT 1"))
        return True
    except SQLAlchemyError:
        db.session.rollback()
        return False
