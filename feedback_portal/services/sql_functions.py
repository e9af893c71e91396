"""SQL functions that read the same on SQLite and PostgreSQL, for aggregate queries."""

from __future__ import annotations

from typing import Any

from sqlalchemy import String
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement


class utc_hour(FunctionElement):
    """The UTC hour of a moment, as 'YYYY-MM-DD HH' text: what the comment tallies count by."""

    type = String()
    name = "utc_hour"
    inherit_cache = True


@compiles(utc_hour)
def _utc_hour_sqlite(element: utc_hour, compiler: Any, **kw: Any) -> str:
    # Moments are stored in UTC; SQLite's strftime() reads the text form.
    return f"strftime('%Y-%m-%d %H', {compiler.process(element.clauses, **kw)})"


@compiles(utc_hour, "postgresql")
def _utc_hour_postgresql(element: utc_hour, compiler: Any, **kw: Any) -> str:
    return f"to_char(({compiler.process(element.clauses, **kw)}) AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24')"
