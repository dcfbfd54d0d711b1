"""The workshop's pages through the test client, on SQLite and PostgreSQL: the facilitator's
board and the participants' phones through every phase, as forms without JavaScript; the
room's rules on every page (notes anonymous unless signed, the tally hidden until the vote
closes), the polls' ETags, CSRF, and guests kept inside their own workshop."""

from __future__ import annotations

import re
from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select

from fitcheck.extensions import db
from fitcheck.models import Phase, TraitSet, Workshop, WorkshopCluster, WorkshopNote
from fitcheck.services import workshops as service
from fitcheck.views.workshops import join_qr

from .support import count_queries, csrf_token, sign_in_with

BOARD = "/workshops/{id}"


@pytest.fixture
def facilitator(make_user: Any, sign_in: Any) -> Any:
    user = make_user("facilitator@example.com")
    sign_in("facilitator@example.com")
    return user


def _open(client: FlaskClient, **data: Any) -> Workshop:
    token = csrf_token(client, "/workshops/")
    response = client.post(
        "/workshops/", data={"language": "en", "question": "", **data, "csrf_token": token}
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    workshop_id = int(response.headers["Location"].rsplit("/", 1)[1])
    workshop = db.session.get(Workshop, workshop_id)
    assert workshop is not None
    return workshop


def _phone(app: Any, workshop: Workshop, name: str = "", side: str = "company") -> FlaskClient:
    """A new phone that joined through the link, as the join form does it."""
    phone = app.test_client()
    link = f"/workshops/join/{service.join_token(workshop)}"
    page = phone.get(link)
    assert page.status_code == 200
    token = re.search(
        r'name="csrf_token" type="hidden" value="([^"]+)"', page.get_data(as_text=True)
    )
    response = phone.post(link, data={"name": name, "side": side, "csrf_token": token.group(1)})
    assert response.status_code == 302 and response.headers["Location"].endswith("/room")
    return phone


def _room(workshop: Workshop) -> str:
    return f"/workshops/join/{service.join_token(workshop)}/room"


def _post_room(phone: FlaskClient, workshop: Workshop, path: str, data: dict[str, Any]) -> Any:
    token = csrf_token(phone, _room(workshop))
    link = f"/workshops/join/{service.join_token(workshop)}"
    return phone.post(f"{link}{path}", data={**data, "csrf_token": token})


def _next(client: FlaskClient, workshop: Workshop, **data: Any) -> Any:
    db.session.refresh(workshop)
    token = csrf_token(client, BOARD.format(id=workshop.id))
    return client.post(
        f"/workshops/{workshop.id}/phase",
        data={"expected": workshop.phase.value, **data, "csrf_token": token},
    )


def _post_board(client: FlaskClient, workshop: Workshop, path: str, data: dict[str, Any]) -> Any:
    token = csrf_token(client, BOARD.format(id=workshop.id))
    return client.post(f"/workshops/{workshop.id}{path}", data={**data, "csrf_token": token})


def _clusters(workshop: Workshop) -> list[WorkshopCluster]:
    return list(
        db.session.scalars(
            select(WorkshopCluster)
            .where(WorkshopCluster.workshop_id == workshop.id)
            .order_by(WorkshopCluster.position, WorkshopCluster.id)
        )
    )


def test_a_whole_workshop_through_the_forms(app, client, facilitator):
    workshop = _open(client)
    board = client.get(BOARD.format(id=workshop.id)).get_data(as_text=True)
    assert "What is a good client — a brand partner — for us?" in board
    assert service.join_token(workshop) in board  # the join link, to share
    aoi = _phone(app, workshop, name="Aoi Mori")
    ken = _phone(app, workshop, name="Ken Ito")
    client_person = _phone(app, workshop, side="client")

    # Write: a note and "are we like that?" in one gesture; a signed one names its writer.
    for phone, text, signed, rating in (
        (aoi, "Responds quickly", "y", "2"),
        (ken, "Answers within a day", "", "4"),
        (ken, "Argues with us", "", ""),
        (client_person, "Shares its goals", "", "5"),
    ):
        response = _post_room(
            phone, workshop, "/notes", {"text": text, "signed": signed, "self_rating": rating}
        )
        assert response.status_code == 302
    unrated = ken.get(_room(workshop)).get_data(as_text=True)
    assert "Argues with us" in unrated and "Responds quickly" not in unrated  # own notes only
    note = db.session.scalar(select(WorkshopNote).where(WorkshopNote.text == "Argues with us"))
    assert (
        _post_room(ken, workshop, f"/notes/{note.id}/rating", {"self_rating": "5"}).status_code
        == 302
    )
    db.session.refresh(note)
    assert note.self_rating == 5
    wall = client.get(BOARD.format(id=workshop.id)).get_data(as_text=True)
    assert "Responds quickly" in wall and "Aoi Mori" in wall  # signed
    assert "Ken Ito" not in wall  # anonymous to the room

    # Group: merge by selecting, name the cluster.
    assert _next(client, workshop).status_code == 302
    quick, day, argues, _goals = _clusters(workshop)
    response = _post_board(
        client,
        workshop,
        "/group",
        {"cluster_ids": [quick.id, day.id], "name": "Speed", "merge": "1"},
    )
    assert response.status_code == 302
    response = _post_board(client, workshop, f"/clusters/{argues.id}/name", {"name": "Real debate"})
    assert response.status_code == 302
    assert [c.name for c in _clusters(workshop)] == ["Speed", "Real debate", "Shares its goals"]

    # Vote: dots from the phones; nobody sees the tally before the vote closes.
    assert _next(client, workshop, dots="2").status_code == 302
    for phone, cluster in ((aoi, argues), (aoi, argues), (ken, quick), (client_person, argues)):
        page = phone.get(_room(workshop)).get_data(as_text=True)
        mine = 1 if (phone is aoi and "1 dot left" in page) else 0
        response = _post_room(
            phone, workshop, "/votes", {"cluster_id": cluster.id, "dots": mine + 1}
        )
        assert response.status_code == 302
    hidden_board = client.get(BOARD.format(id=workshop.id)).get_data(as_text=True)
    assert "3 of 3 have voted" in hidden_board
    assert "3 dots" not in hidden_board and "dots-left" not in hidden_board
    phone_page = ken.get(_room(workshop)).get_data(as_text=True)
    assert "1 dot left" in phone_page and "3 dots" not in phone_page
    assert _next(client, workshop).status_code == 302
    decided = client.get(BOARD.format(id=workshop.id)).get_data(as_text=True)
    assert "3 dots" in decided and "1 dot" in decided
    assert "3 dots" in ken.get(_room(workshop)).get_data(as_text=True)

    # Decide: choose, see our self-view, word the traits in both languages.
    response = _post_board(client, workshop, "/choose", {"cluster_ids": [quick.id, argues.id]})
    assert response.status_code == 302
    decide = client.get(BOARD.format(id=workshop.id)).get_data(as_text=True)
    assert "How well does {partner} live up to “Speed”?" in decide
    assert "2 people rated this; the view shows from 3 people." in decide  # Aoi, Ken
    db.session.expire_all()
    draft = db.session.get(WorkshopCluster, quick.id).draft
    fields = {f"c{quick.id}-{name}": value for name, value in draft.items()}
    fields[f"c{quick.id}-label_ja"] = "返事が早い"
    response = _post_board(
        client, workshop, f"/clusters/{quick.id}/draft", {**fields, f"c{quick.id}-redraft": "1"}
    )
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(WorkshopCluster, quick.id).draft["question_self_ja"] == (
        "私たちは「返事が早い」と言えますか。"
    )
    draft = db.session.get(WorkshopCluster, argues.id).draft
    fields = {f"c{argues.id}-{name}": value for name, value in draft.items()}
    fields[f"c{argues.id}-label_ja"] = "議論できる"
    assert _post_board(client, workshop, f"/clusters/{argues.id}/draft", fields).status_code == 302

    # Act: promises from a phone and from the board.
    assert _next(client, workshop).status_code == 302
    response = _post_room(
        aoi,
        workshop,
        "/actions",
        {"cluster_id": quick.id, "text": "Reply within a day", "owner": "Aoi", "due_on": ""},
    )
    assert response.status_code == 302
    response = _post_board(
        client,
        workshop,
        "/actions",
        {
            "cluster_id": argues.id,
            "text": "Bring one challenge",
            "owner": "",
            "due_on": "2027-03-01",
        },
    )
    assert response.status_code == 302
    act = client.get(BOARD.format(id=workshop.id)).get_data(as_text=True)
    assert "Reply within a day" in act and "Bring one challenge" in act

    # Result: the trait set, the printable summary.
    assert _next(client, workshop, name="Our partner").status_code == 302
    db.session.refresh(workshop)
    assert workshop.phase is Phase.RESULT
    trait_set = db.session.get(TraitSet, workshop.trait_set_id)
    assert trait_set.name == "Our partner"
    assert [t.label_ja for t in trait_set.traits] == ["議論できる", "返事が早い"]
    summary = client.get(f"/workshops/{workshop.id}/summary").get_data(as_text=True)
    assert "Reply within a day" in summary and "議論できる" not in summary  # English reader
    assert "Real debate" in summary and "2 people rated this" in summary
    result = aoi.get(_room(workshop)).get_data(as_text=True)
    assert "Thank you" in result and "Reply within a day" in result


def test_a_bad_note_comes_back_with_what_was_typed(app, client, facilitator):
    workshop = _open(client)
    phone = _phone(app, workshop)
    response = _post_room(
        phone, workshop, "/notes", {"text": "", "example": "Kept example", "self_rating": "3"}
    )
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "Kept example" in page and "This field is required." in page
    response = _post_room(phone, workshop, "/notes", {"text": "ok", "self_rating": "9"})
    assert response.status_code == 422


def test_a_note_sent_after_writing_closed_is_shown_back_to_copy(app, client, facilitator):
    workshop = _open(client)
    phone = _phone(app, workshop)
    _post_room(phone, workshop, "/notes", {"text": "First"})
    token = csrf_token(phone, _room(workshop))
    assert _next(client, workshop).status_code == 302
    link = f"/workshops/join/{service.join_token(workshop)}"
    response = phone.post(f"{link}/notes", data={"text": "Too late", "csrf_token": token})
    assert response.status_code == 409
    page = response.get_data(as_text=True)
    assert "Writing has closed" in page and "Too late" in page


def test_the_polls_answer_304_until_the_room_changes(app, client, facilitator):
    workshop = _open(client)
    phone = _phone(app, workshop)
    state = f"/workshops/join/{service.join_token(workshop)}/state"
    first = phone.get(state)
    assert first.status_code == 200 and first.json == {
        "phase": "write",
        "version": first.json["version"],
        "joined": True,
    }
    etag = first.headers["ETag"]
    assert phone.get(state, headers={"If-None-Match": etag}).status_code == 304
    board_state = f"/workshops/{workshop.id}/state"
    board_etag = client.get(board_state).headers["ETag"]
    _post_room(phone, workshop, "/notes", {"text": "New"})
    changed = phone.get(state, headers={"If-None-Match": etag})
    assert changed.status_code == 200 and changed.headers["ETag"] != etag
    assert client.get(board_state, headers={"If-None-Match": board_etag}).status_code == 200
    # A phone's poll is one query, however many notes the room wrote.
    with count_queries() as statements:
        phone.get(state)
    assert len(statements) == 1


def test_a_phone_that_has_not_joined_is_sent_to_the_join_page(app, client, facilitator):
    workshop = _open(client)
    stranger = app.test_client()
    link = f"/workshops/join/{service.join_token(workshop)}"
    response = stranger.get(f"{link}/room")
    assert response.status_code == 302 and response.headers["Location"].endswith(link)
    assert stranger.get(f"{link}/state").json["joined"] is False


def test_guests_see_nothing_outside_their_workshop(app, client, facilitator):
    workshop = _open(client)
    other = _open(client, question="Another room")
    phone = _phone(app, workshop, name="Guest")
    _post_room(phone, workshop, "/notes", {"text": "Mine"})
    # The staff pages: the sign-in page, for every one of them.
    for url in (
        "/workshops/",
        f"/workshops/{workshop.id}",
        f"/workshops/{workshop.id}/state",
        f"/workshops/{workshop.id}/summary",
        "/partners/",
        "/trait-sets/",
    ):
        response = phone.get(url)
        assert response.status_code == 302 and "/sign-in" in response.headers["Location"], url
    # The API: no token, no answer.
    assert phone.get(f"/api/v1/workshops/{workshop.id}/notes").status_code == 401
    # The other workshop: its link asks this phone to join, its room is not this one's.
    other_link = f"/workshops/join/{service.join_token(other)}"
    assert phone.get(f"{other_link}/room").status_code == 302
    assert phone.get(f"{other_link}/state").json["joined"] is False
    # A guessed link is the same page for every unknown token, and says nothing.
    unknown = phone.get("/workshops/join/not-a-real-token/room")
    assert unknown.status_code == 404 and "Mine" not in unknown.get_data(as_text=True)
    # The cookie is only ever sent to this workshop's link.
    path = f"/workshops/join/{service.join_token(workshop)}"
    cookie = phone.get_cookie("fc_workshop", domain="fitcheck.test", path=path)
    assert cookie is not None and cookie.http_only and cookie.same_site == "Lax"
    assert phone.get_cookie("fc_workshop", domain="fitcheck.test") is None  # not at "/"


def test_a_member_of_another_workspace_cannot_open_the_board(app, client, facilitator, make_user):
    workshop = _open(client)
    make_user("other@example.com")
    other = app.test_client()
    sign_in_with(other, "other@example.com")
    for url in (
        f"/workshops/{workshop.id}",
        f"/workshops/{workshop.id}/state",
        f"/workshops/{workshop.id}/summary",
    ):
        assert other.get(url).status_code == 404, url
    token = csrf_token(other, "/workshops/")
    response = other.post(
        f"/workshops/{workshop.id}/phase", data={"expected": "write", "csrf_token": token}
    )
    assert response.status_code == 404
    assert f'href="/workshops/{workshop.id}"' not in other.get("/workshops/").get_data(as_text=True)


def test_every_form_needs_its_csrf_token(app, client, facilitator):
    workshop = _open(client)
    phone = _phone(app, workshop)
    link = f"/workshops/join/{service.join_token(workshop)}"
    for who, url, data in (
        (phone, f"{link}/notes", {"text": "No token"}),
        (phone, link, {"side": "company"}),
        (client, f"/workshops/{workshop.id}/phase", {"expected": "write"}),
        (client, "/workshops/", {"language": "en"}),
    ):
        response = who.post(url, data=data)
        assert response.status_code == 400, url
    assert db.session.scalar(select(WorkshopNote.id)) is None


def test_next_pressed_twice_moves_the_workshop_once(app, client, facilitator):
    workshop = _open(client)
    phone = _phone(app, workshop)
    _post_room(phone, workshop, "/notes", {"text": "A"})
    token = csrf_token(client, BOARD.format(id=workshop.id))
    data = {"expected": "write", "csrf_token": token}
    assert client.post(f"/workshops/{workshop.id}/phase", data=data).status_code == 302
    again = client.post(f"/workshops/{workshop.id}/phase", data=data, follow_redirects=True)
    assert "already moved on" in again.get_data(as_text=True)
    db.session.refresh(workshop)
    assert workshop.phase is Phase.GROUP


def test_the_board_costs_as_many_queries_for_many_notes_as_for_few(app, client, facilitator):
    counts = {}
    for notes in (2, 30):
        workshop = _open(client)
        people = [service.join(workshop)[0] for _ in range(3)]
        for n in range(notes):
            service.write_note(people[n % 3], text=f"Note {n}", self_rating=1 + n % 5)
        service.advance(workshop, expected=Phase.WRITE)
        service.advance(workshop, expected=Phase.GROUP)
        service.advance(workshop, expected=Phase.VOTE)
        service.choose_clusters(workshop, [c.id for c in _clusters(workshop)[:3]])
        url = BOARD.format(id=workshop.id)
        with count_queries() as statements:
            assert client.get(url).status_code == 200
        counts[notes] = len(statements)
    assert counts[2] == counts[30], counts


def test_guessing_links_is_stopped_without_blocking_the_room(app, client, facilitator):
    workshop = _open(client)
    phone = _phone(app, workshop)
    state = f"/workshops/join/{service.join_token(workshop)}/state"
    for number in range(10):
        assert phone.get(f"/workshops/join/guess-{number}/state").status_code == 404
    assert phone.get(state).status_code == 200  # the room's own link still answers
    assert phone.get("/workshops/join/guess-10/state").status_code == 429
    assert phone.get(state).status_code == 200


def test_ids_past_any_id_are_refused_with_a_message_not_an_error(app, client, facilitator):
    workshop = _open(client)
    phone = _phone(app, workshop)
    _post_room(phone, workshop, "/notes", {"text": "A"})
    _post_room(phone, workshop, "/notes", {"text": "B"})
    assert _next(client, workshop).status_code == 302
    huge = str(2**70)
    for data in (
        {"cluster_ids": [huge, "1"], "merge": "1"},
        {"note_ids": [huge], "to_cluster": huge, "move": "1"},
        {"note_ids": ["x"], "move": "1"},
    ):
        assert _post_board(client, workshop, "/group", data).status_code == 422, data
    assert _next(client, workshop).status_code == 302
    for data in ({"cluster_id": huge, "dots": "1"}, {"cluster_id": "1", "dots": "-1"}):
        assert _post_room(phone, workshop, "/votes", data).status_code == 422, data


def test_the_board_shows_the_join_link_as_a_qr_code_of_that_very_link(client, facilitator):
    workshop = _open(client)
    page = client.get(f"/workshops/{workshop.id}").get_data(as_text=True)
    link = re.search(r'id="join-url" type="text" readonly value="([^"]+)"', page).group(1)
    assert link.endswith(f"/workshops/join/{service.join_token(workshop)}")
    drawn = re.search(
        r'<div class="fc-join-qr" role="img" aria-label="[^"]+">(<svg .*?</svg>)</div>', page
    )
    assert drawn is not None
    assert drawn.group(1) == str(join_qr(link))
    assert drawn.group(1) != str(join_qr(link + "x"))  # the code is the link's own
