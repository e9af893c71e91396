"""Extension instances, created unbound and attached to the app in create_app()."""

import re
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from flask import current_app, request
from flask_caching import Cache
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_mail import Mail
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect
from sqlalchemy import DateTime, MetaData
from sqlalchemy.orm import DeclarativeBase, registry
from sqlalchemy.types import TypeDecorator

from feedback_portal.hashing import keyed_hash

# Named constraints let Alembic alter tables on SQLite (batch mode) and PostgreSQL alike.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

# Every id column is an INTEGER: 32 bits on PostgreSQL. A larger number names no record.
LARGEST_ID = 2**31 - 1


class UTCDateTime(TypeDecorator):
    """A moment in time, stored in UTC and always read back timezone-aware.

    SQLite keeps no time zone, so without this the same column would come back naive there
    and aware on PostgreSQL.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("Naive datetimes are ambiguous; pass a timezone-aware value.")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


class Base(DeclarativeBase):
    registry = registry(
        metadata=MetaData(naming_convention=NAMING_CONVENTION),
        type_annotation_map={datetime: UTCDateTime},
    )


db = SQLAlchemy(model_class=Base)

# What models subclass. db.Model is made at run time, so the type checker is shown its base.
if TYPE_CHECKING:
    Model = Base
else:
    Model = db.Model


def render_migration_item(type_: str, obj: object, autogen_context) -> str | bool:
    """Write our column types into migrations as plain SQLAlchemy types.

    A migration must not import application code, which changes after it is written.
    """
    if type_ == "type" and isinstance(obj, UTCDateTime):
        return "sa.DateTime(timezone=True)"
    return False


# Made by a migration and described by no model: the comment text search's trigram index
# (PostgreSQL) and its FTS5 table with the tables FTS5 keeps beside it (SQLite).
NOT_IN_THE_MODELS = re.compile(
    r"^(ix_comment_text_trgm|comment_search(_(data|idx|docsize|config|content))?)$"
)


def include_name(name: str | None, type_: str, parent_names: object) -> bool:
    """Whether Alembic compares this object of the database with the models."""
    return not (type_ in ("table", "index") and name is not None and NOT_IN_THE_MODELS.match(name))


migrate = Migrate(
    render_as_batch=True, compare_type=True, render_item=render_migration_item, include_name=include_name
)
csrf = CSRFProtect()
mail = Mail()
login_manager = LoginManager()


def rate_limit_key() -> str:
    """Whom a rate limit counts: a keyed code for the client's address, not the address, which
    the privacy notice promises is never stored (the limiter's counts live in Redis)."""
    return keyed_hash("rate-limit", get_remote_address())


limiter = Limiter(key_func=rate_limit_key)
# Flask-Limiter marks each view its decorators wrap with this attribute.
LIMITED_VIEW_MARK = "__wrapper-limiter-instance"
READ_METHODS = frozenset({"GET", "HEAD"})


@limiter.request_filter
def read_of_a_view_without_limits() -> bool:
    """Whether the limiter may stand aside: a read of a view that carries no limit of its own,
    while no limit covers views that way. Every limit here is a view's own (the comment forms'
    POSTs, the sign-in forms, the open data); looking for limits on every other page read cost
    a cached public page a thirteenth of its time."""
    if request.method not in READ_METHODS or _limits_beyond_the_views():
        return False
    view = current_app.view_functions.get(request.endpoint or "")
    return view is not None and not hasattr(view, LIMITED_VIEW_MARK)


def _limits_beyond_the_views() -> bool:
    """Any default, application, meta, blueprint or fallback limit: each can cover a view with no
    decorator. The limiter is one object for every app in the process, so it is asked, not the
    app's configuration; Flask-Limiter (pinned) offers only the first two publicly."""
    manager = limiter.limit_manager
    return bool(
        manager.default_limits
        or manager.application_limits
        or limiter._meta_limits
        or manager._blueprint_limits
        or limiter._in_memory_fallback
    )


# Rendered public pages (services/public_content.py): Redis when several servers share it.
cache = Cache()
