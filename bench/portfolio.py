"""Time the portfolio page and the "like attracts like" analysis of a large workspace.

    .venv/bin/python -m bench.portfolio [--partners 2000] [--rounds 3] [--database URL]

Prints the median of several runs; the numbers and the machine they came from go in
docs/performance.md. With --database, the schema there is DROPPED and recreated: give it a
scratch database.
"""

from __future__ import annotations

import time
from functools import partial
from typing import Any

from sqlalchemy import event, text

from fitcheck.extensions import db
from fitcheck.services.analysis import analyse_portfolio
from fitcheck.services.portfolio_view import portfolio

from .synthetic import large_portfolio
from .timing import arguments, database_name, median_ms, scratch_app, signed_in


def main() -> None:
    parser = arguments(__doc__, runs=5)
    parser.add_argument("--partners", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    with scratch_app(args.database) as app:
        started = time.perf_counter()
        workspace_id = large_portfolio(partners=args.partners, rounds=args.rounds)
        # Fresh statistics, as autovacuum would have gathered them after such an insert.
        db.session.execute(text("ANALYZE"))
        db.session.commit()
        built_s = time.perf_counter() - started
        client = signed_in(app, "portfolio1@example.com")
        # The bulk insert stores no round summaries, like rounds revealed before they
        # existed: the first visit computes and stores them all, every later one reads them.
        started = time.perf_counter()
        assert client.get("/portfolio/").status_code == 200
        cold_ms = (time.perf_counter() - started) * 1000
        timings = {}
        pages = (("portfolio page", "/portfolio/"), ("analysis page", "/portfolio/analysis"))
        for name, path in pages:
            statements: list[str] = []

            def count(*event_args: Any, into: list[str] = statements) -> None:
                into.append(str(event_args[2]))

            event.listen(db.engine, "before_cursor_execute", count)
            assert client.get(path).status_code == 200
            event.remove(db.engine, "before_cursor_execute", count)
            timings[name] = (median_ms(partial(client.get, path), args.runs), len(statements))
        portfolio_ms = median_ms(lambda: portfolio(workspace_id), args.runs)
        analysis_ms = median_ms(lambda: analyse_portfolio(workspace_id), args.runs)
    print(f"database: {database_name(app)}")
    print(f"partners: {args.partners}, rounds each: {args.rounds} (built in {built_s:.0f} s)")
    print(f"first portfolio visit, computing every round's summary: {cold_ms:.0f} ms")
    for name, (ms, queries) in timings.items():
        print(f"{name}: {ms:.0f} ms median of {args.runs} ({queries} queries)")
    print(f"portfolio service alone: {portfolio_ms:.0f} ms median of {args.runs}")
    print(f"analysis service alone (2,000 bootstrap resamples): {analysis_ms:.0f} ms median")


if __name__ == "__main__":
    main()
