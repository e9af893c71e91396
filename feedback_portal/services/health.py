"""Whether the parts the portal depends on are answering."""

from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from feedback_portal.extensions import db, limiter


def database_is_reachable() -> bool:
    try:
        db.session.execute(text("SELECT 1"))
        return True
    except SQLAlchemyError:
        db.session.rollback()
        return False


def rate_limit_store_is_reachable() -> bool:
    """False while the shared limit store (Redis) does not answer: limits then count in memory."""
    if not limiter.enabled:
        return True
    return limiter.storage.check()
