"""The two servers `bench/submit.py` compares, as gunicorn app factories.

- `fitcheck_app()`: fitcheck itself on the benchmark's database, its respondent rate limit
  raised so that the benchmark measures the submit, not the limiter.
- `floor_app()`: the floor — a bare Flask app with SQLAlchemy Core that does what a submit
  must do and nothing more: find the respondent by the hash of its token, write the given
  answers in one multi-row upsert, stamp the respondent, commit; on the same database with
  the same SQLite durability (WAL, synchronous=FULL).

Both read the database URL and the secret from BENCH_DATABASE and BENCH_SECRET.
"""

from __future__ import annotations

import hashlib
import os
from datetime import UTC, datetime
from typing import Any

from flask import Flask, abort, jsonify, request
from sqlalchemy import MetaData, Table, create_engine, event, select, update
from sqlalchemy.dialects.sqlite import insert


def fitcheck_app() -> Flask:
    from fitcheck import create_app

    return create_app(
        {
            "SECRET_KEY": os.environ["BENCH_SECRET"],
            "SQLALCHEMY_DATABASE_URI": os.environ["BENCH_DATABASE"],
            "RESPOND_RATE_LIMIT": "1000000 per minute",
            "RATELIMIT_STORAGE_URI": "memory://",
        }
    )


def floor_app() -> Flask:
    engine = create_engine(os.environ["BENCH_DATABASE"])

    @event.listens_for(engine, "connect")
    def _durable(connection: Any, _record: Any) -> None:
        cursor = connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=FULL")
        cursor.execute("PRAGMA busy_timeout=5000")
        cursor.close()

    tables = MetaData()
    respondents = Table("respondents", tables, autoload_with=engine)
    answers = Table("answers", tables, autoload_with=engine)
    traits = Table("assessment_traits", tables, autoload_with=engine)
    app = Flask(__name__)

    @app.put("/api/v1/responses/<token>")
    def save(token: str) -> Any:
        body = request.get_json()
        with engine.begin() as connection:
            found = connection.execute(
                select(
                    respondents.c.id, respondents.c.assessment_id, respondents.c.workspace_id
                ).where(respondents.c.token_hash == hashlib.sha256(token.encode()).hexdigest())
            ).first()
            if found is None:
                abort(404)
            keys = dict(
                connection.execute(
                    select(traits.c.key, traits.c.id).where(
                        traits.c.assessment_id == found.assessment_id
                    )
                ).all()
            )
            now = datetime.now(UTC)
            rows = [
                {
                    "workspace_id": found.workspace_id,
                    "assessment_id": found.assessment_id,
                    "respondent_id": found.id,
                    "trait_id": keys[item["trait_key"]],
                    "scale_lo": 1,
                    "scale_hi": 5,
                    "other_rating": item.get("other"),
                    "other_cant_judge": False,
                    "self_rating": item.get("self"),
                    "self_cant_judge": False,
                    "importance": item.get("importance"),
                    "comment": item.get("comment", ""),
                    "updated_at": now,
                }
                for item in body["answers"]
            ]
            statement = insert(answers).values(rows)
            connection.execute(
                statement.on_conflict_do_update(
                    index_elements=["respondent_id", "trait_id"],
                    set_={
                        name: statement.excluded[name]
                        for name in ("other_rating", "self_rating", "importance", "updated_at")
                    },
                )
            )
            connection.execute(
                update(respondents)
                .where(respondents.c.id == found.id)
                .values(draft_saved_at=now, submitted_at=now if body["submit"] else None)
            )
        return jsonify(submitted=bool(body["submit"]), state="collecting")

    return app
