"""FIT_MODEL.md's worked example, built through the services: the one data set that
pages, exports, the API and the engine must all agree on."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from fitcheck import fit
from fitcheck.models import Kind, Respondent, Side
from fitcheck.services import assessments, traits
from fitcheck.services.answers import AnswerInput, save_answers
from fitcheck.services.respondents import add_respondent

TRAITS = ("passion", "response", "dialogue", "growth")
# FIT_MODEL.md's worked example: other / self / importance per trait, None = can't judge.
WORKED = {
    "C1": {"passion": (4, 5, 5), "response": (3, 5, 4), "dialogue": (5, 4, 3), "growth": (2, 4, 3)},
    "C2": {
        "passion": (5, 4, 4),
        "response": (2, 5, 5),
        "dialogue": (4, 3, 3),
        "growth": (None, 3, 2),
    },
    "K1": {
        "passion": (4, 4, 3),
        "response": (4, 3, 4),
        "dialogue": (3, 5, None),
        "growth": (4, 1, 3),
    },
}
# Real-looking people, so a leak of their names or emails would show in the bytes.
PEOPLE = {
    "C1": ("Aiko Quennell", "aiko.quennell@example.org"),
    "C2": ("Bartholomew Oyelaran", "bart.oyelaran@example.org"),
    "K1": ("Kazuko Wrexham", "kazuko.wrexham@client.example"),
}
WORKED_MIRROR_SCORE = 64.1658


def worked_fit(min_responses: int = 1) -> fit.FitResult:
    """The engine's result of the example, without the app or a database."""
    ratings = [
        fit.Rating(
            respondent=code,
            side=Side.COMPANY if code.startswith("C") else Side.CLIENT,
            trait=trait,
            other=other,
            self_=self_,
            importance=importance,
        )
        for code, answers in WORKED.items()
        for trait, (other, self_, importance) in answers.items()
    ]
    return fit.assess(TRAITS, ratings, scale=fit.Scale(1, 5), min_responses=min_responses)


def respondent(assessment: Any, code: str) -> Respondent:
    """The respondent of the example playing `code` (C1, C2 or K1)."""
    return next(r for r in assessment.respondents if r.name == PEOPLE[code][0])


@pytest.fixture
def worked_example(make_user: Callable[..., Any], make_partner: Callable[..., Any]) -> Any:
    """Build FIT_MODEL.md's worked example; returns (assessment, user)."""

    def build(
        *,
        partner_name: str | None = None,
        labels: dict[str, str] | None = None,
        comments: dict[tuple[str, str], str] | None = None,
        min_responses: int = 1,
        reveal: bool = True,
    ) -> tuple[Any, Any]:
        user = make_user()
        trait_set = traits.create_trait_set(
            user.workspace_id,
            name="Worked example",
            scale_lo=1,
            scale_hi=5,
            point_labels={"en": list("12345"), "ja": list("12345")},
        )
        for key in TRAITS:
            label = (labels or {}).get(key, key)
            traits.add_trait(
                trait_set,
                traits.TraitText(
                    label_en=label,
                    label_ja=f"{label}（日本語）",
                    question_other_en="{partner}?",
                    question_other_ja="{partner}?",
                    question_self_en="we?",
                    question_self_ja="we?",
                ),
                key=key,
            )
        assessment = assessments.create_assessment(
            make_partner(user.workspace, partner_name),
            trait_set,
            kind=Kind.PRE_CONTRACT,
            min_responses_per_side=min_responses,
        )
        respondents = {
            code: add_respondent(
                assessment,
                side=Side.CLIENT if code.startswith("K") else Side.COMPANY,
                name=PEOPLE[code][0],
                email=PEOPLE[code][1],
            )[0]
            for code in WORKED
        }
        assessments.launch(assessment, invite=False)
        for code, answers in WORKED.items():
            save_answers(
                respondents[code],
                [
                    AnswerInput(
                        trait_key=key,
                        other=other,
                        other_cant_judge=other is None,
                        self_=own,
                        importance=importance,
                        comment=(comments or {}).get((code, key), f"{code} on {key}"),
                    )
                    for key, (other, own, importance) in answers.items()
                ],
                submit=True,
            )
        if reveal:
            assessments.reveal(assessment)
        return assessment, user

    return build
