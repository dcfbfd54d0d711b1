"""The review meeting: started after the reveal only, one at a time, with the people who
may see the results; the presenter shows the engine's numbers in the meeting's language;
the remote steps it; commitments made in it are the round's; the end mails a summary to
each participant in their own language. Scoped to its workspace, CSRF everywhere, and a
fixed number of queries whatever the number of traits and comments."""

from __future__ import annotations

import re
from datetime import date
from types import SimpleNamespace

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from fitcheck import fit
from fitcheck.extensions import db
from fitcheck.models import (
    AuditEvent,
    Commitment,
    CommitmentStatus,
    Meeting,
    MeetingCommitment,
    MeetingOrder,
    MeetingParticipant,
    OutboxMessage,
    Side,
    State,
)
from fitcheck.services import ServiceError, assessments, audit, commitments, outbox
from fitcheck.services import meetings as service
from fitcheck.services.answers import AnswerInput, save_answers
from fitcheck.services.demo_plans import MEETING_PROMISES
from fitcheck.services.respondents import withdraw_respondent
from fitcheck.services.results import ResultsSealed, load_results

from .support import count_queries, csrf_token

OWNER = "o@example.com"


def answer_all(assessment, tokens, *, comment=""):
    """Every respondent answers every trait, differently per side and trait, with a comment
    naming their side when `comment` is given."""
    for number, respondent in enumerate(sorted(tokens, key=lambda r: r.id)):
        save_answers(
            respondent,
            [
                AnswerInput(
                    trait_key=trait.key,
                    other=1 + (index * 2 + number) % 5,
                    self_=1 + (index + 2 * number + 1) % 5,
                    importance=1 + (index + number) % 5,
                    comment=f"{comment} {respondent.side.value}" if comment else "",
                )
                for index, trait in enumerate(assessment.traits)
            ],
            submit=True,
        )


@pytest.fixture
def owner(make_user):
    return make_user(OWNER)


@pytest.fixture
def revealed(owner, make_assessment):
    assessment, tokens = make_assessment(owner, company=2, client=2)
    answer_all(assessment, tokens, comment="REMARK")
    assessments.reveal(assessment)
    return assessment


def start(assessment, owner, **choices):
    people = service.candidates(assessment)
    choices.setdefault("language", "en")
    choices.setdefault("respondent_ids", [r.id for r in people.respondents])
    choices.setdefault("user_ids", [owner.id])
    return service.start_meeting(assessment, facilitator=owner, **choices)


def post(client, url, data, *, page, json=False):
    headers = {"Accept": "application/json"} if json else {}
    return client.post(url, data={**data, "csrf_token": csrf_token(client, page)}, headers=headers)


# --------------------------------------------------------------------------------------------
# The order of the steps (pure)
# --------------------------------------------------------------------------------------------


def _result(gaps_and_weights):
    """A fit result whose traits have these (gap, weight): built from ratings."""
    ratings = []
    for index, (them, us, importance) in enumerate(gaps_and_weights):
        key = f"t{index}"
        ratings.append(fit.Rating("c", fit.Side.COMPANY, key, them, 3, importance))
        ratings.append(fit.Rating("k", fit.Side.CLIENT, key, us, 3, importance))
    keys = [f"t{index}" for index in range(len(gaps_and_weights))]
    return fit.assess(keys, ratings, scale=fit.Scale(1, 5), min_responses=1)


def test_the_steps_follow_the_gap_importance_or_the_trait_sets_order():
    # gap = them − us: t0 +1, t1 −3, t2 0, t3 +2; importance 5, 1, 3, 2.
    result = _result([(4, 3, 5), (1, 4, 1), (3, 3, 3), (5, 3, 2)])
    traits = [SimpleNamespace(id=10 + i, key=f"t{i}", position=i) for i in range(4)]
    keys = lambda order: [t.key for t in service.trait_order(result, traits, order)]  # noqa: E731
    assert keys(MeetingOrder.GAP) == ["t1", "t3", "t0", "t2"]
    assert keys(MeetingOrder.IMPORTANCE) == ["t0", "t2", "t3", "t1"]
    assert keys(MeetingOrder.TRAIT_SET) == ["t0", "t1", "t2", "t3"]


def test_the_gap_order_is_the_results_pages_and_withheld_traits_come_last():
    result = _result([(3, 3, 3), (5, 1, 3)])
    withheld = fit.assess(
        ["t0", "t1"],
        [fit.Rating("c", fit.Side.COMPANY, "t0", 4, 3, 3)],
        scale=fit.Scale(1, 5),
        min_responses=1,
    )
    traits = [SimpleNamespace(id=i, key=f"t{i}", position=i) for i in range(2)]
    assert [t.key for t in service.trait_order(result, traits, MeetingOrder.GAP)] == ["t1", "t0"]
    # No gap anywhere (the client's side said nothing): the trait set's order.
    assert [t.key for t in service.trait_order(withheld, traits, MeetingOrder.GAP)] == [
        "t0",
        "t1",
    ]


# --------------------------------------------------------------------------------------------
# Starting
# --------------------------------------------------------------------------------------------


def test_a_meeting_starts_with_its_order_frozen_and_the_people_chosen(owner, revealed):
    meeting = start(revealed, owner, language="ja", order=MeetingOrder.GAP)
    result = load_results(revealed).fit
    by_gap = sorted(result.traits, key=lambda row: (row.gap is None, -abs(row.gap or 0.0)))
    keys = {trait.id: trait.key for trait in revealed.traits}
    assert [keys[trait_id] for trait_id in meeting.trait_ids] == [row.trait for row in by_gap]
    assert meeting.language == "ja" and meeting.step == 0 and meeting.running
    assert meeting.started_by_id == owner.id and meeting.last_step == len(revealed.traits) + 1
    people = db.session.scalars(select(MeetingParticipant)).all()
    assert {p.respondent_id for p in people if p.respondent_id} == {
        r.id for r in revealed.respondents
    }
    assert [p.user_id for p in people if p.user_id] == [owner.id]


def test_no_meeting_before_the_reveal(client, owner, sign_in, make_assessment):
    assessment, tokens = make_assessment(owner)
    answer_all(assessment, tokens, comment="SEALED-COMMENT")
    with pytest.raises(ResultsSealed):
        start(assessment, owner)
    sign_in(OWNER)
    for url in (
        f"/assessments/{assessment.id}/meeting",
        f"/assessments/{assessment.id}/meeting/remote",
    ):
        response = client.get(url)
        assert response.status_code == 409
        assert "SEALED-COMMENT" not in response.get_data(as_text=True)
    response = post(
        client,
        f"/assessments/{assessment.id}/meeting",
        {"language": "en", "order": "gap"},
        page=f"/assessments/{assessment.id}/meeting",
    )
    assert response.status_code == 409
    assert db.session.scalar(select(func.count()).select_from(Meeting)) == 0


def test_one_meeting_of_a_round_runs_at_a_time(owner, revealed):
    first = start(revealed, owner)
    with pytest.raises(ServiceError):
        start(revealed, owner)
    # The schema refuses a second running meeting even to a caller that skips the check.
    db.session.add(
        Meeting(
            workspace_id=revealed.workspace_id,
            assessment_id=revealed.id,
            language="en",
            step_order=MeetingOrder.GAP,
            trait_ids=[],
            discussed=[],
        )
    )
    with pytest.raises(IntegrityError):
        db.session.commit()
    db.session.rollback()
    service.end_meeting(first)
    second = start(revealed, owner)
    assert second.id != first.id and second.running


def test_only_respondents_who_may_see_the_results_take_part(owner, make_user, revealed):
    client_side = [r for r in revealed.respondents if r.side is Side.CLIENT]
    company_side = [r for r in revealed.respondents if r.side is Side.COMPANY]
    revealed.share_with_client = False
    db.session.commit()
    people = service.candidates(revealed)
    assert {r.id for r in people.respondents} == {r.id for r in company_side}
    with pytest.raises(ServiceError) as refused:
        start(revealed, owner, respondent_ids=[client_side[0].id])
    assert refused.value.field == "respondent_ids"
    stranger = make_user("stranger@example.com")
    with pytest.raises(ServiceError) as refused:
        start(revealed, owner, user_ids=[stranger.id])
    assert refused.value.field == "user_ids"
    with pytest.raises(ServiceError) as refused:
        start(revealed, owner, language="fr")
    assert refused.value.field == "language"
    assert db.session.scalar(select(func.count()).select_from(Meeting)) == 0


def test_a_withdrawn_respondent_cannot_take_part(owner, make_assessment):
    assessment, tokens = make_assessment(owner, company=2, client=1)
    gone = next(r for r in tokens if r.side is Side.COMPANY)
    answer_all(assessment, [r for r in tokens if r is not gone])
    withdraw_respondent(gone)
    assessments.reveal(assessment)
    assert gone.id not in {r.id for r in service.candidates(assessment).respondents}
    with pytest.raises(ServiceError):
        start(assessment, owner, respondent_ids=[gone.id])


# --------------------------------------------------------------------------------------------
# Stepping and commitments
# --------------------------------------------------------------------------------------------


def test_stepping_moves_every_screen_and_notes_the_traits_discussed(owner, revealed):
    meeting = start(revealed, owner)
    service.move_to(meeting, 2)
    service.move_to(meeting, 1)
    service.move_to(meeting, 1)  # the same step again changes nothing
    db.session.refresh(meeting)
    assert meeting.step == 1 and meeting.revision == 2
    assert meeting.discussed == [meeting.trait_ids[1], meeting.trait_ids[0]]
    with pytest.raises(ServiceError):
        service.move_to(meeting, meeting.last_step + 1)
    with pytest.raises(ServiceError):
        service.move_to(meeting, -1)
    service.move_to(meeting, meeting.last_step)
    assert service.discussed_traits(meeting, revealed.traits) == [
        t
        for t in sorted(revealed.traits, key=lambda t: meeting.trait_ids.index(t.id))
        if t.id in meeting.trait_ids[:2]
    ]


def test_a_commitment_made_in_the_meeting_is_the_rounds_and_linked_to_it(
    client, owner, sign_in, revealed
):
    meeting = start(revealed, owner)
    trait_id = meeting.trait_ids[0]
    commitment = service.record_commitment(
        meeting,
        trait_id=trait_id,
        side=Side.CLIENT,
        action="Share the brand plan",
        owner="Aoki",
        due_on=date(2027, 3, 31),
        created_by_id=owner.id,
    )
    link = db.session.get(MeetingCommitment, commitment.id)
    assert link is not None and link.meeting_id == meeting.id
    db.session.refresh(meeting)
    assert meeting.revision == 1
    sign_in(OWNER)
    page = client.get(f"/assessments/{revealed.id}/results").get_data(as_text=True)
    assert "Share the brand plan" in page.split('id="commitments"')[1]


def test_a_refused_commitment_leaves_nothing_behind(owner, revealed):
    meeting = start(revealed, owner)
    with pytest.raises(ServiceError) as refused:
        service.record_commitment(
            meeting, trait_id=meeting.trait_ids[0], side=Side.COMPANY, action="x" * 5000
        )
    assert refused.value.field == "action"
    with pytest.raises(ServiceError) as refused:
        service.record_commitment(meeting, trait_id=-5, side=Side.COMPANY, action="Call")
    assert refused.value.field == "trait_id"
    assert db.session.scalar(select(func.count()).select_from(Commitment)) == 0
    assert db.session.scalar(select(func.count()).select_from(MeetingCommitment)) == 0
    db.session.refresh(meeting)
    assert meeting.revision == 0


def test_a_commitment_recorded_elsewhere_is_not_linked_to_the_meeting(owner, revealed):
    from fitcheck.services import commitments

    meeting = start(revealed, owner)
    commitments.add_commitment(
        revealed, trait_id=revealed.traits[0].id, side=Side.COMPANY, action="From the page"
    )
    service.record_commitment(
        meeting, trait_id=revealed.traits[1].id, side=Side.COMPANY, action="In the room"
    )
    made = service.load_summary(meeting).agreed[Side.COMPANY]
    assert [c.action for c in made] == ["In the room"]


# --------------------------------------------------------------------------------------------
# The end and its summary mail
# --------------------------------------------------------------------------------------------


def _summary_mail(to):
    message = db.session.scalar(
        select(OutboxMessage).where(
            OutboxMessage.kind == service.SUMMARY_MAIL, OutboxMessage.to_address == to
        )
    )
    assert message is not None, f"no summary to {to}"
    return message


def test_the_end_mails_the_summary_to_each_participant_in_their_language(
    app, owner, make_user, revealed
):
    colleague = make_user("colleague@example.com", workspace=owner.workspace)
    colleague.locale = "ja"
    company, client = (
        [r for r in revealed.respondents if r.side is side] for side in (Side.COMPANY, Side.CLIENT)
    )
    client[0].locale = "ja"
    company[1].email = None  # no address: no mail, and no error
    db.session.commit()
    meeting = start(revealed, owner, language="en", user_ids=[owner.id, colleague.id])
    service.move_to(meeting, 1)
    service.record_commitment(
        meeting,
        trait_id=meeting.trait_ids[0],
        side=Side.COMPANY,
        action="Answer within a <b>day</b>",
        owner="Sato",
        due_on=date(2027, 1, 29),
    )
    service.move_to(meeting, meeting.last_step)
    assert service.end_meeting(meeting) == 5
    db.session.refresh(meeting)
    assert not meeting.running and meeting.summary_queued_at == meeting.ended_at
    assert _summary_mail(client[0].email).locale == "ja"
    assert _summary_mail(colleague.email).locale == "ja"
    assert _summary_mail(owner.email).locale == "en"  # not known: the meeting's
    assert _summary_mail(company[0].email).locale == "en"

    with app.test_request_context():
        member = outbox.render(_summary_mail(owner.email))
        respondent = outbox.render(_summary_mail(client[0].email))
    trait = next(t for t in revealed.traits if t.id == meeting.trait_ids[0])
    assert "Answer within a <b>day</b>" in member.text and trait.label_en in member.text
    assert "Answer within a &lt;b&gt;day&lt;/b&gt;" in member.html
    assert f"/assessments/{revealed.id}/meetings/{meeting.id}" in member.text
    assert "/r/" not in member.text
    assert trait.label_ja in respondent.text and "/results" in respondent.text
    assert "/r/" in respondent.text  # their own link to the results

    # Ending again changes nothing and mails nobody twice.
    with pytest.raises(ServiceError):
        service.end_meeting(meeting)
    with pytest.raises(ServiceError):
        service.move_to(meeting, 1)
    with pytest.raises(ServiceError):
        service.record_commitment(
            meeting, trait_id=meeting.trait_ids[0], side=Side.COMPANY, action="Late"
        )
    assert (
        db.session.scalar(
            select(func.count())
            .select_from(OutboxMessage)
            .where(OutboxMessage.kind == service.SUMMARY_MAIL)
        )
        == 5
    )


def test_the_summary_mail_is_not_sent_to_a_respondent_who_may_no_longer_see_results(
    app, owner, revealed
):
    meeting = start(revealed, owner)
    service.end_meeting(meeting)
    client = next(r for r in revealed.respondents if r.side is Side.CLIENT)
    message = _summary_mail(client.email)
    revealed.share_with_client = False
    db.session.commit()
    with app.test_request_context():
        assert outbox.render(message) is None
        assert outbox.render(_summary_mail(owner.email)) is not None


# --------------------------------------------------------------------------------------------
# The demo's meeting
# --------------------------------------------------------------------------------------------


def test_the_demo_meeting_is_finished_with_its_commitments_and_mails_nobody(owner, revealed):
    meeting = service.demo_meeting(revealed, owner)
    assert not meeting.running and meeting.summary_queued_at is None
    assert meeting.discussed == meeting.trait_ids and meeting.step == meeting.last_step
    assert meeting.ended_at > meeting.started_at
    summary = service.load_summary(meeting)
    actions = [c.action for side in Side for c in summary.agreed[side]]
    assert sorted(actions) == sorted(p.action for p in MEETING_PROMISES)
    made = [c for side in Side for c in summary.agreed[side]]
    assert all(c.created_at == meeting.started_at for c in made)
    assert {(c.action, c.status) for c in made} == {(p.action, p.status) for p in MEETING_PROMISES}
    assert {r.id for side in Side for r in summary.respondents[side]} == {
        r.id for r in revealed.respondents
    }
    assert [user.id for user in summary.members] == [owner.id]
    assert (
        db.session.scalar(
            select(func.count())
            .select_from(OutboxMessage)
            .where(OutboxMessage.kind == service.SUMMARY_MAIL)
        )
        == 0
    )
    # A visitor of the demo can still hold a meeting of their own on that round.
    assert start(revealed, owner).running


def test_the_demo_meeting_of_kitahama_foods_annual_review(app):
    from fitcheck.models import Assessment, Kind, Partner, User
    from fitcheck.services.demo import DEMO_EMAIL, load_demo

    load_demo()
    review = db.session.scalar(
        select(Assessment)
        .join(Partner, Partner.id == Assessment.partner_id)
        .where(
            Partner.name == "Kitahama Foods",
            Assessment.kind == Kind.ANNUAL_REVIEW,
            Assessment.state == State.REVEALED,
        )
    )
    facilitator = db.session.scalar(select(User).where(User.email == DEMO_EMAIL))
    meeting = service.demo_meeting(review, facilitator)
    summary = service.load_summary(meeting)
    assert len(summary.discussed) == len(review.traits) == 10
    assert sum(len(summary.agreed[side]) for side in Side) == len(MEETING_PROMISES)
    assert summary.agreed[Side.CLIENT][0].owner == "Nishida Aya"


# --------------------------------------------------------------------------------------------
# The pages
# --------------------------------------------------------------------------------------------


def test_the_setup_page_offers_who_may_take_part(client, owner, sign_in, make_user, revealed):
    colleague = make_user("colleague@example.com", workspace=owner.workspace)
    revealed.share_with_client = False
    db.session.commit()
    sign_in(OWNER)
    page = client.get(f"/assessments/{revealed.id}/meeting").get_data(as_text=True)
    offered = set(map(int, re.findall(r'name="respondent_ids" value="(\d+)"', page)))
    assert offered == {r.id for r in revealed.respondents if r.side is Side.COMPANY}
    members = re.findall(r'name="user_ids" value="(\d+)" id="member-\d+"( checked)?', page)
    assert dict(members) == {str(owner.id): " checked", str(colleague.id): ""}
    assert "not shared with the client" in page
    assert re.search(r'<input checked [^>]*name="language" [^>]*value="en">', page)
    # The meeting's language starts as the one fitcheck speaks to the facilitator.
    japanese = client.get(
        f"/assessments/{revealed.id}/meeting", headers={"Accept-Language": "ja"}
    ).get_data(as_text=True)
    assert re.search(r'<input checked [^>]*name="language" [^>]*value="ja">', japanese)


def test_starting_from_the_form_shows_the_presenter_in_the_meetings_language(
    client, owner, sign_in, revealed
):
    sign_in(OWNER)
    url = f"/assessments/{revealed.id}/meeting"
    chosen = [r.id for r in revealed.respondents]
    response = post(
        client,
        url,
        {"language": "ja", "order": "trait_set", "respondent_ids": chosen, "user_ids": [owner.id]},
        page=url,
    )
    assert response.status_code == 302 and response.headers["Location"] == url
    meeting = db.session.scalar(select(Meeting))
    assert meeting.step_order is MeetingOrder.TRAIT_SET
    assert meeting.trait_ids == [t.id for t in revealed.traits]
    page = client.get(url, headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert '<html lang="ja">' in page and "ミラースコア" in page
    assert revealed.traits[0].label_ja in page
    # The remote speaks its user's language.
    remote = client.get(f"{url}/remote", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert '<html lang="en">' in remote and revealed.traits[0].label_en in remote
    # A second start (the form sent twice) leads back to the running meeting.
    again = post(client, url, {"language": "en", "order": "gap"}, page=f"{url}?step=0")
    assert again.status_code == 302
    assert db.session.scalar(select(func.count()).select_from(Meeting)) == 1


def test_a_start_form_with_someone_not_offered_is_refused_with_everything_kept(
    client, owner, sign_in, make_user, revealed
):
    stranger = make_user("stranger@example.com")
    sign_in(OWNER)
    url = f"/assessments/{revealed.id}/meeting"
    page = post(
        client, url, {"language": "ja", "order": "importance", "user_ids": [stranger.id]}, page=url
    ).get_data(as_text=True)
    assert "is-invalid" in page or "invalid-feedback" in page
    assert re.search(r'<input checked [^>]*name="order" [^>]*value="importance">', page)
    assert re.search(r'<input checked [^>]*name="language" [^>]*value="ja">', page)
    assert "Choose among the members of this workspace." in page
    assert db.session.scalar(select(func.count()).select_from(Meeting)) == 0


@pytest.mark.parametrize(
    "data",
    [
        {"language": "ja", "order": "gap", "respondent_ids": ["abc"]},
        {"language": "de", "order": "gap"},
        {"language": "en", "order": "random"},
        {"language": "en", "order": "gap", "user_ids": ["99999999999999999999"]},
    ],
)
def test_bad_input_to_the_start_form_is_a_field_error_not_a_500(
    client, owner, sign_in, revealed, data
):
    sign_in(OWNER)
    url = f"/assessments/{revealed.id}/meeting"
    response = post(client, url, data, page=url)
    assert response.status_code == 200
    assert "invalid-feedback" in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(Meeting)) == 0


def test_bad_input_to_the_steps_and_commitments_is_refused_not_a_500(
    client, owner, sign_in, revealed
):
    meeting = start(revealed, owner)
    sign_in(OWNER)
    presenter = f"/assessments/{revealed.id}/meeting"
    base = f"/assessments/{revealed.id}/meetings/{meeting.id}"
    for step in ("", "x", "-1", "2147483648", "1e3"):
        response = post(client, f"{base}/step", {"step": step, "next": "remote"}, page=presenter)
        assert response.status_code == 302, step
    for data in (
        {"trait_id": "x", "side": "client", "action": "A"},
        {"trait_id": meeting.trait_ids[0], "side": "client", "action": "A\x00B"},
        {"trait_id": meeting.trait_ids[0], "side": "client", "action": "A", "due_on": "31/31"},
        {"trait_id": meeting.trait_ids[0], "side": "client", "action": "A", "due_on": "1999-01-01"},
        {"trait_id": meeting.trait_ids[0], "side": "nobody", "action": "A", "next": "elsewhere"},
    ):
        response = post(client, f"{base}/commitments", data, page=presenter, json=True)
        assert response.status_code == 422, data
        assert "invalid-feedback" in response.get_json()["form"]
    db.session.refresh(meeting)
    assert meeting.step == 0 and meeting.revision == 0
    assert db.session.scalar(select(func.count()).select_from(Commitment)) == 0


def test_the_presenter_shows_the_engines_numbers_step_by_step(client, owner, sign_in, revealed):
    meeting = start(revealed, owner)
    sign_in(OWNER)
    page = client.get(f"/assessments/{revealed.id}/meeting").get_data(as_text=True)
    result = load_results(revealed).fit
    assert f"{result.mirror.similarity:.1f}" in page
    sections = re.findall(
        r'<section class="fc-step[^"]*" data-step="(\d+)"(.*?)</section>', page, re.S
    )
    assert [int(number) for number, _ in sections] == list(range(meeting.last_step + 1))
    hidden = [number for number, body in sections if body.split(">")[0].rstrip().endswith("hidden")]
    assert "0" not in hidden and len(hidden) == meeting.last_step  # the current step shows
    keys = {t.id: t for t in revealed.traits}
    for number, trait_id in enumerate(meeting.trait_ids, start=1):
        body = dict(sections)[str(number)]
        row = result.trait(keys[trait_id].key)
        assert keys[trait_id].label_en in body
        for value in (row.them, row.us, row.us_self, row.them_self):
            assert f"{value:.2f}" in body
        assert f"{row.gap:+.2f}" in body
        assert "REMARK company" in body and "REMARK client" in body
    # ?step= shows another step without moving the meeting.
    other = client.get(f"/assessments/{revealed.id}/meeting?step=2").get_data(as_text=True)
    shown = re.search(
        r'data-step="2" data-trait-id="\d+"\s+data-title="[^"]*"\s+aria-labelledby="[^"]*"\s*>',
        other,
    )
    assert shown, "step 2 is the one shown"
    db.session.refresh(meeting)
    assert meeting.step == 0


def test_a_withheld_side_is_shown_withheld_with_its_comments(
    client, owner, sign_in, make_assessment
):
    assessment, tokens = make_assessment(owner, company=2, client=1, min_responses_per_side=2)
    answer_all(assessment, tokens, comment="WORDS")
    assessments.reveal(assessment)
    meeting = start(assessment, owner)
    sign_in(OWNER)
    page = client.get(f"/assessments/{assessment.id}/meeting").get_data(as_text=True)
    assert "WORDS client" not in page and "WORDS company" in page
    assert "withheld" in page
    step = page.split('data-step="1"')[1].split("</section>")[0]
    us = load_results(assessment).fit.trait(
        next(t.key for t in assessment.traits if t.id == meeting.trait_ids[0])
    )
    assert us.us is None and us.them_self is None  # the client's ratings are withheld
    assert step.count('class="fc-withheld"') >= 3  # two views and its agreement


def test_names_comments_and_labels_are_escaped(client, owner, sign_in, make_assessment):
    assessment, tokens = make_assessment(owner)
    assessment.partner.name = '<script>alert("p")</script>'
    assessment.traits[0].label_en = "<img src=x onerror=alert(1)>"
    db.session.commit()
    answer_all(assessment, tokens, comment='<b onclick="x()">hi</b>')
    assessments.reveal(assessment)
    meeting = start(assessment, owner)
    service.record_commitment(
        meeting, trait_id=assessment.traits[0].id, side=Side.CLIENT, action="<i>promise</i>"
    )
    sign_in(OWNER)
    for url in (
        f"/assessments/{assessment.id}/meeting",
        f"/assessments/{assessment.id}/meeting/remote",
        f"/assessments/{assessment.id}/meetings/{meeting.id}",
    ):
        page = client.get(url).get_data(as_text=True)
        assert "<script>alert" not in page and "<img src=x" not in page
        assert "<b onclick" not in page and "<i>promise</i>" not in page
    state = client.get(f"/assessments/{assessment.id}/meetings/{meeting.id}/state").get_json()
    html = "".join(state["commitments"].values()) + state["agreed"]
    assert "<i>promise</i>" not in html and "&lt;i&gt;promise&lt;/i&gt;" in html
    assert "<script>" not in html


def test_the_state_is_a_304_while_nothing_changes(client, owner, sign_in, revealed):
    meeting = start(revealed, owner)
    sign_in(OWNER)
    url = f"/assessments/{revealed.id}/meetings/{meeting.id}/state"
    first = client.get(url)
    assert first.status_code == 200 and first.get_json()["step"] == 0
    etag = first.headers["ETag"]
    assert etag.startswith("W/")
    with count_queries() as statements:
        unchanged = client.get(url, headers={"If-None-Match": etag})
    assert unchanged.status_code == 304 and not unchanged.get_data()
    assert len(statements) <= 3  # the session, its user, the meeting
    service.move_to(meeting, 3)
    changed = client.get(url, headers={"If-None-Match": etag})
    assert changed.status_code == 200 and changed.get_json()["step"] == 3
    assert changed.headers["ETag"] != etag


def test_a_promise_made_or_changed_outside_the_meeting_reaches_its_screens(
    client, owner, sign_in, revealed
):
    meeting = start(revealed, owner)
    sign_in(OWNER)
    url = f"/assessments/{revealed.id}/meetings/{meeting.id}/state"
    etag = client.get(url).headers["ETag"]
    # Recorded on the results page, as staff do outside the meeting.
    results = f"/assessments/{revealed.id}/results"
    trait = revealed.traits[0]
    response = post(
        client,
        f"/assessments/{revealed.id}/commitments",
        {"trait_id": trait.id, "side": "client", "action": "Made on the results page"},
        page=results,
    )
    assert response.status_code == 302
    changed = client.get(url, headers={"If-None-Match": etag})
    assert changed.status_code == 200
    assert "Made on the results page" in "".join(changed.get_json()["commitments"].values())
    etag = changed.headers["ETag"]
    made = db.session.scalar(select(Commitment).where(Commitment.action.startswith("Made on")))
    commitments.set_status(made, CommitmentStatus.DONE)
    assert client.get(url, headers={"If-None-Match": etag}).status_code == 200
    # A meeting that has ended is left as it was.
    service.end_meeting(meeting)
    db.session.refresh(meeting)
    ended = meeting.revision
    commitments.set_status(made, CommitmentStatus.OPEN)
    db.session.refresh(meeting)
    assert meeting.revision == ended


def test_the_remote_steps_the_meeting_with_and_without_javascript(client, owner, sign_in, revealed):
    meeting = start(revealed, owner)
    sign_in(OWNER)
    remote = f"/assessments/{revealed.id}/meeting/remote"
    step_url = f"/assessments/{revealed.id}/meetings/{meeting.id}/step"
    response = post(client, step_url, {"step": 2, "next": "remote"}, page=remote)
    assert response.status_code == 302 and response.headers["Location"] == remote
    db.session.refresh(meeting)
    assert meeting.step == 2
    answer = post(client, step_url, {"step": 4, "next": "remote"}, page=remote, json=True)
    assert answer.status_code == 200 and answer.get_json()["step"] == 4
    assert answer.headers["ETag"].startswith("W/")
    refused = post(client, step_url, {"step": 99, "next": "remote"}, page=remote, json=True)
    assert refused.status_code == 400 and refused.get_json()["message"]
    db.session.refresh(meeting)
    assert meeting.step == 4


def test_every_change_needs_its_csrf_token(client, owner, sign_in, revealed):
    meeting = start(revealed, owner)
    sign_in(OWNER)
    base = f"/assessments/{revealed.id}/meetings/{meeting.id}"
    json = {"Accept": "application/json"}
    assert client.post(f"{base}/step", data={"step": 3}, headers=json).status_code == 400
    assert client.post(f"{base}/end", data={}).status_code == 400
    typed = {
        "trait_id": meeting.trait_ids[0],
        "side": "client",
        "action": "Typed in the room",
        "owner": "Aoki",
    }
    answer = client.post(f"{base}/commitments", data={**typed, "csrf_token": "stale"}, headers=json)
    assert answer.status_code == 400 and "Typed in the room" in answer.get_json()["form"]
    page = client.post(f"{base}/commitments", data={**typed, "next": "remote"})
    assert page.status_code == 200 and "Typed in the room" in page.get_data(as_text=True)
    start_page = client.post(
        f"/assessments/{revealed.id}/meeting", data={"language": "en", "order": "gap"}
    )
    assert start_page.status_code == 400
    db.session.refresh(meeting)
    assert meeting.step == 0 and meeting.running
    assert db.session.scalar(select(func.count()).select_from(Commitment)) == 0


def test_commitments_recorded_in_the_room_with_and_without_javascript(
    client, owner, sign_in, revealed
):
    meeting = start(revealed, owner, language="ja")
    sign_in(OWNER)
    presenter = f"/assessments/{revealed.id}/meeting"
    url = f"/assessments/{revealed.id}/meetings/{meeting.id}/commitments"
    trait_id = meeting.trait_ids[0]
    response = post(
        client,
        url,
        {"trait_id": trait_id, "side": "company", "action": "Weekly call", "next": "presenter"},
        page=presenter,
    )
    assert response.status_code == 302 and response.headers["Location"] == presenter
    answer = post(
        client,
        url,
        {"trait_id": trait_id, "side": "client", "action": "Monthly plan", "due_on": "2027-02-01"},
        page=presenter,
        json=True,
    )
    assert answer.status_code == 201
    body = answer.get_json()
    assert "Monthly plan" in body["commitments"][str(trait_id)]
    assert "Weekly call" in body["agreed"] and "Monthly plan" in body["agreed"]
    assert "Monthly plan" not in body["form"]  # a blank form for the next one
    assert "コミットメントを記録しました。" in body["form"]  # in the meeting's language
    invalid = post(
        client,
        url,
        {"trait_id": trait_id, "side": "client", "action": ""},
        page=presenter,
        json=True,
    )
    assert invalid.status_code == 422 and "is-invalid" in invalid.get_json()["form"]
    page = post(
        client,
        url,
        {"trait_id": trait_id, "side": "nobody", "action": "Kept text", "next": "remote"},
        page=presenter,
    )
    assert page.status_code == 200 and "Kept text" in page.get_data(as_text=True)
    actions = db.session.scalars(select(Commitment.action).order_by(Commitment.id)).all()
    assert actions == ["Weekly call", "Monthly plan"]
    results = client.get(f"/assessments/{revealed.id}/results").get_data(as_text=True)
    assert "Weekly call" in results and "Monthly plan" in results


def test_ending_shows_the_printable_summary_in_either_language(client, owner, sign_in, revealed):
    meeting = start(revealed, owner, language="ja")
    service.move_to(meeting, 1)
    service.record_commitment(
        meeting, trait_id=meeting.trait_ids[0], side=Side.CLIENT, action="Share the plan"
    )
    sign_in(OWNER)
    presenter = f"/assessments/{revealed.id}/meeting"
    response = post(
        client, f"/assessments/{revealed.id}/meetings/{meeting.id}/end", {}, page=presenter
    )
    summary_url = f"/assessments/{revealed.id}/meetings/{meeting.id}"
    assert response.status_code == 302 and response.headers["Location"] == summary_url
    page = client.get(summary_url).get_data(as_text=True)
    first = next(t for t in revealed.traits if t.id == meeting.trait_ids[0])
    assert '<html lang="ja">' in page and first.label_ja in page and "Share the plan" in page
    assert "data-print" in page and "/assets/meeting." in page
    english = client.get(f"{summary_url}?language=en").get_data(as_text=True)
    assert '<html lang="en">' in english and first.label_en in english
    # The state tells the screens still following it where the summary is.
    state = client.get(f"{summary_url}/state").get_json()
    assert state["ended"] and state["summary_url"] == summary_url
    # The meeting page offers a new meeting and lists this one.
    setup = client.get(presenter).get_data(as_text=True)
    assert 'name="language"' in setup and summary_url in setup
    assert client.get(f"{presenter}/remote").status_code == 302


def test_another_workspace_sees_none_of_it(client, owner, make_user, sign_in, revealed):
    meeting = start(revealed, owner)
    make_user("other@example.com")
    sign_in("other@example.com")
    base = f"/assessments/{revealed.id}"
    for url in (
        f"{base}/meeting",
        f"{base}/meeting/remote",
        f"{base}/meetings/{meeting.id}",
        f"{base}/meetings/{meeting.id}/state",
    ):
        assert client.get(url).status_code == 404, url
    token = csrf_token(client, "/partners/")
    for action, data in (("step", {"step": 2}), ("end", {}), ("commitments", {"action": "x"})):
        response = client.post(
            f"{base}/meetings/{meeting.id}/{action}", data={**data, "csrf_token": token}
        )
        assert response.status_code == 404, action
    db.session.refresh(meeting)
    assert meeting.step == 0 and meeting.running


def test_a_meeting_of_another_round_is_not_found_under_this_one(
    client, owner, sign_in, revealed, make_assessment
):
    other, tokens = make_assessment(owner)
    answer_all(other, tokens)
    assessments.reveal(other)
    meeting = start(other, owner)
    sign_in(OWNER)
    assert client.get(f"/assessments/{revealed.id}/meetings/{meeting.id}").status_code == 404


# --------------------------------------------------------------------------------------------
# Queries
# --------------------------------------------------------------------------------------------


def _round_of(owner, traits, respondents, make_partner):
    """A revealed round of `traits` traits, answered with a comment on every trait by each
    of `respondents` people a side, and a meeting with a commitment on every trait."""
    from bench.synthetic import trait_set_of
    from fitcheck.models import Kind
    from fitcheck.services.respondents import add_respondent

    trait_set = trait_set_of(owner.workspace_id, traits)
    partner = make_partner(owner.workspace)
    assessment = assessments.create_assessment(partner, trait_set, kind=Kind.PRE_CONTRACT)
    people = {
        add_respondent(
            assessment, side=side, name=f"{side.value} {n}", email=f"{side.value}{n}@x.example"
        )[0]: ""
        for side in Side
        for n in range(respondents)
    }
    assessments.launch(assessment, invite=False)
    answer_all(assessment, people, comment="Said")
    assessments.reveal(assessment)
    meeting = start(assessment, owner)
    for trait_id in meeting.trait_ids:
        service.record_commitment(meeting, trait_id=trait_id, side=Side.COMPANY, action="Do")
    return assessment, meeting


def test_the_meeting_costs_the_same_queries_for_3_or_12_traits(
    client, owner, sign_in, make_partner
):
    small = _round_of(owner, 3, 1, make_partner)
    large = _round_of(owner, 12, 4, make_partner)
    sign_in(OWNER)
    counts: dict[str, list[int]] = {}
    for assessment, meeting in (small, large):
        base = f"/assessments/{assessment.id}"
        pages = {
            "presenter": f"{base}/meeting",
            "remote": f"{base}/meeting/remote",
            "state": f"{base}/meetings/{meeting.id}/state",
            "summary": f"{base}/meetings/{meeting.id}",
        }
        for name, page in pages.items():
            with count_queries() as statements:
                assert client.get(page).status_code == 200, page
            counts.setdefault(name, []).append(len(statements))
    for name, (few, many) in counts.items():
        assert few == many, (name, counts)
    assert max(max(pair) for pair in counts.values()) <= 10, counts


def test_starting_and_ending_a_meeting_are_on_record(owner, revealed):
    meeting = start(revealed, owner, language="ja", user_ids=[owner.id])
    service.record_commitment(
        meeting,
        trait_id=meeting.trait_ids[0],
        side=Side.CLIENT,
        action="Share the forecast monthly",
        owner="Ito",
        due_on=date(2027, 2, 1),
    )
    mailed = service.end_meeting(meeting, actor=owner)
    kinds = (audit.Kind.MEETING_STARTED.value, audit.Kind.MEETING_ENDED.value)
    started, ended = db.session.scalars(
        select(AuditEvent).where(AuditEvent.kind.in_(kinds)).order_by(AuditEvent.id)
    )
    assert [started.kind, ended.kind] == list(kinds)
    assert started.actor_id == ended.actor_id == owner.id
    assert started.workspace_id == ended.workspace_id == revealed.workspace_id
    assert started.subject == revealed.partner.name
    assert started.details == {
        "assessment_id": revealed.id,
        "meeting_id": meeting.id,
        "language": "ja",
        "participants": len(service.candidates(revealed).respondents) + 1,
    }
    assert ended.details == {
        "assessment_id": revealed.id,
        "meeting_id": meeting.id,
        "commitments": 1,
        "mails": mailed,
    }
    assert mailed == 5
