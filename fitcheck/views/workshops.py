"""The facilitator's side of the brand-partner workshop (members only): the list, opening
one, the board for the projector in every phase, and the printable summary.

The board polls `state` (a few bytes, 304 while nothing changed) and fetches itself again
when the room changed (fitcheck/static/workshop.js); without JavaScript it is an ordinary
page of forms. Every handler is load → validate → one service call → redirect, or the
board again with the error beside the form that caused it.
"""

from __future__ import annotations

from typing import Any

import segno
from flask import (
    Blueprint,
    Response,
    abort,
    flash,
    redirect,
    render_template,
    request,
)
from flask import url_for as url
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user, login_required
from markupsafe import Markup
from werkzeug.wrappers import Response as BaseResponse
from wtforms import SelectChoice

from ..forms import ActionForm
from ..forms.workshops import (
    ChooseForm,
    DraftForm,
    GroupForm,
    OpenWorkshopForm,
    PhaseForm,
    PromiseForm,
    RenameForm,
    TemplatesForm,
)
from ..models import Workshop
from ..models.workshops import Phase, default_dots
from ..services import ServiceError
from ..services import workshops as service
from ..services.traits import TRAIT_FIELDS, TraitText
from ..services.workshop_views import chosen_traits, list_workshops, load_board, trait_label
from .polling import poll_ms, poll_response
from .scoping import owned_or_404

bp = Blueprint("workshops", __name__, url_prefix="/workshops")


@bp.before_request
@login_required
def _signed_in() -> None:
    """Every page here belongs to a workspace's members."""


@bp.route("/", methods=["GET", "POST"])
def index() -> BaseResponse | tuple[str, int] | str:
    form = OpenWorkshopForm()
    if request.method == "GET":
        form.language.data = current_user.locale or "ja"
    status = 200
    if form.validate_on_submit():
        try:
            workshop = service.open_workshop(
                current_user.workspace_id,
                question=form.question.data or "",
                language=form.language.data,
                dots=form.dots.data,
                created_by=current_user,
            )
        except ServiceError as error:
            form[error.field or "question"].errors.append(error.message)
            status = 422
        else:
            flash(_("The workshop is open. Share its link with the room."), "success")
            return redirect(url("workshops.board", workshop_id=workshop.id))
    elif request.method == "POST":
        status = 422
    listed = list_workshops(current_user.workspace_id)
    return render_template("workshops/index.html", form=form, listed=listed), status


def _draft_form(view_cluster: Any, formdata: Any = None) -> DraftForm:
    cluster = view_cluster.cluster
    form = DraftForm(formdata=formdata, prefix=f"c{cluster.id}", data=dict(cluster.draft or {}))
    return form


def _locale() -> str:
    return str(get_locale() or "en")


def _board_page(workshop: Workshop, status: int = 200, **forms: Any) -> tuple[str, int]:
    """The board in its phase, with the forms given (bound, with their errors) and fresh
    ones for the rest."""
    board = load_board(workshop)
    locale = _locale()
    phase_form = forms.get("phase_form") or PhaseForm(formdata=None)
    phase_form.expected.data = workshop.phase.value
    if workshop.phase is Phase.GROUP and not phase_form.dots.data:
        phase_form.dots.data = workshop.dots or default_dots(len(board.clusters))
    if workshop.phase is Phase.ACT and not phase_form.name.data:
        phase_form.name.data = service.default_set_name(workshop)
    group_form = forms.get("group_form") or GroupForm(formdata=None)
    group_form.to_cluster.choices = [SelectChoice("new", _("A new cluster"))] + [
        SelectChoice(str(view.cluster.id), view.cluster.name) for view in board.clusters
    ]
    drafts = {
        view.cluster.id: (
            forms[f"draft_{view.cluster.id}"]
            if f"draft_{view.cluster.id}" in forms
            else _draft_form(view)
        )
        for view in board.chosen
    }
    templates_form = forms.get("templates_form") or TemplatesForm(
        formdata=None, data=dict(workshop.templates or {})
    )
    promise_form = forms.get("promise_form") or PromiseForm(
        formdata=None, traits=chosen_traits(board, locale)
    )
    join_url = url("workshop_room.join", token=service.join_token(workshop), _external=True)
    return render_template(
        "workshops/board.html",
        board=board,
        workshop=workshop,
        join_url=join_url,
        join_qr=join_qr(join_url),
        phase_form=phase_form,
        group_form=group_form,
        rename_form=forms.get("rename_form"),
        rename_id=forms.get("rename_id"),
        choose_form=forms.get("choose_form") or ChooseForm(formdata=None),
        drafts=drafts,
        templates_form=templates_form,
        promise_form=promise_form,
        action_form=ActionForm(formdata=None),
        back_to=service.previous_phase(workshop.phase),
        state_url=url("workshops.state", workshop_id=workshop.id),
        poll_ms=poll_ms("WORKSHOP_POLL_MS"),
        label=trait_label,
    ), status


def join_qr(link: str) -> Markup:
    """The join link as a QR code, an inline SVG a phone's camera reads off the projector.
    Drawn by segno from the link alone: no text of anyone's goes into it."""
    code = segno.make(link, error="m")
    return Markup(code.svg_inline(scale=6, border=2, dark="#000", omitsize=True))  # noqa: S704


@bp.get("/<int:workshop_id>")
def board(workshop_id: int) -> tuple[str, int]:
    return _board_page(owned_or_404(Workshop, workshop_id))


@bp.get("/<int:workshop_id>/state")
def state(workshop_id: int) -> Response:
    """The board's poll: the phase and the version, 304 while they are unchanged."""
    found = service.board_state(current_user.workspace_id, workshop_id)
    if found is None:
        abort(404)
    return poll_response(found.etag, found.as_dict)


def _back(workshop: Workshop, anchor: str | None = None) -> BaseResponse:
    return redirect(url("workshops.board", workshop_id=workshop.id, _anchor=anchor))


@bp.post("/<int:workshop_id>/phase")
def phase(workshop_id: int) -> BaseResponse | tuple[str, int]:
    workshop = owned_or_404(Workshop, workshop_id)
    form = PhaseForm()
    if not form.validate_on_submit():
        return _board_page(workshop, 422, phase_form=form)
    expected = Phase(form.expected.data)
    try:
        if expected is Phase.ACT:
            service.finish(workshop, name=form.name.data or "", actor=current_user)
        else:
            service.advance(workshop, expected=expected, dots=form.dots.data)
    except ServiceError as error:
        if error.message is service.ALREADY_MOVED:
            flash(str(error.message), "info")
            return _back(workshop)
        if error.field in ("name", "dots"):
            form[error.field].errors.append(error.message)
        else:
            form.submit.errors = [error.message]
        return _board_page(workshop, 422, phase_form=form)
    return _back(workshop)


@bp.route("/<int:workshop_id>/back/<expected>", methods=["GET", "POST"])
def step_back(workshop_id: int, expected: str) -> BaseResponse | str:
    """Back one phase from `expected`. GET: the confirmation page, which works without
    JavaScript (where JavaScript runs, static/confirm.js asks in a dialog and posts the
    board's form directly). POST: go back; a second click finds it done already."""
    workshop = owned_or_404(Workshop, workshop_id)
    try:
        current = Phase(expected)
    except ValueError:
        abort(404)
    form = ActionForm()
    try:
        if form.validate_on_submit():
            service.step_back(workshop, current)
            return _back(workshop)
        back_to = service.check_step_back(workshop, current)
    except ServiceError as error:
        flash(str(error.message), "info")
        return _back(workshop)
    return render_template(
        "workshops/confirm.html",
        layout="base.html",
        kind=f"back_to_{back_to.value}",
        note=None,
        form=form,
        action=url("workshops.step_back", workshop_id=workshop.id, expected=current.value),
        cancel_url=url("workshops.board", workshop_id=workshop.id),
    )


@bp.route(
    "/<int:workshop_id>/notes/<int(min=1, max=2147483647):note_id>/remove",
    methods=["GET", "POST"],
)
def remove_note(workshop_id: int, note_id: int) -> BaseResponse | str:
    """Take a note off the wall while the room writes or groups. GET: the confirmation
    page (without JavaScript; with it, a dialog posts the board's form). POST: remove."""
    workshop = owned_or_404(Workshop, workshop_id)
    form = ActionForm()
    try:
        if form.validate_on_submit():
            service.remove_note(workshop, note_id)
            return _back(workshop)
        note = service.note_to_remove(workshop, note_id)
    except service.NoteNotFound as error:
        if request.method == "GET":
            abort(404)
        flash(str(error.message), "info")
        return _back(workshop)
    except ServiceError as error:
        flash(str(error.message), "warning")
        return _back(workshop)
    return render_template(
        "workshops/confirm.html",
        layout="base.html",
        kind="remove_note",
        note=note,
        form=form,
        action=url("workshops.remove_note", workshop_id=workshop.id, note_id=note.id),
        cancel_url=url("workshops.board", workshop_id=workshop.id),
    )


@bp.post("/<int:workshop_id>/group")
def group(workshop_id: int) -> BaseResponse | tuple[str, int]:
    """Merge the selected clusters, or move the selected notes (the form's two buttons;
    the board's drag and drop posts the same form)."""
    workshop = owned_or_404(Workshop, workshop_id)
    form = GroupForm()
    if not form.validate_on_submit():
        return _board_page(workshop, 422, group_form=form)
    try:
        if form.merge.data:
            cluster = service.merge_clusters(
                workshop, form.cluster_ids.data or [], name=form.name.data or ""
            )
        else:
            target = form.to_cluster.data
            cluster = service.move_notes(
                workshop,
                form.note_ids.data or [],
                to_cluster_id=None if target in (None, "", "new") else _int(target),
            )
    except ServiceError as error:
        field = {"cluster_ids": "merge", "note_ids": "move", "to_cluster": "move"}.get(
            error.field or "", "name"
        )
        form[field].errors = [*form[field].errors, error.message]
        return _board_page(workshop, 422, group_form=form)
    return _back(workshop, f"cluster-{cluster.id}")


def _int(value: str) -> int:
    try:
        return int(value)
    except ValueError:
        return 0


@bp.post("/<int:workshop_id>/clusters/<int:cluster_id>/name")
def rename(workshop_id: int, cluster_id: int) -> BaseResponse | tuple[str, int]:
    workshop = owned_or_404(Workshop, workshop_id)
    form = RenameForm()
    if form.validate_on_submit():
        try:
            service.rename_cluster(workshop, cluster_id, form.name.data)
        except ServiceError as error:
            form.name.errors.append(error.message)
        else:
            return _back(workshop, f"cluster-{cluster_id}")
    return _board_page(workshop, 422, rename_form=form, rename_id=cluster_id)


@bp.post("/<int:workshop_id>/choose")
def choose(workshop_id: int) -> BaseResponse | tuple[str, int]:
    workshop = owned_or_404(Workshop, workshop_id)
    form = ChooseForm()
    if not form.validate_on_submit():
        return _board_page(workshop, 422, choose_form=form)
    try:
        service.choose_clusters(workshop, form.cluster_ids.data or [])
    except ServiceError as error:
        form.submit.errors = [error.message]
        return _board_page(workshop, 422, choose_form=form)
    return _back(workshop, "traits")


@bp.post("/<int:workshop_id>/clusters/<int:cluster_id>/draft")
def draft(workshop_id: int, cluster_id: int) -> BaseResponse | tuple[str, int]:
    workshop = owned_or_404(Workshop, workshop_id)
    form = DraftForm(prefix=f"c{cluster_id}")
    redraft = bool(form.redraft.data)
    valid = form.validate_on_submit()
    if redraft and not valid:  # redrafting needs the labels only; saving, the whole wording
        valid = not (form.csrf_token.errors or form.label_en.errors or form.label_ja.errors)
    if valid:
        text = TraitText(**{name: form[name].data or "" for name in TRAIT_FIELDS})
        try:
            service.update_draft(workshop, cluster_id, text, redraft=redraft)
        except ServiceError as error:
            if error.field and error.field in form:
                form[error.field].errors = [*form[error.field].errors, error.message]
            else:
                form.submit.errors = [error.message]
        else:
            if not redraft:
                flash(_("The trait is saved."), "success")
            return _back(workshop, f"trait-{cluster_id}")
    return _board_page(workshop, 422, **{f"draft_{cluster_id}": form})


@bp.post("/<int:workshop_id>/templates")
def templates(workshop_id: int) -> BaseResponse | tuple[str, int]:
    workshop = owned_or_404(Workshop, workshop_id)
    form = TemplatesForm()
    if form.validate_on_submit():
        try:
            service.update_templates(workshop, form.templates())
        except ServiceError as error:
            form[error.field or "submit"].errors = [error.message]
        else:
            flash(
                _("The templates are saved: the traits you choose next are drafted with them."),
                "success",
            )
            return _back(workshop, "templates")
    return _board_page(workshop, 422, templates_form=form)


@bp.post("/<int:workshop_id>/actions")
def promise(workshop_id: int) -> BaseResponse | tuple[str, int]:
    workshop = owned_or_404(Workshop, workshop_id)
    form = PromiseForm(traits=chosen_traits(load_board(workshop), _locale()))
    if form.validate_on_submit():
        try:
            service.add_action(
                workshop,
                form.cluster_id.data,
                text=form.text.data,
                owner=form.owner.data or "",
                due_on=form.due_on.data,
            )
        except ServiceError as error:
            field = (
                error.field
                if error.field in ("cluster_id", "text", "owner", "due_on")
                else "submit"
            )
            form[field].errors = [*form[field].errors, error.message]
        else:
            return _back(workshop, f"trait-{form.cluster_id.data}")
    return _board_page(workshop, 422, promise_form=form)


@bp.post("/<int:workshop_id>/actions/<int:action_id>/remove")
def remove_promise(workshop_id: int, action_id: int) -> BaseResponse:
    workshop = owned_or_404(Workshop, workshop_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        service.remove_action(workshop, action_id)
    except ServiceError as error:
        flash(str(error.message), "warning")
    return _back(workshop)


@bp.get("/<int:workshop_id>/summary")
def summary(workshop_id: int) -> str:
    """The one printable page: the traits, our self-view with its spread, our promises."""
    workshop = owned_or_404(Workshop, workshop_id)
    if not workshop.reached(Phase.DECIDE):
        abort(404)
    return render_template(
        "workshops/summary.html", board=load_board(workshop), workshop=workshop, label=trait_label
    )
