"""The comment POST's ceiling: insert one row and commit, on the portal's database, served the same way.

It uses SQLAlchemy's engine with the portal's engine options, and nothing else: no forms, no
session, no templates. Its table, bench_row, is made by the bench in the run's copy of the database.
"""

import os

from flask import Flask
from sqlalchemy import create_engine, text

from config import config_for, database_engine_options

settings = config_for()
app = Flask(__name__)
engine = create_engine(
    os.environ["DATABASE_URL"],
    **database_engine_options(
        {
            "SQLALCHEMY_ENGINE_OPTIONS": settings.SQLALCHEMY_ENGINE_OPTIONS,
            "SQLALCHEMY_DATABASE_URI": os.environ["DATABASE_URL"],
            "DATABASE_STATEMENT_TIMEOUT_MS": settings.DATABASE_STATEMENT_TIMEOUT_MS,
            "DATABASE_LOCK_TIMEOUT_MS": settings.DATABASE_LOCK_TIMEOUT_MS,
        }
    ),
)


@app.post("/insert")
def insert_one() -> tuple[str, int]:
    with engine.begin() as connection:
        connection.execute(text("INSERT INTO bench_row (body) VALUES (:body)"), {"body": "A comment."})
    return "", 201


@app.get("/")
def ready() -> str:
    return "ready"
