"""Respondents picked from what the workspace already knows: the partner's contacts for the
client's side, the workspace's members for ours, several at once, nobody typed twice and
nobody added twice; and a partner's website typed as a bare domain."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import func, select

from fitcheck import limits
from fitcheck.extensions import db
from fitcheck.models import Partner, Respondent, Side
from fitcheck.services import ServiceError, partners, respondents

from .support import count_queries, csrf_token


@pytest.fixture
def owner(make_user: Callable[..., Any]) -> Any:
    return make_user("o@example.com")


@pytest.fixture
def draft(owner: Any, make_assessment: Callable[..., Any]) -> Any:
    """A draft round with no respondents yet, and three contacts of its partner."""
    assessment, _ = make_assessment(owner, company=0, client=0, launch=False)
    for name, email, title in (
        ("Aoki Haruka", "aoki@minato.example", "Purchasing"),
        ("Ito Ren", "ito@minato.example", ""),
        ("Ueda Mio", "", "Plant manager"),
    ):
        partners.add_contact(assessment.partner, name=name, email=email, title=title)
    return assessment


def _contact_ids(partner: Partner) -> list[int]:
    return [contact.id for contact in partner.contacts]


def _pick(client: Any, assessment: Any, **fields: Any) -> Any:
    page = f"/assessments/{assessment.id}"
    data = {"invitation_language": "ja", "csrf_token": csrf_token(client, page), **fields}
    return client.post(f"{page}/respondents/picked", data=data)


def _respondents(assessment: Any) -> list[Respondent]:
    return list(
        db.session.scalars(
            select(Respondent)
            .where(Respondent.assessment_id == assessment.id)
            .order_by(Respondent.name)
        )
    )


def _count() -> int:
    return int(db.session.scalar(select(func.count(Respondent.id))) or 0)


def test_three_contacts_picked_at_once_become_three_client_respondents(
    client, sign_in, owner, draft
):
    sign_in("o@example.com")
    page = client.get(f"/assessments/{draft.id}").get_data(as_text=True)
    for contact in draft.partner.contacts:
        assert f'name="contact_ids" value="{contact.id}"' in page
    assert "Purchasing" in page and "aoki@minato.example" in page

    response = _pick(client, draft, contact_ids=_contact_ids(draft.partner))
    assert response.status_code == 302
    assert "3 respondents are added." in client.get(response.headers["Location"]).get_data(
        as_text=True
    )
    added = _respondents(draft)
    assert [(r.name, r.email, r.side, r.locale) for r in added] == [
        ("Aoki Haruka", "aoki@minato.example", Side.CLIENT, "ja"),
        ("Ito Ren", "ito@minato.example", Side.CLIENT, "ja"),
        ("Ueda Mio", None, Side.CLIENT, "ja"),
    ]
    by_contact = {contact.name: contact.id for contact in draft.partner.contacts}
    assert all(r.contact_id == by_contact[r.name] for r in added)


def test_members_join_our_side_in_their_own_language(client, sign_in, owner, draft, make_user):
    colleague = make_user("kato@example.com", workspace=owner.workspace)
    colleague.locale = "en"
    db.session.commit()
    sign_in("o@example.com")
    response = _pick(client, draft, member_ids=[owner.id, colleague.id], invitation_language="ja")
    assert response.status_code == 302
    added = {r.email: r for r in _respondents(draft)}
    assert set(added) == {"o@example.com", "kato@example.com"}
    assert {r.side for r in added.values()} == {Side.COMPANY}
    assert added["kato@example.com"].locale == "en"  # the member's own choice
    assert added["o@example.com"].locale == "ja"  # none chosen: the form's language


def test_a_second_pick_skips_those_already_added_and_the_page_shows_them_added(
    client, sign_in, owner, draft
):
    sign_in("o@example.com")
    first, *others = _contact_ids(draft.partner)
    respondents.add_respondent(draft, side=Side.CLIENT, name="Ito", email="ITO@minato.example")
    _pick(client, draft, contact_ids=[first])
    assert _count() == 2

    page = client.get(f"/assessments/{draft.id}").get_data(as_text=True)
    for contact_id in (first, others[0]):  # picked, and typed by hand with the same address
        box = re.search(rf'<input[^>]*name="contact_ids" value="{contact_id}"[^>]*>', page)
        assert box and "disabled" in box.group(0) and "checked" in box.group(0)
    assert "Already a respondent" in page
    box = re.search(rf'<input[^>]*name="contact_ids" value="{others[1]}"[^>]*>', page)
    assert box and "disabled" not in box.group(0)

    # A page left open elsewhere still sends all three: only the third is new.
    response = _pick(client, draft, contact_ids=[first, *others])
    assert response.status_code == 302
    shown = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "1 respondent is added." in shown
    assert "2 people chosen were already respondents" in shown
    assert _count() == 3
    assert sorted(r.name for r in _respondents(draft)) == ["Aoki Haruka", "Ito", "Ueda Mio"]


@pytest.mark.parametrize("stranger", ["other_partner_contact", "other_workspace_member"])
def test_a_forged_id_of_someone_else_is_refused_and_nothing_is_written(
    client, sign_in, owner, draft, make_user, make_partner, stranger
):
    if stranger == "other_partner_contact":
        other = make_partner(owner.workspace, "Another partner")
        forged = partners.add_contact(other, name="Not theirs", email="x@other.example").id
        fields = {"contact_ids": [*_contact_ids(draft.partner), forged]}
    else:
        outsider = make_user("outsider@example.com")  # a workspace of its own
        fields = {"contact_ids": _contact_ids(draft.partner), "member_ids": [owner.id, outsider.id]}
    sign_in("o@example.com")
    response = _pick(client, draft, **fields)
    assert response.status_code == 302
    shown = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Nothing was added" in shown
    assert _count() == 0
    assert "Not theirs" not in shown and "outsider@example.com" not in shown


def test_ids_that_are_no_numbers_or_no_csrf_token_are_refused(client, sign_in, owner, draft):
    sign_in("o@example.com")
    assert _pick(client, draft, contact_ids=["1 OR 1=1"]).status_code == 400
    url = f"/assessments/{draft.id}/respondents/picked"
    assert client.post(url, data={"contact_ids": _contact_ids(draft.partner)}).status_code == 400
    assert _count() == 0


def test_another_workspace_cannot_pick_into_this_round(client, sign_in, draft, make_user):
    make_user("stranger@example.com")
    sign_in("stranger@example.com")
    response = client.post(
        f"/assessments/{draft.id}/respondents/picked",
        data={
            "contact_ids": _contact_ids(draft.partner),
            "invitation_language": "ja",
            "csrf_token": csrf_token(client, "/partners/"),
        },
    )
    assert response.status_code == 404
    assert _count() == 0


def test_picking_nobody_says_so(client, sign_in, owner, draft):
    sign_in("o@example.com")
    response = _pick(client, draft)
    assert "Choose at least one person to add." in client.get(
        response.headers["Location"]
    ).get_data(as_text=True)


def test_a_pick_that_would_pass_the_side_limit_adds_no_one(owner, draft, monkeypatch):
    monkeypatch.setattr(limits, "RESPONDENTS_PER_SIDE", 2)
    with pytest.raises(ServiceError, match="at most 2 respondents"):
        respondents.add_picked(draft, contact_ids=_contact_ids(draft.partner))
    assert _count() == 0
    picked = respondents.add_picked(draft, contact_ids=_contact_ids(draft.partner)[:2])
    assert len(picked.added) == 2
    # The limit is per side: our side still has room.
    assert len(respondents.add_picked(draft, member_ids=[owner.id]).added) == 1


def test_after_the_reveal_no_one_can_be_picked(owner, make_assessment):
    from fitcheck.services import assessments

    assessment, _ = make_assessment(owner)
    assessments.reveal(assessment)
    contact = partners.add_contact(assessment.partner, name="Late", email="late@example.com")
    with pytest.raises(ServiceError, match="after the reveal"):
        respondents.add_picked(assessment, contact_ids=[contact.id])


def test_the_page_runs_the_same_queries_for_one_contact_as_for_twelve(
    client, sign_in, owner, make_assessment, make_user
):
    sign_in("o@example.com")
    counts = []
    for size in (1, 12):
        assessment, _ = make_assessment(owner, launch=False)
        for number in range(size):
            partners.add_contact(
                assessment.partner, name=f"Contact {number}", email=f"c{number}@example.com"
            )
            make_user(f"member-{size}-{number}@example.com", workspace=owner.workspace)
        respondents.add_picked(assessment, contact_ids=_contact_ids(assessment.partner)[:1])
        with count_queries() as statements:
            page = client.get(f"/assessments/{assessment.id}")
        assert page.status_code == 200
        assert page.get_data(as_text=True).count('name="contact_ids"') == size
        counts.append(len(statements))
    assert counts[0] == counts[1]


def test_the_single_form_still_adds_someone_not_on_any_list(client, sign_in, owner, draft):
    sign_in("o@example.com")
    show = f"/assessments/{draft.id}"
    response = client.post(
        f"{show}/respondents",
        data={
            "side": "client",
            "name": "Walk-in Person",
            "email": "walkin@example.com",
            "language": "en",
            "csrf_token": csrf_token(client, show),
        },
    )
    assert response.status_code == 302
    assert [r.name for r in _respondents(draft)] == ["Walk-in Person"]


# --------------------------------------------------------------------------------------------
# A partner's website, typed as people read it on a business card
# --------------------------------------------------------------------------------------------


def test_a_bare_domain_is_accepted_and_stored_with_https(client, sign_in, owner):
    sign_in("o@example.com")
    response = client.post(
        "/partners/new",
        data={
            "name": "Minato Seiki",
            "website": " minato-seiki.example.jp ",
            "csrf_token": csrf_token(client, "/partners/new"),
        },
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    partner = db.session.scalar(select(Partner).where(Partner.name == "Minato Seiki"))
    assert partner.website == "https://minato-seiki.example.jp"
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert 'href="https://minato-seiki.example.jp"' in page


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("minato-seiki.example.jp", "https://minato-seiki.example.jp"),
        ("www.example.com/about?x=1", "https://www.example.com/about?x=1"),
        ("example.jp:8080", "https://example.jp:8080"),
        ("http://old.example.jp", "http://old.example.jp"),
        ("https://minato-seiki.example.jp", "https://minato-seiki.example.jp"),
    ],
)
def test_the_service_stores_a_web_address(owner, typed, stored):
    partner = partners.create_partner(owner.workspace_id, name=typed, website=typed)
    assert partner.website == stored


@pytest.mark.parametrize("typed", ["javascript:alert(1)", "mailto:a@example.jp", "localhost"])
def test_what_is_no_domain_is_still_refused(owner, typed):
    with pytest.raises(ServiceError) as raised:
        partners.create_partner(owner.workspace_id, name="X", website=typed)
    assert raised.value.field == "website"
