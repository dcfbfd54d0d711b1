"""Scheduled work: the reveal at the deadline, automatic reminders, "results are ready"
mail and the weekly commitments digest, with time passed in (nothing sleeps).

Mail is inspected as outbox rows, and rendered by the worker's own path
(`outbox.deliver_due`) with the sending replaced by a recorder.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import func, select

from fitcheck.extensions import db
from fitcheck.models import (
    ActorKind,
    Assessment,
    AuditEvent,
    Commitment,
    CommitmentStatus,
    Kind,
    MailStatus,
    OutboxMessage,
    Partner,
    Respondent,
    RevealPolicy,
    Role,
    ScheduleMark,
    Side,
    State,
    TraitSet,
    User,
)
from fitcheck.services import ServiceError, assessments, commitments, outbox, scheduler
from fitcheck.services.answers import AnswerInput, save_answers
from fitcheck.services.invitations import link_token
from fitcheck.services.respondents import add_respondent

from .support import csrf_token, sign_in_with

# A Tuesday, 09:00 in Tokyo (the app's default timezone).
LAUNCH = datetime(2026, 12, 1, 0, 0, tzinfo=UTC)
DEADLINE = LAUNCH + timedelta(days=10)  # Friday 11 December, 09:00 in Tokyo
MINUTE = timedelta(minutes=1)


# --------------------------------------------------------------------------------------------
# Builders
# --------------------------------------------------------------------------------------------


@pytest.fixture
def sent(monkeypatch: pytest.MonkeyPatch) -> list[dict[str, Any]]:
    """Every mail the worker sends, instead of an SMTP server."""
    outgoing: list[dict[str, Any]] = []
    lock = threading.Lock()

    def record(**message: Any) -> None:
        with lock:
            outgoing.append(message)

    monkeypatch.setattr(outbox, "send_message", record)
    return outgoing


@pytest.fixture
def owner(make_user: Callable[..., User]) -> User:
    user = make_user("owner@example.com")
    user.name = "Olivia Owner"
    db.session.commit()
    return user


@pytest.fixture
def member(make_user: Callable[..., User], owner: User) -> User:
    user = make_user("mika@example.com", workspace=owner.workspace, role=Role.MEMBER)
    user.name = "Mika Member"
    user.locale = "ja"
    db.session.commit()
    return user


@pytest.fixture
def round_(
    make_partner: Callable[..., Any], owner: User
) -> Callable[..., tuple[Assessment, dict[str, Respondent]]]:
    """A round of `owner`'s workspace with named respondents, launched at `launched_at`
    by `launched_by` unless `launch=False`."""

    def build(
        people: tuple[tuple[str, Side, str | None], ...] = (
            ("Company 1", Side.COMPANY, "en"),
            ("Client 1", Side.CLIENT, "ja"),
        ),
        *,
        launch: bool = True,
        launched_at: datetime = LAUNCH,
        launched_by: User | None = None,
        created_by: User | None = None,
        **settings: Any,
    ) -> tuple[Assessment, dict[str, Respondent]]:
        settings.setdefault("deadline", DEADLINE)
        settings.setdefault("kind", Kind.PRE_CONTRACT)
        partner = db.session.scalar(
            select(Partner).where(Partner.workspace_id == owner.workspace_id)
        ) or make_partner(owner.workspace, "Minato Logistics")
        trait_set = db.session.scalar(
            select(TraitSet).where(TraitSet.workspace_id == owner.workspace_id)
        )
        assessment = assessments.create_assessment(
            partner,
            trait_set,
            created_by_id=created_by.id if created_by else None,
            **settings,
        )
        respondents = {}
        for name, side, locale in people:
            email = (
                None if name.startswith("No email") else f"{name.lower().replace(' ', '.')}@x.jp"
            )
            respondents[name], _ = add_respondent(
                assessment, side=side, name=name, email=email, locale=locale
            )
        if launch:
            assessments.launch(assessment, actor=launched_by, invite=True, now=launched_at)
        return assessment, respondents

    return build


def submit(respondent: Respondent, now: datetime = DEADLINE - timedelta(days=1)) -> None:
    answers = [
        AnswerInput(trait_key=trait.key, other=4, self_=3, importance=3)
        for trait in respondent.assessment.traits
    ]
    save_answers(respondent, answers, submit=True, now=now)


def tick(now: datetime) -> None:
    scheduler.tick(now=lambda: now)
    db.session.rollback()  # read what the tick committed, as any other reader would


def mail(kind: str) -> list[OutboxMessage]:
    return list(
        db.session.scalars(
            select(OutboxMessage).where(OutboxMessage.kind == kind).order_by(OutboxMessage.id)
        )
    )


def to(kind: str) -> list[str]:
    return [message.to_address for message in mail(kind)]


def reveal_events(assessment: Assessment) -> list[AuditEvent]:
    return [
        event
        for event in db.session.scalars(
            select(AuditEvent).where(AuditEvent.kind == "reveal").order_by(AuditEvent.id)
        )
        if event.details.get("assessment_id") == assessment.id
    ]


def body_of(sent: list[dict[str, Any]], address: str, about: str = "") -> dict[str, Any]:
    """The one mail sent to `address` (whose subject holds `about`, when given)."""
    (message,) = [m for m in sent if m["to"] == address and about in m["subject"]]
    return message


# --------------------------------------------------------------------------------------------
# The reveal at the deadline
# --------------------------------------------------------------------------------------------


def test_a_deadline_round_reveals_itself_once_both_sides_reached_k(app: Flask, round_, owner):
    assessment, people = round_(reveal_policy=RevealPolicy.DEADLINE, launched_by=owner)
    for person in people.values():
        submit(person)
    assert assessment.state is State.COLLECTING, "not before its deadline"

    tick(DEADLINE - MINUTE)
    assert db.session.get(Assessment, assessment.id).state is State.COLLECTING

    tick(DEADLINE + MINUTE)
    revealed = db.session.get(Assessment, assessment.id)
    assert revealed.state is State.REVEALED
    assert revealed.revealed_at == DEADLINE + MINUTE
    (event,) = reveal_events(assessment)
    assert event.actor_kind is ActorKind.DEADLINE and event.actor_id is None
    assert mail("deadline_missed") == []

    tick(DEADLINE + 2 * MINUTE)
    assert len(reveal_events(assessment)) == 1


def test_below_k_at_the_deadline_stays_sealed_and_tells_the_owner_once(
    app: Flask, round_, owner, member, sent
):
    assessment, people = round_(
        reveal_policy=RevealPolicy.DEADLINE,
        min_responses_per_side=1,
        launched_by=member,
        created_by=owner,
    )
    submit(people["Company 1"])

    tick(DEADLINE + MINUTE)
    sealed = db.session.get(Assessment, assessment.id)
    assert sealed.state is State.COLLECTING
    assert sealed.deadline_missed_at == DEADLINE + MINUTE
    assert to("deadline_missed") == ["mika@example.com"], "who launched it"
    (message,) = mail("deadline_missed")
    assert message.locale == "ja" and message.status is MailStatus.SENT
    text = body_of(sent, "mika@example.com")["text"]
    assert f"http://fitcheck.test/assessments/{assessment.id}" in text

    tick(DEADLINE + 2 * MINUTE)
    tick(DEADLINE + timedelta(hours=5))
    assert len(mail("deadline_missed")) == 1, "a second tick does not mail again"
    assert reveal_events(assessment) == []


def test_the_deadline_mail_gives_both_sides_counts_against_k(app: Flask, round_, owner, sent):
    _, people = round_(
        (
            ("Company 1", Side.COMPANY, "en"),
            ("Company 2", Side.COMPANY, "en"),
            ("Client 1", Side.CLIENT, "en"),
        ),
        reveal_policy=RevealPolicy.DEADLINE,
        min_responses_per_side=2,
        launched_by=owner,
    )
    submit(people["Company 1"])
    submit(people["Company 2"])
    submit(people["Client 1"])

    tick(DEADLINE + MINUTE)

    message = body_of(sent, "owner@example.com")
    workspace = owner.workspace.name
    assert "Minato Logistics" in message["subject"]
    assert f"Your company ({workspace}): 2 answered, 2 needed." in message["text"]
    assert "Minato Logistics: 1 answered, 2 needed." in message["text"]
    assert "extend the deadline" in message["text"]
    assert "Open the assessment" in message["html"]


def test_without_a_launcher_the_workspace_owners_hear_of_a_missed_deadline(
    app: Flask, round_, owner, member, make_user
):
    second = make_user("second@example.com", workspace=owner.workspace, role=Role.OWNER)
    round_(reveal_policy=RevealPolicy.DEADLINE)  # launched and created by no one (the API)

    tick(DEADLINE + MINUTE)

    assert sorted(to("deadline_missed")) == sorted([owner.email, second.email])


def test_extending_the_deadline_watches_the_new_one(app: Flask, round_, owner, sent):
    assessment, people = round_(reveal_policy=RevealPolicy.DEADLINE, launched_by=owner)
    submit(people["Company 1"])
    tick(DEADLINE + MINUTE)
    assert len(mail("deadline_missed")) == 1

    later = DEADLINE + timedelta(days=7)
    assessments.extend_deadline(
        db.session.get(Assessment, assessment.id), later, now=DEADLINE + timedelta(hours=1)
    )
    assert db.session.get(Assessment, assessment.id).deadline_missed_at is None
    tick(later - MINUTE)
    assert len(mail("deadline_missed")) == 1

    tick(later + MINUTE)  # still below k at the new deadline: told again, once
    assert len(mail("deadline_missed")) == 2
    tick(later + 2 * MINUTE)
    assert len(mail("deadline_missed")) == 2

    final = later + timedelta(days=7)
    assessments.extend_deadline(db.session.get(Assessment, assessment.id), final, now=later)
    submit(db.session.get(Respondent, people["Client 1"].id), now=final - timedelta(days=1))
    tick(final + MINUTE)
    assert db.session.get(Assessment, assessment.id).state is State.REVEALED
    (event,) = reveal_events(assessment)
    assert event.actor_kind is ActorKind.DEADLINE


def test_the_assessment_page_says_how_it_reveals_and_reminds(app: Flask, client, round_, owner):
    assessment, _ = round_(reveal_policy=RevealPolicy.DEADLINE, launched_by=owner)
    tick(DEADLINE + MINUTE)
    sign_in_with(client, owner.email)
    page = client.get(f"/assessments/{assessment.id}").get_data(as_text=True)
    assert "At the deadline, if both sides reach the minimum of answers" in page
    assert "the results stay sealed. Extend the deadline, or reveal them by hand." in page
    assert "3, 1 days before the deadline, to those who have not answered" in page


def test_a_mail_about_a_missed_deadline_is_dropped_once_the_deadline_moves(
    app: Flask, round_, owner, sent, monkeypatch
):
    assessment, _ = round_(reveal_policy=RevealPolicy.DEADLINE, launched_by=owner)
    monkeypatch.setattr(outbox, "deliver_due", lambda **kwargs: 0)  # the worker is slow
    tick(DEADLINE + MINUTE)
    assessments.extend_deadline(
        db.session.get(Assessment, assessment.id), DEADLINE + timedelta(days=3), now=DEADLINE
    )
    monkeypatch.undo()
    outbox.deliver_due(now=lambda: DEADLINE + 2 * MINUTE)
    (message,) = mail("deadline_missed")
    assert message.status is MailStatus.CANCELLED


def test_other_policies_are_left_alone_at_the_deadline(app: Flask, round_, owner):
    manual, _ = round_(reveal_policy=RevealPolicy.MANUAL, launched_by=owner)
    automatic, _ = round_(reveal_policy=RevealPolicy.AUTOMATIC, launched_by=owner)
    tick(DEADLINE + MINUTE)
    for assessment in (manual, automatic):
        stored = db.session.get(Assessment, assessment.id)
        assert stored.state is State.COLLECTING and stored.deadline_missed_at is None
    assert mail("deadline_missed") == []


def test_a_deadline_round_cannot_launch_without_a_deadline(app: Flask, round_):
    assessment, _ = round_(reveal_policy=RevealPolicy.DEADLINE, deadline=None, launch=False)
    with pytest.raises(ServiceError, match="deadline"):
        assessments.launch(assessment, invite=False)


# --------------------------------------------------------------------------------------------
# Reminders
# --------------------------------------------------------------------------------------------

PEOPLE = (
    ("Company 1", Side.COMPANY, "en"),  # submits
    ("Company 2", Side.COMPANY, "en"),  # declines
    ("Client 1", Side.CLIENT, "ja"),  # withdrawn
    ("Client 2", Side.CLIENT, "ja"),  # still owes answers
    ("Client 3", Side.CLIENT, "en"),  # still owes answers (drafting)
    ("No email", Side.CLIENT, "en"),  # cannot be mailed
)


def _mixed_round(round_, **settings: Any) -> tuple[Assessment, dict[str, Respondent]]:
    assessment, people = round_(PEOPLE, **settings)
    submit(people["Company 1"], now=LAUNCH + timedelta(days=1))
    people["Company 2"].declined_at = LAUNCH + timedelta(days=1)
    people["Client 1"].withdrawn_at = LAUNCH + timedelta(days=1)
    db.session.commit()
    return assessment, people


def test_reminders_go_once_per_slot_only_to_those_who_still_owe_answers(
    app: Flask, round_, owner, sent
):
    assessment, people = _mixed_round(round_)
    assert assessment.reminder_days == [3, 1]
    owing = sorted([people["Client 2"].email, people["Client 3"].email])

    tick(DEADLINE - timedelta(days=3) - MINUTE)
    assert mail("reminder") == []

    tick(DEADLINE - timedelta(days=3))
    assert sorted(to("reminder")) == owing
    tick(DEADLINE - timedelta(days=3) + MINUTE)  # the tick runs again: nothing new
    tick(DEADLINE - timedelta(days=2))
    assert len(mail("reminder")) == 2

    tick(DEADLINE - timedelta(days=1) + MINUTE)
    assert sorted(to("reminder")) == sorted(owing * 2)
    tick(DEADLINE - timedelta(hours=1))
    tick(DEADLINE + MINUTE)
    assert len(mail("reminder")) == 4
    keys = sorted(message.dedupe_key for message in mail("reminder"))
    client2, client3 = people["Client 2"].id, people["Client 3"].id
    assert keys == sorted(
        [
            f"reminder:{client2}:3d",
            f"reminder:{client2}:1d",
            f"reminder:{client3}:3d",
            f"reminder:{client3}:1d",
        ]
    )
    assert {
        message.locale for message in mail("reminder") if message.to_address == "client.2@x.jp"
    } == {"ja"}
    assert db.session.get(Respondent, client2).reminder_count == 2
    assert all(message.status is MailStatus.SENT for message in mail("reminder"))
    assert len([m for m in sent if m["to"] == "client.2@x.jp"]) == 3  # invited, reminded twice


def test_someone_who_answers_after_the_first_reminder_gets_no_second(app: Flask, round_, owner):
    _, people = _mixed_round(round_)
    tick(DEADLINE - timedelta(days=3))
    submit(db.session.get(Respondent, people["Client 2"].id), now=DEADLINE - timedelta(days=2))
    tick(DEADLINE - timedelta(days=1))
    assert sorted(to("reminder")) == ["client.2@x.jp", "client.3@x.jp", "client.3@x.jp"]


def test_a_slot_already_past_at_launch_is_never_sent(app: Flask, round_, owner):
    launched_at = DEADLINE - timedelta(days=2)
    round_(launched_at=launched_at)

    tick(launched_at + MINUTE)  # the 3-day slot passed before the launch
    assert mail("reminder") == []
    tick(DEADLINE - timedelta(days=1))
    assert sorted(to("reminder")) == ["client.1@x.jp", "company.1@x.jp"]
    assert {m.dedupe_key.rsplit(":", 1)[1] for m in mail("reminder")} == {"1d"}


def test_no_reminders_when_they_are_turned_off(app: Flask, round_, owner):
    assessment, _ = round_(reminder_days=[])
    assert assessment.reminder_days == []
    for moment in (DEADLINE - timedelta(days=3), DEADLINE - timedelta(days=1)):
        tick(moment)
    assert mail("reminder") == []


def test_a_worker_that_was_off_through_two_slots_sends_one_reminder(app: Flask, round_, owner):
    round_(reminder_days=[5, 3, 1])
    tick(DEADLINE - timedelta(hours=12))  # every slot has passed at once
    assert sorted(to("reminder")) == ["client.1@x.jp", "company.1@x.jp"]
    assert {m.dedupe_key.rsplit(":", 1)[1] for m in mail("reminder")} == {"1d"}
    tick(DEADLINE - timedelta(hours=11))
    assert len(mail("reminder")) == 2


def test_the_reminder_tick_stays_at_two_queries_when_nothing_is_due(app: Flask, round_, owner):
    from .support import count_queries

    for _ in range(3):
        round_()
    tick(DEADLINE - timedelta(days=3))  # send the 3-day slot of all three
    db.session.commit()
    with count_queries() as statements:
        scheduler.send_due_reminders(DEADLINE - timedelta(days=2))
    assert len(statements) <= 2
    with count_queries() as statements:
        scheduler.send_due_reminders(LAUNCH + timedelta(days=1))
    assert len(statements) == 1


def test_due_slots_is_a_pure_rule():
    launched = LAUNCH
    assert scheduler.due_slots(
        [3, 1], deadline=DEADLINE, launched_at=launched, moment=DEADLINE - timedelta(days=2)
    ) == [3]
    assert (
        scheduler.due_slots([3, 1], deadline=DEADLINE, launched_at=launched, moment=DEADLINE) == []
    )
    assert scheduler.due_slots(
        [3, 1],
        deadline=DEADLINE,
        launched_at=DEADLINE - timedelta(days=2),
        moment=DEADLINE - MINUTE,
    ) == [1]
    assert (
        scheduler.due_slots(
            [0, 61, True, "3"], deadline=DEADLINE, launched_at=launched, moment=DEADLINE - MINUTE
        )
        == []
    )
    assert (
        scheduler.due_slots([1], deadline=DEADLINE, launched_at=None, moment=DEADLINE - MINUTE)
        == []
    )


# --------------------------------------------------------------------------------------------
# "The results are ready"
# --------------------------------------------------------------------------------------------

READERS = (
    ("Company 1", Side.COMPANY, "en"),  # submits
    ("Company 2", Side.COMPANY, "ja"),  # never answers: may still see the results
    ("Company 3", Side.COMPANY, "en"),  # withdrawn
    ("No email", Side.COMPANY, "en"),
    ("Client 1", Side.CLIENT, "ja"),  # submits
    ("Client 2", Side.CLIENT, "en"),  # declined
)


def _readers_round(round_, **settings: Any) -> tuple[Assessment, dict[str, Respondent]]:
    assessment, people = round_(READERS, **settings)
    people["Company 3"].withdrawn_at = LAUNCH + timedelta(days=1)
    people["Client 2"].declined_at = LAUNCH + timedelta(days=1)
    db.session.commit()
    return assessment, people


def _results_mail() -> dict[str, str]:
    return {message.to_address: message.locale for message in mail("results_ready")}


def test_a_manual_reveal_tells_everyone_who_may_see_the_results_in_their_language(
    app: Flask, round_, owner, member, sent
):
    assessment, people = _readers_round(round_, launched_by=member)
    submit(people["Company 1"])
    submit(people["Client 1"])
    assert mail("results_ready") == []

    assessments.reveal(assessment, actor=owner, now=DEADLINE - timedelta(hours=1))

    # The rule of the results pages: not withdrawn, and the client's side only when shared;
    # whether someone answered does not matter.
    assert _results_mail() == {
        "company.1@x.jp": "en",
        "company.2@x.jp": "ja",
        "client.1@x.jp": "ja",
        "client.2@x.jp": "en",
    }
    keys = {message.dedupe_key for message in mail("results_ready")}
    assert f"results:{people['Client 1'].id}" in keys
    assert to("results_ready_staff") == ["mika@example.com"], "who launched it"

    tick(DEADLINE)
    client = body_of(sent, "client.1@x.jp")
    assert '<html lang="ja">' in client["html"]
    link = f"http://fitcheck.test/r/{link_token(people['Client 1'])}/results"
    assert link in client["text"] and f'href="{link}"' in client["html"]
    english = body_of(sent, "client.2@x.jp")
    assert "your company and " + owner.workspace.name in english["text"]
    company = body_of(sent, "company.1@x.jp")
    assert "your company and Minato Logistics" in company["text"]
    staff = body_of(sent, "mika@example.com")
    assert f"http://fitcheck.test/assessments/{assessment.id}/results" in staff["text"]
    assert "Olivia Owner さんが" in staff["text"], "in Mika's language, naming who revealed"


def test_the_client_side_hears_nothing_when_the_results_are_not_shared(app: Flask, round_, owner):
    assessment, _ = _readers_round(round_, share_with_client=False, launched_by=owner)
    assessments.reveal(assessment, actor=None, now=DEADLINE)
    assert sorted(_results_mail()) == ["company.1@x.jp", "company.2@x.jp"]
    assert to("results_ready_staff") == ["owner@example.com"]


def test_the_launcher_is_mailed_the_results_also_after_revealing_by_hand(
    app: Flask, round_, owner, sent
):
    assessment, _ = round_(launched_by=owner)
    assessments.reveal(assessment, actor=owner, now=DEADLINE)
    assert to("results_ready_staff") == [owner.email]
    assert len(mail("results_ready")) == 2
    tick(DEADLINE)
    staff = body_of(sent, owner.email)
    assert f"http://fitcheck.test/assessments/{assessment.id}/results" in staff["text"]


def test_an_automatic_reveal_tells_the_readers_and_the_launcher(app: Flask, round_, owner, sent):
    assessment, people = _readers_round(
        round_, reveal_policy=RevealPolicy.AUTOMATIC, launched_by=owner
    )
    submit(people["Company 1"])
    assert mail("results_ready") == []
    submit(people["Client 1"])
    assert db.session.get(Assessment, assessment.id).state is State.REVEALED
    assert sorted(_results_mail()) == [
        "client.1@x.jp",
        "client.2@x.jp",
        "company.1@x.jp",
        "company.2@x.jp",
    ]
    assert to("results_ready_staff") == ["owner@example.com"]
    tick(DEADLINE)
    assert "once both sides reached the minimum" in body_of(sent, "owner@example.com")["text"]


def test_a_reveal_at_the_deadline_tells_the_readers_and_the_creator(
    app: Flask, round_, owner, member, sent
):
    assessment, people = _readers_round(
        round_, reveal_policy=RevealPolicy.DEADLINE, created_by=member
    )
    submit(people["Company 1"])
    submit(people["Client 1"])
    tick(DEADLINE + MINUTE)
    assert db.session.get(Assessment, assessment.id).state is State.REVEALED
    assert sorted(_results_mail()) == [
        "client.1@x.jp",
        "client.2@x.jp",
        "company.1@x.jp",
        "company.2@x.jp",
    ]
    assert to("results_ready_staff") == ["mika@example.com"], "no launcher: who created it"
    assert "回答期限の時点で" in body_of(sent, "mika@example.com")["text"], (
        "says it was the deadline"
    )
    assert all(message.status is MailStatus.SENT for message in mail("results_ready"))


# --------------------------------------------------------------------------------------------
# The weekly commitments digest
# --------------------------------------------------------------------------------------------

MONDAY_0905_TOKYO = datetime(2026, 12, 7, 0, 5, tzinfo=UTC)
MONDAY = date(2026, 12, 7)


@pytest.fixture
def promises(app: Flask, round_, owner, member, make_user) -> dict[str, Commitment]:
    """A revealed round with commitments due soon, late, later, done and on the client's side."""
    make_user("nobody@example.com", workspace=owner.workspace, role=Role.MEMBER)
    assessment, _ = round_(launched_by=owner, title="Review 2026")
    assessments.reveal(assessment, actor=owner, now=LAUNCH + timedelta(days=2))
    trait = assessment.traits[0]

    def promise(
        action: str, owner_name: str, due: int | None, side: Side = Side.COMPANY
    ) -> Commitment:
        return commitments.add_commitment(
            assessment,
            trait_id=trait.id,
            side=side,
            action=action,
            owner=owner_name,
            due_on=None if due is None else MONDAY + timedelta(days=due),
        )

    made = {
        "soon": promise("Answer within a day", "  mika MEMBER ", 5),
        "late": promise("Send the monthly report", "Somebody Else", -3),
        "email": promise("Visit the warehouse", "MIKA@example.com", 14),
        "later": promise("Plan the next year", "Mika Member", 15),
        "undated": promise("Keep smiling", "Mika Member", None),
        "done": promise("Fix the invoice", "Mika Member", 1),
        "client": promise("Share the forecast", "Mika Member", 2, Side.CLIENT),
    }
    commitments.set_status(made["done"], CommitmentStatus.DONE)
    return made


def test_a_commitment_names_the_member_it_belongs_to(app: Flask, promises, member):
    assert promises["soon"].owner_user_id == member.id
    assert promises["email"].owner_user_id == member.id
    assert promises["late"].owner_user_id is None
    assert promises["client"].owner_user_id is None, "the client's promise is the client's"


def test_the_digest_goes_once_a_week_to_owners_and_named_members(
    app: Flask, promises, owner, member, sent
):
    tick(MONDAY_0905_TOKYO - timedelta(days=1))  # Sunday
    tick(MONDAY_0905_TOKYO - timedelta(minutes=6))  # Monday 08:59 in Tokyo
    assert mail("commitment_digest") == []

    tick(MONDAY_0905_TOKYO)
    assert sorted(to("commitment_digest")) == ["mika@example.com", "owner@example.com"]
    assert {m.dedupe_key for m in mail("commitment_digest")} == {
        f"digest:{owner.id}:2026-W50",
        f"digest:{member.id}:2026-W50",
    }
    assert db.session.get(ScheduleMark, "digest:2026-W50") is not None

    mine = body_of(sent, "mika@example.com")
    assert "Answer within a day" in mine["text"] and "Visit the warehouse" in mine["text"]
    for elsewhere in ("Send the monthly report", "Plan the next year", "Keep smiling"):
        assert elsewhere not in mine["text"]
    assert "Fix the invoice" not in mine["text"] and "Share the forecast" not in mine["text"]
    assert '<html lang="ja">' in mine["html"]

    everything = body_of(sent, "owner@example.com", about="Commitments this week")["text"]
    for listed in ("Answer within a day", "Visit the warehouse", "Send the monthly report"):
        assert listed in everything
    assert "Share the forecast" in everything, "owners see the client's promises too"
    for left_out in ("Plan the next year", "Keep smiling", "Fix the invoice"):
        assert left_out not in everything
    assert "3 days ago" in everything
    assert everything.index("Overdue") < everything.index("Send the monthly report")
    results = f"http://fitcheck.test/assessments/{promises['soon'].assessment_id}/results"
    assert results in everything

    for later in (MINUTE, timedelta(hours=3), timedelta(days=1)):
        tick(MONDAY_0905_TOKYO + later)
    assert len(mail("commitment_digest")) == 2, "once a week"

    tick(MONDAY_0905_TOKYO + timedelta(days=7))
    assert len(mail("commitment_digest")) == 4, "and again next week"


def test_nobody_gets_an_empty_digest(app: Flask, round_, owner, member):
    assessment, _ = round_(launched_by=owner)
    assessments.reveal(assessment, actor=owner, now=LAUNCH + timedelta(days=2))
    commitments.add_commitment(
        assessment,
        trait_id=assessment.traits[0].id,
        side=Side.COMPANY,
        action="Much later",
        owner="Mika Member",
        due_on=MONDAY + timedelta(days=60),
    )
    tick(MONDAY_0905_TOKYO)
    assert mail("commitment_digest") == []


def test_a_promise_carried_into_a_revealed_round_is_listed_once(app: Flask, promises, owner, sent):
    previous = promises["soon"].assessment
    following = assessments.start_next_round(previous, now=LAUNCH + timedelta(days=3))
    assessments.launch(following, invite=False, actor=owner, now=LAUNCH + timedelta(days=3))
    assessments.reveal(following, actor=owner, now=LAUNCH + timedelta(days=4))
    db.session.rollback()
    carried = db.session.get(Commitment, promises["soon"].id)
    assert carried is not None and carried.assessment_id == following.id

    tick(MONDAY_0905_TOKYO)
    text = body_of(sent, "owner@example.com", about="Commitments this week")["text"]
    assert text.count("Answer within a day") == 1
    assert f"/assessments/{following.id}/results" in text


# --------------------------------------------------------------------------------------------
# Two workers at once
# --------------------------------------------------------------------------------------------


def test_two_workers_interleaved_reveal_once(app: Flask, round_, owner, sent):
    """Worker A has read the due round; worker B reveals it first; A's reveal finds
    nothing to change."""
    assessment, people = round_(reveal_policy=RevealPolicy.DEADLINE, launched_by=owner)
    for person in people.values():
        submit(person)
    db.session.commit()
    moment = DEADLINE + MINUTE

    with app.app_context():  # worker A: its own session
        stale = db.session.get(Assessment, assessment.id)
        assert stale.state is State.COLLECTING
        with app.app_context():  # worker B does the whole tick meanwhile
            scheduler.tick(now=lambda: moment)
            db.session.remove()
        assert stale.state is State.COLLECTING, "A still holds what it read"
        assert assessments.reveal_at_deadline(stale, now=moment) is False
        assert scheduler.at_deadline(assessment.id, moment) is False
        db.session.remove()

    db.session.rollback()
    assert len(reveal_events(assessment)) == 1
    assert len(mail("results_ready")) == 2
    assert mail("deadline_missed") == []


def test_two_ticks_at_once_reveal_once_and_send_no_mail_twice(
    app: Flask, round_, owner, sent, promises, caplog
):
    moment = MONDAY_0905_TOKYO  # digest time, past the first round's deadline, and the
    # second round's reminder slots
    due, people = round_(
        reveal_policy=RevealPolicy.DEADLINE, launched_by=owner, deadline=moment - MINUTE
    )
    for person in people.values():
        submit(person, now=LAUNCH + timedelta(days=1))
    round_(deadline=moment + timedelta(hours=12), launched_at=LAUNCH + timedelta(days=3))
    db.session.commit()
    start = threading.Barrier(2)
    failures: list[BaseException] = []

    def worker() -> None:
        try:
            with app.app_context():
                start.wait()
                scheduler.tick(now=lambda: moment)
                db.session.remove()
        except BaseException as error:  # pragma: no cover - reported below
            failures.append(error)

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not failures
    assert [r.getMessage() for r in caplog.records if r.levelname == "ERROR"] == []

    db.session.rollback()
    assert db.session.get(Assessment, due.id).state is State.REVEALED
    assert len(reveal_events(due)) == 1
    ours = {person.id for person in people.values()}
    assert len([m for m in mail("results_ready") if m.respondent_id in ours]) == 2
    assert len(mail("reminder")) == 2 and len(mail("commitment_digest")) == 2
    message_ids = [message["message_id"] for message in sent]
    assert len(message_ids) == len(set(message_ids)), "no mail twice"
    delivered = db.session.scalar(
        select(func.count(OutboxMessage.id)).where(OutboxMessage.status == MailStatus.SENT)
    )
    assert len(sent) == delivered


# --------------------------------------------------------------------------------------------
# Settings: the form, the page and the API
# --------------------------------------------------------------------------------------------


def _new_form(client: Any, partner_id: int, **changes: str) -> Any:
    url = f"/partners/{partner_id}/assessments/new"
    trait_set = db.session.scalar(select(TraitSet.id))
    data = {
        "csrf_token": csrf_token(client, url),
        "kind": "pre_contract",
        "title": "",
        "trait_set_id": str(trait_set),
        "deadline": "2031-03-14T18:00",
        "reveal_policy": "deadline",
        "reminder_days": "5、２ ,5",
        "min_responses_per_side": "1",
        "share_with_client": "y",
        **changes,
    }
    return client.post(url, data=data)


def test_the_form_sets_the_deadline_policy_and_the_reminder_days(
    app: Flask, client, owner, make_partner
):
    partner = make_partner(owner.workspace)
    sign_in_with(client, owner.email)
    page = client.get(f"/partners/{partner.id}/assessments/new").get_data(as_text=True)
    assert 'value="deadline"' in page and 'value="3, 1"' in page

    response = _new_form(client, partner.id)
    assert response.status_code == 302, response.get_data(as_text=True)
    stored = db.session.scalar(select(Assessment))
    assert stored.reveal_policy is RevealPolicy.DEADLINE and stored.reminder_days == [5, 2]
    shown = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "At the deadline, if both sides reach the minimum of answers" in shown
    assert "5, 2 days before the deadline" in shown

    edit = client.get(f"/assessments/{stored.id}/edit").get_data(as_text=True)
    assert 'value="5, 2"' in edit


def test_reminders_can_be_turned_off_and_nonsense_is_refused_keeping_the_text(
    app: Flask, client, owner, make_partner
):
    partner = make_partner(owner.workspace)
    sign_in_with(client, owner.email)
    for typed in ("3, soon", "0", "61", "99999999999"):
        page = _new_form(client, partner.id, reminder_days=typed)
        assert page.status_code == 200
        assert f'value="{typed}"' in page.get_data(as_text=True)
    assert db.session.scalar(select(func.count(Assessment.id))) == 0

    response = _new_form(client, partner.id, reminder_days="  ")
    assert response.status_code == 302
    assert db.session.scalar(select(Assessment)).reminder_days == []
    shown = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "No automatic reminders" in shown


def test_the_api_takes_and_returns_the_deadline_policy_and_reminder_days(
    app: Flask, client, owner, make_partner
):
    from fitcheck.services import api_tokens

    token = api_tokens.create_token(owner, "scheduler")[1]
    headers = {"Authorization": f"Bearer {token}"}
    partner = make_partner(owner.workspace)
    trait_set = db.session.scalar(select(TraitSet.id))
    body = {"partner_id": partner.id, "trait_set_id": trait_set, "kind": "pre_contract"}

    created = client.post(
        "/api/v1/assessments",
        headers=headers,
        json={
            **body,
            "reveal_policy": "deadline",
            "deadline": "2031-03-14T18:00:00+09:00",
            "reminder_days": [1, 7, 7],
        },
    )
    assert created.status_code == 201, created.get_json()
    answer = created.get_json()
    assert answer["reveal_policy"] == "deadline" and answer["reminder_days"] == [7, 1]
    assert answer["deadline"].startswith("2031-03-14T09:00:00")

    plain = client.post("/api/v1/assessments", headers=headers, json=body).get_json()
    assert plain["reminder_days"] == [3, 1] and plain["reveal_policy"] == "manual"
    off = client.post("/api/v1/assessments", headers=headers, json={**body, "reminder_days": []})
    assert off.get_json()["reminder_days"] == []

    for wrong in ([0], [61], ["3"], [True], 3):
        refused = client.post(
            "/api/v1/assessments", headers=headers, json={**body, "reminder_days": wrong}
        )
        assert refused.status_code == 422
        assert "reminder_days" in refused.get_json()["error"]["fields"]

    document = client.get("/api/v1/openapi.json").get_json()
    create = document["components"]["schemas"]["AssessmentCreate"]["properties"]
    assert "deadline" in create["reveal_policy"]["enum"]
    assert create["reminder_days"]["items"]["maximum"] == 60


def test_expired_sign_up_and_reset_links_are_forgotten_a_day_later(app: Flask, make_user):
    from fitcheck.models import PasswordReset, SignUpRequest
    from fitcheck.services import accounts

    user = make_user("kept@example.com")
    asked = datetime(2031, 1, 6, 9, 0, tzinfo=UTC)
    accounts.request_sign_up(
        workspace_name="Pending",
        name="New",
        email="new@example.com",
        password="a long unusual passphrase",
        locale="en",
        now=asked,
    )
    accounts.request_password_reset(user.email, locale="en", now=asked)
    assert db.session.scalar(select(func.count(SignUpRequest.id))) == 1

    scheduler.forget_dead_links(asked + timedelta(hours=23))
    assert db.session.scalar(select(func.count(SignUpRequest.id))) == 1, "link still valid"
    assert db.session.scalar(select(func.count(PasswordReset.id))) == 1, "kept a day past expiry"

    scheduler.forget_dead_links(asked + timedelta(days=2, minutes=1))
    assert db.session.scalar(select(func.count(SignUpRequest.id))) == 0
    assert db.session.scalar(select(func.count(PasswordReset.id))) == 0


def test_the_tick_summarises_the_rounds_a_page_found_missing(app: Flask, make_assessment, owner):
    from sqlalchemy import delete

    from fitcheck.models import RoundSummary
    from fitcheck.services import summaries

    assessment, people = make_assessment(owner)
    for respondent in people:
        save_answers(
            respondent,
            [AnswerInput(trait_key=t.key, other=3, self_=4) for t in assessment.traits],
            submit=True,
        )
    assessments.reveal(assessment)
    db.session.execute(delete(RoundSummary))
    db.session.commit()
    assert summaries.pending(owner.workspace_id) == 1
    scheduler.tick(now=lambda: datetime(2026, 12, 4, 1, 0, tzinfo=UTC))
    assert summaries.pending(owner.workspace_id) == 0
    assert db.session.get(RoundSummary, assessment.id).engine == summaries.ENGINE
