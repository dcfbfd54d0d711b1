"""The brand-partner workshop's use cases, on SQLite and PostgreSQL: every phase, the rules
the room relies on (votes hidden until voting closes, notes anonymous unless signed, only
one's own notes rated), the trait set it ends with and where each trait came from, and the
promises a launch takes on as commitments."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime
from typing import Any

import pytest
from sqlalchemy import func, select

from fitcheck.extensions import db
from fitcheck.models import (
    AuditEvent,
    Commitment,
    CommitmentStatus,
    Kind,
    Phase,
    Side,
    TraitSet,
    User,
    Workshop,
    WorkshopAction,
    WorkshopCluster,
    WorkshopNote,
    WorkshopParticipant,
)
from fitcheck.services import ServiceError, assessments, audit, traits
from fitcheck.services import workshops as service
from fitcheck.services.respondents import add_respondent
from fitcheck.services.workshop_views import list_workshops, load_board, load_room
from fitcheck.tokens import hash_token

from .support import count_queries

Builder = Callable[..., Any]


@pytest.fixture
def facilitator(make_user: Builder) -> User:
    return make_user("facilitator@example.com")


@pytest.fixture
def room(facilitator: User) -> Callable[..., tuple[Workshop, list[WorkshopParticipant]]]:
    """`room(people=3, client=0)`: an open workshop and its participants (our side first)."""

    def build(people: int = 3, client: int = 0, **options: Any) -> Any:
        workshop = service.open_workshop(
            facilitator.workspace_id, created_by=facilitator, **options
        )
        joined = [service.join(workshop, name=f"Person {n}")[0] for n in range(1, people + 1)] + [
            service.join(workshop, name=f"Client {n}", side=Side.CLIENT)[0]
            for n in range(1, client + 1)
        ]
        return workshop, joined

    return build


def _grouped(workshop: Workshop, people: list[WorkshopParticipant], *phrases: str) -> Workshop:
    for index, phrase in enumerate(phrases):
        service.write_note(people[index % len(people)], text=phrase, self_rating=3)
    return service.advance(workshop, expected=Phase.WRITE)


def _clusters(workshop: Workshop) -> list[WorkshopCluster]:
    return list(
        db.session.scalars(
            select(WorkshopCluster)
            .where(WorkshopCluster.workshop_id == workshop.id)
            .order_by(WorkshopCluster.position, WorkshopCluster.id)
        )
    )


# ----------------------------------------------------------------------------------------
# Opening and joining
# ----------------------------------------------------------------------------------------


def test_a_workshop_opens_with_the_default_question_in_its_language(facilitator):
    english = service.open_workshop(facilitator.workspace_id)
    japanese = service.open_workshop(facilitator.workspace_id, language="ja")
    own = service.open_workshop(facilitator.workspace_id, question="  Who do we want?  ")
    assert english.question == "What is a good client — a brand partner — for us?"
    assert "ブランド・パートナー" in japanese.question
    assert own.question == "Who do we want?"
    assert english.phase is Phase.WRITE
    with pytest.raises(ServiceError) as refused:
        service.open_workshop(facilitator.workspace_id, language="fr")
    assert refused.value.field == "language"
    with pytest.raises(ServiceError):
        service.open_workshop(facilitator.workspace_id, question="x" * 301)


def test_the_join_link_is_unguessable_and_only_its_hash_is_stored(facilitator):
    workshop = service.open_workshop(facilitator.workspace_id)
    token = service.join_token(workshop)
    assert len(token) >= 40
    assert workshop.token_hash == hash_token(token)
    assert token not in {workshop.token_nonce, workshop.token_hash}
    assert service.find_workshop(token).id == workshop.id
    assert service.find_workshop(token[:-1] + ("A" if token[-1] != "A" else "B")) is None
    assert service.find_workshop("") is None


def test_a_participant_is_known_by_a_hashed_cookie_token_and_only_in_their_workshop(
    facilitator, make_user
):
    workshop = service.open_workshop(facilitator.workspace_id)
    other = service.open_workshop(facilitator.workspace_id)
    participant, token = service.join(workshop, name="  Aoi   Mori ", user=facilitator)
    assert participant.name == "Aoi Mori"
    assert participant.user_id == facilitator.id
    assert participant.token_hash == hash_token(token) != token
    assert service.find_participant(workshop, token).id == participant.id
    assert service.find_participant(other, token) is None
    stranger = make_user()  # a member of another workspace joins as a guest
    guest, _ = service.join(workshop, user=stranger)
    assert guest.user_id is None and guest.name == ""


def test_a_phone_finds_its_workshop_and_itself_in_one_query_and_sees_the_room_change(room):
    workshop, (person, *_rest) = room()
    token = service.join_token(workshop)
    participant, cookie = service.join(workshop)
    db.session.expire_all()
    with count_queries() as statements:
        found, me = service.find_link(token, cookie)
        before = service.poll_state(found, me)
    assert len(statements) == 1
    assert (found.id, me.id) == (workshop.id, participant.id)
    assert before.phase is Phase.WRITE and before.participant_id == participant.id
    service.write_note(person, text="Responds quickly")
    db.session.expire_all()
    after = service.poll_state(*service.find_link(token, cookie))
    assert after.version > before.version and after.etag != before.etag
    assert service.find_link(token, "not-a-participant")[1] is None
    assert service.find_link(token, None)[1] is None
    assert service.find_link("unknown", cookie) is None
    other = service.open_workshop(workshop.workspace_id)
    assert service.find_link(service.join_token(other), cookie)[1] is None


# ----------------------------------------------------------------------------------------
# Write
# ----------------------------------------------------------------------------------------


def test_a_note_and_its_mirror_rating_are_one_gesture(room):
    _workshop, (person, *_rest) = room()
    note = service.write_note(
        person, text=" Responds   quickly ", example="Replied on a Sunday", self_rating=2
    )
    assert note.text == "Responds quickly"
    assert note.self_rating == 2 and not note.signed
    later = service.write_note(person, text="Argues with us")
    assert later.self_rating is None
    assert service.rate_note(person, later.id, 4).self_rating == 4


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"text": "   "}, "text"),
        ({"text": "x" * 201}, "text"),
        ({"text": "ok", "example": "x" * 1001}, "example"),
        ({"text": "ok", "self_rating": 6}, "self_rating"),
        ({"text": "ok", "self_rating": 0}, "self_rating"),
    ],
)
def test_a_bad_note_is_refused_on_its_field(room, fields, field):
    _workshop, (person, *_rest) = room()
    with pytest.raises(ServiceError) as refused:
        service.write_note(person, **fields)
    assert refused.value.field == field
    assert db.session.scalar(select(func.count(WorkshopNote.id))) == 0


def test_only_the_writer_rates_a_note_and_only_until_the_decisions(room):
    workshop, (writer, other, *_rest) = room()
    note = service.write_note(writer, text="Keeps promises")
    with pytest.raises(ServiceError):
        service.rate_note(other, note.id, 3)
    stranger_workshop, (stranger, *_x) = room()
    with pytest.raises(ServiceError):
        service.rate_note(stranger, note.id, 3)
    service.advance(workshop, expected=Phase.WRITE)
    service.advance(workshop, expected=Phase.GROUP)
    assert service.rate_note(writer, note.id, 5).self_rating == 5  # still while voting
    service.advance(workshop, expected=Phase.VOTE)
    with pytest.raises(ServiceError):
        service.rate_note(writer, note.id, 1)
    assert stranger_workshop.phase is Phase.WRITE


def test_writing_closes_when_the_facilitator_moves_on(room):
    workshop, (person, *_rest) = room()
    service.write_note(person, text="Enjoys change")
    service.advance(workshop, expected=Phase.WRITE)
    with pytest.raises(ServiceError):
        service.write_note(person, text="Too late")


# ----------------------------------------------------------------------------------------
# Moving on
# ----------------------------------------------------------------------------------------


def test_phases_move_forward_once_however_often_next_is_pressed(room):
    workshop, people = room()
    with pytest.raises(ServiceError):  # nothing to group yet
        service.advance(workshop, expected=Phase.WRITE)
    _grouped(workshop, people, "Responds quickly", "Enjoys change")
    assert workshop.phase is Phase.GROUP
    with pytest.raises(ServiceError) as twice:
        service.advance(workshop, expected=Phase.WRITE)
    assert str(twice.value) == str(service.ALREADY_MOVED)
    assert len(_clusters(workshop)) == 2
    with pytest.raises(ServiceError):  # the last step needs a name: `finish`
        service.advance(workshop, expected=Phase.ACT)


def test_grouping_starts_with_each_note_its_own_cluster(room):
    workshop, people = room()
    _grouped(workshop, people, "Responds quickly", "Answers fast", "Enjoys change")
    clusters = _clusters(workshop)
    assert [cluster.name for cluster in clusters] == [
        "Responds quickly",
        "Answers fast",
        "Enjoys change",
    ]
    assert all(len(cluster.notes) == 1 for cluster in clusters)


# ----------------------------------------------------------------------------------------
# Group
# ----------------------------------------------------------------------------------------


def test_merging_moving_and_naming_clusters(room):
    workshop, people = room()
    _grouped(workshop, people, "Responds quickly", "Answers fast", "Enjoys change", "Honest")
    quick, fast, change, honest = _clusters(workshop)
    merged = service.merge_clusters(workshop, [fast.id, quick.id], name="Speed")
    assert merged.id == quick.id and merged.name == "Speed"
    assert [c.id for c in _clusters(workshop)] == [quick.id, change.id, honest.id]
    assert len(merged.notes) == 2
    # A note moved out to a cluster of its own; the cluster it left keeps its other note.
    note = merged.notes[1]
    alone = service.move_notes(workshop, [note.id], to_cluster_id=None)
    assert alone.name == "Answers fast" and alone.position == 4  # after the last
    # Moving the last note out of a cluster removes that cluster.
    honest_id = honest.id
    service.move_notes(workshop, [honest.notes[0].id], to_cluster_id=change.id)
    assert db.session.get(WorkshopCluster, honest_id) is None
    service.rename_cluster(workshop, change.id, "  Growth  ")
    assert db.session.get(WorkshopCluster, change.id).name == "Growth"
    with pytest.raises(ServiceError):
        service.merge_clusters(workshop, [change.id])
    with pytest.raises(ServiceError):
        service.rename_cluster(workshop, change.id, "   ")


def test_clusters_of_another_workshop_cannot_be_touched(room):
    workshop, people = room()
    other, others = room()
    _grouped(workshop, people, "A", "B")
    _grouped(other, others, "C", "D")
    mine, theirs = _clusters(workshop), _clusters(other)
    with pytest.raises(ServiceError):
        service.merge_clusters(workshop, [mine[0].id, theirs[0].id])
    with pytest.raises(ServiceError):
        service.move_notes(workshop, [theirs[0].notes[0].id], to_cluster_id=mine[0].id)
    with pytest.raises(ServiceError):
        service.move_notes(workshop, [mine[0].notes[0].id], to_cluster_id=theirs[1].id)
    with pytest.raises(ServiceError):
        service.rename_cluster(workshop, theirs[0].id, "Mine now")
    assert [c.name for c in _clusters(other)] == ["C", "D"]


def test_grouping_is_closed_outside_its_phase(room):
    workshop, people = room()
    note = service.write_note(people[0], text="A")
    with pytest.raises(ServiceError):
        service.move_notes(workshop, [note.id], to_cluster_id=None)


# ----------------------------------------------------------------------------------------
# Vote
# ----------------------------------------------------------------------------------------


def test_each_participant_has_three_dots_per_ten_clusters(room):
    workshop, people = room()
    _grouped(workshop, people, *[f"Note {n}" for n in range(11)])
    service.advance(workshop, expected=Phase.GROUP)
    assert workshop.dots == 4  # 11 clusters: 3.3, rounded up


def test_the_facilitator_may_give_other_dots_when_the_vote_opens(room):
    workshop, people = room()
    _grouped(workshop, people, "A", "B")
    with pytest.raises(ServiceError):
        service.advance(workshop, expected=Phase.GROUP, dots=0)
    service.advance(workshop, expected=Phase.GROUP, dots=5)
    assert workshop.dots == 5


def test_dots_never_pass_the_participants_allowance(room):
    workshop, people = room()
    _grouped(workshop, people, "A", "B", "C")
    service.advance(workshop, expected=Phase.GROUP, dots=3)
    a, b, c = _clusters(workshop)
    voter = people[0]
    assert service.set_dots(voter, a.id, 2) == 1
    assert service.set_dots(voter, b.id, 1) == 0
    with pytest.raises(ServiceError):
        service.set_dots(voter, c.id, 1)
    assert service.set_dots(voter, a.id, 0) == 2  # taken back
    assert service.set_dots(voter, c.id, 2) == 0
    with pytest.raises(ServiceError):
        service.set_dots(voter, c.id, 4)


def test_the_tally_is_hidden_until_voting_closes(room):
    workshop, people = room()
    _grouped(workshop, people, "A", "B")
    service.advance(workshop, expected=Phase.GROUP, dots=2)
    a, b = _clusters(workshop)
    service.set_dots(people[0], a.id, 2)
    service.set_dots(people[1], a.id, 1)
    service.set_dots(people[1], b.id, 1)
    with pytest.raises(service.VotesHidden):
        service.votes_tally(workshop)
    board = load_board(workshop)
    assert all(view.dots is None for view in board.clusters)
    assert (board.voted, board.dots_given) == (2, 4)
    service.advance(workshop, expected=Phase.VOTE)
    assert service.votes_tally(workshop) == {a.id: (3, 2), b.id: (1, 1)}
    with pytest.raises(ServiceError):  # voting has closed
        service.set_dots(people[2], a.id, 1)
    assert [view.dots for view in load_board(workshop).clusters] == [3, 1]


# ----------------------------------------------------------------------------------------
# Decide
# ----------------------------------------------------------------------------------------


def _to_decide(room: Builder, *phrases: str, **options: Any) -> tuple[Workshop, list[Any]]:
    workshop, people = room(**options)
    _grouped(workshop, people, *phrases)
    service.advance(workshop, expected=Phase.GROUP)
    service.advance(workshop, expected=Phase.VOTE)
    return workshop, people


def test_a_chosen_cluster_is_drafted_as_a_trait_in_both_languages(room):
    workshop, _people = _to_decide(room, "Responds quickly", "Argues with us")
    quick, argues = _clusters(workshop)
    with pytest.raises(ServiceError):  # nothing chosen
        service.advance(workshop, expected=Phase.DECIDE)
    service.choose_clusters(workshop, [quick.id])
    draft = db.session.get(WorkshopCluster, quick.id).draft
    assert draft["label_en"] == draft["label_ja"] == "Responds quickly"
    assert draft["question_other_en"] == "How well does {partner} live up to “Responds quickly”?"
    assert draft["question_self_en"] == "How well do we live up to “Responds quickly”?"
    assert draft["question_other_ja"] == "{partner}は「Responds quickly」と言えますか。"
    assert draft["question_self_ja"] == "私たちは「Responds quickly」と言えますか。"
    assert db.session.get(WorkshopCluster, argues.id).draft == {}
    # The facilitator translates the label and redrafts the questions from it.
    edited = service.TraitText(**{**draft, "label_ja": "返事が早い"})
    redrafted = service.update_draft(workshop, quick.id, edited, redraft=True)
    assert redrafted.draft["question_self_ja"] == "私たちは「返事が早い」と言えますか。"
    assert redrafted.draft["question_self_en"] == "How well do we live up to “Responds quickly”?"
    with pytest.raises(ServiceError) as braces:
        service.update_draft(
            workshop,
            quick.id,
            service.TraitText(**{**redrafted.draft, "question_self_en": "Do we {x}?"}),
        )
    assert braces.value.field == "question_self_en"
    with pytest.raises(ServiceError) as empty:
        service.update_draft(
            workshop, quick.id, service.TraitText(**{**redrafted.draft, "label_ja": " "})
        )
    assert empty.value.field == "label_ja"
    with pytest.raises(ServiceError):  # only a chosen cluster is worded
        service.update_draft(workshop, argues.id, edited)


def test_the_facilitators_templates_word_the_drafts(room):
    workshop, _people = _to_decide(room, "Candid")
    templates = {**workshop.templates, "question_self_en": "Are we {trait}, honestly?"}
    with pytest.raises(ServiceError) as refused:
        service.update_templates(
            workshop, {**templates, "question_other_en": "Is the client {trait}?"}
        )
    assert refused.value.field == "question_other_en"
    with pytest.raises(ServiceError):
        service.update_templates(workshop, {**templates, "description_ja": "{oops}"})
    service.update_templates(workshop, templates)
    (candid,) = _clusters(workshop)
    service.choose_clusters(workshop, [candid.id])
    assert candid.draft["question_self_en"] == "Are we Candid, honestly?"


def test_the_team_sees_its_own_self_ratings_on_each_cluster_with_their_spread(room):
    workshop, people = room(people=3, client=1)
    ours, theirs = people[:3], people[3]
    service.write_note(ours[0], text="Quick", self_rating=2)
    service.write_note(ours[1], text="Fast", self_rating=4)
    service.write_note(ours[2], text="Swift")  # not rated
    service.write_note(theirs, text="Rapid", self_rating=5)
    service.advance(workshop, expected=Phase.WRITE)
    clusters = _clusters(workshop)
    service.merge_clusters(workshop, [c.id for c in clusters], name="Speed")
    service.advance(workshop, expected=Phase.GROUP)
    service.advance(workshop, expected=Phase.VOTE)
    (speed,) = load_board(workshop).clusters
    # Fewer than 3 people: only how many rated (tests/test_workshop_self_view.py).
    assert (speed.our_view.count, speed.our_view.mean, speed.our_view.spread) == (2, None, None)
    assert (speed.their_view.count, speed.their_view.mean) == (1, None)


# ----------------------------------------------------------------------------------------
# Act and result
# ----------------------------------------------------------------------------------------


def _to_act(room: Builder) -> tuple[Workshop, list[Any], list[WorkshopCluster]]:
    workshop, people = room(people=3)
    service.write_note(people[0], text="Responds quickly", self_rating=2, signed=True)
    service.write_note(people[1], text="Answers within a day", self_rating=4)
    service.write_note(people[2], text="Argues with us", self_rating=5)
    service.write_note(people[2], text="Wears a tie")
    service.advance(workshop, expected=Phase.WRITE)
    quick, day, argues, tie = _clusters(workshop)
    service.merge_clusters(workshop, [quick.id, day.id], name="Speed")
    service.advance(workshop, expected=Phase.GROUP, dots=2)
    for person in people:
        service.set_dots(person, argues.id, 2)
    service.set_dots(people[0], argues.id, 1)
    service.set_dots(people[0], quick.id, 1)
    service.advance(workshop, expected=Phase.VOTE)
    service.choose_clusters(workshop, [quick.id, argues.id])
    for cluster, label_ja in ((quick, "返事が早い"), (argues, "議論できる")):
        draft = db.session.get(WorkshopCluster, cluster.id).draft
        service.update_draft(
            workshop,
            cluster.id,
            service.TraitText(**{**draft, "label_ja": label_ja}),
            redraft=True,
        )
    service.advance(workshop, expected=Phase.DECIDE)
    return workshop, people, [quick, argues, tie]


def test_promises_are_written_in_the_act_phase_and_taken_back_by_their_writer(room):
    workshop, people, (quick, argues, tie) = _to_act(room)
    mine = service.add_action(
        workshop, quick.id, text="Reply within a day", owner="Aoi", participant=people[0]
    )
    facilitators = service.add_action(workshop, argues.id, text="Bring one challenge a month")
    with pytest.raises(ServiceError):  # not a chosen trait
        service.add_action(workshop, tie.id, text="Wear ties")
    with pytest.raises(ServiceError) as blank:
        service.add_action(workshop, quick.id, text="  ")
    assert blank.value.field == "text"
    with pytest.raises(ServiceError) as far:
        service.add_action(workshop, quick.id, text="Later", due_on=date(2099, 1, 1))
    assert far.value.field == "due_on"
    with pytest.raises(ServiceError):
        service.remove_action(workshop, facilitators.id, participant=people[0])
    service.remove_action(workshop, mine.id, participant=people[0])
    service.remove_action(workshop, facilitators.id)
    assert db.session.scalar(select(func.count(WorkshopAction.id))) == 0


def test_the_workshop_ends_with_a_trait_set_and_each_traits_provenance(room):
    workshop, _people, (quick, _argues, _tie) = _to_act(room)
    service.add_action(workshop, quick.id, text="Reply within a day", owner="Aoi")
    with pytest.raises(ServiceError):
        service.finish(workshop, name="x" * 200)
    trait_set = service.finish(workshop, name="Our brand partner")
    assert workshop.phase is Phase.RESULT and workshop.trait_set_id == trait_set.id
    assert workshop.finished_at is not None
    # Most dots first: "Argues with us" had 4 (one dot moved), Speed 1.
    assert [t.label_en for t in trait_set.traits] == ["Argues with us", "Speed"]
    assert [t.label_ja for t in trait_set.traits] == ["議論できる", "返事が早い"]
    assert [t.key for t in trait_set.traits] == ["argues_with_us", "speed"]
    speed_trait = trait_set.traits[1]
    assert speed_trait.question_other_en == "How well does {partner} live up to “Speed”?"
    assert speed_trait.question_self_ja == "私たちは「返事が早い」と言えますか。"
    assert trait_set.scale_lo == 1 and trait_set.scale_hi == 5
    assert workshop.question in trait_set.description
    speed = db.session.get(WorkshopCluster, quick.id)
    assert speed.trait_id == speed_trait.id
    provenance = speed.provenance
    assert provenance["workshop_id"] == workshop.id
    assert provenance["held_on"] == service.held_on(workshop).isoformat()
    assert provenance["dots"] == 1 and provenance["voters"] == 1
    notes = {note["text"]: note["writer"] for note in provenance["notes"]}
    # Signed: the writer's name; anonymous: none.
    assert notes == {"Responds quickly": "Person 1", "Answers within a day": None}
    assert provenance["self_view"]["company"]["count"] == 2  # too few for the rest
    assert provenance["self_view"]["company"]["mean"] is None
    # The result is final.
    with pytest.raises(ServiceError):
        service.add_action(workshop, quick.id, text="More")
    with pytest.raises(ServiceError):
        service.join(workshop)


def test_a_taken_trait_set_name_is_refused_and_nothing_is_half_made(room, facilitator):
    workshop, _people, _made = _to_act(room)
    traits.create_trait_set(
        facilitator.workspace_id, name="Taken", scale_lo=1, scale_hi=5, point_labels={}
    )
    before = db.session.scalar(select(func.count(TraitSet.id)))
    with pytest.raises(ServiceError) as taken:
        service.finish(workshop, name="Taken")
    assert taken.value.field == "name"
    db.session.refresh(workshop)
    assert workshop.phase is Phase.ACT
    assert db.session.scalar(select(func.count(TraitSet.id))) == before


def _launch_on(trait_set: TraitSet, make_partner: Builder, *, previous: Any = None) -> Any:
    partner = make_partner(trait_set.workspace)
    assessment = assessments.create_assessment(
        partner, trait_set, kind=Kind.PRE_CONTRACT, previous=previous
    )
    for side in Side:
        add_respondent(assessment, side=side, name=side.value, email=f"{side.value}@x.example")
    return assessments.launch(assessment, invite=False)


def test_the_launch_on_the_workshops_traits_takes_its_promises_as_our_commitments(
    room, make_partner, facilitator
):
    workshop, _people, (quick, argues, _tie) = _to_act(room)
    service.add_action(
        workshop, quick.id, text="Reply within a day", owner="Test User", due_on=date(2027, 3, 1)
    )
    service.add_action(workshop, argues.id, text="Bring one challenge a month")
    trait_set = service.finish(workshop, name="Partner traits")
    first = _launch_on(trait_set, make_partner)
    made = list(
        db.session.scalars(
            select(Commitment).where(Commitment.assessment_id == first.id).order_by(Commitment.id)
        )
    )
    assert [(c.action, c.side, c.status) for c in made] == [
        ("Reply within a day", Side.COMPANY, CommitmentStatus.OPEN),
        ("Bring one challenge a month", Side.COMPANY, CommitmentStatus.OPEN),
    ]
    assert [c.trait.key for c in made] == ["speed", "argues_with_us"]
    assert made[0].due_on == date(2027, 3, 1)
    assert made[0].owner_user_id == facilitator.id  # the member named as owner
    actions = db.session.scalars(select(WorkshopAction).order_by(WorkshopAction.id)).all()
    assert [a.commitment_id for a in actions] == [c.id for c in made]
    # A second launch on the same set does not take them again.
    second = _launch_on(trait_set, make_partner)
    assert (
        db.session.scalar(
            select(func.count(Commitment.id)).where(Commitment.assessment_id == second.id)
        )
        == 0
    )


def test_a_promise_on_a_retired_trait_stays_open_for_a_later_launch(room, make_partner):
    workshop, _people, (quick, _argues, _tie) = _to_act(room)
    action = service.add_action(workshop, quick.id, text="Reply within a day")
    trait_set = service.finish(workshop, name="Partner traits")
    speed = next(t for t in trait_set.traits if t.key == "speed")
    traits.retire_trait(speed)
    _launch_on(trait_set, make_partner)
    assert db.session.get(WorkshopAction, action.id).commitment_id is None
    traits.restore_trait(speed)
    later = _launch_on(db.session.get(TraitSet, trait_set.id), make_partner)
    assert db.session.get(WorkshopAction, action.id).commitment_id is not None
    assert (
        db.session.scalar(
            select(func.count(Commitment.id)).where(Commitment.assessment_id == later.id)
        )
        == 1
    )


# ----------------------------------------------------------------------------------------
# Reading the room
# ----------------------------------------------------------------------------------------


def test_the_board_and_a_phone_read_the_room_in_as_many_queries_for_many_notes_as_few(room):
    counts = []
    for notes in (2, 40):
        workshop, people = room(people=4)
        _grouped(workshop, people, *[f"Note {n}" for n in range(notes)])
        service.advance(workshop, expected=Phase.GROUP)
        service.set_dots(people[0], _clusters(workshop)[0].id, 1)
        service.advance(workshop, expected=Phase.VOTE)
        service.choose_clusters(workshop, [c.id for c in _clusters(workshop)[:2]])
        service.advance(workshop, expected=Phase.DECIDE)
        for cluster in _clusters(workshop)[:2]:
            service.add_action(workshop, cluster.id, text="More of it")
        db.session.expire_all()
        with count_queries() as statements:
            board = load_board(workshop)
            load_room(workshop, people[0])
        counts.append(len(statements))
        assert len(board.notes) == notes and len(board.chosen) == 2
        assert all(len(view.actions) == 1 for view in board.chosen)
    # The workshop reloaded once, five for the board, six for the phone (its own dots).
    assert counts[0] == counts[1] <= 12


def test_the_list_of_workshops_is_one_query_and_only_the_workspaces(room, make_user):
    workshop, people = room()
    service.write_note(people[0], text="A")
    elsewhere = make_user()
    service.open_workshop(elsewhere.workspace_id)
    workspace_id, workshop_id = workshop.workspace_id, workshop.id
    with count_queries() as statements:
        listed = list_workshops(workspace_id)
    assert len(statements) == 1
    assert [(row.workshop.id, row.notes, row.participants) for row in listed] == [
        (workshop_id, 1, 3)
    ]


def test_the_demo_workshop_ends_in_the_trait_set_it_is_given(facilitator, make_partner):
    trait_set = db.session.scalar(
        select(TraitSet).where(TraitSet.workspace_id == facilitator.workspace_id)
    )
    workshop = service.demo_workshop(
        facilitator.workspace_id, facilitator, trait_set, names=["Sato Haruka"], language="ja"
    )
    assert workshop.phase is Phase.RESULT and workshop.trait_set_id == trait_set.id
    board = load_board(workshop)
    assert len(board.chosen) == len(trait_set.active_traits)
    assert {view.cluster.trait_id for view in board.chosen} == {
        trait.id for trait in trait_set.active_traits
    }
    assert board.participants == 5
    passion = next(
        v for v in board.clusters if v.cluster.name == "自分たちの事業に本気で打ち込んでいる"
    )
    assert passion.cluster.provenance["notes"][0]["text"] == passion.cluster.name
    assert passion.our_view.count >= 1
    assert sum(view.dots or 0 for view in board.clusters) == 5 * workshop.dots
    # Its promises are taken on by the first launch on the set.
    assessment = _launch_on(trait_set, make_partner)
    made = db.session.scalars(
        select(Commitment).where(Commitment.assessment_id == assessment.id)
    ).all()
    assert sorted(c.trait.key for c in made) == ["dialogue", "passion", "quick_response"]
    assert all(c.owner == facilitator.name for c in made)


def test_the_workshops_day_is_the_day_where_the_team_is(facilitator):
    evening_in_utc = datetime(2026, 12, 4, 20, 0, tzinfo=UTC)  # 5 December, 5:00 in Tokyo
    workshop = service.open_workshop(facilitator.workspace_id, now=evening_in_utc)
    assert service.held_on(workshop) == date(2026, 12, 5)
    assert service.default_set_name(workshop) == "Brand partner workshop 2026-12-05"


def test_opening_and_finishing_a_workshop_are_on_record(room, facilitator):
    workshop, people, _clusters_chosen = _to_act(room)
    trait_set = service.finish(workshop, name="Our brand partner", actor=facilitator)
    opened, finished = db.session.scalars(
        select(AuditEvent).where(AuditEvent.kind.like("workshop_%")).order_by(AuditEvent.id)
    )
    assert opened.kind == audit.Kind.WORKSHOP_OPENED
    assert opened.subject == workshop.question
    assert opened.details == {"workshop_id": workshop.id, "language": "en"}
    assert finished.kind == audit.Kind.WORKSHOP_FINISHED
    assert finished.subject == "Our brand partner"
    assert finished.details == {
        "workshop_id": workshop.id,
        "trait_set_id": trait_set.id,
        "traits": 2,
        "participants": len(people),
    }
    assert opened.actor_id == finished.actor_id == facilitator.id
