"""Trait sets and their traits: list, create, edit, reorder, retire."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from werkzeug.wrappers import Response

from ..forms import ActionForm, TraitForm, TraitSetForm
from ..models import Trait, TraitSet
from ..services import ServiceError
from ..services import traits as service
from ..services.workshop_views import set_origin
from .scoping import owned_or_404

bp = Blueprint("traits", __name__, url_prefix="/trait-sets")


@bp.before_request
@login_required
def _signed_in() -> None:
    """Every page here belongs to a workspace."""


def _text(form: TraitForm) -> service.TraitText:
    return service.TraitText(**{name: form[name].data or "" for name in service.TRAIT_FIELDS})


@bp.get("/")
def index() -> str:
    return render_template(
        "traits/index.html", trait_sets=service.list_trait_sets(current_user.workspace_id)
    )


@bp.route("/new", methods=["GET", "POST"])
def new_set() -> Response | str:
    form = TraitSetForm()
    if request.method == "GET":
        form.fill_labels(service.default_point_labels())
    if form.validate_on_submit():
        try:
            trait_set = service.create_trait_set(
                current_user.workspace_id,
                name=form.name.data,
                scale_lo=form.scale_lo.data,
                scale_hi=form.scale_hi.data,
                point_labels=form.point_labels(),
            )
        except ServiceError as error:
            form[error.field or "name"].errors.append(error.message)
        else:
            flash(_("The trait set is created. Now add its traits."), "success")
            return redirect(url_for("traits.show_set", set_id=trait_set.id))
    return render_template("traits/set_form.html", form=form, trait_set=None)


@bp.route("/<int:set_id>", methods=["GET", "POST"])
def show_set(set_id: int) -> Response | str:
    trait_set = owned_or_404(TraitSet, set_id)
    form = TraitSetForm(obj=trait_set)
    if request.method == "GET":
        form.fill_labels(trait_set.point_labels)
    if form.validate_on_submit():
        try:
            service.update_trait_set(
                trait_set,
                name=form.name.data,
                scale_lo=form.scale_lo.data,
                scale_hi=form.scale_hi.data,
                point_labels=form.point_labels(),
            )
        except ServiceError as error:
            form[error.field or "name"].errors.append(error.message)
        else:
            flash(_("Saved. Assessments already launched keep the wording they had."), "success")
            return redirect(url_for("traits.show_set", set_id=set_id))
    return render_template(
        "traits/set.html",
        trait_set=trait_set,
        form=form,
        action_form=ActionForm(),
        origin=set_origin(trait_set),
    )


@bp.route("/<int:set_id>/traits/new", methods=["GET", "POST"])
def new_trait(set_id: int) -> Response | str:
    trait_set = owned_or_404(TraitSet, set_id)
    form = TraitForm()
    if form.validate_on_submit():
        service.add_trait(trait_set, _text(form))
        flash(_("The trait is added."), "success")
        return redirect(url_for("traits.show_set", set_id=set_id))
    return render_template("traits/trait_form.html", form=form, trait_set=trait_set, trait=None)


@bp.route("/traits/<int:trait_id>", methods=["GET", "POST"])
def edit_trait(trait_id: int) -> Response | str:
    trait = owned_or_404(Trait, trait_id)
    form = TraitForm(obj=trait)
    if form.validate_on_submit():
        service.update_trait(trait, _text(form))
        flash(_("The trait is saved."), "success")
        return redirect(url_for("traits.show_set", set_id=trait.trait_set_id))
    return render_template(
        "traits/trait_form.html", form=form, trait_set=trait.trait_set, trait=trait
    )


@bp.post("/traits/<int:trait_id>/<any(up, down, retire, restore):action>")
def change_trait(trait_id: int, action: str) -> Response:
    trait = owned_or_404(Trait, trait_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    if action in ("up", "down"):
        service.move_trait(trait, -1 if action == "up" else 1)
    elif action == "retire":
        service.retire_trait(trait)
        flash(_("The trait is retired: new assessments will not ask about it."), "info")
    else:
        service.restore_trait(trait)
    return redirect(url_for("traits.show_set", set_id=trait.trait_set_id, _anchor=f"t{trait.id}"))
