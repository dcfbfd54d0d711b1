"""The act phase's promises are the team's own: the client's people in the room read them
and do not make them (they become our side's commitments at the first launch on the set)."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from fitcheck.extensions import db
from fitcheck.models import Side, WorkshopAction
from fitcheck.services import ServiceError
from fitcheck.services import workshops as service

from .support import count_queries
from .test_workshop_pages import _phone, _post_room, _room
from .test_workshops import _to_act, facilitator, room  # noqa: F401 - fixtures


def test_only_our_side_promises_in_the_act_phase(room):  # noqa: F811
    workshop, people, (quick, _argues, _tie) = _to_act(room)
    guest, _token = service.join(workshop, name="Client person", side=Side.CLIENT)
    with pytest.raises(ServiceError) as refused:
        service.add_action(workshop, quick.id, text="Call them weekly", participant=guest)
    assert refused.value.field is None
    assert "team's own" in str(refused.value.message)
    assert db.session.scalar(select(func.count(WorkshopAction.id))) == 0

    ours = service.add_action(workshop, quick.id, text="Reply within a day", participant=people[0])
    by_facilitator = service.add_action(workshop, quick.id, text="Share the roadmap")
    assert {ours.id, by_facilitator.id} == set(db.session.scalars(select(WorkshopAction.id)))


def test_a_client_phone_reads_the_promises_without_a_form_to_make_one(app, room):  # noqa: F811
    workshop, _people, (quick, _argues, _tie) = _to_act(room)
    service.add_action(workshop, quick.id, text="Reply within a day")
    client_phone = _phone(app, workshop, "Client person", side="client")
    page = client_phone.get(_room(workshop)).get_data(as_text=True)
    assert "Reply within a day" in page
    assert "The promises are the team" in page
    assert "/actions" not in page  # no promise form
    refused = _post_room(
        client_phone, workshop, "/actions", {"cluster_id": quick.id, "text": "Call weekly"}
    )
    assert refused.status_code == 409
    assert db.session.scalar(select(func.count(WorkshopAction.id))) == 1

    our_phone = _phone(app, workshop, "Aoi")
    assert "/actions" in our_phone.get(_room(workshop)).get_data(as_text=True)


def test_the_trait_set_page_says_which_workshop_and_notes_each_trait_came_from(
    client,
    sign_in,
    facilitator,  # noqa: F811
    room,  # noqa: F811
):
    workshop, _people, _chosen = _to_act(room)
    trait_set = service.finish(workshop, name="Our brand partner", actor=facilitator)
    sign_in(facilitator.email)
    with count_queries() as statements:
        page = client.get(f"/trait-sets/{trait_set.id}").get_data(as_text=True)
    assert 'id="origin"' in page and f"/workshops/{workshop.id}/summary" in page
    speed = next(trait for trait in trait_set.traits if trait.label_en == "Speed")
    block = page.split(f'id="t{speed.id}"')[1].split("</details>")[0]
    assert "From 2 notes" in block
    assert "Responds quickly" in block and "Answers within a day" in block
    assert "Person 1" in block  # a signed note names its writer; the other stays anonymous
    assert "Person 2" not in block
    assert sum("FROM workshop" in s for s in statements) == 2
