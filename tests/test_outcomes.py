"""Outcomes: recorded on the partner's page, imported from CSV all or nothing, and over the
API; every URL scoped to the workspace."""

from __future__ import annotations

import io
from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from fitcheck.extensions import db
from fitcheck.models import Outcome
from fitcheck.services import api_tokens
from fitcheck.services import outcomes as service

from .support import count_queries, csrf_token

HEADER = "partner,period,observed_on,contract_signed,renewed,satisfaction,revenue,note\n"


def _post(client, url, data, form_url):
    return client.post(url, data={**data, "csrf_token": csrf_token(client, form_url)})


def _count() -> int:
    return int(db.session.scalar(select(func.count(Outcome.id))))


@pytest.fixture
def owner(make_user, sign_in):
    user = make_user("o@example.com")
    sign_in("o@example.com")
    return user


def _import(client, content: bytes):
    token = csrf_token(client, "/outcomes/import")
    return client.post(
        "/outcomes/import",
        data={"csrf_token": token, "file": (io.BytesIO(content), "outcomes.csv")},
        content_type="multipart/form-data",
    )


# --------------------------------------------------------------------------------------------
# The partner's page
# --------------------------------------------------------------------------------------------


def test_record_an_outcome_then_the_same_period_updates_it(client, owner, make_partner):
    partner = make_partner(owner.workspace, "Aozora Design")
    page = f"/partners/{partner.id}"
    url = f"/outcomes/partners/{partner.id}/new"
    values = {
        "period": "2025",
        "observed_on": "2025-12-31",
        "contract_signed": "yes",
        "renewed": "",
        "satisfaction": "8",
        "revenue": "1200000",
        "note": "Good year",
    }
    response = _post(client, url, values, page)
    assert response.status_code == 302
    outcome = db.session.scalar(select(Outcome))
    assert outcome.contract_signed is True and outcome.renewed is None
    assert outcome.satisfaction == 8 and outcome.revenue == Decimal("1200000")
    assert outcome.recorded_by_id == owner.id
    shown = client.get(page).get_data(as_text=True)
    # In the workspace's currency (the yen by default), in the reader's way of writing it.
    assert "2025" in shown and "¥1,200,000<" in shown
    assert "demo data" not in shown
    outcome.is_demo = True  # as the demo workspace's generated outcomes are
    db.session.commit()
    assert "demo data" in client.get(page).get_data(as_text=True)
    outcome.is_demo = False
    db.session.commit()

    _post(client, url, {**values, "renewed": "no", "satisfaction": "6"}, page)
    assert _count() == 1
    db.session.refresh(outcome)
    assert outcome.renewed is False and outcome.satisfaction == 6


def test_edit_page_changes_an_outcome(client, owner, make_partner):
    partner = make_partner(owner.workspace)
    outcome, _ = service.record_outcome(
        partner, period="2024", observed_on=date(2024, 12, 31), renewed=True
    )
    url = f"/outcomes/{outcome.id}/edit"
    form = client.get(url).get_data(as_text=True)
    assert 'value="2024"' in form and '<option selected value="yes">' in form
    _post(client, url, {"period": "2024-H2", "observed_on": "2024-12-30", "renewed": "no"}, url)
    db.session.refresh(outcome)
    assert outcome.period == "2024-H2" and outcome.renewed is False


def test_a_validation_error_keeps_every_value_typed(client, owner, make_partner):
    partner = make_partner(owner.workspace)
    page = f"/partners/{partner.id}"
    response = _post(
        client,
        f"/outcomes/partners/{partner.id}/new",
        {
            "period": "2025-H1",
            "observed_on": "2025-06-30",
            "contract_signed": "no",
            "renewed": "yes",
            "satisfaction": "11",
            "revenue": "5000",
            "note": "Kept note",
        },
        page,
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert 'aria-invalid="true"' in html
    for kept in (
        'value="2025-H1"',
        'value="2025-06-30"',
        'value="11"',
        'value="5000"',
        "Kept note",
    ):
        assert kept in html
    assert '<option selected value="no">' in html and '<option selected value="yes">' in html
    assert _count() == 0


def test_a_period_with_a_slash_is_refused_with_values_kept(client, owner, make_partner):
    partner = make_partner(owner.workspace)
    response = _post(
        client,
        f"/outcomes/partners/{partner.id}/new",
        {"period": "2025/26", "observed_on": "2025-06-30"},
        f"/partners/{partner.id}",
    )
    html = response.get_data(as_text=True)
    assert "no slash" in html and 'value="2025/26"' in html
    assert _count() == 0


def test_delete_an_outcome(client, owner, make_partner):
    partner = make_partner(owner.workspace)
    outcome, _ = service.record_outcome(partner, period="2025", observed_on=date(2025, 1, 1))
    page = f"/partners/{partner.id}"
    assert client.post(f"/outcomes/{outcome.id}/delete").status_code == 400  # no CSRF token
    assert _count() == 1
    response = _post(client, f"/outcomes/{outcome.id}/delete", {}, page)
    assert response.status_code == 302
    assert _count() == 0


def test_the_partner_page_reads_outcomes_in_one_query(client, owner, make_partner):
    partner = make_partner(owner.workspace)
    for year in range(2020, 2025):
        service.record_outcome(partner, period=str(year), observed_on=date(year, 12, 31))
    client.get(f"/partners/{partner.id}")  # warm up the session's user loading
    with count_queries() as statements:
        html = client.get(f"/partners/{partner.id}").get_data(as_text=True)
    assert all(str(year) in html for year in range(2020, 2025))
    assert sum("FROM outcomes" in statement for statement in statements) == 1


# --------------------------------------------------------------------------------------------
# CSV import
# --------------------------------------------------------------------------------------------


def test_import_with_bom_and_japanese_names(client, owner, make_partner):
    aozora = make_partner(owner.workspace, "青空デザイン")
    make_partner(owner.workspace, "Kumo Labs")
    service.record_outcome(aozora, period="2024", observed_on=date(2024, 12, 31))
    content = (
        HEADER + "青空デザイン,2024,2024-12-31,はい,いいえ,7,,\n"
        '青空デザイン,2025,2025-12-31,yes,,9,"1,500,000",継続\n'
        "kumo labs,2025,2025-06-30,0,1,,0,\n"
    ).encode("utf-8-sig")
    response = _import(client, content)
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "2 outcomes recorded, 1 updated" in html
    assert _count() == 3
    updated = db.session.scalar(select(Outcome).where(Outcome.period == "2024"))
    assert updated.contract_signed is True and updated.renewed is False
    assert updated.satisfaction == 7 and updated.recorded_by_id == owner.id
    latest = db.session.scalar(
        select(Outcome).where(Outcome.partner_id == aozora.id, Outcome.period == "2025")
    )
    assert latest.revenue == Decimal("1500000.00") and latest.note == "継続"


def test_a_bad_file_is_rejected_whole_with_a_report_per_row(client, owner, make_partner):
    make_partner(owner.workspace, "青空デザイン")
    before = _count()
    content = (
        HEADER + "青空デザイン,2025,2025-12-31,yes,,8,,\n"  # fine, yet not written
        "Nobody Inc,2025,2025-12-31,,,,,\n"
        "青空デザイン,2026,2026-02-30,,,,,\n"
        "青空デザイン,2027,2027-01-01,maybe,,11,-5,\n"
        "青空デザイン,2025,2025-12-30,,,,,\n"
    ).encode()
    html = _import(client, content).get_data(as_text=True)
    assert _count() == before == 0
    assert "Nothing was imported" in html
    report = service.import_outcomes_csv(owner.workspace_id, content, recorded_by_id=None)
    problems = {(error.row, error.column) for error in report.errors}
    assert problems == {
        (3, "partner"),
        (4, "observed_on"),
        (5, "contract_signed"),
        (5, "satisfaction"),
        (5, "revenue"),
        (6, "period"),
    }
    assert report.created == report.updated == 0
    assert _count() == 0
    for row, column in problems:
        assert f"<tr><td>{row}</td><td><code>{column}</code></td>" in html


def test_duplicate_rows_in_the_file_are_an_error(app, owner, make_partner):
    make_partner(owner.workspace, "Aozora")
    content = (HEADER + "Aozora,2025,2025-12-31,,,,,\nAOZORA,2025,2025-12-30,,,,,\n").encode()
    report = service.import_outcomes_csv(owner.workspace_id, content, recorded_by_id=None)
    assert [(e.row, e.column) for e in report.errors] == [(3, "period")]
    assert "row 2" in report.errors[0].message
    assert _count() == 0


def test_a_partner_of_another_workspace_is_unknown_to_the_import(app, make_user, make_partner):
    mine, theirs = make_user(), make_user()
    make_partner(theirs.workspace, "Theirs")
    content = (HEADER + "Theirs,2025,2025-12-31,,,,,\n").encode()
    report = service.import_outcomes_csv(mine.workspace_id, content, recorded_by_id=None)
    assert [(e.row, e.column) for e in report.errors] == [(2, "partner")]
    assert _count() == 0


def test_a_file_without_the_columns_or_not_utf8_is_explained(client, owner):
    html = _import(client, b"name,when\nA,B\n").get_data(as_text=True)
    assert "The header row lacks these columns: partner, period, observed_on." in html
    html = _import(client, (HEADER + "青空,2025,2025-01-01,,,,,\n").encode("shift_jis"))
    assert "not UTF-8" in html.get_data(as_text=True)


def test_the_import_page_explains_the_columns_and_offers_a_template(client, owner):
    html = client.get("/outcomes/import").get_data(as_text=True)
    assert 'enctype="multipart/form-data"' in html and "/outcomes/import/template.csv" in html
    template = client.get("/outcomes/import/template.csv")
    assert template.mimetype == "text/csv"
    assert template.get_data().decode("utf-8-sig").startswith(HEADER.strip())


# --------------------------------------------------------------------------------------------
# API
# --------------------------------------------------------------------------------------------


@pytest.fixture
def api_user(make_user):
    return make_user()


@pytest.fixture
def bearer(api_user) -> dict[str, str]:
    return {"Authorization": f"Bearer {api_tokens.create_token(api_user, 'Tests')[1]}"}


def test_api_records_updates_and_lists_outcomes(client, api_user, bearer, make_partner):
    partner = make_partner(api_user.workspace)
    url = f"/api/v1/partners/{partner.id}/outcomes"
    body = {
        "observed_on": "2025-12-31",
        "contract_signed": True,
        "satisfaction": 9,
        "revenue": 12.5,
    }
    created = client.put(f"{url}/2025", json=body, headers=bearer)
    assert created.status_code == 201, created.get_json()
    assert created.get_json()["revenue"] == 12.5 and created.get_json()["renewed"] is None
    updated = client.put(f"{url}/2025", json={**body, "renewed": False}, headers=bearer)
    assert updated.status_code == 200
    assert updated.get_json()["id"] == created.get_json()["id"]
    listed = client.get(url, headers=bearer)
    assert listed.status_code == 200
    assert [row["period"] for row in listed.get_json()] == ["2025"]
    assert listed.get_json()[0]["renewed"] is False
    assert listed.get_json()[0]["is_demo"] is False
    assert _count() == 1


@pytest.mark.parametrize(
    ("period", "body", "field"),
    [
        ("2025", {"observed_on": "2025-13-01"}, "observed_on"),
        ("2025", {}, "observed_on"),
        ("2025", {"observed_on": "2025-01-01", "satisfaction": 11}, "satisfaction"),
        ("2025", {"observed_on": "2025-01-01", "satisfaction": True}, "satisfaction"),
        ("2025", {"observed_on": "2025-01-01", "revenue": -1}, "revenue"),
        ("2025", {"observed_on": "2025-01-01", "revenue": "12"}, "revenue"),
        ("2025", {"observed_on": "2025-01-01", "renewed": "yes"}, "renewed"),
        ("2025 ", {"observed_on": "2025-01-01"}, "period"),
        ("x" * 41, {"observed_on": "2025-01-01"}, "period"),
    ],
)
def test_api_refuses_bad_input_with_fields(
    client, api_user, bearer, make_partner, period, body, field
):
    partner = make_partner(api_user.workspace)
    response = client.put(
        f"/api/v1/partners/{partner.id}/outcomes/{period}", json=body, headers=bearer
    )
    assert response.status_code == 422, response.get_json()
    assert field in response.get_json()["error"]["fields"]
    assert _count() == 0


def test_api_answers_404_for_another_workspace(client, bearer, make_user, make_partner):
    other = make_partner(make_user().workspace)
    service.record_outcome(other, period="2025", observed_on=date(2025, 1, 1))
    url = f"/api/v1/partners/{other.id}/outcomes"
    assert client.get(url, headers=bearer).status_code == 404
    response = client.put(f"{url}/2025", json={"observed_on": "2025-02-02"}, headers=bearer)
    assert response.status_code == 404
    assert db.session.scalar(select(Outcome.observed_on)) == date(2025, 1, 1)


def test_api_operations_are_in_the_openapi_document(client):
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]
    assert "get" in paths["/api/v1/partners/{partner_id}/outcomes"]
    assert "put" in paths["/api/v1/partners/{partner_id}/outcomes/{period}"]


# --------------------------------------------------------------------------------------------
# Another workspace
# --------------------------------------------------------------------------------------------


def test_every_outcome_url_is_404_for_another_workspace(client, owner, make_user, make_partner):
    other = make_partner(make_user().workspace)
    outcome, _ = service.record_outcome(other, period="2025", observed_on=date(2025, 1, 1))
    token = csrf_token(client, "/outcomes/import")
    assert client.get(f"/outcomes/partners/{other.id}/new").status_code == 404
    new = client.post(
        f"/outcomes/partners/{other.id}/new",
        data={"csrf_token": token, "period": "2026", "observed_on": "2026-01-01"},
    )
    assert new.status_code == 404
    assert client.get(f"/outcomes/{outcome.id}/edit").status_code == 404
    edit = client.post(
        f"/outcomes/{outcome.id}/edit",
        data={"csrf_token": token, "period": "X", "observed_on": "2026-01-01"},
    )
    assert edit.status_code == 404
    assert (
        client.post(f"/outcomes/{outcome.id}/delete", data={"csrf_token": token}).status_code == 404
    )
    assert _count() == 1
    db.session.refresh(outcome)
    assert outcome.period == "2025"


def test_outcome_pages_need_a_signed_in_user(client, make_user, make_partner):
    partner = make_partner(make_user().workspace)
    for url in ("/outcomes/import", f"/outcomes/partners/{partner.id}/new"):
        assert client.get(url).status_code == 302
