"""A large revealed assessment, built fast: traits and respondents through the services,
answers in one bulk insert (the per-respondent service path is measured elsewhere)."""

from __future__ import annotations

import random
import secrets
from datetime import timedelta

from sqlalchemy import insert, select, update

from fitcheck.extensions import db
from fitcheck.models import (
    Answer,
    Assessment,
    AssessmentTrait,
    Kind,
    Outcome,
    Partner,
    Respondent,
    Side,
    State,
    Trait,
    TraitSet,
    utcnow,
)
from fitcheck.services import accounts, assessments, partners, traits
from fitcheck.services.respondents import add_respondent

BENCH_PASSWORD = "bench password 1"  # noqa: S105 - a throwaway account in a scratch database


def trait_set_of(workspace_id: int, trait_count: int) -> TraitSet:
    """A 1–5 trait set of `trait_count` traits with plain texts in both languages."""
    trait_set = traits.create_trait_set(
        workspace_id,
        name=f"{trait_count} traits",
        scale_lo=1,
        scale_hi=5,
        point_labels={"en": list("12345"), "ja": list("12345")},
    )
    for number in range(trait_count):
        traits.add_trait(
            trait_set,
            traits.TraitText(
                label_en=f"Trait number {number}",
                label_ja=f"特性その{number}",
                question_other_en="How strongly does {partner} show it?",
                question_other_ja="{partner}はどの程度ですか。",
                question_self_en="How strongly do we show it?",
                question_self_ja="私たちはどの程度ですか。",
            ),
        )
    return trait_set


def large_assessment(
    *, respondents: int = 300, trait_count: int = 40, seed: int = 1, email: str | None = None
) -> Assessment:
    """A revealed assessment with `respondents` (half per side) who all answered every trait."""
    rng = random.Random(seed)
    owner = accounts.sign_up(
        workspace_name=f"Bench {seed}",
        name="Bench",
        email=email or f"bench{seed}@example.com",
        password=BENCH_PASSWORD,
    )
    trait_set = trait_set_of(owner.workspace_id, trait_count)
    partner = partners.create_partner(owner.workspace_id, name=f"Partner {seed}")
    assessment = assessments.create_assessment(
        partner, trait_set, kind=Kind.ANNUAL_REVIEW, min_responses_per_side=3
    )
    people = [
        add_respondent(
            assessment, side=Side.COMPANY if number % 2 else Side.CLIENT, name=f"R{number}"
        )[0]
        for number in range(respondents)
    ]
    assessments.launch(assessment, invite=False)
    rows = [
        {
            "workspace_id": assessment.workspace_id,
            "assessment_id": assessment.id,
            "respondent_id": person.id,
            "trait_id": trait.id,
            "scale_lo": 1,
            "scale_hi": 5,
            "other_rating": rng.randint(1, 5),
            "self_rating": rng.randint(1, 5),
            "importance": rng.randint(1, 5),
            "comment": "",
        }
        for person in people
        for trait in assessment.traits
    ]
    db.session.execute(insert(Answer), rows)
    submitted = utcnow() - timedelta(days=1)
    db.session.execute(
        update(Respondent)
        .where(Respondent.assessment_id == assessment.id)
        .values(submitted_at=submitted, draft_saved_at=submitted, opened_at=submitted)
    )
    db.session.commit()
    assessments.reveal(assessment)
    return assessment


def large_portfolio(
    *, partners: int = 2000, rounds: int = 3, per_side: int = 2, seed: int = 1
) -> int:
    """A workspace of `partners` partners with `rounds` revealed annual rounds each, every
    round answered on the default trait set by `per_side` people per side and followed by an
    outcome whose satisfaction rises with both sides' level and falls with their gap.

    Bulk inserts throughout (the service path is timed elsewhere). Returns the workspace id.
    """
    rng = random.Random(seed)
    owner = accounts.sign_up(
        workspace_name=f"Portfolio bench {seed}",
        name="Bench",
        email=f"portfolio{seed}@example.com",
        password=BENCH_PASSWORD,
    )
    workspace_id = owner.workspace_id
    source = db.session.scalars(select(Trait).where(Trait.workspace_id == workspace_id)).all()
    text_columns = (
        "key", "position", "label_en", "label_ja", "description_en", "description_ja",
        "question_other_en", "question_other_ja", "question_self_en", "question_self_ja",
    )  # fmt: skip
    partner_ids = db.session.scalars(
        insert(Partner).returning(Partner.id, sort_by_parameter_order=True),
        [{"workspace_id": workspace_id, "name": f"Partner {n:04d}"} for n in range(partners)],
    ).all()
    start = utcnow() - timedelta(days=365 * rounds + 30)
    for number in range(rounds):
        launched = start + timedelta(days=365 * number)
        revealed = launched + timedelta(days=14)
        assessment_ids = db.session.scalars(
            insert(Assessment).returning(Assessment.id, sort_by_parameter_order=True),
            [
                {
                    "workspace_id": workspace_id,
                    "partner_id": partner_id,
                    "kind": Kind.ANNUAL_REVIEW,
                    "state": State.REVEALED,
                    "min_responses_per_side": 1,
                    "point_labels": {},
                    "launched_at": launched,
                    "revealed_at": revealed,
                }
                for partner_id in partner_ids
            ],
        ).all()
        trait_rows = [
            {"workspace_id": workspace_id, "assessment_id": assessment_id}
            | {column: getattr(trait, column) for column in text_columns}
            for assessment_id in assessment_ids
            for trait in source
        ]
        trait_ids = db.session.scalars(
            insert(AssessmentTrait).returning(AssessmentTrait.id, sort_by_parameter_order=True),
            trait_rows,
        ).all()
        people = [
            (assessment_id, side, person)
            for assessment_id in assessment_ids
            for side in Side
            for person in range(per_side)
        ]
        respondent_ids = db.session.scalars(
            insert(Respondent).returning(Respondent.id, sort_by_parameter_order=True),
            [
                {
                    "workspace_id": workspace_id,
                    "assessment_id": assessment_id,
                    "side": side,
                    "name": f"{side.value} {person}",
                    "token_nonce": secrets.token_hex(16),
                    "token_hash": secrets.token_hex(32),
                    "submitted_at": launched + timedelta(days=3),
                }
                for assessment_id, side, person in people
            ],
        ).all()
        traits_of = {
            assessment_id: trait_ids[i * len(source) : (i + 1) * len(source)]
            for i, assessment_id in enumerate(assessment_ids)
        }
        centres = {a: (rng.uniform(2, 4.6), rng.uniform(2, 4.6)) for a in assessment_ids}
        answers: list[dict[str, object]] = []
        for (assessment_id, side, _person), respondent_id in zip(
            people, respondent_ids, strict=True
        ):
            us, them = centres[assessment_id]
            other, own = (them, us) if side is Side.COMPANY else (us, them)
            answers.extend(
                {
                    "workspace_id": workspace_id,
                    "assessment_id": assessment_id,
                    "respondent_id": respondent_id,
                    "trait_id": trait_id,
                    "scale_lo": 1,
                    "scale_hi": 5,
                    "other_rating": max(1, min(5, round(rng.gauss(other, 0.7)))),
                    "self_rating": max(1, min(5, round(rng.gauss(own, 0.7)))),
                    "importance": rng.randint(1, 5),
                    "comment": "",
                }
                for trait_id in traits_of[assessment_id]
            )
        db.session.execute(insert(Answer), answers)
        outcomes = []
        for partner_id, assessment_id in zip(partner_ids, assessment_ids, strict=True):
            x, y = (value - 3 for value in centres[assessment_id])
            satisfaction = 6 + 0.8 * (x + y) - 0.6 * (x - y) ** 2 + rng.gauss(0, 1)
            outcomes.append(
                {
                    "workspace_id": workspace_id,
                    "partner_id": partner_id,
                    "period": f"{revealed.year}-{number + 1}",  # unique per partner
                    "observed_on": (revealed + timedelta(days=200)).date(),
                    "satisfaction": max(0, min(10, round(satisfaction))),
                    "renewed": satisfaction >= 5,
                    "note": "",
                }
            )
        db.session.execute(insert(Outcome), outcomes)
    db.session.commit()
    return workspace_id
