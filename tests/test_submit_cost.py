"""What one respondent's save costs in SQL, through the API and the survey form: the
respondent with its assessment and traits in one query, the answers in one multi-row
upsert, the respondent's own row — however many traits there are."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from fitcheck.extensions import db
from fitcheck.models import Answer, Assessment, RevealPolicy, State
from fitcheck.services.answers import AnswerInput

from .support import count_queries

# Each statement of the transaction; BEGIN and COMMIT are not cursor statements.
LOAD, UPSERT, RESPONDENT = 1, 1, 1
# The survey form reads the frozen traits and the saved answers on their own (its page,
# if it comes back with errors, shows them): two statements more than the API.
FORM_SAVE = LOAD + 2 + UPSERT + RESPONDENT


def _body(assessment, *, submit: bool, shift: int = 0) -> dict:
    lo, hi = assessment.scale_lo, assessment.scale_hi
    points = hi - lo + 1
    return {
        "submit": submit,
        "answers": [
            {
                "trait_key": trait.key,
                "other": lo + (i + shift) % points,
                "self": hi - (i + shift) % points,
                "importance": 3,
                "comment": f"note {shift}",
            }
            for i, trait in enumerate(assessment.traits)
        ],
    }


def _writes(statements: list[str]) -> list[str]:
    return [s for s in statements if re.match(r"\s*(INSERT|UPDATE|DELETE)", s)]


@pytest.mark.parametrize("submit", [False, True], ids=["draft", "submit"])
def test_an_api_save_runs_three_statements_and_a_second_one_updates_in_place(
    client, make_assessment, submit
):
    assessment, tokens = make_assessment(company=1, client=2)
    token = next(iter(tokens.values()))
    traits = len(assessment.traits)
    for shift in (0, 1):  # the second save meets the rows of the first
        db.session.remove()  # as a new request in production: nothing cached
        with count_queries() as statements:
            response = client.put(
                f"/api/v1/responses/{token}", json=_body(assessment, submit=submit, shift=shift)
            )
        assert response.status_code == 200, response.get_json()
        assert response.get_json() == {"submitted": submit, "state": "collecting"}
        assert len(statements) == LOAD + UPSERT + RESPONDENT, statements
        assert sum("INSERT INTO answers" in s for s in _writes(statements)) == 1
    rows = db.session.scalars(select(Answer).where(Answer.assessment_id == assessment.id)).all()
    assert len(rows) == traits  # updated in place, never duplicated
    assert {row.comment for row in rows} == {"note 1"}


def test_the_submit_that_reveals_adds_only_the_count_and_the_reveal(client, make_assessment):
    assessment, tokens = make_assessment(company=1, client=1, reveal_policy=RevealPolicy.AUTOMATIC)
    first, last = list(tokens.values())
    body, assessment_id = _body(assessment, submit=True), assessment.id
    client.put(f"/api/v1/responses/{first}", json=body)
    db.session.remove()
    with count_queries() as statements:
        response = client.put(f"/api/v1/responses/{last}", json=body)
    assert response.get_json() == {"submitted": True, "state": "revealed"}
    assert db.session.get(Assessment, assessment_id).state is State.REVEALED
    # The counts per side, then the reveal's own writes (state, summary, audit, mail),
    # fixed whatever the number of traits or respondents.
    assert len(statements) <= LOAD + UPSERT + RESPONDENT + 12, statements


def test_the_survey_form_saves_with_one_upsert_too(client, make_assessment):
    assessment, tokens = make_assessment(company=1, client=1)
    respondent, token = next(iter(tokens.items()))
    respondent_id, traits = respondent.id, [t.key for t in assessment.traits]
    page = client.get(f"/r/{token}/answers").get_data(as_text=True)
    csrf = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    form = {"csrf_token": csrf, "action": "save"}
    for key in traits:
        form[f"{key}-other"], form[f"{key}-self"] = "2", "4"
    for _ in range(2):  # the second save updates the rows of the first, in the same statement
        db.session.remove()
        with count_queries() as statements:
            response = client.post(f"/r/{token}/answers", data=form)
        assert response.status_code == 302
        assert len(statements) == FORM_SAVE, statements
        assert sum("INSERT INTO answers" in s for s in statements) == 1
        assert not any(re.match(r"\s*UPDATE answers", s) for s in statements)
    saved = select(Answer.other_rating).where(Answer.respondent_id == respondent_id)
    assert db.session.scalars(saved).all() == [2] * len(traits)


def test_a_double_submit_writes_the_same_rows_again(app, make_assessment):
    from fitcheck.services.answers import save_answers

    assessment, tokens = make_assessment(company=1, client=1)
    respondent = next(iter(tokens))
    answers = [AnswerInput(trait_key=t.key, other=3, self_=4) for t in assessment.traits]
    first = save_answers(respondent, answers, submit=True)
    again = save_answers(respondent, answers, submit=True)
    assert first.submitted and again.submitted
    count = select(func.count(Answer.id)).where(Answer.respondent_id == respondent.id)
    assert db.session.scalar(count) == len(assessment.traits)
