"""PUT /api/v1/responses/{token}: a respondent's answers, authorized by the invitation
token alone (no API token), with the rules of the survey page."""

from __future__ import annotations

from typing import Any

from flask import g, request
from flask_babel import gettext as _
from flask_smorest import Blueprint

from ..models import Respondent
from ..services import ServiceError, responses
from ..services.answers import AnswerErrors, AnswerInput, save_answers
from ..services.responses import LinkState
from .access import fail, link_respondent, protect
from .errors import ErrorSchema
from .schemas.requests import ResponseSavedSchema, ResponseSaveSchema

blp = Blueprint(
    "api-responses",
    __name__,
    url_prefix="/api/v1",
    description="A respondent's answers, through their personal link's token.",
)
protect(blp, bearer=False)

# What each state of a link answers instead of saving; the deadline is the only 410 (the
# link's window is over, though staff may extend it).
STATE_ERRORS = {
    LinkState.NOT_LAUNCHED: 409,
    LinkState.REVEALED: 409,
    LinkState.ARCHIVED: 409,
    LinkState.WITHDRAWN: 409,
    LinkState.CLOSED: 410,
}


@blp.before_request
def _load_respondent() -> None:
    """Unknown links and closed ones are answered before the body is read."""
    if request.method == "OPTIONS":
        return
    respondent = link_respondent()  # looked up already by the rate limiter
    if respondent is None:
        fail(404, _("No invitation has this token."))
    state = responses.link_state(respondent)
    if state is not LinkState.OPEN:
        fail(STATE_ERRORS[state], _state_message(state))
    g.respondent = respondent


def _state_message(state: LinkState) -> str:
    if state is LinkState.CLOSED:
        return str(_("The deadline has passed."))
    if state is LinkState.WITHDRAWN:
        return str(_("This invitation was withdrawn."))
    return str(_("This assessment is not collecting answers."))


def _answer(item: dict[str, Any]) -> AnswerInput:
    # JSON null is "can't judge"; an absent key is not answered yet.
    return AnswerInput(
        trait_key=item["trait_key"],
        other=item.get("other"),
        other_cant_judge="other" in item and item["other"] is None,
        self_=item.get("self_"),
        self_cant_judge="self_" in item and item["self_"] is None,
        importance=item.get("importance"),
        comment=item["comment"],
    )


@blp.put("/responses/<string(minlength=1, maxlength=128):token>")
@blp.arguments(ResponseSaveSchema)
@blp.response(200, ResponseSavedSchema)
@blp.alt_response(404, schema=ErrorSchema, description="No invitation has this token.")
@blp.alt_response(
    409,
    schema=ErrorSchema,
    description="Not collecting (not launched, revealed, archived) or the invitation was "
    "withdrawn.",
)
@blp.alt_response(410, schema=ErrorSchema, description="The deadline has passed.")
@blp.doc(security=[])
def save_response(body: dict[str, Any], token: str) -> dict[str, Any]:
    """Save or submit a response

    Writes the given traits' answers; traits left out keep what was saved before. With
    `"submit": true` every trait of the assessment must be in the request with both
    ratings (a point, or null for "can't judge"). Answers stay editable until the reveal;
    submitting twice is harmless.
    """
    respondent: Respondent = g.respondent
    try:
        saved = save_answers(
            respondent, [_answer(item) for item in body["answers"]], submit=body["submit"]
        )
    except AnswerErrors as error:
        fail(
            422,
            str(error.message),
            fields={
                "answers": {
                    key: {field: [message] for field, message in problems.items()}
                    for key, problems in error.errors.items()
                }
            },
        )
    except ServiceError as error:
        # The state changed since the check above (the deadline passed, a reveal).
        fail(STATE_ERRORS.get(responses.link_state(respondent), 409), str(error.message))
    return {"submitted": saved.submitted, "state": saved.state}
