"""gunicorn settings, read from the working directory. Reads the environment itself: Django is not up yet."""

import multiprocessing
import os

from arrow_site.startup import settings_checked_or_exit

# Here in the master, before any worker: a settings error is then one line on stderr and exit status 1,
# not a traceback logged by every worker.
settings_checked_or_exit()

bind = os.getenv("GUNICORN_BIND", "127.0.0.1:8000")
# gunicorn's rule of thumb; with DB_POOL=1, workers x DB_POOL_MAX_SIZE x hosts must stay below max_connections.
workers = int(os.getenv("WEB_CONCURRENCY", str(multiprocessing.cpu_count() * 2 + 1)))
threads = int(os.getenv("GUNICORN_THREADS", "1"))
# A request slower than this is killed; the database's own statement timeout should fire first.
timeout = int(os.getenv("GUNICORN_TIMEOUT", "30"))
graceful_timeout = 30
keepalive = 5
# Recycle workers now and then so slow leaks never grow; jitter keeps them from restarting together.
max_requests = 2000
max_requests_jitter = 200
# The TLS proxy in front sets X-Forwarded-*; gunicorn trusts it only from these addresses.
forwarded_allow_ips = os.getenv("FORWARDED_ALLOW_IPS", "127.0.0.1,::1")

accesslog = "-"
logconfig_dict = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"json": {"()": "arrow_site.jsonlog.JsonFormatter"}},
    "handlers": {"stdout": {"class": "logging.StreamHandler", "stream": "ext://sys.stdout", "formatter": "json"}},
    # Without our own root entry, gunicorn's default root refers to a handler this replaces, and fails.
    "root": {"handlers": ["stdout"], "level": "INFO"},
    "loggers": {
        "gunicorn.error": {"handlers": ["stdout"], "level": "INFO", "propagate": False},
        "gunicorn.access": {"handlers": ["stdout"], "level": "INFO", "propagate": False},
    },
}
