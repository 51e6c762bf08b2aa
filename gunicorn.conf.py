"""gunicorn settings: the one place for them (Procfile, `make serve`, the tests, the benchmark).

gunicorn reads ./gunicorn.conf.py from its working directory; every start also names it with -c.
Threaded workers: a client that trickles its headers or body ties up one thread, not a whole worker,
and a connection that has sent nothing yet waits in the worker's poller, holding no thread at all.
SQLite and psycopg release the GIL while they wait, so a thread waiting on a lock stalls nobody else.
"""

import os

_env = os.environ.get

bind = f"{_env('TIMELINE_HOST', '127.0.0.1')}:{_env('TIMELINE_PORT', '5000')}"
workers = int(_env("TIMELINE_WORKERS", "2"))
worker_class = "gthread"
# Each worker serves this many requests at once: slow clients beyond workers x threads queue up.
threads = int(_env("TIMELINE_THREADS", "32"))
# The workers' main loops report every second; a worker silent for 30 s is stuck and replaced.
timeout = 30
graceful_timeout = 5
# Connections stay open between requests for 5 s (sync workers closed each one after its answer).
keepalive = 5
accesslog = _env("TIMELINE_ACCESS_LOG", "-") or None
# `make run` sets warning: no start-up lines after the first-run notice, only requests and problems.
loglevel = _env("TIMELINE_LOG_LEVEL", "info")
control_socket_disable = True
wsgi_app = "timeline:create_app()"
