"""The ceiling: the least a Flask page can do, served exactly as the portal is."""

from flask import Flask

app = Flask(__name__)


@app.get("/")
def say_hello() -> str:
    return "Hello, world"
