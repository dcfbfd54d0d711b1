"""The review meeting, for staff: set it up, present it on a shared screen, step it from a
phone, record commitments as the room agrees on them, and end it with a summary.

- `/assessments/<id>/meeting`: the running meeting's presenter view, else the page that
  starts one (and lists the earlier ones). Before the reveal, 409 as the results page.
- `/assessments/<id>/meeting/remote`: the phone remote of the running meeting: big
  previous / next / jump buttons and the commitment form. An address of its own, linked
  from the presenter (and shown there on a narrow screen), rather than a guess from the
  width of the screen.
- `/assessments/<id>/meetings/<mid>/state`: the meeting's current step and what changed,
  as JSON, with a weak ETag on its revision: the presenter and the remote poll it, and an
  unchanged meeting costs one query and a 304.
- POST `…/step`, `…/commitments`, `…/end`: forms with a CSRF token; with
  `Accept: application/json` (meeting.js) they answer the state instead of a redirect.
- `/assessments/<id>/meetings/<mid>`: the summary, printable.

The presenter and the summary speak the meeting's language (`force_locale`), whatever the
facilitator's; the remote and the set-up page speak the facilitator's.
"""

from __future__ import annotations

from contextlib import AbstractContextManager, nullcontext
from typing import Any

from flask import (
    Blueprint,
    abort,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import force_locale, get_locale, ngettext
from flask_babel import gettext as _
from flask_login import current_user, login_required
from flask_wtf.csrf import ValidationError, validate_csrf
from werkzeug.wrappers import Response

from ..extensions import csrf
from ..forms import ActionForm
from ..forms.meeting import MeetingCommitmentForm, StartMeetingForm, StepForm
from ..labels import VERDICTS
from ..models import MEETING_LANGUAGES, Assessment, Meeting, MeetingOrder, Side
from ..services import ServiceError
from ..services import meetings as service
from ..services.results import ResultsSealed, is_visible
from .polling import poll_ms, poll_response
from .scoping import owned_or_404

bp = Blueprint("meeting", __name__)


@bp.before_request
@login_required
def _signed_in() -> None:
    """Every page here belongs to a workspace."""


def _sealed(assessment: Assessment) -> tuple[str, int]:
    return render_template("results/sealed.html", assessment=assessment), 409


def _meeting(assessment_id: int, meeting_id: int) -> Meeting:
    meeting = service.find_meeting(assessment_id, meeting_id, current_user.workspace_id)
    if meeting is None:
        abort(404)
    return meeting


def _wants_json() -> bool:
    best = request.accept_mimetypes.best_match(["text/html", "application/json"])
    return best == "application/json"


def _in_meeting_language(meeting: Meeting, place: str) -> AbstractContextManager[Any]:
    """The presenter speaks the meeting's language; the remote its user's."""
    return force_locale(meeting.language) if place == "presenter" else nullcontext()


def _names(assessment: Assessment) -> dict[Side, str]:
    return {Side.COMPANY: assessment.partner.workspace.name, Side.CLIENT: assessment.partner.name}


def _commitment_form(
    meeting: Meeting, step: int | None = None, *, blank: bool = False
) -> MeetingCommitmentForm:
    """The form in the current language, its trait the step's when it is a trait's (the
    meeting's current step unless `step`). `blank`: empty, whatever was posted."""
    assessment = meeting.assessment
    names = _names(assessment)
    locale = str(get_locale() or "en")
    order = {trait_id: index for index, trait_id in enumerate(meeting.trait_ids)}
    traits = sorted(assessment.traits, key=lambda trait: order.get(trait.id, len(order)))
    # formdata=None: the form ignores the request's, as Flask-WTF reads it by default.
    blank_data: dict[str, Any] = {"formdata": None} if blank else {}
    form = MeetingCommitmentForm(
        **blank_data,
        traits=[(trait.id, trait.label(locale)) for trait in traits],
        company=names[Side.COMPANY],
        partner=names[Side.CLIENT],
    )
    if blank or not form.is_submitted():
        form.trait_id.data = service.trait_at(meeting, meeting.step if step is None else step)
    return form


def _urls(meeting: Meeting) -> dict[str, str]:
    assessment_id, meeting_id = meeting.assessment_id, meeting.id
    return {
        "state": url_for("meeting.state", assessment_id=assessment_id, meeting_id=meeting_id),
        "step": url_for("meeting.step", assessment_id=assessment_id, meeting_id=meeting_id),
        "commitments": url_for(
            "meeting.add_commitment", assessment_id=assessment_id, meeting_id=meeting_id
        ),
        "end": url_for("meeting.end", assessment_id=assessment_id, meeting_id=meeting_id),
        "summary": url_for("meeting.summary", assessment_id=assessment_id, meeting_id=meeting_id),
        "presenter": url_for("meeting.show", assessment_id=assessment_id),
        "remote": url_for("meeting.remote", assessment_id=assessment_id),
        "results": url_for("results.show", assessment_id=assessment_id),
    }


def _etag(meeting: Meeting) -> str:
    return f"meeting-{meeting.id}-{meeting.revision}"


# Setting up ------------------------------------------------------------------------------


def _ui_language() -> str:
    locale = str(get_locale() or "en")
    return locale if locale in MEETING_LANGUAGES else MEETING_LANGUAGES[0]


def _start_form(assessment: Assessment) -> tuple[StartMeetingForm, service.Candidates]:
    people = service.candidates(assessment)
    form = StartMeetingForm(
        respondents=[(respondent.id, respondent.name) for respondent in people.respondents],
        members=[(user.id, user.name) for user in people.members],
        defaults=(
            # The language fitcheck speaks to the facilitator, until they choose another.
            _ui_language(),
            [respondent.id for respondent in people.respondents],
            [current_user.id],
        ),
    )
    return form, people


def _setup(assessment: Assessment, form: StartMeetingForm, people: service.Candidates) -> str:
    return render_template(
        "meeting/setup.html",
        assessment=assessment,
        form=form,
        people=people,
        names=_names(assessment),
        past=service.past_meetings(assessment),
        Side=Side,
    )


@bp.route("/assessments/<int:assessment_id>/meeting", methods=["GET", "POST"])
def show(assessment_id: int) -> Response | str | tuple[str, int]:
    assessment = owned_or_404(Assessment, assessment_id)
    if not is_visible(assessment):
        return _sealed(assessment)
    meeting = service.running_meeting(assessment)
    if request.method == "POST":
        if meeting is not None:  # started meanwhile, or the form was sent twice
            flash(_("A review meeting of this round is already running."), "info")
            return redirect(url_for("meeting.show", assessment_id=assessment.id))
        form, people = _start_form(assessment)
        if form.validate_on_submit():
            try:
                service.start_meeting(
                    assessment,
                    facilitator=current_user,
                    language=form.language.data,
                    order=MeetingOrder(form.order.data),
                    respondent_ids=form.respondent_ids.data or [],
                    user_ids=form.user_ids.data or [],
                )
            except ResultsSealed:
                return _sealed(assessment)
            except ServiceError as error:
                if error.field is None:
                    flash(str(error.message), "info")
                    return redirect(url_for("meeting.show", assessment_id=assessment.id))
                form[error.field].errors.append(error.message)
            else:
                return redirect(url_for("meeting.show", assessment_id=assessment.id))
        return _setup(assessment, form, people)
    if meeting is None:
        return _setup(assessment, *_start_form(assessment))
    return _presenter(meeting, request.args.get("step", type=int))


# Presenting ------------------------------------------------------------------------------


def _presenter(
    meeting: Meeting,
    step: int | None,
    form: MeetingCommitmentForm | None = None,
    *,
    refreshed: bool = False,
) -> str:
    """The presenter view: every step on one page, the shown one visible. `step` (from
    `?step=`, the links that work without JavaScript) shows another step than the
    meeting's current one, without moving the meeting."""
    shown = step if step is not None and 0 <= step <= meeting.last_step else meeting.step
    view = service.load_meeting_round(meeting)
    assessment = meeting.assessment
    with force_locale(meeting.language):
        locale = str(get_locale() or "en")
        return render_template(
            "meeting/presenter.html",
            meeting=meeting,
            view=view,
            assessment=assessment,
            result=view.round.fit,
            shown=shown,
            names=_names(assessment),
            labels={trait.key: trait.label(locale) for trait in assessment.traits},
            verdict_text=VERDICTS[view.round.fit.verdict],
            comments=view.round.comments,
            form=form or _commitment_form(meeting, shown),
            open_form=form is not None,
            refreshed=refreshed,
            urls=_urls(meeting),
            etag=_etag(meeting),
            poll_ms=poll_ms("MEETING_POLL_MS"),
            action_form=ActionForm(),
            Side=Side,
        )


@bp.get("/assessments/<int:assessment_id>/meeting/remote")
def remote(assessment_id: int) -> Response | str | tuple[str, int]:
    assessment = owned_or_404(Assessment, assessment_id)
    if not is_visible(assessment):
        return _sealed(assessment)
    meeting = service.running_meeting(assessment)
    if meeting is None:
        flash(_("No review meeting of this round is running."), "info")
        return redirect(url_for("meeting.show", assessment_id=assessment.id))
    return _remote(meeting)


def _remote(
    meeting: Meeting, form: MeetingCommitmentForm | None = None, *, refreshed: bool = False
) -> str:
    assessment = meeting.assessment
    locale = str(get_locale() or "en")
    traits = {trait.id: trait for trait in assessment.traits}
    return render_template(
        "meeting/remote.html",
        meeting=meeting,
        assessment=assessment,
        names=_names(assessment),
        steps=[(number, traits[trait_id]) for number, trait_id in enumerate(meeting.trait_ids, 1)],
        locale=locale,
        form=form or _commitment_form(meeting),
        step_form=StepForm(formdata=None),
        refreshed=refreshed,
        urls=_urls(meeting),
        etag=_etag(meeting),
        poll_ms=poll_ms("MEETING_POLL_MS"),
        action_form=ActionForm(),
        Side=Side,
    )


# The state, polled ------------------------------------------------------------------------


def _state(meeting: Meeting) -> dict[str, Any]:
    """What a screen following the meeting needs: the step, the revision, and the parts of
    the presenter that commitments change, rendered in the meeting's language."""
    urls = _urls(meeting)
    if not meeting.running:
        return {
            "meeting_id": meeting.id,
            "revision": meeting.revision,
            "step": meeting.step,
            "ended": True,
            "summary_url": urls["summary"],
        }
    listed, made_here = service.commitments_of(meeting)
    assessment = meeting.assessment
    names = _names(assessment)
    with force_locale(meeting.language):
        locale = str(get_locale() or "en")
        traits = {trait.id: trait for trait in assessment.traits}
        commitments = {
            str(trait_id): render_template(
                "meeting/_commitments.html",
                entries=service.on_trait(listed, trait_id, made_here),
                made_here=made_here,
                names=names,
                Side=Side,
            )
            for trait_id in meeting.trait_ids
        }
        agreed = render_template(
            "meeting/_agreed.html",
            discussed=service.discussed_traits(meeting, traits.values()),
            agreed=service.agreed_by_side(
                [e.commitment for e in listed if e.commitment.id in made_here], meeting
            ),
            names=names,
            locale=locale,
            Side=Side,
        )
    return {
        "meeting_id": meeting.id,
        "revision": meeting.revision,
        "step": meeting.step,
        "ended": False,
        "summary_url": None,
        "commitments": commitments,
        "agreed": agreed,
    }


def _state_response(meeting: Meeting, status: int = 200, **extra: Any) -> Response:
    response = jsonify({**_state(meeting), **extra})
    response.status_code = status
    response.set_etag(_etag(meeting), weak=True)
    response.headers["Cache-Control"] = "no-cache, private"
    return response


@bp.get("/assessments/<int:assessment_id>/meetings/<int:meeting_id>/state")
def state(assessment_id: int, meeting_id: int) -> Response:
    meeting = _meeting(assessment_id, meeting_id)
    return poll_response(_etag(meeting), lambda: _state(meeting))


# Changing it -----------------------------------------------------------------------------


def _back(meeting: Meeting, place: str | None) -> str:
    if not meeting.running:
        return _urls(meeting)["summary"]
    return _urls(meeting)["remote" if place == "remote" else "presenter"]


def _problem(message: str, status: int) -> Response:
    response = jsonify(message=message)
    response.status_code = status
    return response


@bp.post("/assessments/<int:assessment_id>/meetings/<int:meeting_id>/step")
def step(assessment_id: int, meeting_id: int) -> Response:
    meeting = _meeting(assessment_id, meeting_id)
    form = StepForm()
    if not form.validate_on_submit():
        if _wants_json():
            return _problem(_("There is no such step in this meeting."), 400)
        flash(_("There is no such step in this meeting."), "warning")
        return redirect(_back(meeting, form.next.data))
    try:
        service.move_to(meeting, form.step.data)
    except ServiceError as error:
        if _wants_json():
            return _problem(str(error.message), 409 if error.field is None else 400)
        flash(str(error.message), "warning")
        return redirect(_back(meeting, form.next.data))
    if _wants_json():
        return _state_response(meeting)
    return redirect(_back(meeting, form.next.data))


def _csrf_ok() -> bool:
    try:
        validate_csrf(request.form.get("csrf_token"))
    except ValidationError:
        return False
    return True


@bp.post("/assessments/<int:assessment_id>/meetings/<int:meeting_id>/commitments")
@csrf.exempt
def add_commitment(assessment_id: int, meeting_id: int) -> Response | str:
    """Record a commitment. The CSRF token is checked here rather than before the view, so
    that an expired one gives back the form with what was typed (and a fresh token), not an
    error page: nothing typed in the room is lost."""
    meeting = _meeting(assessment_id, meeting_id)
    place = "remote" if request.form.get("next") == "remote" else "presenter"
    with _in_meeting_language(meeting, place):
        form = _commitment_form(meeting)
        refreshed = not _csrf_ok()
        if not refreshed and form.validate_on_submit():
            try:
                service.record_commitment(meeting, **form.promise(), created_by_id=current_user.id)
            except ServiceError as error:
                if error.field is None:  # the meeting ended meanwhile
                    if _wants_json():
                        return _problem(str(error.message), 409)
                    flash(str(error.message), "warning")
                    return redirect(_back(meeting, place))
                form[error.field].errors.append(error.message)
            else:
                if _wants_json():
                    fresh = _commitment_form_html(meeting, None, place, recorded=True)
                    return _state_response(meeting, 201, form=fresh)
                flash(_("The commitment is recorded."), "success")
                return redirect(_back(meeting, place))
        if _wants_json():
            html = _commitment_form_html(meeting, form, place, refreshed=refreshed)
            return _problem_form(html, 400 if refreshed else 422)
        if place == "remote":
            return _remote(meeting, form, refreshed=refreshed)
    return _presenter(meeting, meeting.step, form, refreshed=refreshed)


def _commitment_form_html(
    meeting: Meeting,
    form: MeetingCommitmentForm | None,
    place: str,
    *,
    recorded: bool = False,
    refreshed: bool = False,
) -> str:
    """The commitment form alone, for meeting.js to put in place of the one it sent: a
    blank one after a commitment is recorded, else this one with its errors."""
    return render_template(
        "meeting/_commitment_form.html",
        form=form or _commitment_form(meeting, blank=True),
        place=place,
        urls=_urls(meeting),
        recorded=recorded,
        refreshed=refreshed,
    )


def _problem_form(html: str, status: int) -> Response:
    response = jsonify(form=html)
    response.status_code = status
    return response


@bp.post("/assessments/<int:assessment_id>/meetings/<int:meeting_id>/end")
def end(assessment_id: int, meeting_id: int) -> Response:
    meeting = _meeting(assessment_id, meeting_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        count = service.end_meeting(meeting, actor=current_user._get_current_object())
    except ServiceError as error:
        flash(str(error.message), "info")
    else:
        flash(
            ngettext(
                "The meeting has ended. Its summary goes to %(num)d participant by email.",
                "The meeting has ended. Its summary goes to %(num)d participants by email.",
                count,
            ),
            "success",
        )
    return redirect(_urls(meeting)["summary"])


# The summary ------------------------------------------------------------------------------


@bp.get("/assessments/<int:assessment_id>/meetings/<int:meeting_id>")
def summary(assessment_id: int, meeting_id: int) -> str | tuple[str, int]:
    meeting = _meeting(assessment_id, meeting_id)
    assessment = meeting.assessment
    if not is_visible(assessment):  # pragma: no cover - a meeting follows the reveal
        return _sealed(assessment)
    chosen = request.args.get("language")
    language = chosen if chosen in MEETING_LANGUAGES else meeting.language
    summary = service.load_summary(meeting)
    with force_locale(language):
        return render_template(
            "meeting/summary.html",
            meeting=meeting,
            assessment=assessment,
            summary=summary,
            names=_names(assessment),
            language=language,
            languages=MEETING_LANGUAGES,
            locale=language,
            urls=_urls(meeting),
            Side=Side,
        )
