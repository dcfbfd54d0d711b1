"""Partners and their contacts; each partner's page shows its assessments over time."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import format_date, get_locale
from flask_babel import gettext as _
from flask_login import current_user, login_required
from werkzeug.wrappers import Response

from ..charts.embed import figure_json
from ..charts.round import TrendPoint, TrendText, trend_lines
from ..forms import ActionForm, ContactForm, OutcomeForm, PartnerForm
from ..forms.staff import ConfirmNameForm
from ..labels import VERDICT_NAMES
from ..models import Contact, Partner, utcnow
from ..services import ServiceError, deletion, listings, summaries
from ..services import partners as service
from ..services.results import local_date
from ..services.rounds import timeline as partner_timeline
from .access import owner_required
from .scoping import owned_or_404

bp = Blueprint("partners", __name__, url_prefix="/partners")


@bp.before_request
@login_required
def _signed_in() -> None:
    """Every page here belongs to a workspace."""


@bp.get("/")
def index() -> str:
    search = request.args.get("q", "")
    archived = request.args.get("archived") == "1"
    page = request.args.get("page", 1, type=int)
    workspace_id = current_user.workspace_id
    result = service.list_partners(workspace_id, search=search, page=page, archived=archived)
    ids = [partner.id for partner in result.partners.items]
    latest = listings.latest_rounds(workspace_id, ids) if ids else {}
    return render_template(
        "partners/index.html",
        page=result,
        search=search,
        archived=archived,
        latest=latest,
        reviews=listings.next_reviews(workspace_id, latest, ids) if ids else {},
        verdicts=VERDICT_NAMES,
        now=utcnow(),
        pending=summaries.pending(workspace_id) if ids else 0,
    )


@bp.route("/new", methods=["GET", "POST"])
def new() -> Response | str:
    form = PartnerForm()
    if form.validate_on_submit():
        try:
            partner = service.create_partner(
                current_user.workspace_id,
                name=form.name.data,
                website=form.website.data or "",
                notes=form.notes.data or "",
            )
        except ServiceError as error:
            form[error.field or "name"].errors.append(error.message)
        else:
            flash(_("The partner is added."), "success")
            return redirect(url_for("partners.show", partner_id=partner.id))
    return render_template("partners/form.html", form=form, partner=None)


@bp.get("/<int:partner_id>")
def show(partner_id: int) -> str:
    partner = owned_or_404(Partner, partner_id)
    currency = partner.workspace.currency
    return render_template(
        "partners/show.html",
        detail=service.partner_detail(partner),
        contact_form=ContactForm(),
        outcome_form=OutcomeForm(formdata=None, currency=currency),
        action_form=ActionForm(),
        currency=currency,
    )


@bp.route("/<int:partner_id>/edit", methods=["GET", "POST"])
def edit(partner_id: int) -> Response | str:
    partner = owned_or_404(Partner, partner_id)
    form = PartnerForm(obj=partner)
    if form.validate_on_submit():
        try:
            service.update_partner(
                partner,
                name=form.name.data,
                website=form.website.data or "",
                notes=form.notes.data or "",
            )
        except ServiceError as error:
            form[error.field or "name"].errors.append(error.message)
        else:
            flash(_("The partner is saved."), "success")
            return redirect(url_for("partners.show", partner_id=partner.id))
    return render_template("partners/form.html", form=form, partner=partner)


@bp.post("/<int:partner_id>/<any(archive, restore):action>")
def archive(partner_id: int, action: str) -> Response:
    partner = owned_or_404(Partner, partner_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    if action == "archive":
        service.archive_partner(partner)
        flash(_("The partner is archived. Its assessments and results are kept."), "info")
    else:
        service.restore_partner(partner)
        flash(_("The partner is back in the list."), "success")
    return redirect(url_for("partners.show", partner_id=partner.id))


@bp.route("/<int:partner_id>/delete", methods=["GET", "POST"])
@owner_required
def delete(partner_id: int) -> Response | str:
    """Delete a partner with everything of it, once its name is typed: the confirmation
    page (GET), and the deletion (POST, from that page or from the partner page's dialog)."""
    partner = owned_or_404(Partner, partner_id)
    form = ConfirmNameForm()
    if form.validate_on_submit():
        name = partner.name
        try:
            deletion.delete_partner(
                partner,
                confirm_name=form.confirm_name.data,
                actor=current_user._get_current_object(),
            )
        except ServiceError as error:
            form[error.field or "confirm_name"].errors.append(error.message)
        else:
            flash(_("%(name)s is deleted, with all its data.", name=name), "info")
            return redirect(url_for("partners.index"))
    counts = deletion.partner_counts(partner)
    return render_template(
        "confirm.html",
        kind="delete_partner",
        subject=partner,
        form=form,
        counts=[
            (_("Assessments"), counts["assessments"]),
            (_("Contacts"), counts["contacts"]),
            (_("Outcomes"), counts["outcomes"]),
        ],
        action=url_for("partners.delete", partner_id=partner.id),
        cancel_url=url_for("partners.show", partner_id=partner.id),
    )


@bp.post("/<int:partner_id>/contacts")
def add_contact(partner_id: int) -> Response | str:
    partner = owned_or_404(Partner, partner_id)
    form = ContactForm()
    if form.validate_on_submit():
        try:
            service.add_contact(
                partner,
                name=form.name.data,
                email=form.email.data or "",
                title=form.title.data or "",
            )
        except ServiceError as error:
            form[error.field or "name"].errors.append(error.message)
        else:
            flash(_("The contact is added."), "success")
            return redirect(url_for("partners.show", partner_id=partner.id, _anchor="contacts"))
    currency = partner.workspace.currency
    return render_template(
        "partners/show.html",
        detail=service.partner_detail(partner),
        contact_form=form,
        outcome_form=OutcomeForm(formdata=None, currency=currency),
        action_form=ActionForm(),
        currency=currency,
    )


@bp.post("/contacts/<int:contact_id>/remove")
def remove_contact(contact_id: int) -> Response:
    contact = owned_or_404(Contact, contact_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    partner_id = contact.partner_id
    service.remove_contact(contact)
    flash(_("The contact is removed."), "info")
    return redirect(url_for("partners.show", partner_id=partner_id, _anchor="contacts"))


@bp.get("/<int:partner_id>/timeline")
def timeline(partner_id: int) -> str:
    """Every revealed round of the partner: the trend of the mirror, each verdict, and the
    change since each round's last round."""
    partner = owned_or_404(Partner, partner_id)
    rounds = partner_timeline(partner.id, partner.workspace_id)
    locale = str(get_locale() or "en")
    points = []
    for row in rounds:
        revealed = row.assessment.revealed_at
        assert revealed is not None  # the timeline reads revealed rounds only
        points.append(
            TrendPoint(
                day=local_date(revealed),
                label=format_date(revealed, "medium"),
                similarity=row.fit.comparisons.mirror.similarity,
                level_us=row.fit.comparisons.mirror.level_x,
                level_them=row.fit.comparisons.mirror.level_y,
            )
        )
    figure = trend_lines(
        points,
        text=TrendText(
            similarity=_("Mirror score"),
            level_us=_("Level of the company, as the client sees it"),
            level_them=_("Level of the client, as the company sees it"),
            axis=_("Score and levels (0–100)"),
        ),
        locale=locale,
    )
    return render_template(
        "partners/timeline.html",
        partner=partner,
        rounds=rounds,
        figure_json=figure_json(figure),
        verdicts=VERDICT_NAMES,
    )
