"""The demo workspace: partners with rounds answered by both sides, and outcomes.

What it holds, in English and Japanese, is in `demo_plans`: three partners written out by
hand (a pre-contract assessment, an annual review that continues one, a review still
collecting answers) and a few dozen generated so that the portfolio and its "like attracts
like" analysis have enough rounds with an outcome to show. Outcomes are generated from each
round's mirror with a known rule plus noise, and marked `is_demo`. Everything comes from
fixed seeds, so two loads give the same data, and loading is idempotent: a second run finds
the workspace and changes nothing unless asked for another language (`demo_text`).
"""

from __future__ import annotations

import random
from datetime import date, timedelta
from decimal import Decimal

from flask import current_app
from sqlalchemy import update

from ..extensions import db
from ..models import (
    Assessment,
    Contact,
    Kind,
    MailStatus,
    OutboxMessage,
    Partner,
    Role,
    RoundSummary,
    Side,
    TraitSet,
    User,
    Workspace,
    utcnow,
)
from . import assessments, commitments, demo_text, meetings, outcomes, workshops
from .accounts import hash_password
from .answers import AnswerInput, save_answers
from .demo_plans import (
    COMPANY_STAFF,
    DEMO_EMAIL,
    DEMO_WORKSPACE,
    GENERATED_PLANS,
    KITAHAMA,
    LANGUAGES,
    OWNER_NAME,
    PLANS,
    TRAITS,
    WORKSHOP_HELD,
    PartnerPlan,
    Promise,
    RoundPlan,
)
from .demo_text import find_demo
from .respondents import add_respondent
from .traits import install_default_trait_set

__all__ = [
    "COMPANY_STAFF",
    "DEMO_EMAIL",
    "DEMO_PASSWORD",
    "DEMO_WORKSPACE",
    "GENERATED_PLANS",
    "PLANS",
    "find_demo",
    "load_demo",
    "switch_language",
]

DEMO_PASSWORD = "fitcheck-demo"  # noqa: S105 - the demo account's published password


def _rating(rng: random.Random, centre: float, lo: int, hi: int) -> int | None:
    if rng.random() < 0.04:  # now and then a respondent can't judge a trait
        return None
    return max(lo, min(hi, round(rng.gauss(centre, 0.6))))


def _answers(
    rng: random.Random, side: Side, plan: RoundPlan, respondent: int, language: str
) -> list[AnswerInput]:
    comments = {
        comment.trait: comment.words.text(language)
        for comment in plan.comments
        if comment.side is side and comment.respondent == respondent
    }
    answers = []
    for key in TRAITS:
        them, us, us_self, them_self = plan.centres[key]
        other, own = (them, us_self) if side is Side.COMPANY else (us, them_self)
        other_rating = _rating(rng, other, 1, 5)
        self_rating = _rating(rng, own, 1, 5)
        answers.append(
            AnswerInput(
                trait_key=key,
                other=other_rating,
                other_cant_judge=other_rating is None,
                self_=self_rating,
                self_cant_judge=self_rating is None,
                importance=max(1, min(5, round(rng.gauss(3.8, 0.8)))),
                comment=comments.get(key, ""),
            )
        )
    return answers


def load_demo(language: str | None = None) -> tuple[Workspace, bool]:
    """Create the demo workspace unless it exists, its own texts in `language` (default: the
    app's default language). Returns it and whether it was created.

    An existing demo is left as it is, unless a language is given: then its own texts are
    rewritten in it (`switch_language`).
    """
    workspace = find_demo()
    if workspace is not None:
        if language is not None:
            switch_language(workspace, language)
        return workspace, False
    if language is None:
        default = current_app.config["BABEL_DEFAULT_LOCALE"]
        language = default if default in LANGUAGES else "en"
    elif language not in LANGUAGES:
        raise ValueError(f"the demo speaks {' and '.join(LANGUAGES)}, not {language!r}")
    workspace = Workspace(name=DEMO_WORKSPACE.text(language), language=language)
    db.session.add(workspace)
    db.session.flush()
    owner = User(
        workspace_id=workspace.id,
        email=DEMO_EMAIL,
        name=OWNER_NAME.text(language),
        password_hash=hash_password(DEMO_PASSWORD),
        role=Role.OWNER,
    )
    db.session.add(owner)
    trait_set = install_default_trait_set(workspace)
    db.session.commit()
    # The team's brand-partner workshop chose these traits before any round was run; its
    # promises went into the first round launched on them.
    workshops.demo_workshop(
        workspace.id,
        owner,
        trait_set,
        names=[name.text(language) for name, _email in COMPANY_STAFF],
        language=language,
        held_at=WORKSHOP_HELD,
    )

    for plan_index, plan in enumerate(PLANS + GENERATED_PLANS):
        partner = Partner(
            workspace_id=workspace.id,
            name=plan.name.text(language),
            notes=plan.notes.text(language) if plan.notes else "",
        )
        db.session.add(partner)
        db.session.flush()
        db.session.add_all(
            Contact(
                workspace_id=workspace.id,
                partner_id=partner.id,
                name=name.text(language),
                email=email,
                title=title.text(language),
            )
            for name, email, title in plan.contacts
        )
        db.session.commit()
        previous: Assessment | None = None
        for round_index, round_plan in enumerate(plan.rounds):
            rng = random.Random(f"fitcheck-demo:{plan_index}:{round_index}")  # noqa: S311
            previous = _run_round(partner, trait_set, plan, round_plan, rng, previous, language)
            if round_plan.reveal:
                _record_outcome(partner, previous, round_plan, rng, language)
                _make_promises(previous, round_plan.commitments, language)
        if plan is KITAHAMA and previous is not None:
            # Its annual review, talked through with the client a week after the reveal.
            meetings.demo_meeting(previous, owner, language=language)
    _cancel_mail(workspace)
    return workspace, True


def switch_language(workspace: Workspace, language: str) -> None:
    """The demo's own texts in `language`, in one transaction; what members typed or
    edited stays as it is (see `demo_text`)."""
    demo_text.rewrite_in(workspace.id, language)
    db.session.commit()


def _cancel_mail(workspace: Workspace) -> None:
    """The demo's rounds were revealed years ago to invented addresses: the mail their
    reveals queued ("results are ready") must never leave."""
    db.session.execute(
        update(OutboxMessage)
        .where(
            OutboxMessage.workspace_id == workspace.id, OutboxMessage.status == MailStatus.QUEUED
        )
        .values(status=MailStatus.CANCELLED)
    )
    db.session.commit()


def _make_promises(assessment: Assessment, promises: tuple[Promise, ...], language: str) -> None:
    traits = {trait.key: trait.id for trait in assessment.traits}
    assert assessment.revealed_at is not None
    for promise in promises:
        commitment = commitments.add_commitment(
            assessment,
            trait_id=traits[promise.trait],
            side=promise.side,
            action=promise.action.text(language),
            owner=promise.owner.text(language),
            due_on=(assessment.revealed_at + timedelta(days=promise.due_after_days)).date(),
        )
        commitments.set_status(commitment, promise.status)


def _record_outcome(
    partner: Partner,
    assessment: Assessment,
    round_plan: RoundPlan,
    rng: random.Random,
    language: str,
) -> None:
    """What became of the relationship after the round: satisfaction rises with both
    sides' level and falls as their views of each other part (FIT_MODEL.md §"Portfolio"),
    plus noise; a contract or renewal follows a good enough year."""
    summary = db.session.get(RoundSummary, assessment.id)
    if assessment.revealed_at is None or summary is None or summary.x is None or summary.y is None:
        return  # not revealed, or no mirror: no point in the analysis
    level, gap = summary.x + summary.y, summary.x - summary.y
    z = 6 + 0.8 * level - 1.0 * gap**2 - 0.3 * level**2 + rng.gauss(0, 0.8)
    observed: date = (assessment.revealed_at + timedelta(days=150 + rng.randrange(60))).date()
    went_on = z >= 5
    before_contract = assessment.kind is Kind.PRE_CONTRACT
    notes = round_plan.outcome_notes
    outcomes.record_outcome(
        partner,
        period=str(assessment.revealed_at.year),  # the relationship year the round opened
        observed_on=observed,
        contract_signed=went_on if before_contract else None,
        renewed=None if before_contract else went_on,
        satisfaction=max(0, min(10, round(z))),
        revenue=Decimal(round(max(0.0, 1.5e6 + 4e5 * z + rng.gauss(0, 3e5)), -4))
        if went_on
        else Decimal(0),
        note=(notes.went_on if went_on else notes.did_not).text(language) if notes else "",
        is_demo=True,
    )


def _run_round(
    partner: Partner,
    trait_set: TraitSet,
    plan: PartnerPlan,
    round_plan: RoundPlan,
    rng: random.Random,
    previous: Assessment | None,
    language: str,
) -> Assessment:
    launched = round_plan.launched
    deadline = launched + timedelta(days=21)
    if not round_plan.reveal:
        deadline = max(deadline, utcnow() + timedelta(days=21))
    assessment = assessments.create_assessment(
        partner,
        trait_set,
        kind=round_plan.kind,
        deadline=deadline,
        min_responses_per_side=2
        if round_plan.kind is Kind.ANNUAL_REVIEW and not round_plan.small
        else 1,
        previous=previous,
        now=launched,  # created just before its launch, years ago for most rounds
    )
    company = [
        add_respondent(assessment, side=Side.COMPANY, name=n.text(language), email=e)[0]
        for n, e in COMPANY_STAFF[: 1 if round_plan.small else None]
    ]
    client = [
        add_respondent(assessment, side=Side.CLIENT, name=n.text(language), email=e)[0]
        for n, e, _title in plan.contacts[: 1 if round_plan.small else None]
    ]
    assessments.launch(assessment, invite=False, now=launched)
    answered_at = launched + timedelta(days=3)
    for index, respondent in enumerate(company):
        answers = _answers(rng, Side.COMPANY, round_plan, index, language)
        save_answers(respondent, answers, submit=True, now=answered_at)
    for index, respondent in enumerate(client):
        answers = _answers(rng, Side.CLIENT, round_plan, index, language)
        submit = index < round_plan.client_submits
        save_answers(respondent, answers, submit=submit, now=answered_at)
    if round_plan.reveal:
        assessments.reveal(assessment, now=launched + timedelta(days=14))
    return assessment
