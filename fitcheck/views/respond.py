"""The respondent's side: everything behind a personal link `/r/<token>`, no account.

The token in the URL is the respondent's credential, so these pages send no referrer, are
never cached, and guessing tokens is rate-limited. The POST views check the CSRF token
themselves: an expired one (a form left open over lunch) re-renders the page with every
typed value and a fresh token instead of throwing the answers away.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask import (
    Blueprint,
    current_app,
    flash,
    g,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_babel import format_time, format_timedelta, get_locale, refresh
from flask_babel import gettext as _
from flask_wtf.csrf import generate_csrf, validate_csrf
from werkzeug.wrappers import Response
from wtforms import ValidationError

from ..extensions import csrf, limiter
from ..forms import DeclineForm, SurveyForm, build_survey_form
from ..forms.survey import add_answer_errors, answers_from_form, error_fields, form_data
from ..models import Respondent, Side, utcnow
from ..results_page import commitment_form, render_results
from ..services import ServiceError, responses
from ..services import commitments as commitment_service
from ..services.answers import AnswerErrors, save_answers
from ..services.responses import LinkState
from ..services.results import respondent_may_see
from ..services.rounds import load_round
from ..urls import safe_next

bp = Blueprint("respond", __name__, url_prefix="/r")


def _page_limit() -> str:
    return str(current_app.config.get("RESPOND_RATE_LIMIT", "600 per minute"))


def _miss_limit() -> str:
    return str(current_app.config.get("RESPOND_MISS_RATE_LIMIT", "10 per minute"))


def _unknown_link(response: Response) -> bool:
    return response.status_code == 404


def _link_respondent() -> Respondent | None:
    """The respondent of the link in the URL, looked up once per request."""
    if "respondent" not in g:
        token = str((request.view_args or {}).get("token", ""))
        g.respondent = responses.load_respondent(token)
    respondent: Respondent | None = g.respondent
    return respondent


def _known_link() -> bool:
    return _link_respondent() is not None


# A budget per address for all these pages, generous because a team behind one address
# autosaves at once; and a small one that only unknown links use up, which stops someone
# guessing tokens after a few misses without ever blocking a valid link.
limiter.shared_limit(_page_limit, scope="respond")(bp)
limiter.shared_limit(
    _miss_limit, scope="respond-miss", deduct_when=_unknown_link, exempt_when=_known_link
)(bp)

# Status of each page a link can lead to instead of the survey.
STATE_PAGES = {
    LinkState.NOT_LAUNCHED: ("respond/not_launched.html", 403),
    LinkState.CLOSED: ("respond/closed.html", 410),
    LinkState.WITHDRAWN: ("respond/withdrawn.html", 410),
    LinkState.REVEALED: ("respond/revealed.html", 200),
    LinkState.ARCHIVED: ("respond/archived.html", 410),
}


@bp.before_request
def _open_link() -> ResponseReturnValue | None:
    respondent = _link_respondent()
    if respondent is None:
        # The same page for every unknown link: it never says whether anything exists.
        return render_template("respond/unknown.html"), 404
    if respondent.locale:
        g.locale_override = respondent.locale
    return None


@bp.after_request
def _private(response: Response) -> Response:
    response.headers["Referrer-Policy"] = "no-referrer"
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Robots-Tag"] = "noindex, nofollow"
    return response


def _respondent() -> Respondent:
    respondent: Respondent = g.respondent
    return respondent


def _csrf_ok() -> bool:
    try:
        validate_csrf(request.form.get("csrf_token"))
    except ValidationError:
        return False
    return True


def _context(respondent: Respondent, token: str) -> dict[str, Any]:
    """What every page of the link shows: this respondent, its assessment, and no one else."""
    assessment = respondent.assessment
    now = utcnow()
    deadline_in = None
    if assessment.deadline is not None and assessment.deadline > now:
        deadline_in = format_timedelta(assessment.deadline - now, add_direction=True)
    return {
        "respondent": respondent,
        "assessment": assessment,
        "token": token,
        "names": responses.side_names(respondent),
        "deadline_in": deadline_in,
        "will_see_results": respondent.side is Side.COMPANY or assessment.share_with_client,
        "may_see_results": respondent_may_see(respondent),
        "results_url": url_for("respond.results", token=token),
    }


def _unless_open(respondent: Respondent, token: str) -> ResponseReturnValue | None:
    """The page of a link that leads nowhere to answer, or None when answers are open."""
    state = responses.link_state(respondent)
    if state is LinkState.OPEN:
        return None
    template, status = STATE_PAGES[state]
    if state is LinkState.REVEALED and request.method == "POST":
        status = 409
    return render_template(template, **_context(respondent, token)), status


def _survey(respondent: Respondent) -> type[SurveyForm]:
    """The respondent's survey, worded in the language of this request."""
    assessment = respondent.assessment
    return build_survey_form(
        assessment.traits,
        scale_lo=assessment.scale_lo,
        scale_hi=assessment.scale_hi,
        point_labels=assessment.point_labels,
        locale=str(get_locale() or current_app.config["BABEL_DEFAULT_LOCALE"]),
        partner=responses.side_names(respondent).other,
    )


def _show_form(
    respondent: Respondent,
    token: str,
    form: SurveyForm,
    *,
    refreshed: bool = False,
    problems: list[str] | None = None,
    draft_kept: bool = False,
) -> str:
    return render_template(
        "respond/answers.html",
        form=form,
        refreshed=refreshed,
        problems=problems or [],
        draft_kept=draft_kept,
        **_context(respondent, token),
    )


def _switch_language(respondent: Respondent, locale: str) -> None:
    try:
        responses.set_respondent_locale(respondent, locale)
    except ServiceError:
        return
    g.locale_override = locale
    refresh()


@bp.get("/<token>")
def start(token: str) -> ResponseReturnValue:
    respondent = _respondent()
    if (page := _unless_open(respondent, token)) is not None:
        return page
    responses.mark_opened(respondent)
    return render_template("respond/start.html", **_context(respondent, token))


@bp.route("/<token>/answers", methods=["GET", "POST"])
@csrf.exempt
def answers(token: str) -> ResponseReturnValue:
    respondent = _respondent()
    if (page := _unless_open(respondent, token)) is not None:
        return page
    if request.method == "POST":
        return _save_page(respondent, token)
    responses.mark_opened(respondent)
    initial = form_data(respondent.assessment.traits, respondent.answers)
    return _show_form(respondent, token, _survey(respondent)(data=initial))


def _save_page(respondent: Respondent, token: str) -> ResponseReturnValue:
    """Save draft, Submit, or a language button: all post the whole survey.

    Whatever is refused, nothing typed is lost: the page comes back with every value and
    its errors, and, until the first submit, the answers that are right are kept as a
    draft, so a respondent who leaves then finds them again.
    """
    if not _csrf_ok():
        form = _survey(respondent)()
        return _show_form(respondent, token, form, refreshed=True), 400
    if request.form.get("locale"):
        _switch_language(respondent, request.form["locale"])
    form = _survey(respondent)()
    submitting = request.form.get("action") == "submit"
    # Once submitted, every change must keep the response complete.
    complete = submitting or respondent.submitted_at is not None
    problems: list[str] = []
    draft_kept = False
    try:
        if form.validate():
            saved = save_answers(
                respondent, answers_from_form(form), submit=complete, keep_valid=True
            )
        elif respondent.submitted_at is None:  # a point off the scale, a comment too long
            save_answers(respondent, answers_from_form(form))  # the traits without errors
            return _show_form(respondent, token, form, draft_kept=True)
        else:
            return _show_form(respondent, token, form)
    except AnswerErrors as error:
        problems = add_answer_errors(form, error.errors)
        draft_kept = error.draft_saved_at is not None
    except ServiceError as error:
        problems = [str(error.message)]
    else:
        if submitting:
            return redirect(url_for("respond.done", token=token))
        flash(_saved_message(saved.saved_at), "success")
        return redirect(url_for("respond.answers", token=token))
    return _show_form(respondent, token, form, problems=problems, draft_kept=draft_kept)


def _saved_message(saved_at: datetime) -> str:
    moment = format_time(saved_at, "short")
    return str(_("Saved at %(time)s. You can come back through the same link.", time=moment))


def _not_saved(message: str, status: int, **body: Any) -> ResponseReturnValue:
    body.setdefault("errors", {"": message})
    return jsonify(message=message, **body), status


@bp.post("/<token>/autosave")
@csrf.exempt
def autosave(token: str) -> ResponseReturnValue:
    """Save what is on the page as the respondent goes; the page's script calls this.

    Answers `{saved_at, message}`, or `{errors, message}` with nothing saved. Once the
    respondent has submitted, a change is saved only while the response stays complete.
    """
    respondent = _respondent()
    if responses.link_state(respondent) is not LinkState.OPEN:
        return _not_saved(_("Your answers can no longer be changed. Reload the page."), 409)
    if not _csrf_ok():
        message = _("Not saved yet: this page needed refreshing. Trying again…")
        return _not_saved(message, 400, errors={"csrf_token": message}, csrf_token=generate_csrf())
    form = _survey(respondent)()
    if not form.validate():
        errors = {name: " ".join(map(str, messages)) for name, messages in form.errors.items()}
        return _not_saved(_("Not saved: some answers need your attention."), 422, errors=errors)
    submit = respondent.submitted_at is not None
    try:
        saved = save_answers(respondent, answers_from_form(form), submit=submit)
    except AnswerErrors as error:
        message = _(
            "Not saved: your submitted answers stay as they were until every trait is rated "
            "(or marked “can't judge”)."
        )
        return _not_saved(message, 422, errors=error_fields(error.errors))
    except ServiceError as error:
        return _not_saved(str(error.message), 409)
    message = _("Saved at %(time)s", time=format_time(saved.saved_at, "short"))
    return jsonify(saved_at=saved.saved_at.isoformat(), message=message)


@bp.get("/<token>/done")
def done(token: str) -> ResponseReturnValue:
    respondent = _respondent()
    if (page := _unless_open(respondent, token)) is not None:
        return page
    if respondent.submitted_at is None:
        return redirect(url_for("respond.start", token=token))
    return render_template("respond/done.html", **_context(respondent, token))


@bp.route("/<token>/decline", methods=["GET", "POST"])
@csrf.exempt
def decline(token: str) -> ResponseReturnValue:
    respondent = _respondent()
    if (page := _unless_open(respondent, token)) is not None:
        return page
    form = DeclineForm()
    context = _context(respondent, token)
    if request.method == "POST":
        if not _csrf_ok():
            return render_template(
                "respond/decline.html", form=form, refreshed=True, **context
            ), 400
        if form.validate():
            try:
                responses.decline(respondent, form.reason.data or "")
            except ServiceError as error:
                form.reason.errors = [*form.reason.errors, error.message]
                return render_template("respond/decline.html", form=form, **context), 409
            flash(_("You declined to take part. Thank you for letting us know."), "info")
            return redirect(url_for("respond.start", token=token))
    return render_template("respond/decline.html", form=form, **context)


@bp.post("/<token>/language")
@csrf.exempt
def language(token: str) -> Response:
    respondent = _respondent()
    start_url = url_for("respond.start", token=token)
    target = safe_next(request.form.get("next"), start_url)
    if target != start_url and not target.startswith(f"{start_url}/"):
        target = start_url
    if _csrf_ok():
        _switch_language(respondent, request.form.get("locale", ""))
    else:
        flash(_("For your security this page needed refreshing; choose the language again."))
    return redirect(target)


# After the reveal: the results through the same link, built like the staff's page
# (fitcheck.results_page), as this respondent's side may see them.


def _results_page(respondent: Respondent, token: str, template: str, **extra: Any) -> str:
    return render_results(
        template,
        load_round(respondent.assessment, viewer=respondent.side),
        viewer=respondent.side,
        token=token,
        **extra,
    )


@bp.get("/<token>/results")
def results(token: str) -> ResponseReturnValue:
    respondent = _respondent()
    if not respondent_may_see(respondent):
        return render_template("results/not_shared.html", respondent=respondent), 403
    return _results_page(respondent, token, "results/show.html")


@bp.get("/<token>/report")
def report(token: str) -> ResponseReturnValue:
    respondent = _respondent()
    if not respondent_may_see(respondent):
        return render_template("results/not_shared.html", respondent=respondent), 403
    return _results_page(respondent, token, "results/report.html")


@bp.post("/<token>/commitments")
@csrf.exempt
def commitments(token: str) -> ResponseReturnValue:
    """A respondent's commitment, for their own side. With an expired CSRF token the page
    comes back with what was typed and a fresh token, and nothing is saved."""
    respondent = _respondent()
    if not respondent_may_see(respondent):
        return render_template("results/not_shared.html", respondent=respondent), 403
    form = commitment_form(respondent.assessment, respondent.side)
    if not _csrf_ok():
        page = _results_page(
            respondent, token, "results/show.html", commitment_form=form, commitment_refreshed=True
        )
        return page, 400
    if form.validate_on_submit():
        try:
            commitment_service.add_commitment(
                respondent.assessment,
                # A respondent promises for their own side only.
                **form.promise(side=respondent.side, owner=respondent.name),
            )
        except ServiceError as error:
            form[error.field or "action"].errors.append(error.message)
        else:
            flash(_("The commitment is recorded."), "success")
            return redirect(url_for("respond.results", token=token, _anchor="commitments"))
    return _results_page(respondent, token, "results/show.html", commitment_form=form)
