"""Assessments: create for a partner, invite both sides, launch, follow, reveal, archive."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user, login_required
from werkzeug.wrappers import Response

from ..forms import (
    ActionForm,
    AssessmentForm,
    DeadlineForm,
    PickRespondentsForm,
    RespondentForm,
)
from ..forms.staff import local_to_utc, utc_to_local
from ..models import Assessment, Kind, Partner, Respondent, RevealPolicy, Side, State, TraitSet
from ..services import ServiceError, deletion, invitations, respondents
from ..services import assessments as service
from ..services.traits import list_trait_sets
from .access import owner_required
from .scoping import owned_or_404

bp = Blueprint("assessments", __name__)


@bp.before_request
@login_required
def _signed_in() -> None:
    """Every page here belongs to a workspace."""


def _assessment_form(**kwargs: object) -> AssessmentForm:
    sets = [trait_set for trait_set, count in list_trait_sets(current_user.workspace_id) if count]
    return AssessmentForm(trait_sets=sets, **kwargs)


def _settings(form: AssessmentForm) -> service.AssessmentSettings:
    return {
        "kind": Kind(form.kind.data),
        "deadline": local_to_utc(form.deadline.data),
        "reveal_policy": RevealPolicy(form.reveal_policy.data),
        "min_responses_per_side": form.min_responses_per_side.data,
        "share_with_client": form.share_with_client.data,
        "title": form.title.data or "",
        "reminder_days": list(form.reminder_days.data or []),
    }


def _respondent_form(assessment: Assessment) -> RespondentForm:
    return RespondentForm(company=current_user.workspace.name, partner=assessment.partner.name)


@bp.route("/partners/<int:partner_id>/assessments/new", methods=["GET", "POST"])
def new(partner_id: int) -> Response | str:
    partner = owned_or_404(Partner, partner_id)
    form = _assessment_form()
    if form.validate_on_submit():
        trait_set = owned_or_404(TraitSet, form.trait_set_id.data)
        try:
            assessment = service.create_assessment(
                partner,
                trait_set,
                created_by_id=current_user.id,
                **_settings(form),
            )
        except ServiceError as error:
            form[error.field or "trait_set_id"].errors.append(error.message)
        else:
            flash(
                _("The assessment is created as a draft. Add respondents on both sides."), "success"
            )
            return redirect(url_for("assessments.show", assessment_id=assessment.id))
    return render_template("assessments/form.html", form=form, partner=partner, assessment=None)


@bp.route("/assessments/<int:assessment_id>/edit", methods=["GET", "POST"])
def edit(assessment_id: int) -> Response | str:
    assessment = owned_or_404(Assessment, assessment_id)
    form = _assessment_form(obj=assessment)
    if request.method == "GET":
        form.trait_set_id.data = assessment.source_trait_set_id
        form.kind.data = assessment.kind.value
        form.reveal_policy.data = assessment.reveal_policy.value
        if assessment.deadline is not None:  # a draft made without one keeps the suggestion
            form.deadline.data = utc_to_local(assessment.deadline)
    if form.validate_on_submit():
        trait_set = owned_or_404(TraitSet, form.trait_set_id.data)
        try:
            service.update_draft(assessment, trait_set, **_settings(form))
        except ServiceError as error:
            if error.field not in form:  # not the form's to fix: the round moved on
                flash(str(error.message), "danger")
                return redirect(url_for("assessments.show", assessment_id=assessment.id))
            form[error.field].errors.append(error.message)
        else:
            flash(_("The assessment is saved."), "success")
            return redirect(url_for("assessments.show", assessment_id=assessment.id))
    return render_template(
        "assessments/form.html", form=form, partner=assessment.partner, assessment=assessment
    )


@bp.get("/assessments/<int:assessment_id>")
def show(assessment_id: int) -> str:
    assessment = owned_or_404(Assessment, assessment_id)
    return _render_show(assessment)


def _render_show(
    assessment: Assessment,
    respondent_form: RespondentForm | None = None,
    deadline_form: DeadlineForm | None = None,
) -> str:
    links = {}
    if assessment.state is not State.DRAFT:
        links = {
            respondent.id: invitations.invitation_url(respondent)
            for respondent in assessment.respondents
            if respondent.withdrawn_at is None
        }
    deadline_form = deadline_form or DeadlineForm(
        deadline=utc_to_local(assessment.deadline) if assessment.deadline else None
    )
    progress = respondents.progress(assessment)
    open_to_add = assessment.state in (State.DRAFT, State.COLLECTING)
    return render_template(
        "assessments/show.html",
        assessment=assessment,
        progress=progress,
        links=links,
        sides=list(Side),
        mail_states=invitations.mail_states(assessment),
        respondent_form=respondent_form or _respondent_form(assessment),
        candidates=respondents.candidates(assessment, progress.respondents)
        if open_to_add
        else None,
        pick_form=PickRespondentsForm(),
        deadline_form=deadline_form,
        action_form=ActionForm(),
    )


@bp.post("/assessments/<int:assessment_id>/respondents")
def add_respondent(assessment_id: int) -> Response | str:
    assessment = owned_or_404(Assessment, assessment_id)
    form = _respondent_form(assessment)
    if form.validate_on_submit():
        try:
            respondents.add_respondent(
                assessment,
                side=Side(form.side.data),
                name=form.name.data,
                email=form.email.data,
                locale=form.language.data,
            )
        except ServiceError as error:
            if error.field in form:
                form[error.field].errors.append(error.message)
            else:
                flash(str(error.message), "danger")
                return redirect(url_for("assessments.show", assessment_id=assessment.id))
        else:
            flash(_("%(name)s is added.", name=form.name.data), "success")
            return redirect(
                url_for("assessments.show", assessment_id=assessment.id, _anchor="respondents")
            )
    return _render_show(assessment, respondent_form=form)


@bp.post("/assessments/<int:assessment_id>/respondents/picked")
def add_picked(assessment_id: int) -> Response:
    """Several of the partner's contacts and the workspace's members at once."""
    assessment = owned_or_404(Assessment, assessment_id)
    form = PickRespondentsForm()
    back = url_for("assessments.show", assessment_id=assessment.id, _anchor="add-people")
    if not form.validate_on_submit():
        abort(400)  # only a forged form sends ids that are no numbers, or no language
    try:
        picked = respondents.add_picked(
            assessment,
            contact_ids=form.contact_ids.data or [],
            member_ids=form.member_ids.data or [],
            locale=form.invitation_language.data,
        )
    except ServiceError as error:
        flash(str(error.message), "danger")
        return redirect(back)
    if picked.added:
        flash(
            ngettext(
                "%(num)d respondent is added.", "%(num)d respondents are added.", len(picked.added)
            ),
            "success",
        )
    if picked.skipped:
        flash(
            ngettext(
                "%(num)d person chosen was already a respondent and is not added again.",
                "%(num)d people chosen were already respondents and are not added again.",
                picked.skipped,
            ),
            "info",
        )
    return redirect(url_for("assessments.show", assessment_id=assessment.id, _anchor="respondents"))


@bp.post("/assessments/<int:assessment_id>/deadline")
def extend_deadline(assessment_id: int) -> Response | str:
    assessment = owned_or_404(Assessment, assessment_id)
    form = DeadlineForm()
    if form.validate_on_submit():
        deadline = local_to_utc(form.deadline.data)
        assert deadline is not None  # DataRequired
        try:
            service.extend_deadline(assessment, deadline)
        except ServiceError as error:
            form.deadline.errors.append(error.message)
        else:
            flash(_("The deadline is extended."), "success")
            return redirect(url_for("assessments.show", assessment_id=assessment.id))
    return _render_show(assessment, deadline_form=form)


@bp.post("/assessments/<int:assessment_id>/<any(launch, reveal, archive, invite, remind):action>")
def change_state(assessment_id: int, action: str) -> Response:
    assessment = owned_or_404(Assessment, assessment_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        if action == "launch":
            service.launch(assessment, invite=True, actor=current_user._get_current_object())
            sent = sum(1 for respondent in assessment.respondents if respondent.invited_at)
            flash(
                ngettext(
                    "Launched: the traits are frozen and %(num)d invitation is on its way.",
                    "Launched: the traits are frozen and %(num)d invitations are on their way.",
                    sent,
                ),
                "success",
            )
        elif action == "reveal":
            service.reveal(assessment, actor=current_user._get_current_object())
            if assessment.share_with_client:
                flash(_("Revealed: both sides can now see the results."), "success")
            else:
                flash(_("Revealed: your side can now see the results."), "success")
        elif action == "archive":
            service.archive(assessment)
            flash(_("The assessment is archived."), "info")
        elif action == "invite":
            sent = invitations.send_invitations(assessment)
            flash(
                ngettext(
                    "%(num)d invitation is on its way.",
                    "%(num)d invitations are on their way.",
                    sent,
                ),
                "success",
            )
        else:
            sent = invitations.send_reminders(assessment)
            flash(
                ngettext(
                    "%(num)d reminder is on its way to those who have not answered.",
                    "%(num)d reminders are on their way to those who have not answered.",
                    sent,
                ),
                "success",
            )
    except ServiceError as error:
        flash(str(error.message), "danger")
    return redirect(url_for("assessments.show", assessment_id=assessment.id))


@bp.post("/assessments/<int:assessment_id>/mail/<int:message_id>/resend")
def resend_mail(assessment_id: int, message_id: int) -> Response:
    """Send a respondent's failed mail again (the progress page's "Send again")."""
    assessment = owned_or_404(Assessment, assessment_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    message = invitations.find_mail(assessment, message_id)
    if message is None:
        abort(404)
    try:
        invitations.resend(message)
    except ServiceError as error:
        flash(str(error.message), "danger")
    else:
        flash(_("The mail is queued again."), "success")
    return redirect(url_for("assessments.show", assessment_id=assessment.id, _anchor="respondents"))


@bp.post("/assessments/<int:assessment_id>/next-round")
def next_round(assessment_id: int) -> Response:
    previous = owned_or_404(Assessment, assessment_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    existing = service.next_round_draft(previous)
    if existing is not None:
        flash(_("The next round was already started: here is its draft."), "info")
        return redirect(url_for("assessments.show", assessment_id=existing.id))
    try:
        assessment = service.start_next_round(previous, created_by_id=current_user.id)
    except ServiceError as error:
        flash(str(error.message), "danger")
        return redirect(url_for("assessments.show", assessment_id=previous.id))
    flash(
        _(
            "The next round is ready as a draft, with last round's respondents. Check them "
            "and the deadline, then launch: open commitments are carried in."
        ),
        "success",
    )
    return redirect(url_for("assessments.show", assessment_id=assessment.id))


@bp.post("/respondents/<int:respondent_id>/<any(withdraw, remove, reissue, invite):action>")
def change_respondent(respondent_id: int, action: str) -> Response:
    respondent = owned_or_404(Respondent, respondent_id)
    assessment_id = respondent.assessment_id
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        if action == "withdraw":
            respondents.withdraw_respondent(respondent)
            flash(_("The invitation is withdrawn; the link no longer works."), "info")
        elif action == "remove":
            respondents.remove_respondent(respondent)
            flash(_("The respondent is removed."), "info")
        elif action == "reissue":
            respondents.reissue_link(respondent)
            flash(_("A new link is issued; the old one no longer works."), "info")
        else:
            invitations.send_invitation(respondent)
            flash(_("The invitation is on its way."), "success")
    except ServiceError as error:
        flash(str(error.message), "danger")
    return redirect(url_for("assessments.show", assessment_id=assessment_id, _anchor="respondents"))


@bp.get("/assessments/<int:assessment_id>/<any(launch, reveal):action>/confirm")
def confirm_state(assessment_id: int, action: str) -> str:
    """The confirmation page of a launch or a reveal, for browsers without JavaScript."""
    assessment = owned_or_404(Assessment, assessment_id)
    return render_template(
        "confirm.html",
        kind=action,
        subject=assessment,
        form=ActionForm(),
        action=url_for("assessments.change_state", assessment_id=assessment.id, action=action),
        cancel_url=url_for("assessments.show", assessment_id=assessment.id),
    )


@bp.get("/respondents/<int:respondent_id>/withdraw/confirm")
def confirm_withdraw(respondent_id: int) -> str:
    respondent = owned_or_404(Respondent, respondent_id)
    return render_template(
        "confirm.html",
        kind="withdraw",
        subject=respondent,
        form=ActionForm(),
        action=url_for(
            "assessments.change_respondent", respondent_id=respondent.id, action="withdraw"
        ),
        cancel_url=url_for(
            "assessments.show", assessment_id=respondent.assessment_id, _anchor="respondents"
        ),
    )


@bp.route("/assessments/<int:assessment_id>/delete", methods=["GET", "POST"])
@owner_required
def delete(assessment_id: int) -> Response | str:
    """Delete a draft: its confirmation page (GET) and the deletion itself (POST)."""
    assessment = owned_or_404(Assessment, assessment_id)
    show_url = url_for("assessments.show", assessment_id=assessment.id)
    form = ActionForm()
    try:
        deletion.check_draft(assessment)
        if form.validate_on_submit():
            partner_id = assessment.partner_id
            deletion.delete_draft_assessment(assessment, actor=current_user._get_current_object())
            flash(_("The draft is deleted."), "info")
            return redirect(url_for("partners.show", partner_id=partner_id))
    except ServiceError as error:
        flash(str(error.message), "danger")
        return redirect(show_url)
    if request.method == "POST":
        abort(400)
    return render_template(
        "confirm.html",
        kind="delete_draft",
        subject=assessment,
        form=form,
        action=url_for("assessments.delete", assessment_id=assessment.id),
        cancel_url=show_url,
    )
