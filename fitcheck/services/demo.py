"""The demo workspace: partners with rounds answered by both sides, and outcomes.

Three partners are written out by hand (a pre-contract assessment, an annual review that
continues one, a review still collecting answers); a few dozen more are generated so that
the portfolio and its "like attracts like" analysis have enough rounds with an outcome to
show. Outcomes are generated from each round's mirror with a known rule plus noise, and
marked `is_demo`. Everything comes from fixed seeds, so two loads give the same data, and
loading is idempotent: a second run finds the workspace and changes nothing.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from sqlalchemy import select, update

from ..defaults import BRAND_PARTNER
from ..extensions import db
from ..models import (
    Assessment,
    CommitmentStatus,
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
from . import assessments, commitments, outcomes
from .accounts import hash_password
from .answers import AnswerInput, save_answers
from .respondents import add_respondent
from .traits import install_default_trait_set

DEMO_WORKSPACE = "Hamamatsu Creative Works (demo)"
DEMO_EMAIL = "demo@fitcheck.example"
DEMO_PASSWORD = "fitcheck-demo"  # noqa: S105 - the demo account's published password

TRAITS = tuple(trait.key for trait in BRAND_PARTNER.traits)


@dataclass(frozen=True)
class RoundPlan:
    kind: Kind
    launched: datetime
    # Per trait, the centre of each side's ratings: (company's view of the client,
    # client's view of the company, company's self-view, client's self-view).
    centres: dict[str, tuple[float, float, float, float]]
    reveal: bool = True
    client_submits: int = 2
    # A small partner's round: one person a side, and k = 1.
    small: bool = False
    # Promises made after the reveal, with what became of them by the next round.
    commitments: tuple[Promise, ...] = ()


@dataclass(frozen=True)
class Promise:
    trait: str  # the trait's key
    side: Side
    action: str
    owner: str
    due_after_days: int  # counted from the reveal
    status: CommitmentStatus


@dataclass(frozen=True)
class PartnerPlan:
    name: str
    contacts: tuple[tuple[str, str, str], ...]
    rounds: tuple[RoundPlan, ...]


def _profile(
    them: float, us: float, us_self: float, them_self: float, spread: float = 0.0
) -> dict[str, tuple[float, float, float, float]]:
    """The same centres for every trait, nudged per trait so the radar has a shape."""
    return {
        key: (
            them + spread * ((i * 7) % 5 - 2) / 4,
            us + spread * ((i * 3) % 5 - 2) / 4,
            us_self + spread * ((i * 2) % 5 - 2) / 5,
            them_self + spread * ((i * 4) % 5 - 2) / 5,
        )
        for i, key in enumerate(TRAITS)
    }


def _at(year: int, month: int, day: int) -> datetime:
    return datetime(year, month, day, 9, 0, tzinfo=UTC)


PLANS = (
    PartnerPlan(
        name="Aozora Design Works",
        contacts=(
            ("Aoki Mei", "mei.aoki@aozora.example", "Brand manager"),
            ("Fujita Ren", "ren.fujita@aozora.example", "Director"),
        ),
        rounds=(RoundPlan(Kind.PRE_CONTRACT, _at(2025, 4, 7), _profile(4.3, 4.2, 4.4, 4.1, 0.8)),),
    ),
    PartnerPlan(
        name="Kitahama Foods",
        contacts=(
            ("Kitagawa Sho", "sho.kitagawa@kitahama.example", "Marketing lead"),
            ("Nishida Aya", "aya.nishida@kitahama.example", "CEO"),
        ),
        rounds=(
            RoundPlan(
                Kind.PRE_CONTRACT,
                _at(2024, 6, 3),
                _profile(3.2, 4.1, 4.2, 3.9, 1.2),
                # Kept, under way, not started and given up: the review a year on shows each,
                # and its launch moves the two still open into its own round, where they
                # are the same two promises (counted once) with their 2024 status kept.
                commitments=(
                    Promise(
                        "quick_response",
                        Side.COMPANY,
                        "Answer every request within one business day, with a named person "
                        "on each ticket.",
                        "Sato Haruka",
                        90,
                        CommitmentStatus.DONE,
                    ),
                    Promise(
                        "dialogue",
                        Side.CLIENT,
                        "Hold a monthly review call between both marketing leads.",
                        "Kitagawa Sho",
                        60,
                        CommitmentStatus.IN_PROGRESS,
                    ),
                    Promise(
                        "growth",
                        Side.COMPANY,
                        "Propose one new sales channel to try each quarter.",
                        "Ito Kenji",
                        180,
                        CommitmentStatus.OPEN,
                    ),
                    Promise(
                        "long_term",
                        Side.CLIENT,
                        "Share the three-year brand plan with the agency.",
                        "Nishida Aya",
                        120,
                        CommitmentStatus.DROPPED,
                    ),
                ),
            ),
            RoundPlan(Kind.ANNUAL_REVIEW, _at(2025, 6, 2), _profile(3.5, 4.2, 4.3, 3.8, 1.0)),
        ),
    ),
    PartnerPlan(
        name="Minato Logistics",
        contacts=(
            ("Minami Daiki", "daiki.minami@minato.example", "Operations manager"),
            ("Oda Yui", "yui.oda@minato.example", "Sales director"),
        ),
        rounds=(
            RoundPlan(Kind.ANNUAL_REVIEW, _at(2025, 3, 3), _profile(2.8, 3.0, 3.9, 3.6, 1.0)),
            RoundPlan(
                Kind.ANNUAL_REVIEW,
                _at(2026, 10, 26),
                _profile(3.0, 3.2, 3.8, 3.5, 1.0),
                reveal=False,
                client_submits=1,
            ),
        ),
    ),
)

# The generated partners: names from two short lists, levels spread over the scale.
_NAME_FIRST = ("Asahi", "Hikari", "Kaede", "Midori", "Sakura", "Tsubasa")
_NAME_SECOND = ("Trading", "Systems", "Foods", "Textiles", "Printing", "Electronics")
_SURNAMES = ("Tanaka", "Suzuki", "Takahashi", "Watanabe", "Yamamoto", "Nakamura")
_GIVEN = ("Yuki", "Sora", "Hana", "Riku", "Mio", "Kaito")


def _generated_plans() -> tuple[PartnerPlan, ...]:
    rng = random.Random("fitcheck-demo:portfolio")  # noqa: S311 - demo data, not secrets
    plans = []
    for index in range(len(_NAME_FIRST) * len(_NAME_SECOND)):
        row, column = divmod(index, len(_NAME_SECOND))
        first, second = _NAME_FIRST[row], _NAME_SECOND[column]
        people = (
            f"{_SURNAMES[index % len(_SURNAMES)]} {_GIVEN[(index * 5) % len(_GIVEN)]}",
            f"{_SURNAMES[(index + 3) % len(_SURNAMES)]} {_GIVEN[(index + 2) % len(_GIVEN)]}",
        )
        us = rng.uniform(2.2, 4.7)
        them = min(4.8, max(1.8, us + rng.gauss(0, 0.7)))
        launched = _at(2024, 3, 4) + timedelta(days=rng.randrange(0, 120))
        rounds = [
            RoundPlan(
                Kind.PRE_CONTRACT,
                launched,
                _profile(them, us, us + 0.3, them + 0.2, 0.6),
                client_submits=1,
                small=True,
            )
        ]
        if rng.random() < 0.6:  # most partners were reviewed a year on
            us2 = min(4.8, max(1.8, us + rng.gauss(0, 0.4)))
            them2 = min(4.8, max(1.8, them + rng.gauss(0, 0.4)))
            rounds.append(
                RoundPlan(
                    Kind.ANNUAL_REVIEW,
                    launched + timedelta(days=364),
                    _profile(them2, us2, us2 + 0.3, them2 + 0.2, 0.6),
                    client_submits=1,
                    small=True,
                )
            )
        domain = f"{first}-{second}".lower()
        plans.append(
            PartnerPlan(
                name=f"{first} {second}",
                contacts=(
                    (people[0], f"manager@{domain}.example", "Manager"),
                    (people[1], f"director@{domain}.example", "Director"),
                ),
                rounds=tuple(rounds),
            )
        )
    return tuple(plans)


GENERATED_PLANS = _generated_plans()


COMPANY_STAFF = (("Sato Haruka", "haruka.sato@hcw.example"), ("Ito Kenji", "kenji.ito@hcw.example"))


def _rating(rng: random.Random, centre: float, lo: int, hi: int) -> int | None:
    if rng.random() < 0.04:  # now and then a respondent can't judge a trait
        return None
    return max(lo, min(hi, round(rng.gauss(centre, 0.6))))


def _answers(rng: random.Random, side: Side, plan: RoundPlan) -> list[AnswerInput]:
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
            )
        )
    return answers


def load_demo() -> tuple[Workspace, bool]:
    """Create the demo workspace unless it exists. Returns it and whether it was created."""
    workspace = db.session.scalar(select(Workspace).where(Workspace.name == DEMO_WORKSPACE))
    if workspace is not None:
        return workspace, False
    workspace = Workspace(name=DEMO_WORKSPACE)
    db.session.add(workspace)
    db.session.flush()
    owner = User(
        workspace_id=workspace.id,
        email=DEMO_EMAIL,
        name="Demo Owner",
        password_hash=hash_password(DEMO_PASSWORD),
        role=Role.OWNER,
    )
    db.session.add(owner)
    trait_set = install_default_trait_set(workspace)
    db.session.commit()

    for plan_index, plan in enumerate(PLANS + GENERATED_PLANS):
        partner = Partner(workspace_id=workspace.id, name=plan.name)
        db.session.add(partner)
        db.session.flush()
        db.session.add_all(
            Contact(workspace_id=workspace.id, partner_id=partner.id, name=n, email=e, title=t)
            for n, e, t in plan.contacts
        )
        db.session.commit()
        previous: Assessment | None = None
        for round_index, round_plan in enumerate(plan.rounds):
            rng = random.Random(f"fitcheck-demo:{plan_index}:{round_index}")  # noqa: S311
            previous = _run_round(partner, trait_set, plan, round_plan, rng, previous)
            if round_plan.reveal:
                _record_outcome(partner, previous, rng)
                _make_promises(previous, round_plan.commitments)
    _cancel_mail(workspace)
    return workspace, True


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


def _make_promises(assessment: Assessment, promises: tuple[Promise, ...]) -> None:
    traits = {trait.key: trait.id for trait in assessment.traits}
    assert assessment.revealed_at is not None
    for promise in promises:
        commitment = commitments.add_commitment(
            assessment,
            trait_id=traits[promise.trait],
            side=promise.side,
            action=promise.action,
            owner=promise.owner,
            due_on=(assessment.revealed_at + timedelta(days=promise.due_after_days)).date(),
        )
        commitments.set_status(commitment, promise.status)


def _record_outcome(partner: Partner, assessment: Assessment, rng: random.Random) -> None:
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
        is_demo=True,
    )


def _run_round(
    partner: Partner,
    trait_set: TraitSet,
    plan: PartnerPlan,
    round_plan: RoundPlan,
    rng: random.Random,
    previous: Assessment | None,
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
        add_respondent(assessment, side=Side.COMPANY, name=n, email=e)[0]
        for n, e in COMPANY_STAFF[: 1 if round_plan.small else None]
    ]
    client = [
        add_respondent(assessment, side=Side.CLIENT, name=n, email=e)[0]
        for n, e, _title in plan.contacts[: 1 if round_plan.small else None]
    ]
    assessments.launch(assessment, invite=False, now=launched)
    answered_at = launched + timedelta(days=3)
    for respondent in company:
        save_answers(
            respondent, _answers(rng, Side.COMPANY, round_plan), submit=True, now=answered_at
        )
    for index, respondent in enumerate(client):
        submit = index < round_plan.client_submits
        save_answers(
            respondent, _answers(rng, Side.CLIENT, round_plan), submit=submit, now=answered_at
        )
    if round_plan.reveal:
        assessments.reveal(assessment, now=launched + timedelta(days=14))
    return assessment
