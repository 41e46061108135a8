"""gunicorn's settings for production: read by ``make serve`` and by ``make soak`` (so the
soak measures what is served), from the environment with the Makefile's defaults.

    HOST, PORT          where to listen (127.0.0.1:8000)
    WORKERS             worker processes (4)
    THREADS             threads per worker (8): a slow client holds a thread, not a worker
    TIMEOUT             seconds: a request's budget, the drain on restart (30)
    FORWARDED_ALLOW_IPS proxies whose X-Forwarded-For and X-Forwarded-Proto are believed
                        (127.0.0.1); the app reads the same variable (partnerships/clients.py)
"""

import os

wsgi_app = "partnerships.wsgi"
bind = f"{os.environ.get('HOST', '127.0.0.1')}:{os.environ.get('PORT', '8000')}"
workers = int(os.environ.get("WORKERS", "4"))
worker_class = "gthread"
threads = int(os.environ.get("THREADS", "8"))
# The database's statement timeout (DB_STATEMENT_TIMEOUT) is shorter than this.
timeout = int(os.environ.get("TIMEOUT", "30"))
graceful_timeout = timeout
keepalive = 5  # seconds an idle keep-alive connection is kept
limit_request_line = 4094
limit_request_fields = 100
limit_request_field_size = 8190
accesslog = "-"
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
