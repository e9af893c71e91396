"""Whether the parts the portal depends on are answering, told quickly whatever the database does.

A page that needs the comment table fails when the table cannot be read (a lock that blocks
readers) or written (a lock that blocks writers), not only when the server is down. So the
check connects, reads the comment table and takes the lock a new comment needs, each with a
short timeout of its own, and says which of the three failed. It writes nothing.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from sqlalchemy import Connection, Executable, literal, select
from sqlalchemy.exc import SQLAlchemyError

from feedback_portal.extensions import db, limiter
from feedback_portal.models import Comment

logger = logging.getLogger(__name__)

# Each step's own limit, short enough that the whole check answers within a second.
STEP_TIMEOUT_MS = 300
OK = "ok"


@dataclass(frozen=True)
class DatabaseHealth:
    """What each part of the database check found: "ok", or what went wrong there."""

    connection: str = OK
    reading: str = OK
    writing: str = OK

    @property
    def is_ok(self) -> bool:
        return self.connection == self.reading == self.writing == OK

    def as_dict(self) -> dict[str, str]:
        return {"connection": self.connection, "reading": self.reading, "writing": self.writing}


def check_database() -> DatabaseHealth:
    try:
        connection = db.engine.connect()
    except SQLAlchemyError as error:
        logger.warning("Health check: cannot connect to the database (%s)", type(error).__name__)
        return DatabaseHealth(connection="unreachable", reading="not checked", writing="not checked")
    with connection:
        if connection.dialect.name == "postgresql":
            return _check_postgresql(connection)
        return _check_sqlite(connection)


def _check_postgresql(connection: Connection) -> DatabaseHealth:
    table = connection.dialect.identifier_preparer.quote(Comment.__tablename__)
    with connection.begin() as transaction:
        connection.exec_driver_sql(f"SET LOCAL statement_timeout = {STEP_TIMEOUT_MS}")
        connection.exec_driver_sql(f"SET LOCAL lock_timeout = {STEP_TIMEOUT_MS}")
        reading = _step(connection, _read_one_comment())
        # The lock an INSERT or UPDATE takes: it waits only behind locks that block writers.
        writing = (
            _step(connection, f"LOCK TABLE {table} IN ROW EXCLUSIVE MODE") if reading == OK else "not checked"
        )
        transaction.rollback()
    return DatabaseHealth(reading=reading, writing=writing)


def _check_sqlite(connection: Connection) -> DatabaseHealth:
    usual_timeout = connection.exec_driver_sql("PRAGMA busy_timeout").scalar()
    connection.exec_driver_sql(f"PRAGMA busy_timeout = {STEP_TIMEOUT_MS}")
    try:
        reading = _step(connection, _read_one_comment())
        # The lock every write takes on the file; taken and given back, writing nothing.
        writing = _step(connection, "BEGIN IMMEDIATE") if reading == OK else "not checked"
        if writing == OK:
            connection.exec_driver_sql("ROLLBACK")
    finally:
        connection.exec_driver_sql(f"PRAGMA busy_timeout = {int(usual_timeout or 0)}")
    return DatabaseHealth(reading=reading, writing=writing)


def _read_one_comment() -> Executable:
    return select(literal(1)).select_from(Comment).limit(1)


def _step(connection: Connection, statement: str | Executable) -> str:
    try:
        if isinstance(statement, str):
            connection.exec_driver_sql(statement)
        else:
            connection.execute(statement)
        return OK
    except SQLAlchemyError as error:
        logger.warning("Health check: a step failed (%s)", type(error).__name__)
        return "locked or not answering"


def rate_limit_store_is_reachable() -> bool:
    """False while the shared limit store (Redis) does not answer: limits then count in memory."""
    if not limiter.enabled:
        return True
    return limiter.storage.check()
