"""Moments as people read them: to the minute, never with seconds, the time zone named in
words ("2026/12/18 18:00 (日本時間)", "Dec 18, 2026, 18:00 (Japan Time)") and never by an
IANA id such as Asia/Tokyo, on pages and in mails; and a new assessment's deadline that
starts two weeks ahead at 18:00 instead of empty."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from flask import Flask
from flask_babel import force_locale
from sqlalchemy import select

from fitcheck.extensions import db
from fitcheck.models import Assessment, OutboxMessage, utcnow
from fitcheck.services import dates, invitations, outbox

from .support import csrf_token

TOKYO = ZoneInfo("Asia/Tokyo")
SECONDS = re.compile(r"\d:\d\d:\d\d")
# An IANA id: Area/Location, as in Asia/Tokyo or America/Argentina/Buenos_Aires.
IANA_ID = re.compile(
    r"\b(?:Africa|America|Antarctica|Asia|Atlantic|Australia|Europe|Etc|Indian|Pacific)/[A-Z]"
)
ZONE_IN_WORDS = {"en": "Japan Time", "ja": "日本時間"}


def _shown_right(text: str) -> None:
    assert not SECONDS.search(text), SECONDS.search(text)
    assert not IANA_ID.search(text), IANA_ID.search(text)


# --------------------------------------------------------------------------------------------
# The rule, as functions
# --------------------------------------------------------------------------------------------


def test_the_suggested_deadline_is_fourteen_days_ahead_at_six_in_the_evening_there():
    # 22:30 UTC on 4 December is already 5 December in Tokyo, still the 4th in Berlin.
    now = datetime(2026, 12, 4, 22, 30, tzinfo=UTC)
    assert dates.suggested_deadline(now, TOKYO) == datetime(2026, 12, 19, 18, 0, tzinfo=TOKYO)
    berlin = ZoneInfo("Europe/Berlin")
    assert dates.suggested_deadline(now, berlin) == datetime(2026, 12, 18, 18, 0, tzinfo=berlin)


@pytest.mark.parametrize(
    ("locale", "style", "expected"),
    [
        ("ja", "medium", "2026/12/18 18:00 (日本時間)"),
        ("ja", "full", "2026年12月18日金曜日 18:00 (日本時間)"),
        ("en", "medium", "Dec 18, 2026, 18:00 (Japan Time)"),
        ("en", "full", "Friday, December 18, 2026, 18:00 (Japan Time)"),
    ],
)
def test_a_moment_shows_minutes_and_its_zone_in_words(app, locale, style, expected):
    moment = datetime(2026, 12, 18, 9, 0, 59, tzinfo=UTC)  # 18:00:59 in Tokyo
    with app.test_request_context(), force_locale(locale):
        assert dates.format_datetime(moment, style, zone=True) == expected
        assert dates.format_datetime(moment, style) == expected.rsplit(" (", 1)[0]


@pytest.mark.parametrize("locale", ["ja", "en"])
@pytest.mark.parametrize("style", [None, "short", "medium", "long", "full"])
def test_no_style_shows_seconds_or_an_iana_id(app, locale, style):
    moment = datetime(2026, 7, 1, 3, 4, 5, tzinfo=UTC)
    with app.test_request_context(), force_locale(locale):
        shown = dates.format_datetime(moment, style, zone=True)
    _shown_right(shown)
    assert ZONE_IN_WORDS[locale] in shown
    assert "12:04" in shown


@pytest.mark.parametrize("app_config", ["Europe/Berlin"], indirect=True)
@pytest.mark.parametrize(
    ("locale", "name", "time"),
    [("ja", "中央ヨーロッパ時間", "10:00"), ("en", "Central European Time", "10:00")],
)
def test_another_zone_is_named_in_words_too(app, locale, name, time):
    moment = datetime(2026, 12, 18, 9, 0, tzinfo=UTC)
    with app.test_request_context(), force_locale(locale):
        assert dates.zone_name() == name
        shown = dates.format_datetime(moment, "medium", zone=True)
    assert shown.endswith(f"{time} ({name})")
    _shown_right(shown)


@pytest.fixture
def app_config(request: pytest.FixtureRequest, database_url: str) -> dict[str, Any]:
    """The default test app; a test may name another time zone (`indirect`)."""
    from .conftest import _config

    zone = getattr(request, "param", None)
    return _config(database_url, **({"BABEL_DEFAULT_TIMEZONE": zone} if zone else {}))


@pytest.mark.parametrize("app_config", ["UTC"], indirect=True)
def test_a_zone_with_no_generic_name_is_named_not_an_unknown_region(app):
    with app.test_request_context(), force_locale("en"):
        shown = dates.format_datetime(datetime(2026, 12, 18, 9, 0, tzinfo=UTC), zone=True)
    assert shown == "Dec 18, 2026, 09:00 (Coordinated Universal Time)"


def test_a_far_moment_the_zone_cannot_hold_is_shown_in_utc_and_named_so(app):
    with app.test_request_context(), force_locale("ja"):
        far = dates.format_datetime(datetime(9999, 12, 31, 23, 59, tzinfo=UTC), "full", zone=True)
    assert far == "9999年12月31日金曜日 23:59 (協定世界時)"


# --------------------------------------------------------------------------------------------
# Pages and mails that show a deadline
# --------------------------------------------------------------------------------------------


@pytest.fixture
def round_with_deadline(make_user: Callable[..., Any], make_assessment: Callable[..., Any]) -> Any:
    owner = make_user("o@example.com")
    deadline = datetime.combine(
        (utcnow() + timedelta(days=10)).astimezone(TOKYO).date(),
        datetime.min.time().replace(hour=18),
        tzinfo=TOKYO,
    ).astimezone(UTC)
    assessment, tokens = make_assessment(owner, deadline=deadline)
    return owner, assessment, tokens


def _local_day(assessment: Assessment, pattern: str) -> str:
    return assessment.deadline.astimezone(TOKYO).strftime(pattern)


@pytest.mark.parametrize("locale", ["en", "ja"])
def test_the_progress_page_shows_the_deadline_to_the_minute_with_its_zone(
    client, sign_in, round_with_deadline, locale
):
    owner, assessment, _ = round_with_deadline
    owner.locale = locale
    db.session.commit()
    sign_in("o@example.com")
    page = client.get(f"/assessments/{assessment.id}").get_data(as_text=True)
    assert f"18:00 ({ZONE_IN_WORDS[locale]})" in page
    if locale == "ja":
        assert _local_day(assessment, "%Y/%m/%d 18:00") in page
    _shown_right(page)


@pytest.mark.parametrize("locale", ["en", "ja"])
def test_the_respondents_start_page_names_the_zone_of_the_deadline(
    client, round_with_deadline, locale
):
    _, _, tokens = round_with_deadline
    respondent, token = next(iter(tokens.items()))
    respondent.locale = locale
    db.session.commit()
    page = client.get(f"/r/{token}").get_data(as_text=True)
    assert f"18:00 ({ZONE_IN_WORDS[locale]})" in page
    _shown_right(page)
    answers = client.get(f"/r/{token}/answers").get_data(as_text=True)
    assert f"18:00 ({ZONE_IN_WORDS[locale]})" in answers
    _shown_right(answers)


@pytest.mark.parametrize("locale", ["en", "ja"])
def test_a_reminder_mail_names_the_zone_of_the_deadline(app: Flask, round_with_deadline, locale):
    _, assessment, tokens = round_with_deadline
    for respondent in tokens:
        respondent.locale = locale
    db.session.commit()
    assert invitations.send_reminders(assessment) == len(tokens)
    message = db.session.scalars(
        select(OutboxMessage).where(OutboxMessage.kind == "reminder").order_by(OutboxMessage.id)
    ).first()
    assert message is not None and message.locale == locale
    rendered = outbox.render(message)
    assert rendered is not None
    for part in (rendered.text, rendered.html):
        assert f"18:00 ({ZONE_IN_WORDS[locale]})" in part
        _shown_right(part)


# --------------------------------------------------------------------------------------------
# The new-assessment form
# --------------------------------------------------------------------------------------------


def _deadline_value(page: str) -> str:
    match = re.search(r'<input[^>]*id="deadline"[^>]*>', page)
    assert match, "no deadline field"
    value = re.search(r'value="([^"]*)"', match.group(0))
    return value.group(1) if value else ""


@pytest.mark.parametrize("locale", ["en", "ja"])
def test_the_new_assessment_form_starts_fourteen_days_ahead_at_18_00(
    client, make_user, make_partner, sign_in, locale
):
    owner = make_user("o@example.com")
    owner.locale = locale
    db.session.commit()
    partner = make_partner(owner.workspace)
    sign_in("o@example.com")
    before = utcnow()
    page = client.get(f"/partners/{partner.id}/assessments/new").get_data(as_text=True)
    after = utcnow()
    expected = {
        dates.suggested_deadline(moment, TOKYO).strftime("%Y-%m-%dT18:00")
        for moment in (before, after)
    }
    assert _deadline_value(page) in expected
    assert ZONE_IN_WORDS[locale] in page  # the field says in which zone it is typed
    _shown_right(page)


def test_the_deadline_typed_stays_when_the_form_has_an_error(
    client, make_user, make_partner, sign_in
):
    owner = make_user("o@example.com")
    partner = make_partner(owner.workspace)
    sign_in("o@example.com")
    url = f"/partners/{partner.id}/assessments/new"
    typed = (utcnow() + timedelta(days=30)).astimezone(TOKYO).strftime("%Y-%m-%dT09:30")
    response = client.post(
        url,
        data={
            "kind": "annual_review",
            "deadline": typed,
            "min_responses_per_side": 0,  # refused
            "csrf_token": csrf_token(client, url),
        },
    )
    assert response.status_code == 200
    assert _deadline_value(response.get_data(as_text=True)) == typed
    assert db.session.scalar(select(Assessment.id)) is None


def test_the_suggested_deadline_is_saved_as_given(client, make_user, make_partner, sign_in):
    owner = make_user("o@example.com")
    partner = make_partner(owner.workspace)
    sign_in("o@example.com")
    url = f"/partners/{partner.id}/assessments/new"
    page = client.get(url).get_data(as_text=True)
    suggested = _deadline_value(page)
    trait_set = re.search(r'<select[^>]*id="trait_set_id".*?<option[^>]*value="(\d+)"', page, re.S)
    assert trait_set
    response = client.post(
        url,
        data={
            "kind": "pre_contract",
            "trait_set_id": trait_set.group(1),
            "deadline": suggested,
            "reveal_policy": "manual",
            "reminder_days": "3, 1",
            "min_responses_per_side": 1,
            "csrf_token": csrf_token(client, url),
        },
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    stored = db.session.scalar(select(Assessment.deadline))
    assert stored is not None
    assert stored.astimezone(TOKYO).strftime("%Y-%m-%dT%H:%M") == suggested
