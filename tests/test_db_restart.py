"""The app outlives a PostgreSQL restart by itself: 503 with Retry-After (never a 500)
while the database is away, 200 again as soon as it is back without restarting the app,
and every answer it acknowledged still in the database.

The tests start a PostgreSQL server of their own (Debian's `initdb` and `pg_ctl`, as the
`postgres` OS user when the tests run as root) in a temporary folder on a free port, serve
the app on a real port, and stop that server with `pg_ctl stop -m immediate`, which kills
it as a crash would: what is not in the write-ahead log is lost. `fsync=off` (and
`full_page_writes=off`, `initdb --no-sync`) only spare the disk: the kernel keeps what
PostgreSQL wrote, as it does whenever the server dies and the machine does not.
Handlers that need no restart (which errors become 503) run on SQLite.
"""

from __future__ import annotations

import http.client
import json
import os
import pwd
import secrets
import shutil
import subprocess
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from huey import signals as huey_signals
from sqlalchemy import select, text
from sqlalchemy.exc import IntegrityError, InterfaceError, OperationalError, ProgrammingError
from werkzeug.serving import make_server

from fitcheck import create_app
from fitcheck.errors import RETRY_AFTER_SECONDS, database_unavailable
from fitcheck.extensions import csrf, db
from fitcheck.models import Answer, AssessmentTrait, MailStatus, OutboxMessage, Respondent
from fitcheck.services import assessments
from fitcheck.tasks import queue

from .conftest import require_or_skip
from .servers import Browser
from .smtp import free_port
from .support import PASSWORD

# Each phase of the restart test waits at most this long for what it expects.
PHASE_SECONDS = 10.0
# Writes each respondent makes before the crash, and after the restart, all answered 200.
WRITES_BEFORE = 3
WRITES_AFTER = 2
STREAMING = 3  # respondents who keep writing through the restart
SETTLED = 2  # respondents whose last write lands before the crash


# --------------------------------------------------------------------------------------------
# A PostgreSQL server of the test's own
# --------------------------------------------------------------------------------------------


def _version(bindir: Path) -> float:
    try:
        return float(bindir.parent.name)
    except ValueError:
        return 0.0


def _postgres_bindir() -> Path | None:
    """Where initdb and pg_ctl are: `pg_config --bindir`, else Debian's newest version."""
    candidates: list[Path] = []
    pg_config = shutil.which("pg_config")
    if pg_config:
        found = subprocess.run([pg_config, "--bindir"], capture_output=True, text=True)
        if found.returncode == 0:
            candidates.append(Path(found.stdout.strip()))
    candidates += sorted(Path("/usr/lib/postgresql").glob("*/bin"), key=_version, reverse=True)
    for bindir in candidates:
        if (bindir / "initdb").is_file() and (bindir / "pg_ctl").is_file():
            return bindir
    initdb, pg_ctl = shutil.which("initdb"), shutil.which("pg_ctl")
    if initdb and pg_ctl and Path(initdb).parent == Path(pg_ctl).parent:
        return Path(initdb).parent
    return None


@dataclass
class PostgresServer:
    """One PostgreSQL cluster in `root`, trust auth, listening on 127.0.0.1:`port` only."""

    bindir: Path
    root: Path
    port: int
    owner: str | None  # the OS user that runs it when the tests run as root

    @property
    def url(self) -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/postgres"

    def _run(self, tool: str, *args: str) -> None:
        command = [str(self.bindir / tool), *args]
        if self.owner is not None:
            command = ["runuser", "-u", self.owner, "--", *command]
        done = subprocess.run(command, cwd=self.root, capture_output=True, text=True)
        if done.returncode != 0:
            log = self.root / "server.log"
            server_log = log.read_text(errors="replace")[-3000:] if log.exists() else ""
            pytest.fail(f"{tool} {' '.join(args)} failed:\n{done.stdout}{done.stderr}{server_log}")

    def init(self) -> None:
        data = str(self.root / "data")
        self._run(
            "initdb",
            "-D",
            data,
            "-A",
            "trust",
            "-U",
            "postgres",
            "-E",
            "UTF8",
            "--no-locale",
            "--no-sync",
        )

    def start(self) -> None:
        options = (
            f"-p {self.port} -c listen_addresses=127.0.0.1 -c unix_socket_directories='' "
            "-c fsync=off -c full_page_writes=off"
        )
        log = str(self.root / "server.log")
        self._run("pg_ctl", "-D", str(self.root / "data"), "-l", log, "-o", options, "-w", "start")

    def stop_immediately(self) -> None:
        """Kill the server as a crash would: no checkpoint, recovery from the log on start."""
        self._run("pg_ctl", "-D", str(self.root / "data"), "-m", "immediate", "-w", "stop")

    def running(self) -> bool:
        return (self.root / "data" / "postmaster.pid").exists()


@pytest.fixture(scope="module")
def postgres_server() -> Iterator[PostgresServer]:
    bindir = _postgres_bindir()
    if bindir is None:
        require_or_skip(
            "PostgreSQL's initdb and pg_ctl are not installed (apt-get install postgresql)"
        )
    owner = None
    if os.geteuid() == 0:  # initdb refuses root: the server runs as the postgres user
        owner = "postgres"
        if shutil.which("runuser") is None:
            require_or_skip("the tests run as root and runuser (util-linux) is not installed")
        try:
            account = pwd.getpwnam(owner)
        except KeyError:
            require_or_skip("the tests run as root and there is no postgres OS user to run initdb")
    root = Path(tempfile.mkdtemp(prefix="fitcheck-pg-"))
    if owner is not None:
        os.chown(root, account.pw_uid, account.pw_gid)
    server = PostgresServer(bindir=bindir, root=root, port=free_port(), owner=owner)
    try:
        server.init()
        server.start()
        schema = create_app(_config(server.url))
        with schema.app_context():
            db.create_all()
            db.engine.dispose()
        yield server
    finally:
        if server.running():
            server.stop_immediately()
        shutil.rmtree(root, ignore_errors=True)


def _config(database_url: str) -> dict[str, Any]:
    # No SERVER_NAME: clients reach the app as 127.0.0.1:<port>. The engine options are the
    # defaults of fitcheck/config.py (pool_pre_ping), which is what is under test.
    return {
        "TESTING": True,
        "SECRET_KEY": secrets.token_urlsafe(32),
        "SQLALCHEMY_DATABASE_URI": database_url,
        "RATELIMIT_STORAGE_URI": "memory://",
        "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",
        # One address sends every request of this test.
        "API_RATE_LIMIT": "100000 per minute",
        "RESPOND_RATE_LIMIT": "100000 per minute",
    }


@pytest.fixture
def database_url(postgres_server: PostgresServer) -> str:
    """Every test here runs on the test's own server (running, whatever the last test did)."""
    if not postgres_server.running():
        postgres_server.start()
    return postgres_server.url


@pytest.fixture
def app_config(database_url: str) -> dict[str, Any]:
    return _config(database_url)


@contextmanager
def serving(app: Flask) -> Iterator[str]:
    """The app on a real port, one thread per request, as tests/e2e serves it."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.05}, name="restart-server"
    )
    thread.start()
    try:
        yield f"127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=10)
        server.server_close()


# --------------------------------------------------------------------------------------------
# Clients that record every answer
# --------------------------------------------------------------------------------------------


@dataclass
class Outcome:
    serial: int
    started: float
    ended: float
    status: int | None  # None: no HTTP answer at all (the connection dropped)
    headers: dict[str, str]
    body: str


@dataclass
class Log:
    """Every answer of every client, and a condition the test waits on instead of sleeping."""

    outcomes: dict[int, list[Outcome]] = field(default_factory=dict)
    changed: threading.Condition = field(default_factory=threading.Condition)

    def add(self, respondent_id: int, outcome: Outcome) -> None:
        with self.changed:
            self.outcomes.setdefault(respondent_id, []).append(outcome)
            self.changed.notify_all()

    def wait_for(self, what: str, predicate: Callable[[], bool]) -> None:
        with self.changed:
            assert self.changed.wait_for(predicate, PHASE_SECONDS), f"gave up waiting: {what}"

    def of(self, respondent_id: int) -> list[Outcome]:
        return list(self.outcomes.get(respondent_id, []))

    def every(self) -> list[Outcome]:
        return [outcome for outcomes in self.outcomes.values() for outcome in outcomes]


def request(
    address: str, method: str, path: str, body: Any = None, headers: dict[str, str] | None = None
) -> tuple[int | None, dict[str, str], str]:
    """One request on a connection of its own; (None, {}, error) when no answer came back."""
    host, port = address.split(":")
    connection = http.client.HTTPConnection(host, int(port), timeout=PHASE_SECONDS)
    payload = None if body is None else json.dumps(body)
    sent = {"Content-Type": "application/json"} if payload is not None else {}
    try:
        connection.request(method, path, body=payload, headers={**sent, **(headers or {})})
        response = connection.getresponse()
        return response.status, dict(response.getheaders()), response.read().decode()
    except (OSError, http.client.HTTPException) as error:
        return None, {}, repr(error)
    finally:
        connection.close()


@dataclass(frozen=True)
class Survey:
    """What a submit needs to know of the assessment, read once in the test's thread."""

    traits: tuple[str, ...]
    lo: int
    hi: int

    def body(self, respondent_id: int, serial: int) -> dict[str, Any]:
        """A complete submit whose values say who sent it and which write it is."""
        points = self.hi - self.lo + 1
        return {
            "submit": True,
            "answers": [
                {
                    "trait_key": key,
                    "other": self.lo + (serial + index) % points,
                    "self": self.hi - (serial + index) % points,
                    "importance": 1 + (serial + index) % 5,
                    "comment": f"respondent {respondent_id}, write {serial}",
                }
                for index, key in enumerate(self.traits)
            ],
        }


@dataclass
class Writer:
    """A respondent who submits again and again, each time with other values."""

    address: str
    token: str
    respondent_id: int
    survey: Survey
    log: Log
    # Stop once a write is acknowledged after this is set (or at `limit` writes).
    finish: threading.Event = field(default_factory=threading.Event)
    limit: int | None = None
    abort: threading.Event = field(default_factory=threading.Event)  # the test failed

    def run(self) -> None:
        deadline = time.monotonic() + 4 * PHASE_SECONDS
        serial = 0
        while (
            time.monotonic() < deadline
            and not self.abort.is_set()
            and (self.limit is None or serial < self.limit)
        ):
            serial += 1
            started = time.monotonic()
            status, headers, body = request(
                self.address,
                "PUT",
                f"/api/v1/responses/{self.token}",
                self.survey.body(self.respondent_id, serial),
            )
            self.log.add(
                self.respondent_id,
                Outcome(serial, started, time.monotonic(), status, headers, body),
            )
            if self.finish.is_set() and status == 200:
                return


def _acknowledged(outcomes: list[Outcome], after: float = 0.0) -> list[Outcome]:
    return [outcome for outcome in outcomes if outcome.status == 200 and outcome.started >= after]


# --------------------------------------------------------------------------------------------
# The restart
# --------------------------------------------------------------------------------------------


def _poll(address: str, path: str, status: int) -> tuple[dict[str, str], str]:
    """Ask `path` until it answers `status`, for PHASE_SECONDS at most."""
    deadline = time.monotonic() + PHASE_SECONDS
    seen: list[int | None] = []
    while time.monotonic() < deadline:
        code, headers, body = request(address, "GET", path)
        if code == status:
            return headers, body
        assert code in {200, 503}, (code, body[:500])
        seen.append(code)
    raise AssertionError(f"{path} never answered {status}: {seen[-5:]}")


def test_the_app_answers_503_while_postgres_restarts_and_loses_no_acknowledged_submit(
    app: Flask,
    postgres_server: PostgresServer,
    make_user: Callable[..., Any],
    make_assessment: Callable[..., Any],
) -> None:
    user = make_user()
    assessment, tokens = make_assessment(user, company=3, client=2)
    links = {respondent.id: token for respondent, token in tokens.items()}
    ids = sorted(links)
    settled_ids, streaming_ids = ids[:SETTLED], ids[SETTLED:]
    assert len(streaming_ids) == STREAMING
    survey = Survey(
        tuple(trait.key for trait in assessment.traits), assessment.scale_lo, assessment.scale_hi
    )
    any_link = links[streaming_ids[0]]
    log = Log()

    with serving(app) as address:
        staff = Browser(f"http://{address}", "127.0.0.1")
        assert staff.post_form("/sign-in", email=user.email, password=PASSWORD) == 302

        # Before: some respondents finish, the others keep submitting.
        writers = {
            rid: Writer(
                address,
                links[rid],
                rid,
                survey,
                log,
                limit=WRITES_BEFORE if rid in settled_ids else None,
            )
            for rid in ids
        }
        threads = [threading.Thread(target=writer.run) for writer in writers.values()]
        for thread in threads:
            thread.start()
        try:
            log.wait_for(
                "every respondent's first writes",
                lambda: all(len(_acknowledged(log.of(rid))) >= WRITES_BEFORE for rid in ids),
            )
            db.session.remove()  # the test's own connection would die with the server
            down_from = time.monotonic()
            postgres_server.stop_immediately()

            # While it is down: 503 with Retry-After for the API, readiness and pages alike.
            log.wait_for(
                "a 503 while the database is down",
                lambda: any(o.status == 503 and o.started >= down_from for o in log.every()),
            )
            _poll(address, "/readyz", 503)
            assert request(address, "GET", "/healthz")[0] == 200  # alive: not to be killed
            status, headers, page = request(address, "GET", f"/r/{any_link}")
            assert status == 503, page[:500]
            assert headers["Retry-After"] == str(RETRY_AFTER_SECONDS)
            assert headers["Content-Type"].startswith("text/html")
            assert "fitcheck is unavailable for a moment" in page
            assert "Sign in" not in page  # a plain page: no navigation that would 503 too
            # A signed-in page too, though drawing it would normally load the user.
            status, page = staff.status("GET", "/partners/")
            assert status == 503 and "fitcheck is unavailable for a moment" in page
            assert "Sign in" not in page
            down_until = time.monotonic()
            postgres_server.start()

            # After: ready again by itself, and every respondent's writes acknowledged.
            _poll(address, "/readyz", 200)
            ready_at = time.monotonic()
            log.wait_for(
                "acknowledged writes after the restart",
                lambda: all(
                    len(_acknowledged(log.of(rid), after=ready_at)) >= WRITES_AFTER
                    for rid in streaming_ids
                ),
            )
            assert staff.status("GET", "/partners/")[0] == 200
        except BaseException:
            for writer in writers.values():
                writer.abort.set()
            raise
        finally:
            for writer in writers.values():
                writer.finish.set()
            for thread in threads:
                thread.join(timeout=4 * PHASE_SECONDS)

    every = log.every()
    broken = [(o.status, o.body[:300]) for o in every if o.status not in {200, 503}]
    assert broken == [], "every answer is 200 or 503, never a 500 or a dropped connection"
    outage = [o for o in every if o.status == 503]
    assert any(down_from <= o.started and o.ended <= down_until for o in outage)
    assert all(o.ended >= down_from for o in outage), "no 503 before the stop"
    assert [o for o in outage if o.started >= ready_at] == [], "no 503 once ready again"
    for o in outage:
        assert o.headers["Retry-After"] == str(RETRY_AFTER_SECONDS)
        error = json.loads(o.body)["error"]
        assert set(error) == {"code", "name", "message"}
        assert (error["code"], error["name"]) == (503, "Service Unavailable")

    # What the database holds: for each respondent, exactly their last acknowledged write.
    # Each respondent's last request was acknowledged, so no later write can have landed.
    db.session.remove()
    for rid in ids:
        outcomes = log.of(rid)
        assert outcomes[-1].status == 200, f"respondent {rid} ended on {outcomes[-1].status}"
        last = _acknowledged(outcomes)[-1]
        expected = {
            (item["trait_key"], item["other"], item["self"], item["importance"], item["comment"])
            for item in survey.body(rid, last.serial)["answers"]
        }
        stored = db.session.execute(
            select(
                AssessmentTrait.key,
                Answer.other_rating,
                Answer.self_rating,
                Answer.importance,
                Answer.comment,
            )
            .join(AssessmentTrait, AssessmentTrait.id == Answer.trait_id)
            .where(Answer.respondent_id == rid)
        ).all()
        assert {tuple(row) for row in stored} == expected, f"respondent {rid}"
        respondent = db.session.get(Respondent, rid)
        assert respondent is not None and respondent.submitted_at is not None
    # The settled respondents wrote only before the crash: those writes survived it.
    assert all(log.of(rid)[-1].ended < down_from for rid in settled_ids)


def test_a_connection_lost_after_the_answer_was_made_leaves_the_answer_alone(
    app: Flask, postgres_server: PostgresServer
) -> None:
    """The session's transaction, opened by a read, is rolled back when the request ends:
    with the server gone by then, that rollback fails after the answer was decided."""

    def read_then_lose_the_database() -> str:
        db.session.execute(text("SELECT 1"))
        postgres_server.stop_immediately()
        return "read"

    app.add_url_rule("/read-then-lose", "read_then_lose", read_then_lose_the_database)
    db.session.remove()
    try:
        response = app.test_client().get("/read-then-lose")
    finally:
        postgres_server.start()
    assert (response.status_code, response.get_data(as_text=True)) == (200, "read")


# --------------------------------------------------------------------------------------------
# The worker's minute tick
# --------------------------------------------------------------------------------------------


def test_the_worker_tick_fails_while_postgres_is_down_and_works_once_it_is_back(
    app: Flask, postgres_server: PostgresServer, make_assessment: Callable[..., Any]
) -> None:
    """The tick runs as the worker runs it (`Huey.execute`, what each worker thread calls):
    a failing tick is logged and reported, never raised into the worker, and the next one
    reconnects and sends the mail that waited."""
    draft, _tokens = make_assessment(launch=False, company=1, client=1)
    assessments.launch(draft, invite=True)
    huey = queue()
    seen: list[str] = []

    @huey.signal(huey_signals.SIGNAL_ERROR, huey_signals.SIGNAL_COMPLETE)
    def record(signal: str, task: Any, *args: Any) -> None:
        seen.append(signal)

    def tick() -> None:
        # What the worker's scheduler enqueues every minute (crontab minute="*").
        (periodic,) = huey.read_periodic(datetime.now())
        huey.execute(periodic)

    db.session.remove()
    postgres_server.stop_immediately()
    try:
        tick()
        assert seen == [huey_signals.SIGNAL_ERROR]
    finally:
        postgres_server.start()
    tick()
    assert seen == [huey_signals.SIGNAL_ERROR, huey_signals.SIGNAL_COMPLETE]
    statuses = db.session.scalars(select(OutboxMessage.status)).all()
    assert statuses == [MailStatus.SENT, MailStatus.SENT]


# --------------------------------------------------------------------------------------------
# Which errors are an outage (no restart needed: SQLite, and errors raised on purpose)
# --------------------------------------------------------------------------------------------


class _PgError(Exception):
    def __init__(self, sqlstate: str | None) -> None:
        super().__init__(f"SQLSTATE {sqlstate}")
        self.sqlstate = sqlstate


@pytest.mark.parametrize(
    ("error", "outage"),
    [
        (OperationalError("SELECT 1", None, _PgError(None)), True),  # connection refused
        (OperationalError("SELECT 1", None, _PgError("57P01")), True),  # admin shutdown
        (OperationalError("SELECT 1", None, _PgError("57P03")), True),  # starting up
        (OperationalError("SELECT 1", None, _PgError("53300")), True),  # too many connections
        (OperationalError("SELECT 1", None, _PgError("08006")), True),  # connection failure
        (OperationalError("SELECT 1", None, _PgError("40P01")), False),  # deadlock: a bug
        (InterfaceError("SELECT 1", None, _PgError(None), connection_invalidated=True), True),
        (InterfaceError("SELECT 1", None, _PgError(None)), False),
        (IntegrityError("INSERT", None, _PgError("23505")), False),
        (ProgrammingError("SELECT", None, _PgError("42P01")), False),  # no such table
        (RuntimeError("not a database error"), False),
    ],
    ids=lambda value: type(value).__name__ if isinstance(value, Exception) else str(value),
)
def test_only_an_unreachable_database_counts_as_an_outage(error: Exception, outage: bool) -> None:
    assert database_unavailable(error) is outage


def _sqlite_app(tmp_path: Path) -> Flask:
    app = create_app({**_config(f"sqlite:///{tmp_path / 'fitcheck.sqlite3'}")})
    with app.app_context():
        db.create_all()
    return app


@pytest.fixture
def failing_app(tmp_path: Path) -> Iterator[Callable[[Exception], Flask]]:
    """An app with one page and one API path that raise the given error."""
    built: list[Flask] = []

    def build(error: Exception) -> Flask:
        app = _sqlite_app(tmp_path)

        def fail() -> str:
            raise error

        for rule, endpoint in (("/failing", "failing"), ("/api/v1/failing", "api_failing")):
            app.add_url_rule(rule, endpoint, fail, methods=["GET", "POST"])
        csrf.exempt(fail)
        built.append(app)
        return app

    yield build
    for app in built:
        with app.app_context():
            db.engine.dispose()


def test_an_unreachable_database_is_a_503_page_and_a_503_json_error(
    failing_app: Callable[[Exception], Flask],
) -> None:
    app = failing_app(OperationalError("SELECT 1", None, _PgError(None)))
    client = app.test_client()
    page = client.post("/failing", data={"x": "y"})
    assert page.status_code == 503
    assert page.headers["Retry-After"] == str(RETRY_AFTER_SECONDS)
    assert page.mimetype == "text/html"
    assert "fitcheck is unavailable for a moment" in page.get_data(as_text=True)
    api = client.get("/api/v1/failing")
    assert api.status_code == 503
    assert api.headers["Retry-After"] == str(RETRY_AFTER_SECONDS)
    error = api.get_json()["error"]
    assert (error["code"], error["name"]) == (503, "Service Unavailable")
    assert "try again in a few seconds" in error["message"]


@pytest.mark.parametrize(
    "error",
    [
        IntegrityError("INSERT", None, _PgError("23505")),
        ProgrammingError("SELECT", None, _PgError("42P01")),
        OperationalError("SELECT", None, _PgError("40P01")),
    ],
    ids=["integrity", "programming", "deadlock"],
)
def test_a_database_error_from_the_code_stays_a_500(
    failing_app: Callable[[Exception], Flask], error: Exception
) -> None:
    app = failing_app(error)
    with pytest.raises(type(error)):  # under TESTING it propagates, as every bug does
        app.test_client().get("/failing")
    app.config["PROPAGATE_EXCEPTIONS"] = False
    page = app.test_client().get("/failing")
    assert page.status_code == 500
    assert "Something went wrong" in page.get_data(as_text=True)
    assert "Retry-After" not in page.headers
    api = app.test_client().get("/api/v1/failing")
    assert api.status_code == 500
    assert api.get_json()["error"]["code"] == 500


def test_sqlite_missing_table_is_a_bug_and_a_locked_file_an_outage(tmp_path: Path) -> None:
    app = _sqlite_app(tmp_path)
    with app.app_context():
        with pytest.raises(OperationalError) as missing:
            db.session.execute(text("SELECT * FROM no_such_table"))
        db.session.rollback()
        assert not database_unavailable(missing.value)
        db.engine.dispose()
    cannot_open = create_app(_config(f"sqlite:///{tmp_path / 'missing' / 'db.sqlite3'}"))
    with cannot_open.app_context():
        with pytest.raises(OperationalError) as unreachable:
            db.session.execute(text("SELECT 1"))
        assert database_unavailable(unreachable.value)
        db.session.remove()
        db.engine.dispose()
