"""A workspace never sees another workspace's rows."""

from __future__ import annotations

from fitcheck.services.partners import list_partners

from .support import count_queries


def test_partner_list_shows_only_the_signed_in_workspace(client, make_user, make_partner, sign_in):
    mine, theirs = make_user("mine@example.com"), make_user("theirs@example.com")
    make_partner(mine.workspace, "Aozora Design Works")
    make_partner(theirs.workspace, "Secret Client of Theirs")
    sign_in("mine@example.com")
    page = client.get("/partners/").get_data(as_text=True)
    assert "Aozora Design Works" in page
    assert "Secret Client of Theirs" not in page
    searched = client.get("/partners/?q=Secret").get_data(as_text=True)
    assert "Secret Client of Theirs" not in searched


def test_partner_search_treats_wildcards_as_text(make_user, make_partner):
    user = make_user()
    make_partner(user.workspace, "100% Natural")
    make_partner(user.workspace, "Ordinary Foods")
    names = [p.name for p in list_partners(user.workspace_id, search="%").partners.items]
    assert names == ["100% Natural"]


def test_partner_list_costs_the_same_queries_for_many_partners(app, make_user, make_partner):
    user = make_user()
    counts = []
    for total in (2, 15):
        while len(list_partners(user.workspace_id).partners.items) < total:
            make_partner(user.workspace)
        with count_queries() as statements:
            list_partners(user.workspace_id)
        counts.append(len(statements))
    assert counts[0] == counts[1] == 3


def test_every_object_of_one_workspace_is_a_404_from_another(
    app, client, make_user, sign_in, make_assessment
):
    from sqlalchemy import select

    from fitcheck.models import Contact, TraitSet

    from .support import csrf_token

    owner = make_user("owner@example.com")
    assessment, tokens = make_assessment(owner)
    partner = assessment.partner
    contact = Contact(workspace_id=owner.workspace_id, partner_id=partner.id, name="C")
    from fitcheck.extensions import db

    db.session.add(contact)
    db.session.commit()
    trait_set = db.session.scalar(
        select(TraitSet).where(TraitSet.workspace_id == owner.workspace_id)
    )
    trait = trait_set.traits[0]
    respondent = next(iter(tokens))
    pages = [
        f"/partners/{partner.id}",
        f"/partners/{partner.id}/edit",
        f"/partners/{partner.id}/assessments/new",
        f"/trait-sets/{trait_set.id}",
        f"/trait-sets/{trait_set.id}/traits/new",
        f"/trait-sets/traits/{trait.id}",
        f"/assessments/{assessment.id}",
        f"/assessments/{assessment.id}/edit",
    ]
    posts = [
        f"/partners/{partner.id}/edit",
        f"/partners/{partner.id}/archive",
        f"/partners/{partner.id}/contacts",
        f"/partners/contacts/{contact.id}/remove",
        f"/trait-sets/{trait_set.id}",
        f"/trait-sets/{trait_set.id}/traits/new",
        f"/trait-sets/traits/{trait.id}/retire",
        f"/partners/{partner.id}/assessments/new",
        f"/assessments/{assessment.id}/respondents",
        f"/assessments/{assessment.id}/reveal",
        f"/assessments/{assessment.id}/remind",
        f"/assessments/{assessment.id}/deadline",
        f"/respondents/{respondent.id}/withdraw",
        f"/respondents/{respondent.id}/reissue",
    ]
    make_user("intruder@example.com")
    sign_in("intruder@example.com")
    token = csrf_token(client, "/partners/")
    for url in pages:
        assert client.get(url).status_code == 404, url
    for url in posts:
        response = client.post(url, data={"csrf_token": token, "name": "Hijack", "side": "client"})
        assert response.status_code == 404, url
    db.session.refresh(respondent)
    db.session.refresh(assessment)
    assert respondent.withdrawn_at is None and assessment.state.value == "collecting"
    assert partner.name != "Hijack" and partner.archived_at is None

    owner_client = app.test_client()
    from .support import sign_in_with

    sign_in_with(owner_client, "owner@example.com")
    for url in pages:
        assert owner_client.get(url).status_code == 200, url
