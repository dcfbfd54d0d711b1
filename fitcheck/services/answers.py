"""A respondent's answers: saving a draft and submitting, with the rules both doors share.

The survey page and the API's PUT /responses/{token} hand their answers here (through
`fitcheck.services.responses`), so a rating off the scale, a comment too long or a missing
trait is refused the same way whichever door it came through. A submit may be the one
that brings both sides to the threshold; the reveal it triggers is the assessment's
(`fitcheck.services.assessments.reveal_if_ready`).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Executable
from sqlalchemy.dialects import postgresql, sqlite

from .. import limits
from ..extensions import db
from ..i18n import lazy_gettext as _l
from ..models import (
    IMPORTANCE_HI,
    IMPORTANCE_LO,
    Answer,
    Assessment,
    AssessmentTrait,
    Respondent,
    RevealPolicy,
    State,
    utcnow,
)
from ..models.activity import ActorKind
from . import ServiceError, too_long
from .assessments import reveal_if_ready


@dataclass(frozen=True)
class AnswerInput:
    """One trait's answer as a respondent gave it. None: not answered (or can't judge)."""

    trait_key: str
    other: int | None = None
    other_cant_judge: bool = False
    self_: int | None = None
    self_cant_judge: bool = False
    importance: int | None = None
    comment: str = ""


@dataclass(frozen=True)
class Saved:
    """What a save left, read before its commit expires the objects (a reload would cost
    the queries of the respondent and its assessment again)."""

    submitted: bool
    saved_at: datetime
    state: State  # the assessment's: revealed when this submit revealed it


class AnswerErrors(ServiceError):
    """Answers that cannot be saved, keyed by trait key and field.

    Nothing of the refused save was written; `draft_saved_at` is set when the answers that
    were right on their own were kept as a draft instead (`save_answers(keep_valid=True)`).
    """

    def __init__(
        self, errors: dict[str, dict[str, str]], *, draft_saved_at: datetime | None = None
    ) -> None:
        super().__init__(_l("Some answers need your attention."))
        self.errors = errors
        self.draft_saved_at = draft_saved_at


def _validate(assessment: Assessment, answer: AnswerInput) -> list[tuple[str, str]]:
    """What is wrong with one answer on its own: a point off a scale, a point and "can't
    judge" both, a comment too long."""
    problems = []
    lo, hi = assessment.scale_lo, assessment.scale_hi
    for field, value, cant_judge in (
        ("other", answer.other, answer.other_cant_judge),
        ("self", answer.self_, answer.self_cant_judge),
    ):
        if value is not None and not lo <= value <= hi:
            problems.append((field, str(_l("Choose a point from %(lo)d to %(hi)d.", lo=lo, hi=hi))))
        if value is not None and cant_judge:
            problems.append((field, str(_l("Choose a point or “can't judge”, not both."))))
    if answer.importance is not None and not IMPORTANCE_LO <= answer.importance <= IMPORTANCE_HI:
        problems.append(
            (
                "importance",
                str(
                    _l(
                        "Choose a point from %(lo)d to %(hi)d.",
                        lo=IMPORTANCE_LO,
                        hi=IMPORTANCE_HI,
                    )
                ),
            )
        )
    if len(answer.comment.strip()) > limits.COMMENT:
        problems.append(("comment", str(too_long(_l("The comment"), limits.COMMENT))))
    return problems


def save_answers(
    respondent: Respondent,
    answers: Iterable[AnswerInput],
    *,
    submit: bool = False,
    keep_valid: bool = False,
    now: datetime | None = None,
) -> Saved:
    """Save a draft, or submit. Everything or nothing is written; submitting twice is harmless.

    Submitting needs both ratings of every trait (a point or "can't judge"). Answers stay
    editable until the reveal.

    With `keep_valid` (the survey page: nothing typed is lost), a refused save of a
    respondent who has not submitted yet still keeps, as a draft, every answer that is
    right on its own, then raises `AnswerErrors` with the draft's time. A submitted
    response is never changed by a refused save: it changes only while it stays complete.
    """
    assessment = respondent.assessment
    if assessment.state is not State.COLLECTING:
        raise ServiceError(_l("This assessment is not collecting answers."))
    if respondent.withdrawn_at is not None:
        raise ServiceError(_l("This invitation was withdrawn."))
    moment = now or utcnow()
    if assessment.deadline is not None and moment > assessment.deadline:
        raise ServiceError(_l("The deadline has passed."))
    traits = {trait.key: trait for trait in assessment.traits}
    given = {answer.trait_key: answer for answer in answers}
    wrong = _wrong_answers(assessment, traits, given)
    missing = _missing_answers(traits, given) if submit else {}
    if wrong or missing:
        errors = {key: {**missing.get(key, {}), **wrong.get(key, {})} for key in {*wrong, *missing}}
        if not keep_valid or respondent.submitted_at is not None:
            raise AnswerErrors(errors)
        kept = [answer for key, answer in given.items() if key not in wrong]
        _write(respondent, assessment, traits, kept, moment)
        db.session.commit()
        raise AnswerErrors(errors, draft_saved_at=moment)
    _write(respondent, assessment, traits, given.values(), moment)
    if submit:
        respondent.submitted_at = respondent.submitted_at or moment
        respondent.declined_at = None
    db.session.flush()
    if submit and assessment.reveal_policy is RevealPolicy.AUTOMATIC:
        reveal_if_ready(assessment, moment, ActorKind.RULE)
    saved = Saved(
        submitted=respondent.submitted_at is not None, saved_at=moment, state=assessment.state
    )
    db.session.commit()
    return saved


def _wrong_answers(
    assessment: Assessment, traits: dict[str, AssessmentTrait], given: dict[str, AnswerInput]
) -> dict[str, dict[str, str]]:
    """What is wrong with the answers given, each on its own, by trait key and field."""
    errors: dict[str, dict[str, str]] = {}
    for key in given:
        if key not in traits:
            errors.setdefault(key, {})["trait_key"] = str(_l("Unknown trait."))
    for key, answer in given.items():
        for field, message in _validate(assessment, answer):
            errors.setdefault(key, {})[field] = message
    return errors


def _missing_answers(
    traits: dict[str, AssessmentTrait], given: dict[str, AnswerInput]
) -> dict[str, dict[str, str]]:
    """The ratings a submit still needs: both of every trait, a point or "can't judge"."""
    errors: dict[str, dict[str, str]] = {}
    message = str(_l("Rate this, or choose “can't judge”."))
    for key in traits:
        answer = given.get(key)
        if answer is None or (answer.other is None and not answer.other_cant_judge):
            errors.setdefault(key, {})["other"] = message
        if answer is None or (answer.self_ is None and not answer.self_cant_judge):
            errors.setdefault(key, {})["self"] = message
    return errors


def _write(
    respondent: Respondent,
    assessment: Assessment,
    traits: dict[str, AssessmentTrait],
    answers: Iterable[AnswerInput],
    moment: datetime,
) -> None:
    """The answers in one upsert, and the respondent's draft time."""
    rows = list(answers)
    if rows:
        db.session.execute(_upsert(respondent, assessment, traits, rows, moment))
    respondent.draft_saved_at = moment
    respondent.opened_at = respondent.opened_at or moment


def _upsert(
    respondent: Respondent,
    assessment: Assessment,
    traits: dict[str, AssessmentTrait],
    answers: Iterable[AnswerInput],
    moment: datetime,
) -> Executable:
    """Every given answer in one statement: a new row, or the respondent's row for that
    trait updated (the unique key on respondent and trait), so a double submit, or an
    autosave racing the submit, writes the same rows again instead of failing."""
    rows = [
        {
            "workspace_id": respondent.workspace_id,
            "assessment_id": assessment.id,
            "respondent_id": respondent.id,
            "trait_id": traits[answer.trait_key].id,
            "scale_lo": assessment.scale_lo,
            "scale_hi": assessment.scale_hi,
            "other_rating": answer.other,
            "other_cant_judge": answer.other_cant_judge,
            "self_rating": answer.self_,
            "self_cant_judge": answer.self_cant_judge,
            "importance": answer.importance,
            "comment": answer.comment.strip(),
            "updated_at": moment,
        }
        for answer in answers
    ]
    dialect = postgresql if db.engine.dialect.name == "postgresql" else sqlite
    statement = dialect.insert(Answer).values(rows)
    upsert: Executable = statement.on_conflict_do_update(
        index_elements=[Answer.respondent_id, Answer.trait_id],
        set_={column: statement.excluded[column] for column in _ANSWERED},
    )
    return upsert


# What an answer says: the columns a second save of the same trait replaces.
_ANSWERED = (
    "other_rating",
    "other_cant_judge",
    "self_rating",
    "self_cant_judge",
    "importance",
    "comment",
    "updated_at",
)
