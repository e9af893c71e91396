"""What the public pages show, as one stamp, and a store for pages rendered under it.

A page shared by every visitor is rendered once per stamp and kept (public/page_cache.py).
Every transaction that changes what such a page could show writes a new stamp in the same
commit, whichever service, command or server makes it: the change is noticed here, on the
session, not by each service remembering to say so. A reader takes the stamp before the data,
so a page kept under a stamp is never older than the data that stamp stands for.
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from typing import Any

from flask_sqlalchemy.session import Session as FlaskSession
from redis.exceptions import RedisError
from sqlalchemy import event, insert, select, update
from sqlalchemy.engine import Connection, Dialect
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import ORMExecuteState, Session, UOWTransaction
from sqlalchemy.orm.attributes import get_history

from feedback_portal.extensions import cache, db
from feedback_portal.models import Comment, CommentState, PublicContentStamp

STAMP_ID = 1
logger = logging.getLogger(__name__)
# A cache that stops answering is said once per process, not for every page.
_warned: list[Exception] = []

# Tables that no cached public page reads: writing to them leaves every page as it was. The
# comment POST writes only to these (and a pending comment), so visitors commenting never
# empty the cache. Any other table counts as shown, so a new table is safe by default.
UNSHOWN_TABLES = frozenset(
    {
        "audit_entry",
        "comment_note",
        "comment_response_version",
        "consent_record",
        "equality_answer",
        "involvement_note",
        "involvement_offer",
        "involvement_option",
        "outbox_message",
        "password_link",
        "public_content_stamp",
        "report",
        "staff_user",
        "update_delivery",
    }
)


# In the cache's key: a release that changes CachedPage raises it, so that it never reads a page
# an earlier release kept in the shared Redis.
CACHED_PAGE_SHAPE = 2


@dataclass(frozen=True)
class CachedPage:
    """A rendered page in pieces, the text between stand-ins at even places and the stand-ins
    for each visitor's own values at odd ones, and the moment after which it must be rendered
    again (when the consultation opens or closes), if any."""

    pieces: tuple[str, ...]
    stand_in_prefix: str
    form_names: tuple[str, ...]
    valid_until: datetime | None


_STAMP_NOW = select(PublicContentStamp.stamp).where(PublicContentStamp.id == STAMP_ID)


@lru_cache(maxsize=4)
def _stamp_query(dialect: Dialect) -> str:
    return str(_STAMP_NOW.compile(dialect=dialect, compile_kwargs={"literal_binds": True}))


def current_stamp() -> str | None:
    """The stamp now, or None if there is none (then nothing may be served from the cache).

    Read on a connection of its own, outside the ORM session, with the driver's own cursor:
    SQLAlchemy's statement machinery would cost a page served from the cache two thirds of
    this read. A failure still arrives as SQLAlchemy's error, which errors.py knows.
    """
    engine = db.engine
    query = _stamp_query(engine.dialect)
    connection = engine.connect()
    if engine.dialect.name == "postgresql":
        # Outside a transaction: no BEGIN before the statement and no ROLLBACK after, two round
        # trips fewer (0.2 ms of a kept page's 1.5). On SQLite both are cheap, and switching is not.
        connection.execution_options(isolation_level="AUTOCOMMIT")
    with connection:
        driver_error = engine.dialect.loaded_dbapi.Error
        try:
            cursor = connection.connection.cursor()
            try:
                cursor.execute(query)
                row = cursor.fetchone()
            finally:
                cursor.close()
        except driver_error as error:
            # A lost connection leaves the pool when its reset fails, as the connection goes back.
            raise DBAPIError.instance(query, None, error, driver_error) from error
    return row[0] if row else None


def cached_page(key: str) -> CachedPage | None:
    """A page kept under `key`, if any. A cache that does not answer is a miss, not an error."""
    try:
        page = cache.get(key)
    except RedisError as problem:
        _warn_once(problem)
        return None
    return page if isinstance(page, CachedPage) else None


def keep_page(key: str, page: CachedPage) -> None:
    try:
        cache.set(key, page)
    except RedisError as problem:
        _warn_once(problem)


def _warn_once(problem: Exception) -> None:
    if not _warned:
        _warned.append(problem)
        logger.warning("The page cache is not answering (%s); pages are rendered for each request.", problem)


def renew_stamp(connection: Connection | None = None) -> None:
    """Retire every cached page: write a new stamp, in the caller's transaction."""
    connection = connection or db.session.connection()
    stamp = secrets.token_hex(16)
    written = connection.execute(
        update(PublicContentStamp).where(PublicContentStamp.id == STAMP_ID).values(stamp=stamp)
    )
    if written.rowcount == 0:
        connection.execute(insert(PublicContentStamp).values(id=STAMP_ID, stamp=stamp))


def track_changes() -> None:
    """Renew the stamp in every transaction that changes what a public page shows. Once per process."""
    if not event.contains(FlaskSession, "after_flush", _after_flush):
        event.listen(FlaskSession, "after_flush", _after_flush)
        event.listen(FlaskSession, "do_orm_execute", _on_statement)


def _after_flush(session: Session, flush_context: UOWTransaction) -> None:
    if any(_shown(each) for each in (*session.new, *session.dirty, *session.deleted)):
        renew_stamp(session.connection())


def _on_statement(state: ORMExecuteState) -> None:
    if not (state.is_insert or state.is_update or state.is_delete):
        return
    table = getattr(state.statement, "table", None)
    if table is not None and table.name not in UNSHOWN_TABLES:
        renew_stamp(state.session.connection())


def _shown(instance: Any) -> bool:
    table = getattr(type(instance), "__tablename__", None)
    if table is None or table in UNSHOWN_TABLES:
        return False
    if isinstance(instance, Comment):
        return _was_or_is_published(instance)
    return True


def _was_or_is_published(comment: Comment) -> bool:
    """A comment nobody can see, before or after, changes no public page."""
    history = get_history(comment, "state")
    states: Iterable[Any] = (*history.added, *history.unchanged, *history.deleted)
    return CommentState.PUBLISHED in states
