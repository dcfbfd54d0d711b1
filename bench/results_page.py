"""Time the results page of a large assessment, and the fit engine alone.

    .venv/bin/python -m bench.results_page [--respondents 300] [--traits 40] [--database URL]

Prints the median of several runs; the numbers and the machine they came from go in
docs/performance.md. With --database, the schema there is DROPPED and recreated: give it a
scratch database.
"""

from __future__ import annotations

from sqlalchemy import event

from fitcheck.extensions import db
from fitcheck.models import Assessment
from fitcheck.services.results import compute_fit, load_results, submitted_answers

from .synthetic import large_assessment
from .timing import arguments, database_name, median_ms, scratch_app, signed_in


def main() -> None:
    parser = arguments(__doc__, runs=7)
    parser.add_argument("--respondents", type=int, default=300)
    parser.add_argument("--traits", type=int, default=40)
    args = parser.parse_args()
    with scratch_app(args.database) as app:
        assessment = large_assessment(respondents=args.respondents, trait_count=args.traits)
        assessment_id, email = assessment.id, "bench1@example.com"
        client = signed_in(app, email)
        statements: list[str] = []
        event.listen(db.engine, "before_cursor_execute", lambda *a: statements.append(a[2]))
        assert client.get(f"/assessments/{assessment_id}/results").status_code == 200
        queries = len(statements)
        page_ms = median_ms(lambda: client.get(f"/assessments/{assessment_id}/results"), args.runs)
        reloaded = db.session.get_one(Assessment, assessment_id)
        read_ms = median_ms(lambda: load_results(reloaded), args.runs)
        rows = submitted_answers(reloaded)
        engine_ms = median_ms(lambda: compute_fit(reloaded, rows), args.runs)
    print(f"database: {database_name(app)}")
    answers = args.respondents * args.traits
    print(f"respondents: {args.respondents}, traits: {args.traits}, answers: {answers}")
    print(f"results page: {page_ms:.0f} ms median of {args.runs} ({queries} queries)")
    print(f"load_results (query + engine + comments): {read_ms:.0f} ms median of {args.runs}")
    print(f"fit engine alone: {engine_ms:.0f} ms median of {args.runs}")


if __name__ == "__main__":
    main()
