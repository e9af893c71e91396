"""The statistics a database's query planner chooses its indexes by, brought up to date.

Some queue filters (a theme, the open reports) are served by an index only when the planner
knows how few rows the small table beside the comments holds. PostgreSQL's autovacuum keeps
its statistics up to date by itself; SQLite keeps none until ANALYZE runs, so `flask analyze`
runs daily from cron. On PostgreSQL it does now what autovacuum would do soon.
"""

from __future__ import annotations

from sqlalchemy import text

from feedback_portal.extensions import db


def refresh_planner_statistics() -> None:
    with db.engine.connect() as connection:
        connection.execute(text("ANALYZE"))
        connection.commit()
