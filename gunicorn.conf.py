"""How gunicorn serves the portal in production. Gunicorn reads this file when started from the
repository's root; to be explicit:

    PORTAL_ENV=production SECRET_KEY=... DATABASE_URL=... .venv/bin/gunicorn -c gunicorn.conf.py wsgi:app

It listens on 127.0.0.1:$PORT (8000 if PORT is not set), for a reverse proxy on the same
machine to forward to; set PROXY_COUNT to match. `--bind` on the command line overrides it.
The rule: with PROXY_COUNT set, the app must listen only where the proxy can reach it. The app
believes X-Forwarded-For from whoever connects, so a client that reaches it directly picks its
own address and escapes the rate limits. (Gunicorn's own default with PORT set would be
0.0.0.0, every interface: hence the explicit bind.) Listening anywhere but loopback or a Unix
socket with PROXY_COUNT set logs a warning at start.

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
WEB_CONCURRENCY sets the number of workers (2 if not set; `-w` on the command line overrides).
Rate limits in `memory://` count per process, so in production gunicorn refuses to start with
more than one worker unless RATELIMIT_STORAGE_URI is shared (Redis): see on_starting below.
"""

import os

bind = f"127.0.0.1:{os.environ.get('PORT', '8000')}"
worker_class = "gthread"
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
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


def on_starting(server) -> None:
    """Warn when clients could skip the proxy; refuse workers that would each count limits alone.

    A hook, not a check at the top of this file, so that it sees the final settings: `-w`,
    `--bind` and GUNICORN_CMD_ARGS included. Gunicorn prints a RuntimeError as "Error: ..." and
    exits, before it listens anywhere.
    """
    # Imported here: gunicorn has put the working directory on sys.path by now.
    from config import addresses_open_to_more_than_the_proxy, config_for, unshared_rate_limits_problem

    settings = config_for()
    for address in addresses_open_to_more_than_the_proxy(server.cfg.bind, settings.PROXY_COUNT):
        server.log.warning(
            "Listening at %s with PROXY_COUNT=%s: anyone who reaches this address without the proxy "
            "can set X-Forwarded-For and choose their client address. Listen only where the proxy "
            "can reach (127.0.0.1 by default), or block everyone else at the firewall.",
            address,
            settings.PROXY_COUNT,
        )
    problem = unshared_rate_limits_problem(
        settings.ENV_NAME, settings.RATELIMIT_STORAGE_URI, server.cfg.workers
    )
    if problem:
        raise RuntimeError("The portal will not start: " + problem)
