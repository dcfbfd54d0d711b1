"""The results page, its printable report, and commitments, for staff. Respondents read
the same page through their link (views/respond.py); both build it with
`fitcheck.results_page`."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from werkzeug.wrappers import Response

from ..forms import ActionForm
from ..models import Assessment, Commitment, CommitmentStatus
from ..results_page import commitment_form, render_results
from ..services import ServiceError
from ..services import commitments as commitment_service
from ..services.results import is_visible
from ..services.rounds import load_round
from .scoping import owned_or_404

bp = Blueprint("results", __name__)


def _sealed(assessment: Assessment) -> tuple[str, int]:
    return render_template("results/sealed.html", assessment=assessment), 409


# Staff ---------------------------------------------------------------------------------


@bp.get("/assessments/<int:assessment_id>/results")
@login_required
def show(assessment_id: int) -> str | tuple[str, int]:
    assessment = owned_or_404(Assessment, assessment_id)
    if not is_visible(assessment):
        return _sealed(assessment)
    return render_results("results/show.html", load_round(assessment), viewer=None)


@bp.get("/assessments/<int:assessment_id>/report")
@login_required
def report(assessment_id: int) -> str | tuple[str, int]:
    assessment = owned_or_404(Assessment, assessment_id)
    if not is_visible(assessment):
        return _sealed(assessment)
    return render_results("results/report.html", load_round(assessment), viewer=None)


@bp.post("/assessments/<int:assessment_id>/commitments")
@login_required
def add_commitment(assessment_id: int) -> Response | str | tuple[str, int]:
    assessment = owned_or_404(Assessment, assessment_id)
    if not is_visible(assessment):
        return _sealed(assessment)
    form = commitment_form(assessment, None)
    if form.validate_on_submit():
        try:
            commitment_service.add_commitment(
                assessment, **form.promise(), created_by_id=current_user.id
            )
        except ServiceError as error:
            form[error.field or "action"].errors.append(error.message)
        else:
            flash(_("The commitment is recorded."), "success")
            return redirect(
                url_for("results.show", assessment_id=assessment.id, _anchor="commitments")
            )
    return render_results(
        "results/show.html", load_round(assessment), viewer=None, commitment_form=form
    )


@bp.post("/commitments/<int:commitment_id>/<any(open, in_progress, done, dropped):status>")
@login_required
def set_commitment_status(commitment_id: int, status: str) -> Response:
    commitment = owned_or_404(Commitment, commitment_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    commitment_service.set_status(commitment, CommitmentStatus(status))
    page = commitment_service.shown_in(commitment)
    return redirect(url_for("results.show", assessment_id=page, _anchor="commitments"))
