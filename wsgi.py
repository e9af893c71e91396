"""The WSGI entry point: `gunicorn wsgi:app`, `flask --app wsgi ...`."""

from feedback_portal import create_app

app = create_app()
