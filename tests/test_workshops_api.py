"""The brand-partner workshop over the API: a workshop, its notes (anonymous ones without
their writer), clusters, votes (only once the vote has closed), promises and the trait set
it ended with; nothing of another workspace; queries independent of the number of notes;
and the workshop's result in the workspace export."""

from __future__ import annotations

import io
import json
import zipfile
from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import select

from fitcheck.extensions import db
from fitcheck.models import Phase, User, Workshop, WorkshopCluster
from fitcheck.services import api_tokens, workspace_export
from fitcheck.services import workshops as service

from .support import count_queries


@pytest.fixture
def owner(make_user: Any) -> User:
    return make_user()


@pytest.fixture
def api(client: Any, owner: User) -> Callable[..., Any]:
    token = api_tokens.create_token(owner, "Tests")[1]

    def call(path: str) -> Any:
        return client.get(f"/api/v1{path}", headers={"Authorization": f"Bearer {token}"})

    return call


def _clusters(workshop: Workshop) -> list[WorkshopCluster]:
    return list(
        db.session.scalars(
            select(WorkshopCluster)
            .where(WorkshopCluster.workshop_id == workshop.id)
            .order_by(WorkshopCluster.position, WorkshopCluster.id)
        )
    )


def _voting(owner: User, notes: int = 3) -> tuple[Workshop, list[Any]]:
    """A workshop whose room is voting: Aoi signed the first note, the rest are anonymous."""
    workshop = service.open_workshop(owner.workspace_id, created_by=owner)
    people = [service.join(workshop, name=name)[0] for name in ("Aoi Mori", "Ken Ito")]
    service.write_note(people[0], text="Note 0", signed=True, self_rating=2)
    for n in range(1, notes):
        service.write_note(people[n % 2], text=f"Note {n}", self_rating=4)
    service.advance(workshop, expected=Phase.WRITE)
    service.advance(workshop, expected=Phase.GROUP, dots=2)
    first = _clusters(workshop)[0]
    service.set_dots(people[0], first.id, 2)
    service.set_dots(people[1], first.id, 1)
    return workshop, people


def test_notes_name_their_writer_only_when_signed(api, owner):
    workshop, _people = _voting(owner)
    body = api(f"/workshops/{workshop.id}/notes").json
    assert body["total"] == 3
    writers = {note["text"]: note["writer"] for note in body["items"]}
    assert writers == {"Note 0": "Aoi Mori", "Note 1": None, "Note 2": None}
    raw = json.dumps(body)
    assert "Ken Ito" not in raw and "participant" not in raw and "self_rating" not in raw


def test_votes_are_hidden_until_the_vote_closes(api, owner):
    workshop, _people = _voting(owner)
    hidden = api(f"/workshops/{workshop.id}/votes")
    assert hidden.status_code == 409
    assert "voting closes" in hidden.json["error"]["message"]
    clusters = api(f"/workshops/{workshop.id}/clusters").json["items"]
    assert all(c["dots"] is None and c["self_view"] is None for c in clusters)
    service.advance(workshop, expected=Phase.VOTE)
    shown = api(f"/workshops/{workshop.id}/votes").json
    assert shown["dots_per_participant"] == 2
    first = _clusters(workshop)[0]
    assert shown["clusters"][0] == {"cluster_id": first.id, "dots": 3, "voters": 2}
    clusters = api(f"/workshops/{workshop.id}/clusters").json["items"]
    assert clusters[0]["dots"] == 3
    assert clusters[0]["self_view"]["company"]["count"] == 1  # too few for a mean
    assert clusters[0]["self_view"]["company"]["mean"] is None


def test_the_result_is_the_trait_set_with_each_traits_provenance(api, owner):
    workshop, people = _voting(owner)
    service.advance(workshop, expected=Phase.VOTE)
    first = _clusters(workshop)[0]
    service.choose_clusters(workshop, [first.id])
    draft = db.session.get(WorkshopCluster, first.id).draft
    service.update_draft(
        workshop, first.id, service.TraitText(**{**draft, "label_ja": "ノート"}), redraft=True
    )
    assert api(f"/workshops/{workshop.id}/trait-set").status_code == 409
    clusters = api(f"/workshops/{workshop.id}/clusters").json["items"]
    assert clusters[0]["draft"]["question_other_en"] == (
        "How well does {partner} live up to “Note 0”?"
    )
    assert clusters[0]["draft"]["question_self_ja"] == "私たちは「ノート」と言えますか。"
    service.advance(workshop, expected=Phase.DECIDE)
    service.add_action(workshop, first.id, text="Do more", participant=people[1])
    trait_set = service.finish(workshop, name="From the API test")
    detail = api(f"/workshops/{workshop.id}").json
    assert detail["phase"] == "result" and detail["trait_set_id"] == trait_set.id
    assert (detail["participants"], detail["notes"]) == (2, 3)
    result = api(f"/workshops/{workshop.id}/trait-set").json
    assert result["name"] == "From the API test"
    (trait,) = result["traits"]
    assert trait["label_ja"] == "ノート" and trait["key"] == "note_0"
    provenance = trait["provenance"]
    assert provenance["dots"] == 3 and provenance["voters"] == 2
    assert provenance["held_on"] == service.held_on(workshop).isoformat()
    assert provenance["notes"] == [
        {"id": provenance["notes"][0]["id"], "text": "Note 0", "example": "", "writer": "Aoi Mori"}
    ]
    actions = api(f"/workshops/{workshop.id}/actions").json["items"]
    assert [(a["text"], a["commitment_id"]) for a in actions] == [("Do more", None)]
    listed = api("/workshops").json
    assert [item["id"] for item in listed["items"]] == [workshop.id]


def test_another_workspaces_workshop_is_not_found(api, make_user):
    stranger = make_user()
    workshop, _people = _voting(stranger)
    for path in ("", "/notes", "/clusters", "/votes", "/actions", "/trait-set"):
        response = api(f"/workshops/{workshop.id}{path}")
        assert response.status_code == 404, path
    assert api("/workshops").json["total"] == 0


def test_the_notes_cost_as_many_queries_for_many_as_for_few(api, owner):
    counts = []
    for notes in (3, 40):
        workshop, _people = _voting(owner, notes=notes)
        api("/workshops")  # the token's first use of the run is recorded once
        with count_queries() as statements:
            assert api(f"/workshops/{workshop.id}/notes?per_page=100").status_code == 200
            assert api(f"/workshops/{workshop.id}/clusters?per_page=100").status_code == 200
        counts.append(len(statements))
    assert counts[0] == counts[1]


def test_the_workspace_export_holds_the_workshops_result_and_no_one_in_the_room(owner):
    workshop, _people = _voting(owner)
    service.advance(workshop, expected=Phase.VOTE)
    first = _clusters(workshop)[0]
    service.choose_clusters(workshop, [first.id])
    service.advance(workshop, expected=Phase.DECIDE)
    service.add_action(workshop, first.id, text="Do more")
    service.finish(workshop, name="Exported")
    body = workspace_export.workspace_archive(owner.workspace_id)
    with zipfile.ZipFile(io.BytesIO(body)) as archive:
        document = json.loads(archive.read("workspace.json"))
    (exported,) = document["workshops"]
    assert exported["id"] == workshop.id and exported["trait_set_id"] is not None
    assert "token_hash" not in exported and "token_nonce" not in exported
    (cluster,) = [c for c in document["workshop_clusters"] if c["chosen"]]
    assert cluster["provenance"]["notes"][0]["writer"] == "Aoi Mori"  # signed
    assert [a["text"] for a in document["workshop_actions"]] == ["Do more"]
    # Who wrote which anonymous note, who gave which dot: not in it.
    raw = json.dumps(document)
    assert "Ken Ito" not in raw
    assert "workshop_notes" not in document and "workshop_votes" not in document
