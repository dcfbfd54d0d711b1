"""Outcomes of partners: recorded on the partner's page, edited, deleted, imported from CSV."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from werkzeug.wrappers import Response

from ..forms import ActionForm, OutcomeForm, OutcomeImportForm
from ..forms.staff import flag_text, flag_value
from ..models import Outcome, Partner
from ..services import ServiceError, outcome_rules
from ..services import outcomes as service
from .scoping import owned_or_404

bp = Blueprint("outcomes", __name__, url_prefix="/outcomes")


@bp.before_request
@login_required
def _signed_in() -> None:
    """Every page here belongs to a workspace."""


def _values(form: OutcomeForm) -> dict[str, Any]:
    return {
        "period": form.period.data,
        "observed_on": form.observed_on.data,
        "contract_signed": flag_value(form.contract_signed.data),
        "renewed": flag_value(form.renewed.data),
        "satisfaction": form.satisfaction.data,
        "revenue": form.revenue.data,
        "note": form.note.data or "",
        "recorded_by_id": current_user.id,
    }


def _initial(outcome: Outcome) -> dict[str, Any]:
    """The form's values for an outcome; yes / no / not known as the select's choices."""
    return {
        "period": outcome.period,
        "observed_on": outcome.observed_on,
        "contract_signed": flag_text(outcome.contract_signed),
        "renewed": flag_text(outcome.renewed),
        "satisfaction": outcome.satisfaction,
        "revenue": outcome.revenue,
        "note": outcome.note,
    }


@bp.route("/partners/<int:partner_id>/new", methods=["GET", "POST"])
def new(partner_id: int) -> Response | str:
    partner = owned_or_404(Partner, partner_id)
    form = OutcomeForm(currency=partner.workspace.currency)
    if form.validate_on_submit():
        try:
            _outcome, created = service.record_outcome(partner, **_values(form))
        except ServiceError as error:
            form[error.field or "period"].errors.append(error.message)
        else:
            if created:
                flash(_("The outcome is recorded."), "success")
            else:
                flash(_("The outcome of this period is updated."), "success")
            return redirect(url_for("partners.show", partner_id=partner.id, _anchor="outcomes"))
    return render_template("outcomes/form.html", form=form, partner=partner, outcome=None)


@bp.route("/<int:outcome_id>/edit", methods=["GET", "POST"])
def edit(outcome_id: int) -> Response | str:
    outcome = owned_or_404(Outcome, outcome_id)
    form = OutcomeForm(data=_initial(outcome), currency=current_user.workspace.currency)
    if form.validate_on_submit():
        try:
            service.update_outcome(outcome, **_values(form))
        except ServiceError as error:
            form[error.field or "period"].errors.append(error.message)
        else:
            flash(_("The outcome is saved."), "success")
            return redirect(
                url_for("partners.show", partner_id=outcome.partner_id, _anchor="outcomes")
            )
    return render_template(
        "outcomes/form.html", form=form, partner=outcome.partner, outcome=outcome
    )


@bp.post("/<int:outcome_id>/delete")
def delete(outcome_id: int) -> Response:
    outcome = owned_or_404(Outcome, outcome_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    partner_id = outcome.partner_id
    service.delete_outcome(outcome)
    flash(_("The outcome is deleted."), "info")
    return redirect(url_for("partners.show", partner_id=partner_id, _anchor="outcomes"))


@bp.route("/import", methods=["GET", "POST"])
def import_csv() -> str:
    form = OutcomeImportForm()
    report = None
    if form.validate_on_submit():
        try:
            report = service.import_outcomes_csv(
                current_user.workspace_id, form.file.data.read(), recorded_by_id=current_user.id
            )
        except ServiceError as error:
            form.file.errors.append(error.message)
    return render_template(
        "outcomes/import.html",
        form=form,
        report=report,
        columns=service.CSV_COLUMNS,
        max_revenue=f"{outcome_rules.MAX_REVENUE:,}",
        currency=current_user.workspace.currency,
    )


@bp.get("/import/template.csv")
def template() -> Response:
    return Response(
        service.template_csv().encode("utf-8-sig"),
        mimetype="text/csv",
        headers={"Content-Disposition": "attachment; filename=outcomes-template.csv"},
    )
