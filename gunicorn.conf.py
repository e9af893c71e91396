"""How gunicorn serves the portal in production. Gunicorn reads this file when started from the
repository's root; to be explicit:

    PORTAL_ENV=production SECRET_KEY=... DATABASE_URL=... .venv/bin/gunicorn -c gunicorn.conf.py wsgi:app

It listens on 127.0.0.1:$PORT (8000 if PORT is not set), for a reverse proxy on the same
machine to forward to; set PROXY_COUNT to match. `--bind` on the command line overrides it.

Why these settings: a CSV export streams for as long as it takes to read every comment (a
million take 17 to 33 seconds here, past gunicorn's default 30-second timeout), so
  - workers are threaded (gthread): an export holds one thread, not a whole worker, and the
    worker keeps telling the arbiter it is alive while it streams;
  - `timeout` and `graceful_timeout` are long enough for a million-row export to finish,
    even when the server is restarted or reloaded during one.
WEB_CONCURRENCY sets the number of workers (2 if not set; `-w` on the command line overrides).
Rate limits in `memory://` count per process, so in production gunicorn refuses to start with
more than one worker unless RATELIMIT_STORAGE_URI is shared (Redis): see on_starting below.
"""

import os

bind = f"127.0.0.1:{os.environ.get('PORT', '8000')}"
worker_class = "gthread"
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
threads = 4
# Seconds a worker may go silent before it is killed and replaced.
timeout = 120
# Seconds a worker has to finish its requests (an export under way) after a restart or a stop.
graceful_timeout = 120
# Seconds to hold an idle connection from the proxy open for its next request.
keepalive = 5
# No access log here: addresses with tokens in them (a receipt's withdraw link) must not be logged.
accesslog = None
errorlog = "-"


def on_starting(server) -> None:
    """Refuse to start when the workers would each count rate limits on their own.

    A hook, not a check at the top of this file, so that it sees the final number of workers,
    `-w` and GUNICORN_CMD_ARGS included. Gunicorn prints a RuntimeError as "Error: ..." and exits.
    """
    # Imported here: gunicorn has put the working directory on sys.path by now.
    from config import config_for, unshared_rate_limits_problem

    settings = config_for()
    problem = unshared_rate_limits_problem(
        settings.ENV_NAME, settings.RATELIMIT_STORAGE_URI, server.cfg.workers
    )
    if problem:
        raise RuntimeError("The portal will not start: " + problem)
