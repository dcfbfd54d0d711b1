"""A gunicorn server for a benchmark: a free port, the same empty settings for every app
measured (not fitcheck's gunicorn.conf.py, found in the working directory), and a wait
until it takes connections."""

from __future__ import annotations

import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def serve(app: str, *options: str, env: dict[str, str]) -> tuple[subprocess.Popen[bytes], int]:
    """Start gunicorn on `app` (a `module:factory()` spec) with `options` (workers,
    threads); returns it and its port once it listens."""
    port = free_port()
    settings = Path(tempfile.mkdtemp()) / "gunicorn_bench.py"
    settings.write_text("")
    server = subprocess.Popen(  # noqa: S603 - our own interpreter and arguments
        [
            sys.executable,
            "-m",
            "gunicorn",
            "-c",
            str(settings),
            *options,
            "-b",
            f"127.0.0.1:{port}",
            "--log-level",
            "warning",
            app,
        ],
        env=env,
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return server, port
        except OSError:
            time.sleep(0.1)
    server.kill()
    raise RuntimeError(f"{app} did not start")
