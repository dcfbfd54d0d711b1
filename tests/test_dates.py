"""Dates people type have a sane range, whatever the door: a deadline later than now and at
most five years ahead, outcome and due dates from 2000-01-01 to five years ahead. A date
outside it, or one that is no moment at all in UTC or in the app's zone (year 1 at +14:00,
year 9999 at -14:00), is a 422 or a field error with nothing stored and nothing typed lost;
a row stored out of range before the rule existed still shows on every page."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import func, select

from fitcheck.extensions import db
from fitcheck.models import Assessment, Commitment, Outcome, State, TraitSet, utcnow
from fitcheck.services import ServiceError, api_tokens, assessments, commitments, dates, outcomes
from fitcheck.services.answers import AnswerInput, save_answers

from .support import csrf_token

FAR_FUTURE = datetime(9999, 12, 31, 23, 59, 59, tzinfo=UTC)
FAR_PAST = datetime(1, 1, 1, 0, 0, tzinfo=UTC)


def _in_years(years: int, **delta: float) -> datetime:
    now = utcnow()
    return now.replace(year=now.year + years) + timedelta(**delta)


def _trait_set(user: Any) -> TraitSet:
    return db.session.scalars(
        select(TraitSet).where(TraitSet.workspace_id == user.workspace_id)
    ).one()


def _count(model: Any) -> int:
    return int(db.session.scalar(select(func.count()).select_from(model)) or 0)


@pytest.fixture
def owner(make_user: Callable[..., Any]) -> Any:
    return make_user("o@example.com")


@pytest.fixture
def api(client: Any, owner: Any) -> Callable[..., Any]:
    token = api_tokens.create_token(owner, "Tests")[1]

    def call(method: str, path: str, **kwargs: Any) -> Any:
        return getattr(client, method)(path, headers={"Authorization": f"Bearer {token}"}, **kwargs)

    return call


def _post(client: Any, url: str, data: dict[str, Any], form_url: str | None = None) -> Any:
    return client.post(url, data={**data, "csrf_token": csrf_token(client, form_url or url)})


# --------------------------------------------------------------------------------------------
# The rule, as pure functions
# --------------------------------------------------------------------------------------------


def test_five_years_ahead_is_the_same_day_and_feb_29_falls_back_to_feb_28():
    assert dates.years_later(date(2026, 12, 4), 5) == date(2031, 12, 4)
    assert dates.years_later(date(2028, 2, 29), 5) == date(2033, 2, 28)
    moment = datetime(2028, 2, 29, 12, 30, tzinfo=UTC)
    assert dates.years_later(moment, 5) == datetime(2033, 2, 28, 12, 30, tzinfo=UTC)


def test_a_deadline_must_be_after_now_and_at_most_five_years_ahead(app):
    now = datetime(2026, 12, 4, 9, 0, tzinfo=UTC)
    for fine in (now + timedelta(minutes=1), datetime(2031, 12, 4, 9, 0, tzinfo=UTC)):
        assert dates.check_deadline(fine, now=now) == fine
    for wrong in (now, now - timedelta(days=1), datetime(2031, 12, 4, 9, 1, tzinfo=UTC)):
        with pytest.raises(ServiceError) as raised:
            dates.check_deadline(wrong, now=now)
        assert raised.value.field == "deadline"


def test_a_moment_that_is_none_in_utc_is_refused_not_an_overflow(app):
    from datetime import timezone

    for extreme in (
        datetime(1, 1, 1, tzinfo=timezone(timedelta(hours=14))),
        datetime(9999, 12, 31, 23, 59, 59, tzinfo=timezone(timedelta(hours=-14))),
    ):
        with pytest.raises(ServiceError) as raised:
            dates.check_deadline(extreme)
        assert raised.value.field == "deadline"


def test_outcome_and_due_dates_run_from_2000_to_five_years_ahead(app):
    today = date(2026, 12, 4)
    for fine in (date(2000, 1, 1), today, date(2031, 12, 4)):
        assert dates.check_day(fine, "due_on", today=today) == fine
    for wrong in (date(1, 1, 1), date(1999, 12, 31), date(2031, 12, 5), date(9999, 12, 31)):
        with pytest.raises(ServiceError) as raised:
            dates.check_day(wrong, "due_on", today=today)
        assert raised.value.field == "due_on"


# --------------------------------------------------------------------------------------------
# The API: 422 naming the field, nothing stored
# --------------------------------------------------------------------------------------------

EDGE_DEADLINES = [
    "9999-12-31T23:59:59+00:00",
    "0001-01-01T00:00:00+14:00",
    "9999-12-31T23:59:59-14:00",
    "0001-01-01T00:00:00+00:00",
    "2001-01-01T00:00:00+09:00",  # past
]


@pytest.mark.parametrize("deadline", EDGE_DEADLINES)
def test_an_api_deadline_out_of_range_is_a_422_and_nothing_is_stored(
    api, owner, make_partner, deadline
):
    body = {
        "partner_id": make_partner(owner.workspace).id,
        "trait_set_id": _trait_set(owner).id,
        "kind": "pre_contract",
        "deadline": deadline,
    }
    response = api("post", "/api/v1/assessments", json=body)
    assert response.status_code == 422, response.get_data(as_text=True)
    assert set(response.get_json()["error"]["fields"]) == {"deadline"}
    assert _count(Assessment) == 0


def test_an_api_deadline_six_years_ahead_is_refused_and_four_is_fine(api, owner, make_partner):
    body = {
        "partner_id": make_partner(owner.workspace).id,
        "trait_set_id": _trait_set(owner).id,
        "kind": "pre_contract",
    }
    late = _in_years(5, days=1).isoformat()
    assert api("post", "/api/v1/assessments", json={**body, "deadline": late}).status_code == 422
    fine = _in_years(4).isoformat()
    assert api("post", "/api/v1/assessments", json={**body, "deadline": fine}).status_code == 201
    soon = (utcnow() + timedelta(minutes=2)).isoformat()
    assert api("post", "/api/v1/assessments", json={**body, "deadline": soon}).status_code == 201


@pytest.mark.parametrize("observed_on", ["0001-01-01", "1999-12-31", "9999-12-31"])
def test_an_api_outcome_date_out_of_range_is_a_422_and_nothing_is_stored(
    api, owner, make_partner, observed_on
):
    partner = make_partner(owner.workspace)
    response = api(
        "put", f"/api/v1/partners/{partner.id}/outcomes/2025", json={"observed_on": observed_on}
    )
    assert response.status_code == 422, response.get_data(as_text=True)
    assert set(response.get_json()["error"]["fields"]) == {"observed_on"}
    assert _count(Outcome) == 0


# --------------------------------------------------------------------------------------------
# The web forms: a field error, every typed value kept
# --------------------------------------------------------------------------------------------

WEB_DEADLINES = ["0001-01-01T00:00", "9999-12-31T23:59", "2001-01-01T00:00"]


@pytest.mark.parametrize("deadline", WEB_DEADLINES)
def test_a_web_deadline_out_of_range_is_a_field_error_keeping_what_was_typed(
    client, sign_in, owner, make_partner, deadline
):
    partner = make_partner(owner.workspace)
    sign_in("o@example.com")
    url = f"/partners/{partner.id}/assessments/new"
    response = _post(
        client,
        url,
        {
            "title": "Kept title",
            "kind": "pre_contract",
            "trait_set_id": _trait_set(owner).id,
            "deadline": deadline,
            "reveal_policy": "manual",
            "reminder_days": "5, 2",
            "min_responses_per_side": 2,
        },
    )
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "is-invalid" in page and 'value="Kept title"' in page and 'value="5, 2"' in page
    assert f'value="{deadline}"' in page
    assert _count(Assessment) == 0


@pytest.mark.parametrize("deadline", WEB_DEADLINES)
def test_editing_a_draft_with_a_deadline_out_of_range_keeps_it_and_what_was_typed(
    client, sign_in, owner, make_assessment, deadline
):
    before = utcnow() + timedelta(days=7)
    assessment, _ = make_assessment(owner, launch=False, deadline=before)
    sign_in("o@example.com")
    url = f"/assessments/{assessment.id}/edit"
    response = _post(
        client,
        url,
        {
            "title": "Kept title",
            "kind": "pre_contract",
            "trait_set_id": _trait_set(owner).id,
            "deadline": deadline,
            "reveal_policy": "manual",
            "reminder_days": "3, 1",
            "min_responses_per_side": 1,
        },
    )
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "is-invalid" in page and 'value="Kept title"' in page
    db.session.refresh(assessment)
    assert assessment.deadline == before and assessment.title == ""


@pytest.mark.parametrize("deadline", WEB_DEADLINES)
def test_extending_to_a_deadline_out_of_range_is_a_field_error(
    client, sign_in, owner, make_assessment, deadline
):
    before = utcnow() + timedelta(days=7)
    assessment, _ = make_assessment(owner, deadline=before)
    sign_in("o@example.com")
    url = f"/assessments/{assessment.id}"
    response = _post(client, f"{url}/deadline", {"deadline": deadline}, url)
    assert response.status_code == 200
    assert "is-invalid" in response.get_data(as_text=True)
    db.session.refresh(assessment)
    assert assessment.deadline == before


@pytest.mark.parametrize("observed_on", ["0001-01-01", "1999-12-31", "9999-12-31"])
def test_a_web_outcome_date_out_of_range_is_a_field_error(
    client, sign_in, owner, make_partner, observed_on
):
    partner = make_partner(owner.workspace)
    sign_in("o@example.com")
    url = f"/outcomes/partners/{partner.id}/new"
    response = _post(
        client, url, {"period": "2025", "observed_on": observed_on, "note": "Kept note"}
    )
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "is-invalid" in page and "Kept note" in page
    assert _count(Outcome) == 0

    outcome, _ = outcomes.record_outcome(partner, period="2024", observed_on=date(2024, 12, 31))
    edit = f"/outcomes/{outcome.id}/edit"
    response = _post(client, edit, {"period": "2024", "observed_on": observed_on})
    assert response.status_code == 200 and "is-invalid" in response.get_data(as_text=True)
    db.session.refresh(outcome)
    assert outcome.observed_on == date(2024, 12, 31)


def test_a_csv_row_with_a_date_out_of_range_is_a_row_error(owner, make_partner):
    make_partner(owner.workspace, "Aozora")
    data = (
        b"partner,period,observed_on\n"
        b"Aozora,2024,2024-12-31\n"
        b"Aozora,1999,1999-12-31\n"
        b"Aozora,9999,9999-12-31\n"
    )
    report = outcomes.import_outcomes_csv(owner.workspace_id, data, recorded_by_id=owner.id)
    assert [(error.row, error.column) for error in report.errors] == [
        (3, "observed_on"),
        (4, "observed_on"),
    ]
    assert _count(Outcome) == 0


@pytest.fixture
def revealed(owner: Any, make_assessment: Callable[..., Any]) -> Assessment:
    assessment, tokens = make_assessment(owner)
    for respondent in tokens:
        answers = [
            AnswerInput(trait_key=trait.key, other=3, self_=3, importance=3)
            for trait in assessment.traits
        ]
        save_answers(respondent, answers, submit=True)
    assessments.reveal(assessment)
    return assessment


@pytest.mark.parametrize("due_on", ["0001-01-01", "1999-12-31", "9999-12-31"])
def test_a_due_date_out_of_range_is_a_field_error(client, sign_in, revealed, due_on):
    sign_in("o@example.com")
    url = f"/assessments/{revealed.id}/results"
    response = _post(
        client,
        f"/assessments/{revealed.id}/commitments",
        {
            "trait_id": revealed.traits[0].id,
            "side": "company",
            "action": "Kept action",
            "owner": "Sato",
            "due_on": due_on,
        },
        url,
    )
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "is-invalid" in page and "Kept action" in page
    assert _count(Commitment) == 0
    with pytest.raises(ServiceError):
        commitments.add_commitment(
            revealed,
            trait_id=revealed.traits[0].id,
            side=revealed.respondents[0].side,
            action="Direct",
            due_on=date.fromisoformat(due_on),
        )


def test_a_draft_whose_deadline_passed_must_get_a_new_one_to_be_saved(owner, make_assessment):
    assessment, _ = make_assessment(owner, launch=False, deadline=utcnow() + timedelta(days=1))
    with pytest.raises(ServiceError) as raised:
        assessments.update_draft(
            assessment,
            _trait_set(owner),
            kind=assessment.kind,
            deadline=assessment.deadline,
            reveal_policy=assessment.reveal_policy,
            min_responses_per_side=1,
            share_with_client=True,
            now=utcnow() + timedelta(days=2),
        )
    assert raised.value.field == "deadline"


# --------------------------------------------------------------------------------------------
# Rows stored out of range before the rule: every page still shows
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("stored", [FAR_FUTURE, FAR_PAST])
@pytest.mark.parametrize("state", [State.DRAFT, State.COLLECTING])
def test_pages_show_an_extreme_stored_deadline(
    client, sign_in, owner, make_assessment, stored, state
):
    assessment, tokens = make_assessment(owner, launch=state is not State.DRAFT)
    assessment.deadline = stored  # as the API stored it before the rule
    db.session.add(
        Outcome(
            workspace_id=assessment.workspace_id,
            partner_id=assessment.partner_id,
            period="far",
            observed_on=stored.date(),
        )
    )
    db.session.commit()
    sign_in("o@example.com")
    for url in (
        f"/partners/{assessment.partner_id}",
        f"/assessments/{assessment.id}",
        f"/assessments/{assessment.id}/edit",
        "/partners/",
    ):
        assert client.get(url).status_code == 200, url
    if state is State.COLLECTING:
        visitor = client.application.test_client()
        for token in tokens.values():
            assert visitor.get(f"/r/{token}").status_code in (200, 410)


def test_the_display_helpers_show_a_moment_the_zone_cannot_hold_in_utc(app):
    with app.test_request_context():
        assert "9999" in dates.format_datetime(FAR_FUTURE, "full")  # as mail shows a deadline
        assert "9999" in dates.format_date(FAR_FUTURE)
        assert "2026" in dates.format_datetime(datetime(2026, 12, 4, 9, tzinfo=UTC), "full")
