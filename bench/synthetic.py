"""A large revealed assessment, built fast: traits and respondents through the services,
answers in one bulk insert (the per-respondent service path is measured elsewhere)."""

from __future__ import annotations

import random
from datetime import timedelta

from sqlalchemy import insert, update

from fitcheck.extensions import db
from fitcheck.models import Answer, Assessment, Kind, Respondent, Side, utcnow
from fitcheck.services import accounts, assessments, partners, traits

BENCH_PASSWORD = "bench password 1"  # noqa: S105 - a throwaway account in a scratch database


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
    trait_set = traits.create_trait_set(
        owner.workspace_id,
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
    partner = partners.create_partner(owner.workspace_id, name=f"Partner {seed}")
    assessment = assessments.create_assessment(
        partner, trait_set, kind=Kind.ANNUAL_REVIEW, min_responses_per_side=3
    )
    people = [
        assessments.add_respondent(
            assessment, side=Side.COMPANY if number % 2 else Side.CLIENT, name=f"R{number}"
        )[0]
        for number in range(respondents)
    ]
    assessments.launch(assessment)
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
