"""Partners with contacts: list (searchable, paginated), create, edit, archive."""

from __future__ import annotations

from sqlalchemy import func, select

from fitcheck.extensions import db
from fitcheck.models import Contact, Partner

from .support import csrf_token


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
