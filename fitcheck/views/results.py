"""The results page, its printable report, and commitments: for staff, and for
respondents through their link once the assessment is revealed (and shared)."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user, login_required
from werkzeug.wrappers import Response

from .. import charts
from ..forms import ActionForm, CommitmentForm
from ..labels import VERDICTS
from ..models import Assessment, Commitment, CommitmentStatus, Respondent, Side
from ..services import ServiceError
from ..services import commitments as commitment_service
from ..services.results import is_visible, respondent_may_see
from ..services.rounds import Round, load_round
from .scoping import owned_or_404

bp = Blueprint("results", __name__)


def chart_text() -> charts.ChartText:
    return charts.ChartText(
        them=_("Client as seen by the company"),
        us=_("Company as seen by the client"),
        them_self=_("Client's self-view"),
        us_self=_("Company's self-view"),
        previous_them=_("Client as seen by the company, last round"),
        previous_us=_("Company as seen by the client, last round"),
        gap_axis=_("Gap: client as seen by the company − company as seen by the client"),
        them_higher=_("client seen higher"),
        us_higher=_("company seen higher"),
        aligned=_("aligned"),
        notable=_("notable"),
        major=_("major"),
        n=_("n"),
        no_data=_("no data"),
    )


def _page_context(results: Round, *, viewer: Side | None) -> dict[str, Any]:
    """Everything the results page and the report show, labelled in the current language."""
    assessment = results.assessment
    locale = str(get_locale() or "en")
    traits = {trait.key: trait for trait in assessment.traits}
    company = assessment.partner.workspace.name
    partner = assessment.partner.name
    labels = {key: trait.label(locale) for key, trait in traits.items()}
    questions = {
        key: trait.text("question_other", locale).replace("{partner}", _("the other side"))
        for key, trait in traits.items()
    }
    result = results.fit
    text = chart_text()
    previous = results.previous
    radar = charts.mirror_radar(
        result,
        labels=labels,
        questions=questions,
        text=text,
        previous=previous.fit if previous else None,
        locale=locale,
    )
    bars = charts.gap_bars(result, labels=labels, text=text, locale=locale)
    by_gap = sorted(result.traits, key=lambda row: (row.gap is None, -abs(row.gap or 0.0)))
    return {
        "assessment": assessment,
        "result": result,
        "mirror": result.comparisons.mirror,
        "comparisons": result.comparisons,
        "rows": by_gap,
        "labels": labels,
        "traits": traits,
        "company": company,
        "partner": partner,
        "verdict_text": VERDICTS[result.verdict],
        "comments": results.comments,
        "commitments": commitment_service.list_commitments(assessment),
        "previous": previous,
        "changes": results.change,
        "previous_commitments": (
            commitment_service.list_commitments(previous.assessment) if previous else []
        ),
        "previous_labels": (
            {t.key: t.label(locale) for t in previous.assessment.traits} if previous else {}
        ),
        "radar_json": charts.figure_json(radar),
        "bars_json": charts.figure_json(bars),
        "viewer": viewer,
        "Side": Side,
        "company_colour": charts.COMPANY_COLOUR,
        "client_colour": charts.CLIENT_COLOUR,
    }


def _commitment_form(assessment: Assessment, viewer: Side | None) -> CommitmentForm:
    locale = str(get_locale() or "en")
    return CommitmentForm(
        traits=[(t.id, t.label(locale)) for t in assessment.traits], viewer=viewer
    )


def _render(template: str, results: Round, *, viewer: Side | None, **extra: Any) -> str:
    context = _page_context(results, viewer=viewer)
    context.setdefault("commitment_form", _commitment_form(results.assessment, viewer))
    context.update(extra)
    return render_template(template, action_form=ActionForm(), **context)


def _sealed(assessment: Assessment) -> tuple[str, int]:
    return render_template("results/sealed.html", assessment=assessment), 409


# Staff ---------------------------------------------------------------------------------


@bp.get("/assessments/<int:assessment_id>/results")
@login_required
def show(assessment_id: int) -> str | tuple[str, int]:
    assessment = owned_or_404(Assessment, assessment_id)
    if not is_visible(assessment):
        return _sealed(assessment)
    return _render("results/show.html", load_round(assessment), viewer=None)


@bp.get("/assessments/<int:assessment_id>/report")
@login_required
def report(assessment_id: int) -> str | tuple[str, int]:
    assessment = owned_or_404(Assessment, assessment_id)
    if not is_visible(assessment):
        return _sealed(assessment)
    return _render("results/report.html", load_round(assessment), viewer=None)


@bp.post("/assessments/<int:assessment_id>/commitments")
@login_required
def add_commitment(assessment_id: int) -> Response | str | tuple[str, int]:
    assessment = owned_or_404(Assessment, assessment_id)
    if not is_visible(assessment):
        return _sealed(assessment)
    form = _commitment_form(assessment, None)
    if form.validate_on_submit():
        try:
            commitment_service.add_commitment(
                assessment,
                trait_id=form.trait_id.data,
                side=Side(form.side.data),
                action=form.action.data,
                owner=form.owner.data or "",
                due_on=form.due_on.data,
                created_by_id=current_user.id,
            )
        except ServiceError as error:
            form[error.field or "action"].errors.append(error.message)
        else:
            flash(_("The commitment is recorded."), "success")
            return redirect(
                url_for("results.show", assessment_id=assessment.id, _anchor="commitments")
            )
    return _render("results/show.html", load_round(assessment), viewer=None, commitment_form=form)


@bp.post("/commitments/<int:commitment_id>/<any(open, in_progress, done, dropped):status>")
@login_required
def set_commitment_status(commitment_id: int, status: str) -> Response:
    commitment = owned_or_404(Commitment, commitment_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    commitment_service.set_status(commitment, CommitmentStatus(status))
    page = commitment_service.shown_in(commitment)
    return redirect(url_for("results.show", assessment_id=page, _anchor="commitments"))


# Respondents, through their personal link: the routes live in the respond blueprint,
# which looks the link up, rate-limits guessing and keeps the URL out of referrers.


def respondent_page(
    respondent: Respondent, token: str, *, printable: bool = False
) -> ResponseReturnValue:
    if not respondent_may_see(respondent):
        return render_template("results/not_shared.html", respondent=respondent), 403
    return _render(
        "results/report.html" if printable else "results/show.html",
        load_round(respondent.assessment, viewer=respondent.side),
        viewer=respondent.side,
        token=token,
    )


def respondent_commitment(
    respondent: Respondent, token: str, *, refreshed: bool = False
) -> ResponseReturnValue:
    """Record a respondent's commitment. `refreshed`: the CSRF token had expired, so the
    page comes back with what was typed and a fresh token, and nothing is saved."""
    if not respondent_may_see(respondent):
        return render_template("results/not_shared.html", respondent=respondent), 403
    assessment = respondent.assessment
    form = _commitment_form(assessment, respondent.side)
    if refreshed:
        page = _render(
            "results/show.html",
            load_round(assessment, viewer=respondent.side),
            viewer=respondent.side,
            token=token,
            commitment_form=form,
            commitment_refreshed=True,
        )
        return page, 400
    if form.validate_on_submit():
        try:
            commitment_service.add_commitment(
                assessment,
                trait_id=form.trait_id.data,
                side=respondent.side,  # a respondent promises for their own side only
                action=form.action.data,
                owner=form.owner.data or respondent.name,
                due_on=form.due_on.data,
            )
        except ServiceError as error:
            form[error.field or "action"].errors.append(error.message)
        else:
            flash(_("The commitment is recorded."), "success")
            return redirect(url_for("respond.results", token=token, _anchor="commitments"))
    return _render(
        "results/show.html",
        load_round(assessment, viewer=respondent.side),
        viewer=respondent.side,
        token=token,
        commitment_form=form,
    )
