"""The `id` URL converter: a record's id, in the range the database's id columns hold.

Werkzeug's `int` takes any number of digits, and a 30-digit id overflowed SQLite's integers
(a 500) while one past 2**31 made PostgreSQL fail (a 503). An id outside the range cannot
name a record, so it gets the 404 page before any view runs.
"""

from __future__ import annotations

from flask import Flask
from werkzeug.exceptions import NotFound
from werkzeug.routing import IntegerConverter

from feedback_portal.models import LARGEST_ID


class IdConverter(IntegerConverter):
    def to_python(self, value: str) -> int:
        number = int(value)
        if not 1 <= number <= LARGEST_ID:
            # NotFound rather than Werkzeug's ValidationError, which answers 405 when the
            # same address also takes another method.
            raise NotFound()
        return number


def init_app(app: Flask) -> None:
    app.url_map.converters["id"] = IdConverter
