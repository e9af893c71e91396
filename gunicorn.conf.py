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
Under more load than it can serve, the portal sheds it rather than queueing without bound
(feedback_portal/load_shedding.py, and the README's nginx example):
  - `backlog` bounds the connections the kernel holds before gunicorn accepts them, and
    `worker_connections` those each worker holds for its threads: beyond these a client is
    refused at once instead of waiting minutes for an answer nobody will read;
  - the proxy times a request out after REQUEST_TIMEOUT seconds (nginx proxy_read_timeout)
    and stamps each request with X-Request-Start: the app answers a request that waited longer
    than REQUEST_QUEUE_LIMIT with a fast 503 and Retry-After, and never commits after
    REQUEST_TIMEOUT. Gunicorn's own `timeout` only replaces a worker that stopped answering
    (with gthread it is a heartbeat, not a per-request limit), so it stays long for exports.
Rate limits count per process: with more than one worker, set RATELIMIT_STORAGE_URI to a
Redis server (see the README).
"""

import os

bind = f"127.0.0.1:{os.environ.get('PORT', '8000')}"
worker_class = "gthread"
workers = 2
threads = 4
# Connections waiting to be accepted, across the server; the kernel refuses more.
backlog = int(os.environ.get("GUNICORN_BACKLOG", "64"))
# Connections one worker holds at once, working or waiting for one of its threads (keep-alive
# connections from the proxy count too).
worker_connections = int(os.environ.get("GUNICORN_WORKER_CONNECTIONS", str(threads * 4)))
# Seconds a worker may go silent before it is killed and replaced.
timeout = 120
# Seconds a worker has to finish its requests (an export under way) after a restart or a stop.
graceful_timeout = 120
# Seconds to hold an idle connection from the proxy open for its next request.
keepalive = 5
# No access log here: addresses with tokens in them (a receipt's withdraw link) must not be logged.
accesslog = None
errorlog = "-"
