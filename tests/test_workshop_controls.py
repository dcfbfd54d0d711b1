"""The facilitator's controls of a real room, on SQLite and PostgreSQL: a stray note taken
off the wall (by the facilitator while the room writes or groups, by its writer while it
writes, never by anyone else) and one phase back (to writing, grouping or voting; never
from the promises or the result). Both ask first, both are seen by every screen at its next
poll, and a second click changes nothing."""

from __future__ import annotations

import re
from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy import func, select, update
from sqlalchemy.orm.attributes import set_committed_value

from fitcheck.extensions import db
from fitcheck.models import (
    Phase,
    Workshop,
    WorkshopCluster,
    WorkshopNote,
    WorkshopVote,
)
from fitcheck.services import ServiceError
from fitcheck.services import workshops as service
from fitcheck.services.workshop_views import load_board, load_room

from . import test_workshops
from .support import csrf_token, sign_in_with
from .test_workshop_pages import BOARD, _open, _phone, _post_board, _post_room, _room
from .test_workshops import _clusters, _grouped, _to_act

# The workshop tests' fixtures, shared rather than copied: a facilitator, and `room()`, an
# open workshop with its participants.
facilitator = test_workshops.facilitator
room = test_workshops.room


def _notes(workshop: Workshop) -> list[str]:
    return list(
        db.session.scalars(
            select(WorkshopNote.text)
            .where(WorkshopNote.workshop_id == workshop.id)
            .order_by(WorkshopNote.id)
        )
    )


def _version(workshop: Workshop) -> int:
    state = service.board_state(workshop.workspace_id, workshop.id)
    assert state is not None
    return state.version


def _votes(workshop: Workshop) -> int:
    return int(
        db.session.scalar(
            select(func.count(WorkshopVote.id)).where(WorkshopVote.workshop_id == workshop.id)
        )
        or 0
    )


# ----------------------------------------------------------------------------------------
# Removing a note
# ----------------------------------------------------------------------------------------


def test_the_facilitator_removes_anyones_note_with_its_rating_while_the_room_writes(room):
    workshop, (aoi, ken, *_rest) = room()
    joke = service.write_note(aoi, text="Pays in bananas", self_rating=1).id
    service.write_note(ken, text="Responds quickly", self_rating=4)
    before = _version(workshop)
    assert service.note_to_remove(workshop, joke).text == "Pays in bananas"
    service.remove_note(workshop, joke)
    assert _notes(workshop) == ["Responds quickly"]
    assert db.session.get(WorkshopNote, joke) is None  # the note and its self-rating
    assert _version(workshop) > before  # every screen sees it at its next poll
    with pytest.raises(service.NoteNotFound):  # a second click
        service.remove_note(workshop, joke)


def test_a_participant_removes_only_their_own_note_and_only_while_writing(room):
    workshop, (aoi, ken, *_rest) = room()
    typed_twice = service.write_note(aoi, text="Keeps promises").id
    kept = service.write_note(aoi, text="Keeps promises!").id
    others = service.write_note(ken, text="Argues with us").id
    elsewhere_workshop, (stranger, *_x) = room()
    elsewhere = service.write_note(stranger, text="Not here").id
    for note in (others, elsewhere):
        with pytest.raises(service.NoteNotFound):
            service.note_to_remove(workshop, note, participant=aoi)
        with pytest.raises(service.NoteNotFound):
            service.remove_note(workshop, note, participant=aoi)
    with pytest.raises(service.NoteNotFound):  # another workshop's note, by its own writer
        service.remove_note(workshop, elsewhere, participant=stranger)
    service.remove_note(workshop, typed_twice, participant=aoi)
    assert _notes(workshop) == ["Keeps promises!", "Argues with us"]
    assert _notes(elsewhere_workshop) == ["Not here"]
    assert [note.id for note in load_room(workshop, aoi).my_notes] == [kept]
    service.advance(workshop, expected=Phase.WRITE)
    with pytest.raises(ServiceError) as closed:  # grouping: only the facilitator removes
        service.remove_note(workshop, kept, participant=aoi)
    assert not isinstance(closed.value, service.NoteNotFound)
    assert str(closed.value) == str(service.WRITING_CLOSED)
    assert _notes(workshop) == ["Keeps promises!", "Argues with us"]


def test_a_cluster_left_without_notes_disappears_while_grouping(room):
    workshop, people = room()
    _grouped(workshop, people, "Responds quickly", "Answers within a day", "Pays in bananas")
    quick, day, bananas = (cluster.id for cluster in _clusters(workshop))
    service.merge_clusters(workshop, [quick, day], name="Speed")
    day_note = db.session.scalar(
        select(WorkshopNote.id).where(WorkshopNote.text == "Answers within a day")
    )
    bananas_note = db.session.scalar(
        select(WorkshopNote.id).where(WorkshopNote.text == "Pays in bananas")
    )
    before = _version(workshop)
    service.remove_note(workshop, day_note)
    service.remove_note(workshop, bananas_note)
    assert _version(workshop) >= before + 2
    [speed] = _clusters(workshop)
    assert (speed.id, speed.name) == (quick, "Speed")
    assert [view.cluster.id for view in load_board(workshop).clusters] == [quick]
    assert db.session.get(WorkshopCluster, bananas) is None


def test_notes_stay_once_the_vote_opens(room):
    workshop, people = room()
    _grouped(workshop, people, "Responds quickly", "Argues with us")
    service.advance(workshop, expected=Phase.GROUP)
    note = db.session.scalar(select(WorkshopNote).where(WorkshopNote.text == "Argues with us"))
    for phase in (Phase.VOTE, Phase.DECIDE):
        assert workshop.phase is phase
        with pytest.raises(ServiceError) as closed:
            service.remove_note(workshop, note.id)
        assert str(closed.value) == str(service.REMOVING_CLOSED)
        with pytest.raises(ServiceError):
            service.remove_note(workshop, note.id, participant=people[1])
        if phase is Phase.VOTE:
            service.advance(workshop, expected=Phase.VOTE)
    assert len(_notes(workshop)) == 2


@pytest.mark.parametrize("note_id", [0, -1, 2**31, 2**70, True])
def test_ids_past_any_id_name_no_note(room, note_id):
    workshop, (person, *_rest) = room()
    service.write_note(person, text="Responds quickly")
    with pytest.raises(service.NoteNotFound):
        service.remove_note(workshop, note_id)
    with pytest.raises(service.NoteNotFound):
        service.note_to_remove(workshop, note_id, participant=person)
    assert _notes(workshop) == ["Responds quickly"]


# ----------------------------------------------------------------------------------------
# One phase back
# ----------------------------------------------------------------------------------------


def test_back_to_writing_keeps_the_clusters_and_new_notes_join_them(room):
    workshop, people = room()
    _grouped(workshop, people, "Responds quickly", "Answers within a day", "Enjoys change")
    quick, day, change = _clusters(workshop)
    service.merge_clusters(workshop, [quick.id, day.id], name="Speed")
    before = _version(workshop)
    service.step_back(workshop, Phase.GROUP)
    assert workshop.phase is Phase.WRITE and _version(workshop) > before
    assert service.previous_phase(workshop.phase) is None
    late = service.write_note(people[2], text="Shares its goals")  # writing is open again
    service.advance(workshop, expected=Phase.WRITE)
    clusters = _clusters(workshop)
    assert [cluster.name for cluster in clusters] == ["Speed", "Enjoys change", "Shares its goals"]
    assert [cluster.id for cluster in clusters[:2]] == [quick.id, change.id]
    assert [note.id for note in clusters[2].notes] == [late.id]
    assert len({cluster.position for cluster in clusters}) == 3


def test_back_to_grouping_drops_the_dots_given_so_far(room):
    workshop, people = room()
    _grouped(workshop, people, "Responds quickly", "Answers within a day", "Enjoys change")
    service.advance(workshop, expected=Phase.GROUP, dots=2)
    quick, day, _change = _clusters(workshop)
    service.set_dots(people[0], quick.id, 2)
    service.set_dots(people[1], day.id, 1)
    assert _votes(workshop) == 2
    service.step_back(workshop, Phase.VOTE)
    assert workshop.phase is Phase.GROUP
    assert _votes(workshop) == 0
    assert workshop.dots == 2  # shown again in the form that reopens the vote
    with pytest.raises(ServiceError):  # no voting while grouping
        service.set_dots(people[0], quick.id, 1)
    service.merge_clusters(workshop, [quick.id, day.id])  # the clusters may change now
    service.advance(workshop, expected=Phase.GROUP)
    assert load_room(workshop, people[0]).my_dots == {}  # everyone votes again
    assert load_room(workshop, people[0]).dots_left == 2


def test_back_to_voting_hides_the_tally_and_keeps_the_choices(room):
    workshop, people = room()
    _grouped(workshop, people, "Responds quickly", "Argues with us")
    service.advance(workshop, expected=Phase.GROUP)
    quick, argues = _clusters(workshop)
    service.set_dots(people[0], quick.id, 1)
    service.set_dots(people[1], argues.id, 1)
    service.advance(workshop, expected=Phase.VOTE)
    service.choose_clusters(workshop, [quick.id])
    draft = db.session.get(WorkshopCluster, quick.id).draft
    assert service.votes_tally(workshop) == {quick.id: (1, 1), argues.id: (1, 1)}
    service.step_back(workshop, Phase.DECIDE)
    assert workshop.phase is Phase.VOTE
    with pytest.raises(service.VotesHidden):
        service.votes_tally(workshop)
    board = load_board(workshop)
    assert not board.tally_shown
    assert all(view.dots is None for view in board.clusters)
    assert (board.voted, board.dots_given) == (2, 2)
    chosen = db.session.get(WorkshopCluster, quick.id)
    assert chosen.chosen and chosen.draft == draft
    service.set_dots(people[1], argues.id, 0)  # the dots can change again
    service.set_dots(people[1], quick.id, 1)
    service.advance(workshop, expected=Phase.VOTE)
    assert service.votes_tally(workshop) == {quick.id: (2, 2)}
    assert [view.cluster.id for view in load_board(workshop).chosen] == [quick.id]


def test_there_is_no_way_back_from_writing_the_promises_or_the_result(room, facilitator):
    workshop, _people = room()
    with pytest.raises(ServiceError):
        service.step_back(workshop, Phase.WRITE)
    acting, _people, _chosen = _to_act(room)
    with pytest.raises(ServiceError):
        service.step_back(acting, Phase.ACT)
    service.finish(acting, name="Our brand partner", actor=facilitator)
    with pytest.raises(ServiceError):
        service.step_back(acting, Phase.RESULT)
    for phase in (Phase.WRITE, Phase.ACT, Phase.RESULT):
        assert service.previous_phase(phase) is None
    db.session.refresh(acting)
    assert acting.phase is Phase.RESULT and workshop.phase is Phase.WRITE


def test_back_pressed_twice_goes_back_once(room):
    workshop, people = room()
    _grouped(workshop, people, "Responds quickly")
    service.advance(workshop, expected=Phase.GROUP)
    service.step_back(workshop, Phase.VOTE)
    with pytest.raises(ServiceError) as twice:
        service.step_back(workshop, Phase.VOTE)
    assert str(twice.value) == str(service.ALREADY_MOVED)
    assert workshop.phase is Phase.GROUP
    # Another facilitator's click got there first: this one's page still says "vote".
    stale = workshop
    service.advance(workshop, expected=Phase.GROUP)
    db.session.execute(update(Workshop).where(Workshop.id == workshop.id).values(phase="group"))
    db.session.commit()
    set_committed_value(stale, "phase", Phase.VOTE)
    assert stale.phase is Phase.VOTE
    with pytest.raises(ServiceError) as raced:
        service.step_back(stale, Phase.VOTE)
    assert str(raced.value) == str(service.ALREADY_MOVED)
    db.session.expire_all()
    assert db.session.get(Workshop, workshop.id).phase is Phase.GROUP


# ----------------------------------------------------------------------------------------
# Through the pages
# ----------------------------------------------------------------------------------------


@pytest.fixture
def board(client: FlaskClient, facilitator: Any) -> FlaskClient:
    sign_in_with(client, facilitator.email)
    return client


def _link(workshop: Workshop) -> str:
    return f"/workshops/join/{service.join_token(workshop)}"


def _note(text: str) -> WorkshopNote:
    note = db.session.scalar(select(WorkshopNote).where(WorkshopNote.text == text))
    assert note is not None
    return note


def test_the_board_removes_a_note_after_asking(app, board):
    workshop = _open(board)
    phone = _phone(app, workshop)
    _post_room(phone, workshop, "/notes", {"text": "Pays in bananas"})
    _post_room(phone, workshop, "/notes", {"text": "Responds quickly"})
    joke = _note("Pays in bananas").id
    url = f"/workshops/{workshop.id}/notes/{joke}/remove"
    page = board.get(BOARD.format(id=workshop.id)).get_data(as_text=True)
    assert f'action="{url}"' in page and 'data-confirm="Remove this note?"' in page
    confirm = board.get(url)  # the confirmation page, without JavaScript
    assert confirm.status_code == 200
    text = confirm.get_data(as_text=True)
    assert "Remove this note?" in text and "Pays in bananas" in text
    assert board.post(url).status_code == 400  # no CSRF token
    assert _post_board(board, workshop, f"/notes/{joke}/remove", {}).status_code == 302
    assert _notes(workshop) == ["Responds quickly"]
    again = _post_board(board, workshop, f"/notes/{joke}/remove", {})
    assert again.status_code == 302  # a second click: said so, nothing else
    assert board.get(url).status_code == 404
    for bad in ("0", "x", str(2**31), str(2**70), "-1"):
        assert board.get(f"/workshops/{workshop.id}/notes/{bad}/remove").status_code == 404


def test_the_facilitator_removes_a_note_while_grouping_but_not_after(app, board):
    workshop = _open(board)
    phone = _phone(app, workshop)
    for text in ("Responds quickly", "Answers fast", "Pays in bananas"):
        _post_room(phone, workshop, "/notes", {"text": text})
    _post_board(board, workshop, "/phase", {"expected": "write"})
    joke = _note("Pays in bananas").id
    page = board.get(BOARD.format(id=workshop.id)).get_data(as_text=True)
    assert f"/notes/{joke}/remove" in page
    assert _post_board(board, workshop, f"/notes/{joke}/remove", {}).status_code == 302
    assert [c.name for c in _clusters(workshop)] == ["Responds quickly", "Answers fast"]
    _post_board(board, workshop, "/phase", {"expected": "group"})
    quick = _note("Responds quickly")
    page = board.get(BOARD.format(id=workshop.id)).get_data(as_text=True)
    assert f"/notes/{quick.id}/remove" not in page  # no remove control while voting
    refused = _post_board(board, workshop, f"/notes/{quick.id}/remove", {})
    assert refused.status_code == 302
    followed = board.get(refused.headers["Location"]).get_data(as_text=True)
    assert "Notes can be removed only while the room writes or groups." in followed
    assert len(_notes(workshop)) == 2


def test_a_phone_removes_its_own_note_and_never_anothers(app, board):
    workshop = _open(board)
    aoi = _phone(app, workshop, name="Aoi")
    ken = _phone(app, workshop, name="Ken")
    _post_room(aoi, workshop, "/notes", {"text": "Typed twice"})
    _post_room(aoi, workshop, "/notes", {"text": "Keeps promises"})
    _post_room(ken, workshop, "/notes", {"text": "Argues with us"})
    twice, mine, kens = (
        _note(text).id for text in ("Typed twice", "Keeps promises", "Argues with us")
    )
    page = aoi.get(_room(workshop)).get_data(as_text=True)
    assert f"{_link(workshop)}/notes/{twice}/remove" in page
    assert f"/notes/{kens}/remove" not in page
    assert "confirm." in page  # static/confirm.js asks first
    # Ken cannot remove Aoi's note, nor ask to: 404, and it stays.
    assert ken.get(f"{_link(workshop)}/notes/{twice}/remove").status_code == 404
    assert _post_room(ken, workshop, f"/notes/{twice}/remove", {}).status_code == 404
    # The facilitator's route is not a phone's: sign in first.
    refused = ken.post(
        f"/workshops/{workshop.id}/notes/{twice}/remove",
        data={"csrf_token": csrf_token(ken, _room(workshop))},
    )
    assert refused.status_code == 302 and "/sign-in" in refused.headers["Location"]
    # A phone that has not joined is sent to join.
    stranger = app.test_client()
    assert stranger.get(f"{_link(workshop)}/notes/{twice}/remove").status_code == 302
    assert len(_notes(workshop)) == 3
    # Aoi is asked, then removes hers.
    confirm = aoi.get(f"{_link(workshop)}/notes/{twice}/remove")
    assert confirm.status_code == 200
    assert "Typed twice" in confirm.get_data(as_text=True)
    assert aoi.post(f"{_link(workshop)}/notes/{twice}/remove").status_code == 400  # CSRF
    done = _post_room(aoi, workshop, f"/notes/{twice}/remove", {})
    assert done.status_code == 302 and done.headers["Location"].endswith("/room")
    assert _notes(workshop) == ["Keeps promises", "Argues with us"]
    assert _post_room(aoi, workshop, f"/notes/{twice}/remove", {}).status_code == 404
    for bad in ("0", "x", str(2**70)):
        assert aoi.get(f"{_link(workshop)}/notes/{bad}/remove").status_code == 404
    # Grouping: the phone no longer removes; the room says why.
    _post_board(board, workshop, "/phase", {"expected": "write"})
    page = aoi.get(_room(workshop)).get_data(as_text=True)
    assert "/remove" not in page
    late = _post_room(aoi, workshop, f"/notes/{mine}/remove", {})
    assert late.status_code == 409
    assert "Writing has closed" in late.get_data(as_text=True)
    assert len(_notes(workshop)) == 2


def test_the_board_steps_back_after_asking_and_a_second_click_changes_nothing(app, board):
    workshop = _open(board)
    phone = _phone(app, workshop)
    _post_room(phone, workshop, "/notes", {"text": "Responds quickly"})
    page = board.get(BOARD.format(id=workshop.id)).get_data(as_text=True)
    assert "Back to" not in page  # nothing before writing
    _post_board(board, workshop, "/phase", {"expected": "write"})
    _post_board(board, workshop, "/phase", {"expected": "group"})
    cluster = _clusters(workshop)[0]
    _post_room(phone, workshop, "/votes", {"cluster_id": str(cluster.id), "dots": "1"})
    assert _votes(workshop) == 1
    url = f"/workshops/{workshop.id}/back/vote"
    page = board.get(BOARD.format(id=workshop.id)).get_data(as_text=True)
    assert f'href="{url}"' in page and "Back to grouping" in page
    confirm = board.get(url).get_data(as_text=True)
    assert "Go back to grouping?" in confirm and "The dots given so far are dropped" in confirm
    db.session.refresh(workshop)
    assert workshop.phase is Phase.VOTE  # asking changes nothing
    assert board.post(url).status_code == 400  # no CSRF token
    token = csrf_token(board, BOARD.format(id=workshop.id))
    assert board.post(url, data={"csrf_token": token}).status_code == 302
    again = board.post(url, data={"csrf_token": token}, follow_redirects=True)
    assert "already moved on" in again.get_data(as_text=True)
    db.session.refresh(workshop)
    assert workshop.phase is Phase.GROUP and _votes(workshop) == 0
    assert phone.get(f"{_link(workshop)}/state").json["phase"] == "group"  # phones follow
    page = board.get(BOARD.format(id=workshop.id)).get_data(as_text=True)
    assert "Back to writing" in page
    for phase in ("act", "result", "write", "nonsense", "GROUP"):
        response = board.post(f"/workshops/{workshop.id}/back/{phase}", data={"csrf_token": token})
        assert response.status_code in (302, 404), phase
    db.session.refresh(workshop)
    assert workshop.phase is Phase.GROUP


def test_a_member_of_another_workspace_can_neither_remove_nor_step_back(
    app, board, make_user, facilitator
):
    workshop = _open(board)
    phone = _phone(app, workshop)
    _post_room(phone, workshop, "/notes", {"text": "Responds quickly"})
    note = _note("Responds quickly")
    _post_board(board, workshop, "/phase", {"expected": "write"})
    make_user("other@example.com")
    other = app.test_client()
    sign_in_with(other, "other@example.com")
    token = csrf_token(other, "/workshops/")
    for url in (
        f"/workshops/{workshop.id}/notes/{note.id}/remove",
        f"/workshops/{workshop.id}/back/group",
    ):
        assert other.get(url).status_code == 404, url
        assert other.post(url, data={"csrf_token": token}).status_code == 404, url
    db.session.refresh(workshop)
    assert workshop.phase is Phase.GROUP and _notes(workshop) == ["Responds quickly"]
    assert re.search(r"Back to writing", board.get(BOARD.format(id=workshop.id)).text)
