"""gunicorn settings; every value can be overridden by the environment or the command line.

Rate limits must count once whatever the number of workers. With a store every worker
shares (`RATELIMIT_STORAGE_URI=redis://…`) fitcheck runs sync workers, two per core; with
the in-process default it runs one worker with a thread per request slot instead, and
refuses to start several workers (`WEB_CONCURRENCY`, `-w`), each of which would count
every limit on its own.
"""

import multiprocessing
import os
from typing import Any

from fitcheck.config import check_rate_limit_storage, counts_in_process, rate_limit_storage

bind = os.environ.get("BIND", f"0.0.0.0:{os.environ.get('PORT', '8000')}")
# Two per core: fitcheck's requests are short and mostly wait on the database.
_slots = multiprocessing.cpu_count() * 2
if counts_in_process(rate_limit_storage(os.environ)):
    # One process, so one count of every limit; its threads serve requests side by side.
    workers = int(os.environ.get("WEB_CONCURRENCY", "1"))
    threads = int(os.environ.get("GUNICORN_THREADS", str(_slots)))
else:
    workers = int(os.environ.get("WEB_CONCURRENCY", str(_slots)))
    threads = int(os.environ.get("GUNICORN_THREADS", "1"))
worker_class = "gthread" if threads > 1 else "sync"
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
accesslog = "-"
errorlog = "-"
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")


def on_starting(server: Any) -> None:
    """Check the final number of workers, whatever set it (this file, env or `-w`)."""
    # An UnsafeConfigError (a RuntimeError) stops gunicorn with "Error: <message>", exit 1.
    check_rate_limit_storage(rate_limit_storage(os.environ), server.cfg.workers)


def nworkers_changed(server: Any, new_value: int, old_value: int | None) -> None:
    """A TTIN signal must not add a worker that counts limits on its own either."""
    if old_value is None:  # the first setting, which on_starting checks
        return
    if new_value > 1 and counts_in_process(rate_limit_storage(os.environ)):
        server.log.error(
            "Refusing %s workers: rate limits are counted in each process. "
            "Set RATELIMIT_STORAGE_URI to a shared store such as Redis.",
            new_value,
        )
        server.num_workers = old_value
