"""EXPLAIN every statement of every page a user visits, on about 3 million answers.

    .venv/bin/python -m bench.explain [--database URL] [--workspaces 25] [--partners 200]
        [--rounds 5] [--respondents 10] [--traits 12]

Builds, in PostgreSQL, workspaces of the shape of a large installation's (by default 25
of them, each with 200 partners of 5 revealed rounds, 10 respondents a round and 12
traits: 3 million answers; the rows in bulk, set-based, through the app's own schema),
signs in as the first workspace's owner and visits each page with the Flask test client,
recording every SQL statement each request sends; last, it runs the worker's minute tick,
whose queries span every workspace. Then it prints, page by page, each statement with its
parameters and its `EXPLAIN (ANALYZE, BUFFERS)` plan (a write is explained in a
transaction that is rolled back), flags every sequential scan of a large table and every
scan that reads far more rows than it keeps, and ends with a summary table and the size on
disk of each table, per row and multiplied up to 10,000 such workspaces. The numbers go in
docs/performance.md.

The database must be PostgreSQL and a scratch one: it is created if missing, and its schema
is DROPPED and recreated (the default is `fitcheck_explain`; `test`, `postgres` and the
templates are refused)."""

# ruff: noqa: S608 - the SQL here is built from the schema's own table and column names and
# from constants, never from input.
from __future__ import annotations

import argparse
import contextvars
import gc
import time
from collections import defaultdict
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from flask import Flask, current_app
from flask.testing import FlaskClient
from sqlalchemy import Connection, create_engine, event, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ProgrammingError
from sqlalchemy.orm import joinedload, selectinload
from sqlalchemy.schema import AddConstraint, DropConstraint

from fitcheck.extensions import db
from fitcheck.models import Answer, Assessment, Partner, State, utcnow
from fitcheck.services import accounts, scheduler
from fitcheck.services import assessments as assessment_service
from fitcheck.services.answers import AnswerInput, save_answers
from fitcheck.services.results import answers_query, compute_fit
from fitcheck.services.summaries import store_summary
from fitcheck.tokens import invitation_token

from .synthetic import BENCH_PASSWORD, trait_set_of
from .timing import scratch_app, signed_in

DEFAULT_DATABASE = "postgresql+psycopg://postgres@127.0.0.1:5432/fitcheck_explain"
REFUSED_DATABASES = frozenset({"test", "postgres", "template0", "template1"})
OWNER_EMAIL = "explain1@example.com"
# A sequential scan is flagged on these tables, which grow with the installation, and on
# any table of at least LARGE_TABLE_ROWS rows.
GROWING_TABLES = frozenset({"answers", "respondents", "assessments", "partners"})
LARGE_TABLE_ROWS = 10_000
# A scan that reads more than this many times the rows it returns (and over READ_FLOOR
# rows) is flagged: an index that narrows less than it could.
READ_RATIO = 10
READ_FLOOR = 1_000
EXPLAINABLE = frozenset({"SELECT", "INSERT", "UPDATE", "DELETE", "WITH"})
# The installation the extrapolation is for.
TARGET_WORKSPACES = 10_000


@dataclass(frozen=True)
class Sizes:
    workspaces: int = 25
    partners: int = 200  # per workspace
    rounds: int = 5  # revealed rounds per partner
    respondents: int = 10  # per round, alternately company and client
    traits: int = 12

    @property
    def answers(self) -> int:
        return self.workspaces * self.partners * self.rounds * self.respondents * self.traits


@dataclass(frozen=True)
class Target:
    """What the visits need: whom to sign in as and which rows to open."""

    email: str
    workspace_id: int
    partner_id: int
    revealed_id: int  # the partner's latest revealed round (it has a previous one)
    collecting_id: int  # the partner's round being answered now
    token: str  # a respondent of that round who has not submitted yet
    trait_keys: tuple[str, ...]


@dataclass(frozen=True)
class Page:
    name: str
    method: str
    path: str
    body: dict[str, Any] | None = None
    # Visited once unrecorded first, so that its time leaves out compiling templates and
    # the first chart; not a page whose first visit writes (or takes a minute).
    warm_up: bool = True


@dataclass(frozen=True)
class Statement:
    sql: str
    parameters: Any


@dataclass(frozen=True)
class Visit:
    page: Page
    outcome: str  # the HTTP status, or "done"
    ms: float
    statements: list[Statement]


@dataclass(frozen=True)
class Plan:
    """One statement's EXPLAIN (ANALYZE, BUFFERS): the text and what it says in numbers."""

    text: str
    execution_ms: float
    rows_returned: int
    rows_read: int  # by every scan node on a table: rows kept + removed by filters
    indexes: tuple[str, ...]
    flags: tuple[str, ...]


# --------------------------------------------------------------------------------------------
# The database
# --------------------------------------------------------------------------------------------


def scratch_database(url: str) -> str:
    """Create the PostgreSQL database `url` names if it is missing; refuse any that is not
    a scratch database. Returns the URL."""
    parsed = make_url(url)
    if not parsed.get_backend_name().startswith("postgresql"):
        raise SystemExit("bench.explain needs PostgreSQL: its EXPLAIN is PostgreSQL's.")
    name = parsed.database or ""
    if name in REFUSED_DATABASES or not name:
        raise SystemExit(
            f"Refusing database {name!r}: give a scratch database, its schema is dropped."
        )
    admin = create_engine(parsed.set(database="postgres"), isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            exists = connection.scalar(
                text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": name}
            )
            if not exists:
                connection.execute(text(f'CREATE DATABASE "{name}"'))
    finally:
        admin.dispose()
    return url


# --------------------------------------------------------------------------------------------
# The data
# --------------------------------------------------------------------------------------------


def _pick(seed: str, choices: int) -> str:
    """SQL: a number from 0 to choices − 1, fixed by the integer expression `seed` and
    spread evenly (hashint8 is PostgreSQL's own hash of a bigint)."""
    return f"mod(hashint8(({seed})::bigint)::bigint + 2147483648, {choices})"


# The centre of each side's view in a round, from 2.0 to 4.4 on the 1–5 scale: the same for
# partner p's round r in every workspace, so every workspace holds the same answers.
CENTRE_US = "(2 + mod(p * 37 + r * 11, 25) / 10.0)"
CENTRE_THEM = "(2 + mod(p * 53 + r * 7 + 3, 25) / 10.0)"


def _columns(table: str, *, leave_out: Sequence[str]) -> list[str]:
    return [c.name for c in db.metadata.tables[table].columns if c.name not in leave_out]


def _run(connection: Connection, sql: str, **parameters: Any) -> None:
    connection.execute(text(sql), parameters)


@contextmanager
def _keys_checked_after(connection: Connection, *tables: str) -> Iterator[None]:
    """Load without the tables' foreign keys, then add them back, which checks every row
    in one query instead of one trigger call per row and key (pg_restore's way): the same
    schema and the same guarantee afterwards, the load in half the time. The indexes stay,
    so they grow as they would in use."""
    keys = [key for table in tables for key in db.metadata.tables[table].foreign_key_constraints]
    for key in keys:
        connection.execute(DropConstraint(key))
    yield
    for key in keys:
        connection.execute(AddConstraint(key))


def _bulk(connection: Connection, sizes: Sizes, *, workspace_id: int, trait_set_id: int) -> None:
    """Every row of every workspace in set-based statements: the first workspace (made by
    the services) is copied into the others, then partners, rounds, frozen traits,
    respondents, answers, mails, commitments and outcomes for all of them."""
    now = utcnow()
    ids = {
        table: connection.scalar(text(f"SELECT coalesce(max(id), 0) FROM {table}"))
        for table in ("workspaces", "trait_sets", "partners", "assessments", "respondents")
    }
    numbers = {
        "W": sizes.workspaces,
        "P": sizes.partners,
        "R": sizes.rounds,
        "N": sizes.respondents,
        "now": now,
    }
    # Room to sort the answers in memory; this transaction only.
    _run(connection, "SET LOCAL work_mem = '256MB'")
    # Which ids each workspace, partner, round and respondent gets: temporary tables that
    # the inserts join.
    _run(
        connection,
        "CREATE TEMP TABLE bench_ws (w int PRIMARY KEY, workspace_id int, trait_set_id int)"
        " ON COMMIT DROP",
    )
    _run(
        connection,
        "INSERT INTO bench_ws SELECT 0, :ws, :ts UNION ALL"
        " SELECT w, :wsbase + w, :tsbase + w FROM generate_series(1, :W - 1) w",
        ws=workspace_id,
        ts=trait_set_id,
        wsbase=ids["workspaces"],
        tsbase=ids["trait_sets"],
        **numbers,
    )
    workspace_columns = _columns("workspaces", leave_out=("id", "name"))
    _run(
        connection,
        f"INSERT INTO workspaces (id, name, {', '.join(workspace_columns)})"
        f" SELECT b.workspace_id, 'Explain ' || (b.w + 1),"
        f" {', '.join('s.' + c for c in workspace_columns)}"
        " FROM bench_ws b, workspaces s WHERE s.id = :ws AND b.w > 0",
        ws=workspace_id,
    )
    user_columns = _columns("users", leave_out=("id", "workspace_id", "email"))
    _run(
        connection,
        f"INSERT INTO users (workspace_id, email, {', '.join(user_columns)})"
        f" SELECT b.workspace_id, format('explain%s@example.com', b.w + 1),"
        f" {', '.join('u.' + c for c in user_columns)}"
        " FROM bench_ws b, users u WHERE u.workspace_id = :ws AND b.w > 0",
        ws=workspace_id,
    )
    set_columns = _columns("trait_sets", leave_out=("id", "workspace_id"))
    _run(
        connection,
        f"INSERT INTO trait_sets (id, workspace_id, {', '.join(set_columns)})"
        f" SELECT b.trait_set_id, b.workspace_id, {', '.join('s.' + c for c in set_columns)}"
        " FROM bench_ws b, trait_sets s WHERE s.id = :ts AND b.w > 0",
        ts=trait_set_id,
    )
    trait_columns = _columns("traits", leave_out=("id", "workspace_id", "trait_set_id"))
    _run(
        connection,
        f"INSERT INTO traits (workspace_id, trait_set_id, {', '.join(trait_columns)})"
        f" SELECT b.workspace_id, b.trait_set_id, {', '.join('t.' + c for c in trait_columns)}"
        " FROM bench_ws b, traits t WHERE t.trait_set_id = :ts AND b.w > 0"
        " ORDER BY b.w, t.position",
        ts=trait_set_id,
    )
    _run(
        connection,
        "CREATE TEMP TABLE bench_round (w int, p int, r int, workspace_id int, trait_set_id int,"
        " partner_id int, assessment_id int PRIMARY KEY, launched timestamptz) ON COMMIT DROP",
    )
    _run(
        connection,
        "INSERT INTO bench_round"
        " SELECT b.w, p, r, b.workspace_id, b.trait_set_id, :pbase + b.w * :P + p + 1,"
        "  :abase + (b.w * :P + p) * :R + r + 1,"
        "  :now - make_interval(days => (:R - 1 - r) * 365 + 30 + mod(p * 7, 300))"
        " FROM bench_ws b, generate_series(0, :P - 1) p, generate_series(0, :R - 1) r",
        pbase=ids["partners"],
        abase=ids["assessments"],
        **numbers,
    )
    _run(
        connection,
        "CREATE TEMP TABLE bench_person (w int, p int, r int, workspace_id int,"
        " partner_id int, assessment_id int, launched timestamptz, n int,"
        " respondent_id int PRIMARY KEY, side text, submitted timestamptz) ON COMMIT DROP",
    )
    _run(
        connection,
        "INSERT INTO bench_person"
        " SELECT g.w, g.p, g.r, g.workspace_id, g.partner_id, g.assessment_id, g.launched, n,"
        "  :rbase + ((g.w * :P + g.p) * :R + g.r) * :N + n + 1,"
        "  CASE WHEN mod(n, 2) = 0 THEN 'company' ELSE 'client' END,"
        "  g.launched + make_interval(days => 2 + mod(n, 5))"
        " FROM bench_round g, generate_series(0, :N - 1) n",
        rbase=ids["respondents"],
        **numbers,
    )
    _run(
        connection,
        "INSERT INTO partners (id, workspace_id, name, website, notes, created_at)"
        " SELECT DISTINCT ON (partner_id) partner_id, workspace_id,"
        "  format('Partner %s', to_char(p + 1, 'FM0000')), '', '',"
        "  :now - make_interval(days => :R * 365 + 60)"
        " FROM bench_round ORDER BY partner_id",
        **numbers,
    )
    _run(
        connection,
        "INSERT INTO contacts (workspace_id, partner_id, name, email, title, created_at)"
        " SELECT DISTINCT ON (partner_id, c) workspace_id, partner_id, format('Contact %s', c),"
        "  format('contact%s@partner%s.example', c, partner_id), 'Manager', :now"
        " FROM bench_round, generate_series(1, 2) c ORDER BY partner_id, c",
        **numbers,
    )
    _run(
        connection,
        "INSERT INTO assessments (id, workspace_id, partner_id, title, kind, state,"
        "  source_trait_set_id, previous_id, scale_lo, scale_hi, point_labels, deadline,"
        "  reveal_policy, min_responses_per_side, share_with_client, reminder_days,"
        "  created_at, launched_at, revealed_at)"
        " SELECT g.assessment_id, g.workspace_id, g.partner_id, '',"
        "  CASE WHEN g.r = 0 THEN 'pre_contract' ELSE 'annual_review' END, 'revealed',"
        "  g.trait_set_id, CASE WHEN g.r > 0 THEN g.assessment_id - 1 END,"
        "  s.scale_lo, s.scale_hi, s.point_labels, g.launched + interval '14 days',"
        "  'manual', 3, true, '[3, 1]'::json,"
        "  g.launched - interval '3 days', g.launched, g.launched + interval '14 days'"
        " FROM bench_round g JOIN trait_sets s ON s.id = g.trait_set_id"
        " ORDER BY g.assessment_id",
    )
    with _keys_checked_after(
        connection, "assessment_traits", "respondents", "answers", "outbox_messages"
    ):
        _people_and_answers(connection)
    _run(
        connection,
        "INSERT INTO commitments (workspace_id, assessment_id, trait_id, side, action, owner,"
        "  status, created_at, updated_at)"
        " SELECT g.workspace_id, g.assessment_id, t.id, 'company', 'Meet every quarter.', '',"
        "  CASE WHEN g.r < :R - 1 THEN 'done' ELSE 'open' END,"
        "  g.launched + interval '15 days', g.launched + interval '15 days'"
        " FROM bench_round g JOIN assessment_traits t"
        "  ON t.assessment_id = g.assessment_id AND t.position = 0"
        " ORDER BY g.assessment_id",
        **numbers,
    )
    satisfaction = (
        f"6 + 0.8 * ({CENTRE_US} - 3 + {CENTRE_THEM} - 3)"
        f" - 0.6 * power({CENTRE_US} - {CENTRE_THEM}, 2) + {_pick('p * 31 + r', 3)} - 1"
    )
    _run(
        connection,
        "INSERT INTO outcomes (workspace_id, partner_id, period, observed_on, renewed,"
        "  satisfaction, note, is_demo, created_at)"
        " SELECT workspace_id, partner_id, format('round %s', r + 1),"
        "  least(launched + interval '214 days', :now)::date,"
        f"  ({satisfaction}) >= 5, greatest(0, least(10, round({satisfaction})))::int,"
        "  '', false, least(launched + interval '214 days', :now)"
        " FROM bench_round ORDER BY partner_id, r",
        **numbers,
    )


def _people_and_answers(connection: Connection) -> None:
    """The frozen traits, respondents, answers and invitation mails of every round."""
    frozen_columns = _columns(
        "assessment_traits", leave_out=("id", "workspace_id", "assessment_id", "source_trait_id")
    )
    _run(
        connection,
        "INSERT INTO assessment_traits"
        f" (workspace_id, assessment_id, source_trait_id, {', '.join(frozen_columns)})"
        " SELECT g.workspace_id, g.assessment_id, t.id,"
        f" {', '.join('t.' + c for c in frozen_columns)}"
        " FROM bench_round g JOIN traits t ON t.trait_set_id = g.trait_set_id"
        " ORDER BY g.assessment_id, t.position",
    )
    _run(
        connection,
        "INSERT INTO respondents (id, workspace_id, assessment_id, side, name, email,"
        "  token_nonce, token_hash, created_at, invited_at, reminder_count, opened_at,"
        "  draft_saved_at, submitted_at, decline_reason)"
        " SELECT respondent_id, workspace_id, assessment_id, side, format('Person %s', n + 1),"
        "  format('person%s@partner%s.example', n + 1, partner_id),"
        "  md5('nonce' || respondent_id), md5('a' || respondent_id) || md5('b' || respondent_id),"
        "  launched - interval '2 days', launched, 0, launched + interval '1 day',"
        "  submitted - interval '1 hour', submitted, ''"
        " FROM bench_person ORDER BY respondent_id",
    )
    seed = "p * 1000003 + r * 10007 + n * 101 + t.position * 7"
    other = (
        f"CASE WHEN side = 'company' THEN {CENTRE_THEM} ELSE {CENTRE_US} END + {_pick(seed, 3)} - 1"
    )
    own = (
        f"CASE WHEN side = 'company' THEN {CENTRE_US} ELSE {CENTRE_THEM} END"
        f" + {_pick(seed + ' + 1', 3)} - 1"
    )
    cant_judge = f"{_pick(seed + ' + 2', 50)} = 0"  # one "can't judge" in 50
    # Each respondent's answers lie together, as a submit writes them; one round's
    # respondents lie far apart, as they answer days apart among everyone else's.
    _run(
        connection,
        "INSERT INTO answers (workspace_id, assessment_id, respondent_id, trait_id, scale_lo,"
        "  scale_hi, other_rating, other_cant_judge, self_rating, self_cant_judge, importance,"
        "  comment, updated_at)"
        " SELECT e.workspace_id, e.assessment_id, e.respondent_id, t.id, 1, 5,"
        f"  CASE WHEN {cant_judge} THEN NULL ELSE greatest(1, least(5, round({other})))::int END,"
        f"  {cant_judge}, greatest(1, least(5, round({own})))::int, false,"
        f"  1 + {_pick(seed + ' + 3', 5)},"
        f"  CASE WHEN {_pick(seed + ' + 4', 20)} = 0"
        "   THEN format('A comment on this trait from round %s, person %s.', r + 1, n + 1)"
        "   ELSE '' END,"
        "  e.submitted"
        " FROM bench_person e JOIN assessment_traits t ON t.assessment_id = e.assessment_id"
        " ORDER BY e.r, e.n, e.w, e.p, t.position",
    )
    _run(
        connection,
        "INSERT INTO outbox_messages (workspace_id, kind, to_address, locale, payload,"
        "  respondent_id, message_id, status, attempts, last_error, created_at,"
        "  next_attempt_at, sent_at)"
        " SELECT workspace_id, 'invitation',"
        "  format('person%s@partner%s.example', n + 1, partner_id),"
        "  'en', json_build_object('respondent_id', respondent_id), respondent_id,"
        "  format('<invitation.%s@fitcheck.example>', respondent_id), 'sent', 1, '',"
        "  launched, launched, launched"
        " FROM bench_person ORDER BY r, n, w, p",
    )


def _summarise(workspace_id: int) -> None:
    """Each revealed round's stored summary (as its reveal would have written it), through
    the app's own engine: the answers of the workspace in one query, one upsert a round."""
    rounds = db.session.scalars(
        select(Assessment)
        .options(
            selectinload(Assessment.traits),
            joinedload(Assessment.partner).joinedload(Partner.workspace),
        )
        .where(Assessment.workspace_id == workspace_id, Assessment.state == State.REVEALED)
    ).all()
    rows: dict[int, list[Any]] = defaultdict(list)
    for row in db.session.execute(answers_query().where(Answer.workspace_id == workspace_id)):
        rows[row.assessment_id].append(row)
    for assessment in rounds:
        store_summary(assessment, compute_fit(assessment, rows[assessment.id]))


def _copy_summaries(connection: Connection, sizes: Sizes, workspace_id: int) -> None:
    """Every workspace holds the first one's answers, so its rounds' summaries are the
    first one's, round for round (ids run in the same order in every workspace)."""
    columns = _columns("round_summaries", leave_out=("assessment_id", "workspace_id"))
    _run(
        connection,
        f"INSERT INTO round_summaries (assessment_id, workspace_id, {', '.join(columns)})"
        f" SELECT s.assessment_id + b.w * :P * :R, b.workspace_id,"
        f" {', '.join('s.' + c for c in columns)}"
        " FROM round_summaries s, bench_ws b WHERE s.workspace_id = :ws AND b.w > 0",
        P=sizes.partners,
        R=sizes.rounds,
        ws=workspace_id,
    )


def _reset_sequences(connection: Connection) -> None:
    """Rows were given their ids: each table's sequence continues after the largest."""
    for table in db.metadata.sorted_tables:
        if "id" in table.columns and table.columns["id"].autoincrement is not False:
            _run(
                connection,
                f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'),"
                f" coalesce(max(id), 0) + 1, false) FROM {table.name}",
            )


def _collecting_round(partner_id: int) -> tuple[int, str]:
    """The partner's next round, launched through the services with its respondents
    carried over; the first few have submitted. Returns its id and a waiting one's token."""
    previous = db.session.scalars(
        select(Assessment)
        .where(Assessment.partner_id == partner_id)
        .order_by(Assessment.id.desc())
        .limit(1)
    ).one()
    draft = assessment_service.start_next_round(previous)
    assessment = assessment_service.launch(draft, invite=False)
    people = list(assessment.respondents)
    for person in people[: len(people) // 2 - 1]:
        answers = [
            AnswerInput(trait_key=trait.key, other=3, self_=4, importance=3)
            for trait in assessment.traits
        ]
        save_answers(person, answers, submit=True)
    waiting = people[len(people) // 2 - 1]
    token = invitation_token(current_app.config["SECRET_KEY"], waiting.token_nonce)
    return assessment.id, token


def _settle() -> None:
    """What autovacuum would have done by the time anyone looks: statistics gathered,
    visibility maps set (the steady state of rows loaded long ago); then a checkpoint, so
    that writing out the load does not slow down the commits being timed."""
    with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.execute(text("VACUUM (ANALYZE)"))
        # Only a superuser (or pg_checkpoint) may; without it the timings are noisier.
        with suppress(ProgrammingError):
            connection.execute(text("CHECKPOINT"))


def build(sizes: Sizes) -> Target:
    """The whole dataset, inside the app context of an empty schema; statistics fresh."""
    owner = accounts.sign_up(
        workspace_name="Explain 1", name="Bench", email=OWNER_EMAIL, password=BENCH_PASSWORD
    )
    workspace_id = owner.workspace_id
    trait_set = trait_set_of(workspace_id, sizes.traits)
    trait_set_id, trait_keys = trait_set.id, tuple(t.key for t in trait_set.traits)
    connection = db.session.connection()
    _bulk(connection, sizes, workspace_id=workspace_id, trait_set_id=trait_set_id)
    _summarise(workspace_id)
    _copy_summaries(connection, sizes, workspace_id)
    _reset_sequences(connection)
    db.session.commit()
    partner_id = db.session.scalars(
        select(Partner.id).where(Partner.workspace_id == workspace_id).order_by(Partner.id)
    ).first()
    assert partner_id is not None
    revealed_id = db.session.scalars(
        select(Assessment.id)
        .where(Assessment.partner_id == partner_id)
        .order_by(Assessment.id.desc())
        .limit(1)
    ).one()
    collecting_id, token = _collecting_round(partner_id)
    db.session.commit()
    _settle()
    return Target(
        email=OWNER_EMAIL,
        workspace_id=workspace_id,
        partner_id=partner_id,
        revealed_id=revealed_id,
        collecting_id=collecting_id,
        token=token,
        trait_keys=trait_keys,
    )


# --------------------------------------------------------------------------------------------
# The visits
# --------------------------------------------------------------------------------------------


def pages(target: Target) -> list[Page]:
    """Each page a user visits, in the order of a working day, and the respondent's."""
    submit = {
        "submit": True,
        "answers": [
            {"trait_key": key, "other": 1 + n % 5, "self": 3, "importance": 3, "comment": ""}
            for n, key in enumerate(target.trait_keys)
        ],
    }
    partner, revealed = target.partner_id, target.revealed_id
    return [
        Page("partner list", "GET", "/partners/"),
        Page("partner page", "GET", f"/partners/{partner}"),
        Page("progress page", "GET", f"/assessments/{target.collecting_id}"),
        Page("results page", "GET", f"/assessments/{revealed}/results"),
        Page("printed report", "GET", f"/assessments/{revealed}/report"),
        Page("partner timeline", "GET", f"/partners/{partner}/timeline"),
        Page("portfolio", "GET", "/portfolio/"),
        Page("analysis", "GET", "/portfolio/analysis"),
        Page("respondent's form", "GET", f"/r/{target.token}/answers", warm_up=False),
        Page(
            "respondent's submit",
            "PUT",
            f"/api/v1/responses/{target.token}",
            submit,
            warm_up=False,
        ),
        # Last: building a thousand rounds' files leaves a heap that would slow the next.
        Page("workspace export", "GET", "/workspace/export", warm_up=False),
    ]


def _recorded(action: Callable[[], str]) -> tuple[str, float, list[Statement]]:
    """Run `action` in a context of its own, as a server runs a request (its own app
    context and database session: nothing read before is served from memory), and record
    every statement it sends with its parameters. Returns its outcome, time and statements."""
    statements: list[Statement] = []

    def record(*event_args: Any) -> None:
        _conn, _cursor, sql, parameters, _context, executemany = event_args
        first = parameters[0] if executemany and parameters else parameters
        statements.append(Statement(str(sql), first))

    gc.collect()  # not a collection of an earlier visit's garbage on this one's time
    event.listen(db.engine, "before_cursor_execute", record)
    started = time.perf_counter()
    try:
        outcome = contextvars.Context().run(action)
    finally:
        event.remove(db.engine, "before_cursor_execute", record)
    ms = (time.perf_counter() - started) * 1000
    db.session.rollback()
    return outcome, ms, statements


def visit(app: Flask, target: Target) -> list[Visit]:
    """Sign in, then request each page once, recording the statements each one issues;
    last, the worker's minute tick, whose queries span every workspace."""
    client: FlaskClient = signed_in(app, target.email)
    visits = []
    for page in pages(target):

        def request(page: Page = page) -> str:
            response = client.open(page.path, method=page.method, json=page.body)
            return str(response.status_code)

        if page.warm_up:
            _recorded(request)
        visits.append(Visit(page, *_recorded(request)))
    # Not on Monday morning, when the tick also queues the weekly digests.
    moment = utcnow()
    while scheduler.digest_week(moment) is not None:
        moment += timedelta(hours=12)

    def tick() -> str:
        with app.app_context():
            scheduler.tick(now=lambda: moment)
        return "done"

    visits.append(Visit(Page("worker's minute tick", "CALL", "scheduler.tick()"), *_recorded(tick)))
    return visits


# --------------------------------------------------------------------------------------------
# The plans
# --------------------------------------------------------------------------------------------


def large_tables(threshold: int = LARGE_TABLE_ROWS) -> frozenset[str]:
    """The growing tables, and those with at least `threshold` rows by the planner's
    statistics."""
    rows = db.session.execute(
        text(
            "SELECT relname FROM pg_class WHERE relkind = 'r' AND reltuples >= :threshold"
            " AND relnamespace = 'public'::regnamespace"
        ),
        {"threshold": threshold},
    )
    return GROWING_TABLES | {name for (name,) in rows}


def _nodes(node: Mapping[str, Any]) -> Iterator[Mapping[str, Any]]:
    yield node
    for child in node.get("Plans", ()):
        yield from _nodes(child)


def read_plan(document: Mapping[str, Any], plan_text: str, large: frozenset[str]) -> Plan:
    """What an EXPLAIN (ANALYZE, FORMAT JSON) document says: time, rows, indexes, flags."""
    top = document["Plan"]
    read = 0
    indexes: list[str] = []
    flags: list[str] = []
    for node in _nodes(top):
        table = node.get("Relation Name")
        if node.get("Index Name"):
            indexes.append(str(node["Index Name"]))
        if table is None:
            continue
        loops = int(node.get("Actual Loops", 1))
        kept = int(node.get("Actual Rows", 0)) * loops
        removed = (
            int(node.get("Rows Removed by Filter", 0))
            + int(node.get("Rows Removed by Index Recheck", 0))
        ) * loops
        read += kept + removed
        if node["Node Type"] == "Seq Scan" and table in large:
            flags.append(f"Seq Scan on {table} ({kept + removed} rows read, {kept} kept)")
        elif removed > READ_FLOOR and kept + removed > READ_RATIO * max(kept, 1):
            flags.append(
                f"{node['Node Type']} on {table} reads {kept + removed} rows to keep {kept}"
            )
    return Plan(
        text=plan_text,
        execution_ms=float(document.get("Execution Time", 0.0)),
        rows_returned=int(top.get("Actual Rows", 0)),
        rows_read=read,
        indexes=tuple(dict.fromkeys(indexes)),
        flags=tuple(flags),
    )


def explain(connection: Connection, statement: Statement, large: frozenset[str]) -> Plan:
    """EXPLAIN (ANALYZE, BUFFERS) of one recorded statement with its parameters, in a
    transaction rolled back, so that a write is run for its plan and then undone."""
    transaction = connection.begin()
    try:
        plain = connection.exec_driver_sql(
            f"EXPLAIN (ANALYZE, BUFFERS) {statement.sql}", statement.parameters
        )
        plan_text = "\n".join(str(line) for (line,) in plain)
        document = connection.exec_driver_sql(
            f"EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) {statement.sql}", statement.parameters
        ).scalar_one()
    finally:
        transaction.rollback()
    return read_plan(document[0], plan_text, large)


def explain_visits(visits: Sequence[Visit]) -> list[dict[str, Plan]]:
    """For each visit, the plan of each distinct statement it sent, with the parameters of
    its first run (a statement sent once per round by the export is explained once)."""
    large = large_tables()
    db.session.rollback()
    plans: list[dict[str, Plan]] = []
    with db.engine.connect() as connection:
        for page in visits:
            mine: dict[str, Plan] = {}
            for statement in page.statements:
                if statement.sql not in mine and _explainable(statement.sql):
                    mine[statement.sql] = explain(connection, statement, large)
            plans.append(mine)
    return plans


def _explainable(sql: str) -> bool:
    return sql.lstrip().split(None, 1)[0].upper() in {
        "SELECT",
        "INSERT",
        "UPDATE",
        "DELETE",
        "WITH",
    }


# --------------------------------------------------------------------------------------------
# Sizes on disk
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Relation:
    name: str
    rows: int
    heap: int  # bytes of the table alone (with its TOAST)
    indexes: dict[str, int]  # bytes of each index

    @property
    def total(self) -> int:
        return self.heap + sum(self.indexes.values())


def relations() -> list[Relation]:
    """Every table with its exact row count and its bytes, largest first."""
    found = []
    for table in db.metadata.sorted_tables:
        rows = db.session.scalar(text(f"SELECT count(*) FROM {table.name}")) or 0
        heap = db.session.scalar(
            text("SELECT pg_table_size(CAST(:name AS regclass))"), {"name": table.name}
        )
        indexes = {
            str(name): int(size)
            for name, size in db.session.execute(
                text(
                    "SELECT indexrelid::regclass::text, pg_relation_size(indexrelid)"
                    " FROM pg_index WHERE indrelid = CAST(:name AS regclass) ORDER BY 1"
                ),
                {"name": table.name},
            )
        }
        found.append(Relation(table.name, int(rows), int(heap or 0), indexes))
    return sorted(found, key=lambda relation: relation.total, reverse=True)


# --------------------------------------------------------------------------------------------
# The report
# --------------------------------------------------------------------------------------------


def _mb(size: float) -> str:
    return f"{size / 2**20:,.1f} MB"


def _gb(size: float) -> str:
    return f"{size / 2**30:,.0f} GB"


def print_plans(visits: Sequence[Visit], plans: Sequence[Mapping[str, Plan]]) -> None:
    for page, mine in zip(visits, plans, strict=True):
        counts: dict[str, int] = defaultdict(int)
        for statement in page.statements:
            counts[statement.sql] += 1
        explained = sum(plan.execution_ms for plan in mine.values())
        print(
            f"\n=== {page.page.name}: {page.page.method} {page.page.path} -> {page.outcome},"
            f" {page.ms:.0f} ms, {len(page.statements)} statements ({len(counts)} distinct),"
            f" EXPLAIN ANALYZE of the distinct ones {explained:.1f} ms"
        )
        seen: set[str] = set()
        for number, statement in enumerate(page.statements, start=1):
            if statement.sql in seen:
                continue
            seen.add(statement.sql)
            times = counts[statement.sql]
            again = f" (x{times}; explained with the first parameters)" if times > 1 else ""
            print(f"\n--- [{number}]{again}\n{statement.sql.strip()}")
            print(f"parameters: {_short(statement.parameters)}")
            plan = mine.get(statement.sql)
            if plan is None:
                continue
            print("\n".join("    " + line for line in plan.text.splitlines()))
            for flag in plan.flags:
                print(f"  !! {flag}")


def _short(parameters: Any, limit: int = 400) -> str:
    shown = repr(parameters)
    return shown if len(shown) <= limit else shown[:limit] + " …"


def print_summary(visits: Sequence[Visit], plans: Sequence[Mapping[str, Plan]]) -> None:
    """One line a page. Rows read and time add up each distinct statement once."""
    print("\n=== Summary: one visit of each page")
    print(
        "| page | status | statements | distinct | rows read | EXPLAIN ANALYZE ms"
        " | page ms | indexes | flags |"
    )
    print("|---|---|---|---|---|---|---|---|---|")
    for page, mine in zip(visits, plans, strict=True):
        known = list(mine.values())
        indexes = sorted({name for plan in known for name in plan.indexes})
        flags = sorted({flag for plan in known for flag in plan.flags})
        print(
            f"| {page.page.name} | {page.outcome} | {len(page.statements)}"
            f" | {len({s.sql for s in page.statements})}"
            f" | {sum(plan.rows_read for plan in known):,}"
            f" | {sum(plan.execution_ms for plan in known):.1f} | {page.ms:.0f}"
            f" | {', '.join(indexes) or '-'} | {'; '.join(flags) or '-'} |"
        )


def print_sizes(found: Sequence[Relation], factor: float) -> None:
    print(f"\n=== Sizes on disk, and x{factor:,.0f} ({TARGET_WORKSPACES:,} workspaces)")
    print("| table | rows | table | indexes | bytes a row (all) | rows then | size then |")
    print("|---|---|---|---|---|---|---|")
    for relation in found:
        if relation.rows == 0:
            continue
        print(
            f"| {relation.name} | {relation.rows:,} | {_mb(relation.heap)}"
            f" | {_mb(sum(relation.indexes.values()))} | {relation.total / relation.rows:,.0f}"
            f" | {relation.rows * factor:,.0f} | {_gb(relation.total * factor)} |"
        )
    total = sum(relation.total for relation in found)
    print(f"| all | | | | | | {_gb(total * factor)} (now {_mb(total)}) |")
    answers = next((relation for relation in found if relation.name == "answers"), None)
    if answers is None or answers.rows == 0:
        return
    print(f"\nanswers, per row ({answers.rows:,} rows):")
    print(
        f"  table {answers.heap / answers.rows:.1f} B"
        f" -> {_gb(answers.heap * factor)} at {answers.rows * factor:,.0f} rows"
    )
    for name, size in answers.indexes.items():
        print(f"  {name} {size / answers.rows:.1f} B -> {_gb(size * factor)}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--database", default=DEFAULT_DATABASE, help="a scratch PostgreSQL URL")
    defaults = Sizes()
    for name in ("workspaces", "partners", "rounds", "respondents", "traits"):
        parser.add_argument(f"--{name}", type=int, default=getattr(defaults, name))
    args = parser.parse_args()
    sizes = Sizes(args.workspaces, args.partners, args.rounds, args.respondents, args.traits)
    with scratch_app(scratch_database(args.database)) as app:
        started = time.perf_counter()
        target = build(sizes)
        built_s = time.perf_counter() - started
        server = db.session.scalar(text("SHOW server_version"))
        visits = visit(app, target)
        plans = explain_visits(visits)
        found = relations()
    print(f"PostgreSQL {server}; {sizes.workspaces} workspaces x {sizes.partners} partners x")
    print(f"{sizes.rounds} rounds x {sizes.respondents} respondents x {sizes.traits} traits:")
    print(f"{sizes.answers:,} answers built in {built_s:.0f} s")
    print_plans(visits, plans)
    print_summary(visits, plans)
    print_sizes(found, TARGET_WORKSPACES / sizes.workspaces)


if __name__ == "__main__":
    main()
