"""Partners with contacts: list (searchable, paginated), create, edit, archive."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from sqlalchemy import delete, func, select

from fitcheck.extensions import db
from fitcheck.labels import VERDICT_NAMES
from fitcheck.models import Contact, Partner, RoundSummary
from fitcheck.services import summaries
from fitcheck.services.results import load_results

from .support import count_queries, csrf_token
from .worked_example import WORKED_MIRROR_SCORE


def _post(client, url, data, form_url=None):
    return client.post(url, data={**data, "csrf_token": csrf_token(client, form_url or url)})


def test_create_partner_and_see_its_page(client, make_user, sign_in):
    make_user("o@example.com")
    sign_in("o@example.com")
    response = _post(
        client, "/partners/new", {"name": "Aozora Design", "website": "https://aozora.example"}
    )
    assert response.status_code == 302
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Aozora Design" in page and "No assessments yet" in page


def test_duplicate_partner_name_keeps_every_value(client, make_user, make_partner, sign_in):
    user = make_user("o@example.com")
    make_partner(user.workspace, "Aozora Design")
    sign_in("o@example.com")
    page = _post(
        client, "/partners/new", {"name": "Aozora Design", "notes": "Met at the expo"}
    ).get_data(as_text=True)
    assert "A partner with this name already exists." in page
    assert "Met at the expo" in page
    assert db.session.scalar(select(func.count(Partner.id))) == 1


def test_invalid_website_is_refused(client, make_user, sign_in):
    make_user("o@example.com")
    sign_in("o@example.com")
    page = _post(client, "/partners/new", {"name": "X", "website": "javascript:alert(1)"})
    assert page.status_code == 200
    assert db.session.scalar(select(func.count(Partner.id))) == 0


def test_edit_archive_and_restore(client, make_user, make_partner, sign_in):
    user = make_user("o@example.com")
    partner = make_partner(user.workspace, "Old Name")
    sign_in("o@example.com")
    _post(client, f"/partners/{partner.id}/edit", {"name": "New Name"})
    db.session.refresh(partner)
    assert partner.name == "New Name"
    _post(client, f"/partners/{partner.id}/archive", {}, f"/partners/{partner.id}")
    assert "New Name" not in client.get("/partners/").get_data(as_text=True)
    assert "New Name" in client.get("/partners/?archived=1").get_data(as_text=True)
    _post(client, f"/partners/{partner.id}/restore", {}, f"/partners/{partner.id}")
    assert "New Name" in client.get("/partners/").get_data(as_text=True)


def test_contacts_are_added_and_removed(client, make_user, make_partner, sign_in):
    user = make_user("o@example.com")
    partner = make_partner(user.workspace)
    sign_in("o@example.com")
    url = f"/partners/{partner.id}/contacts"
    _post(
        client,
        url,
        {"name": "Aoki Mei", "email": "MEI@aozora.example", "title": "Brand"},
        f"/partners/{partner.id}",
    )
    contact = db.session.scalar(select(Contact))
    assert contact.email == "mei@aozora.example"
    duplicate = _post(
        client, url, {"name": "Mei again", "email": "mei@aozora.example"}, f"/partners/{partner.id}"
    )
    assert "This contact is already listed." in duplicate.get_data(as_text=True)
    assert 'value="Mei again"' in duplicate.get_data(as_text=True)
    _post(client, f"/partners/contacts/{contact.id}/remove", {}, f"/partners/{partner.id}")
    assert db.session.scalar(select(func.count(Contact.id))) == 0


def test_list_is_paginated_and_searchable(client, make_user, make_partner, sign_in):
    user = make_user("o@example.com")
    for number in range(25):
        make_partner(user.workspace, f"Partner {number:02d}")
    sign_in("o@example.com")
    first = client.get("/partners/").get_data(as_text=True)
    second = client.get("/partners/?page=2").get_data(as_text=True)
    assert "Partner 00" in first and "Partner 24" not in first
    assert "Partner 24" in second and "Partner 00" not in second
    found = client.get("/partners/?q=partner 1").get_data(as_text=True)
    assert "Partner 13" in found and "Partner 21" not in found


def test_partner_page_lists_its_assessments(client, make_user, sign_in, make_assessment):
    user = make_user("o@example.com")
    assessment, _ = make_assessment(user)
    sign_in("o@example.com")
    page = client.get(f"/partners/{assessment.partner_id}").get_data(as_text=True)
    assert f"/assessments/{assessment.id}" in page
    assert "Collecting answers" in page
    assert "next-round" not in page  # nothing revealed yet
    from fitcheck.services import assessments

    assessments.reveal(assessment)
    page = client.get(f"/partners/{assessment.partner_id}").get_data(as_text=True)
    assert f"/assessments/{assessment.id}/next-round" in page


def _partner_row(page: str, name: str) -> str:
    """The text of the partner list's row of `name`, tags stripped."""
    row = next(row for row in page.split("<tr>") if f">{name}</a>" in row)
    return " ".join(re.sub(r"<[^>]+>", " ", row).split())


def test_the_partner_list_shows_each_partners_verdict_score_and_next_review(
    client, worked_example, make_assessment, make_partner, sign_in
):
    assessment, user = worked_example(partner_name="Mirror Works")
    revealed = assessment.revealed_at
    collecting, _ = make_assessment(user, deadline=datetime(2031, 5, 20, 9, 0, tzinfo=UTC))
    make_partner(user.workspace, name="Quiet Partner")
    sign_in(user.email)
    page = client.get("/partners/").get_data(as_text=True)

    mirror = _partner_row(page, "Mirror Works")
    summary = load_results(assessment).fit
    assert str(VERDICT_NAMES[summary.verdict]) in mirror
    assert f"{WORKED_MIRROR_SCORE:.1f}" in mirror
    due = revealed + timedelta(days=365)
    assert f"{due:%Y}" in mirror  # a year after the reveal, the annual rhythm
    under_way = _partner_row(page, collecting.partner.name)
    assert "under way" in under_way and "2031" in under_way
    quiet = _partner_row(page, "Quiet Partner")
    assert quiet.count("—") == 3  # no verdict, no score, no review yet


def test_the_partner_list_says_when_a_round_waits_for_its_summary(client, worked_example, sign_in):
    assessment, user = worked_example(partner_name="Mirror Works")
    db.session.execute(delete(RoundSummary).where(RoundSummary.assessment_id == assessment.id))
    db.session.commit()
    sign_in(user.email)
    page = client.get("/partners/").get_data(as_text=True)
    assert 'id="summaries-pending"' in page
    assert "1 revealed round is not summarised yet" in page
    assert _partner_row(page, "Mirror Works").count("—") >= 2  # no verdict, no score yet

    assert summaries.fill_lacking() == 1  # the worker's step
    page = client.get("/partners/").get_data(as_text=True)
    assert 'id="summaries-pending"' not in page
    assert f"{WORKED_MIRROR_SCORE:.1f}" in _partner_row(page, "Mirror Works")


def test_the_partner_list_costs_the_same_queries_for_one_partner_as_for_five(
    client, worked_example, make_assessment, sign_in
):
    _, user = worked_example()
    sign_in(user.email)
    counts = []
    for _ in range(2):
        with count_queries() as statements:
            assert client.get("/partners/").status_code == 200
        counts.append(len(statements))
        for _ in range(4):
            make_assessment(user, deadline=datetime(2031, 5, 20, 9, 0, tzinfo=UTC))
    assert counts[0] == counts[1]


def test_a_partners_contacts_come_before_its_outcomes(client, make_partner, make_user, sign_in):
    user = make_user()
    partner = make_partner(user.workspace)
    sign_in(user.email)
    page = client.get(f"/partners/{partner.id}").get_data(as_text=True)
    assert page.index('id="contacts"') < page.index('id="outcomes"')
