"""Respondent submits per second: fitcheck's PUT /api/v1/responses/{token} against the
floor, a bare Flask + SQLAlchemy app writing the same rows (bench/submit_apps.py).

    .venv/bin/python -m bench.submit [--workers 4] [--clients 8] [--seconds 5] [--rounds 3]

One scratch SQLite database (WAL, synchronous=FULL, as fitcheck runs) with an assessment
of 12 traits and 200 respondents; each server runs under gunicorn with the same number of
sync workers, in turn — fitcheck, floor, fitcheck, floor … — while client processes send
submits of every trait, each to a respondent of its own, for a fixed time. Prints each
run's rate, the medians and the ratio fitcheck ÷ floor, taken pair by pair so that a
machine drifting in speed does not bias it. The numbers go in docs/performance.md.
"""

from __future__ import annotations

import argparse
import http.client
import json
import multiprocessing
import os
import secrets
import statistics
import tempfile
import time
from pathlib import Path

from bench.gunicorn import serve

TRAITS = 12
RESPONDENTS = 200


def _prepare(url: str, secret: str) -> tuple[list[str], list[str]]:
    """The schema, one launched assessment and its respondents' tokens and trait keys."""
    from fitcheck import create_app
    from fitcheck.extensions import db
    from fitcheck.models import Kind, Side
    from fitcheck.services import accounts, assessments, partners
    from fitcheck.services.respondents import add_respondent

    from .synthetic import trait_set_of

    app = create_app({"SECRET_KEY": secret, "SQLALCHEMY_DATABASE_URI": url})
    with app.app_context():
        db.create_all()
        owner = accounts.sign_up(
            workspace_name="Bench", name="Bench", email="bench@example.com", password=secret
        )
        trait_set = trait_set_of(owner.workspace_id, TRAITS)
        partner = partners.create_partner(owner.workspace_id, name="Partner")
        assessment = assessments.create_assessment(partner, trait_set, kind=Kind.PRE_CONTRACT)
        tokens = [
            add_respondent(assessment, side=Side(("company", "client")[n % 2]), name=f"R{n}")[1]
            for n in range(RESPONDENTS)
        ]
        assessments.launch(assessment, invite=False)
        keys = [trait.key for trait in assessment.traits]
        db.engine.dispose()
    return tokens, keys


def _client(port: int, tokens: list[str], keys: list[str], until: float, out: object) -> None:
    connection = http.client.HTTPConnection("127.0.0.1", port)
    done = 0
    number = 0
    while time.monotonic() < until:
        token = tokens[number % len(tokens)]
        number += 1
        body = json.dumps(
            {
                "submit": True,
                "answers": [
                    {
                        "trait_key": key,
                        "other": 1 + (i + number) % 5,
                        "self": 3,
                        "importance": 3,
                        "comment": "",
                    }
                    for i, key in enumerate(keys)
                ],
            }
        )
        connection.request(
            "PUT", f"/api/v1/responses/{token}", body, {"Content-Type": "application/json"}
        )
        response = connection.getresponse()
        response.read()
        if response.status != 200:
            raise RuntimeError(f"status {response.status}")
        done += 1
    out.put(done)  # type: ignore[attr-defined]


def _rate(port: int, tokens: list[str], keys: list[str], clients: int, seconds: float) -> float:
    queue: multiprocessing.Queue[int] = multiprocessing.Queue()
    until = time.monotonic() + seconds
    share = [tokens[n::clients] for n in range(clients)]  # a respondent is one person
    workers = [
        multiprocessing.Process(target=_client, args=(port, share[n], keys, until, queue))
        for n in range(clients)
    ]
    for worker in workers:
        worker.start()
    total = sum(queue.get() for _ in workers)
    for worker in workers:
        worker.join()
    return total / seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    url = f"sqlite:///{Path(tempfile.mkdtemp()) / 'submit.sqlite3'}"
    secret = secrets.token_urlsafe(32)
    tokens, keys = _prepare(url, secret)
    env = {**os.environ, "BENCH_DATABASE": url, "BENCH_SECRET": secret}
    rates: dict[str, list[float]] = {"fitcheck_app": [], "floor_app": []}
    for _ in range(args.rounds):
        for factory in rates:
            server, port = serve(f"bench.submit_apps:{factory}()", "-w", str(args.workers), env=env)
            try:
                _rate(port, tokens, keys, args.clients, 1.0)  # warm-up
                rates[factory].append(_rate(port, tokens, keys, args.clients, args.seconds))
            finally:
                server.terminate()
                server.wait()
    ratios = [a / b for a, b in zip(rates["fitcheck_app"], rates["floor_app"], strict=True)]
    print(f"{TRAITS} traits a submit, {args.workers} workers, {args.clients} clients")
    for name, label in (("fitcheck_app", "fitcheck"), ("floor_app", "floor")):
        runs = ", ".join(f"{rate:.0f}" for rate in rates[name])
        print(f"{label}: {statistics.median(rates[name]):.0f} submits/s median ({runs})")
    pairs = ", ".join(f"{ratio:.2f}" for ratio in ratios)
    print(f"fitcheck / floor: {statistics.median(ratios):.2f} (pair by pair: {pairs})")


if __name__ == "__main__":
    main()
