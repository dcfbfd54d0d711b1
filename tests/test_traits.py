"""Trait sets and traits: create, edit, reorder, retire; launched assessments keep theirs."""

from __future__ import annotations

from sqlalchemy import select

from fitcheck.extensions import db
from fitcheck.models import Assessment, Trait, TraitSet, utcnow

from .support import csrf_token

TRAIT = {
    "label_en": "Curiosity",
    "label_ja": "好奇心",
    "description_en": "Wants to learn.",
    "description_ja": "学ぶ意欲があります。",
    "question_other_en": "How curious is {partner}?",
    "question_other_ja": "{partner}は好奇心旺盛ですか。",
    "question_self_en": "How curious are we?",
    "question_self_ja": "私たちは好奇心旺盛ですか。",
}


def _default_set(user) -> TraitSet:
    return db.session.scalar(select(TraitSet).where(TraitSet.workspace_id == user.workspace_id))


def _post(client, url, data, form_url=None):
    return client.post(url, data={**data, "csrf_token": csrf_token(client, form_url or url)})


def test_new_workspace_lists_the_default_set(client, make_user, sign_in):
    make_user("o@example.com")
    sign_in("o@example.com")
    page = client.get("/trait-sets/").get_data(as_text=True)
    assert "Brand partner" in page and "10 traits" in page


def test_create_a_set_and_add_a_trait(client, make_user, sign_in):
    user = make_user("o@example.com")
    sign_in("o@example.com")
    response = _post(
        client,
        "/trait-sets/new",
        {
            "name": "Agency fit",
            "scale_lo": 1,
            "scale_hi": 4,
            "point_labels_en": "No\nA little\nMostly\nFully",
            "point_labels_ja": "いいえ\n少し\nほぼ\n完全に",
        },
    )
    assert response.status_code == 302
    trait_set = db.session.scalar(select(TraitSet).where(TraitSet.name == "Agency fit"))
    assert trait_set.point_labels["ja"][3] == "完全に"
    assert trait_set.workspace_id == user.workspace_id
    url = f"/trait-sets/{trait_set.id}/traits/new"
    assert _post(client, url, TRAIT).status_code == 302
    assert _post(client, url, TRAIT).status_code == 302
    keys = db.session.scalars(
        select(Trait.key).where(Trait.trait_set_id == trait_set.id).order_by(Trait.position)
    ).all()
    assert keys == ["curiosity", "curiosity_2"]


def test_set_with_wrong_number_of_labels_keeps_what_was_typed(client, make_user, sign_in):
    make_user("o@example.com")
    sign_in("o@example.com")
    response = _post(
        client,
        "/trait-sets/new",
        {
            "name": "Typed name",
            "scale_lo": 1,
            "scale_hi": 5,
            "point_labels_en": "One\nTwo",
            "point_labels_ja": "一\n二",
        },
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Give one label per scale point (5)." in page
    assert 'value="Typed name"' in page and "One\nTwo" in page
    assert db.session.scalar(select(TraitSet).where(TraitSet.name == "Typed name")) is None


def test_question_may_only_use_the_partner_placeholder(client, make_user, sign_in):
    user = make_user("o@example.com")
    sign_in("o@example.com")
    url = f"/trait-sets/{_default_set(user).id}/traits/new"
    page = _post(client, url, {**TRAIT, "question_other_en": "Is {client.__class__} kind?"})
    assert "Only {partner} may appear in braces." in page.get_data(as_text=True)


def test_reorder_retire_and_restore(client, make_user, sign_in):
    user = make_user("o@example.com")
    sign_in("o@example.com")
    trait_set = _default_set(user)
    first, second = trait_set.traits[0], trait_set.traits[1]
    set_url = f"/trait-sets/{trait_set.id}"
    _post(client, f"/trait-sets/traits/{second.id}/up", {}, set_url)
    keys = db.session.scalars(
        select(Trait.key).where(Trait.trait_set_id == trait_set.id).order_by(Trait.position)
    ).all()
    assert keys[:2] == [second.key, first.key]
    _post(client, f"/trait-sets/traits/{first.id}/retire", {}, set_url)
    db.session.refresh(first)
    assert first.retired_at is not None
    _post(client, f"/trait-sets/traits/{first.id}/restore", {}, set_url)
    db.session.refresh(first)
    assert first.retired_at is None


def test_launch_freezes_the_traits_later_edits_never_reach_it(
    client, make_user, sign_in, make_assessment
):
    user = make_user("o@example.com")
    trait_set = _default_set(user)
    retired = trait_set.traits[-1]
    retired.retired_at = utcnow()
    db.session.commit()
    assessment, _ = make_assessment(user)
    frozen = {t.key: t.label_en for t in assessment.traits}
    assert retired.key not in frozen and len(frozen) == 9
    sign_in("o@example.com")
    edited = trait_set.traits[0]
    _post(client, f"/trait-sets/traits/{edited.id}", {**TRAIT, "label_en": "Renamed"})
    db.session.refresh(edited)
    assert edited.label_en == "Renamed"
    db.session.expire_all()
    again = {t.key: t.label_en for t in db.session.get(Assessment, assessment.id).traits}
    assert again == frozen


def test_edit_form_shows_the_stable_key(client, make_user, sign_in):
    user = make_user("o@example.com")
    sign_in("o@example.com")
    trait = _default_set(user).traits[0]
    page = client.get(f"/trait-sets/traits/{trait.id}").get_data(as_text=True)
    assert trait.key in page and "never changes" in page
