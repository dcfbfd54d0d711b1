"""A room of phones in a brand-partner workshop, against a real server on SQLite.

    .venv/bin/python -m bench.workshop_room [--people 30] [--seconds 30] [--interval 2.5]
        [--notes-every 10] [--threads 8]

fitcheck runs as the default install does: gunicorn, one worker with threads, rate limits
counted in process, one SQLite file (WAL). Each simulated participant is a thread with its
own cookies, as a phone would be: it joins through the link, then for `--seconds` polls the
room's state with the ETag it last saw (JavaScript's `workshop.js`, every `--interval`
seconds), fetches its room page whenever the version changed (the live region's refresh;
with `--follow phase` only when the phase changes, as a phone that writes or votes does),
and writes a note about every `--notes-every` seconds, a phrase and its "are we like
that?" rating (the form posts, then follows the redirect to the room). A facilitator polls
the board and fetches it on every change likewise.

Prints the requests served per second and, for each kind of request, how many there were
and their latency (median, 95th percentile, maximum); and how long the room took to see a
note: from the moment a note's post was answered until each phone's poll first saw the
workshop change (median and maximum over every phone and note). The numbers go in
docs/performance.md. Every request must succeed (2xx/3xx, or 304 for a poll): a refused
one (a rate limit, a locked database) ends the run with an error.
"""

from __future__ import annotations

import argparse
import http.cookiejar
import json
import os
import random
import re
import secrets
import statistics
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from flask import Flask

from bench.gunicorn import serve

CSRF = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')
PHRASES = (
    "Responds quickly",
    "Puts its heart into the work",
    "Argues with us to make it better",
    "Enjoys change",
    "Keeps its promises",
    "Thinks in years",
)


def server_app() -> Flask:
    """The app gunicorn serves (`bench.workshop_room:server_app()`), as installed."""
    from fitcheck import create_app

    limit = os.environ.get("BENCH_WORKSHOP_RATE_LIMIT")
    return create_app(
        {
            "SECRET_KEY": os.environ["BENCH_SECRET"],
            "SQLALCHEMY_DATABASE_URI": os.environ["BENCH_DATABASE"],
            "RATELIMIT_STORAGE_URI": "memory://",
            **({"WORKSHOP_RATE_LIMIT": limit} if limit else {}),
        }
    )


def _prepare(url: str, secret: str) -> tuple[str, str]:
    """The schema, a facilitator and an open workshop: its link token and the facilitator's
    email (whose password is `secret`)."""
    from fitcheck import create_app
    from fitcheck.extensions import db
    from fitcheck.services import accounts, workshops

    app = create_app({"SECRET_KEY": secret, "SQLALCHEMY_DATABASE_URI": url})
    with app.app_context():
        db.create_all()
        owner = accounts.sign_up(
            workspace_name="Bench", name="Bench", email="bench@example.com", password=secret
        )
        workshop = workshops.open_workshop(owner.workspace_id, created_by=owner)
        token = workshops.join_token(workshop)
        db.engine.dispose()
    return token, "bench@example.com"


@dataclass
class Record:
    """What every simulated screen saw, shared by the threads (appends are atomic)."""

    latencies: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    # (moment the post was answered, version it made at the latest) per note written.
    writes: list[tuple[float, int]] = field(default_factory=list)
    # (moment a poll answered, version it saw) per poll of a phone.
    seen: dict[int, list[tuple[float, int]]] = field(default_factory=lambda: defaultdict(list))
    errors: list[str] = field(default_factory=list)


class Screen:
    """One browser: its own cookies, timing every request by kind."""

    def __init__(self, base: str, record: Record) -> None:
        self.base = base
        self.record = record
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())
        )

    def request(
        self, kind: str, path: str, data: dict[str, str] | None = None, etag: str | None = None
    ) -> tuple[int, bytes, str | None]:
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        request = urllib.request.Request(self.base + path, data=body)  # noqa: S310 - our server
        if etag:
            request.add_header("If-None-Match", etag)
        started = time.perf_counter()
        try:
            with self.opener.open(request, timeout=30) as response:
                status, content, tag = response.status, response.read(), response.headers["ETag"]
        except urllib.error.HTTPError as error:
            status, content, tag = error.code, error.read(), error.headers["ETag"]
        self.record.latencies[kind].append(time.perf_counter() - started)
        if status >= 400:
            self.record.errors.append(f"{kind} {path}: {status}")
            raise RuntimeError(f"{kind} {path}: {status}")
        return status, content, tag

    def csrf(self, path: str, kind: str = "page") -> str:
        _status, page, _tag = self.request(kind, path)
        match = CSRF.search(page.decode())
        assert match, path
        return match.group(1)


def _phone(
    number: int, base: str, token: str, args: argparse.Namespace, until: float, record: Record
) -> None:
    rng = random.Random(number)
    screen = Screen(base, record)
    link = f"/workshops/join/{token}"
    csrf = screen.csrf(link, "join")
    screen.request("join", link, {"name": f"P{number}", "side": "company", "csrf_token": csrf})
    csrf = screen.csrf(f"{link}/room", "join")
    etag: str | None = None
    version = -1
    next_note = time.monotonic() + rng.uniform(0, 2 * args.notes_every)
    time.sleep(rng.uniform(0, args.interval))  # phones do not poll in step
    while time.monotonic() < until:
        status, body, tag = screen.request("poll", f"{link}/state", etag=etag)
        if status == 200:
            etag = tag
            state = json.loads(body)
            record.seen[number].append((time.monotonic(), int(state["version"])))
            if state["version"] != version:
                version = int(state["version"])
                if args.follow == "room":
                    screen.request("page", f"{link}/room")
        else:
            record.seen[number].append((time.monotonic(), version))
        if time.monotonic() >= next_note:
            data = {
                "text": f"{rng.choice(PHRASES)} #{number}",
                "self_rating": str(rng.randint(1, 5)),
                "csrf_token": csrf,
            }
            screen.request("note", f"{link}/notes", data)
            _s, body, _t = screen.request("poll", f"{link}/state")
            record.writes.append((time.monotonic(), int(json.loads(body)["version"])))
            next_note = time.monotonic() + rng.expovariate(1 / args.notes_every)
        time.sleep(args.interval)


def _facilitator(
    base: str, email: str, password: str, args: argparse.Namespace, until: float, record: Record
) -> None:
    screen = Screen(base, record)
    csrf = screen.csrf("/sign-in", "sign-in")
    screen.request(
        "sign-in", "/sign-in", {"email": email, "password": password, "csrf_token": csrf}
    )
    etag: str | None = None
    while time.monotonic() < until:
        status, _body, tag = screen.request("board poll", "/workshops/1/state", etag=etag)
        if status == 200:
            etag = tag
            screen.request("board", "/workshops/1")
        time.sleep(args.interval)


def _delays(record: Record) -> list[float]:
    """For each note and each phone: the wait from the note's answer until the phone's
    first poll that saw its version."""
    delays = []
    for written_at, version in record.writes:
        for polls in record.seen.values():
            later = [moment for moment, seen in polls if moment >= written_at and seen >= version]
            if later:
                delays.append(later[0] - written_at)
    return delays


def _quantile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--people", type=int, default=30)
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--interval", type=float, default=2.5)
    parser.add_argument("--notes-every", type=float, default=10.0)
    parser.add_argument("--threads", type=int, default=2 * (os.cpu_count() or 1))
    parser.add_argument(
        "--rate-limit",
        default="",
        help="the room's budget per address (WORKSHOP_RATE_LIMIT), e.g. '100000 per minute' "
        "to find the server's own limit; default: the app's",
    )
    parser.add_argument(
        "--follow",
        choices=("room", "phase"),
        default="room",
        help="room: a phone fetches its page on every change (group, decide, act: the worst "
        "case); phase: only on a new phase (a phone writing or voting)",
    )
    args = parser.parse_args()
    url = f"sqlite:///{Path(tempfile.mkdtemp()) / 'workshop.sqlite3'}"
    secret = secrets.token_urlsafe(32)
    token, email = _prepare(url, secret)
    env = {
        **os.environ,
        "BENCH_DATABASE": url,
        "BENCH_SECRET": secret,
        "BENCH_WORKSHOP_RATE_LIMIT": args.rate_limit,
    }
    server, port = serve(
        "bench.workshop_room:server_app()",
        "-w",
        "1",
        "-k",
        "gthread",
        "--threads",
        str(args.threads),
        env=env,
    )
    base = f"http://127.0.0.1:{port}"
    record = Record()
    try:
        # A first visit compiles the templates: the room arrives at a server that has one.
        Screen(base, Record()).request("warm-up", f"/workshops/join/{token}")
        started = time.monotonic()
        until = started + args.seconds
        threads = [
            threading.Thread(target=_phone, args=(n, base, token, args, until, record))
            for n in range(args.people)
        ]
        threads.append(
            threading.Thread(target=_facilitator, args=(base, email, secret, args, until, record))
        )
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        elapsed = time.monotonic() - started
    finally:
        server.terminate()
        server.wait()
    if record.errors:
        raise SystemExit("refused: " + "; ".join(record.errors[:5]))
    total = sum(len(times) for times in record.latencies.values())
    print(
        f"{args.people} phones and a board, a poll every {args.interval:g} s, a note per phone "
        f"every {args.notes_every:g} s, {args.seconds:g} s, phones following the "
        f"{args.follow}; gunicorn 1 worker × {args.threads} threads, SQLite"
    )
    print(f"{total} requests, {total / elapsed:.0f} per second, {len(record.writes)} notes")
    for kind, times in sorted(record.latencies.items()):
        ms = [t * 1000 for t in times]
        print(
            f"  {kind:<11} {len(ms):>6}  median {statistics.median(ms):6.1f} ms  "
            f"p95 {_quantile(ms, 0.95):6.1f} ms  max {max(ms):6.1f} ms"
        )
    delays = _delays(record)
    if delays:
        print(
            f"a note reached every phone: median {statistics.median(delays):.1f} s, "
            f"p95 {_quantile(delays, 0.95):.1f} s, max {max(delays):.1f} s"
        )


if __name__ == "__main__":
    main()
