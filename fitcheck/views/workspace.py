"""The workspace's settings page, for owners: its name, language and currency, the export,
and deleting it."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, logout_user
from werkzeug.routing import BuildError
from werkzeug.wrappers import Response

from ..forms.staff import ConfirmNameForm, WorkspaceForm
from ..services import ServiceError, deletion, workspaces
from .access import owner_required

bp = Blueprint("workspace", __name__, url_prefix="/workspace")


def _export_url() -> str:
    """The whole-workspace export (the audit blueprint's), wherever it is mounted."""
    try:
        return url_for("audit.export_workspace")
    except BuildError:
        return "/workspace/export"


@bp.route("", methods=["GET", "POST"])
@owner_required
def settings() -> Response | str:
    workspace = current_user.workspace
    form = WorkspaceForm(obj=workspace)
    if form.validate_on_submit():
        try:
            workspaces.save_settings(
                workspace,
                name=form.name.data,
                language=form.language.data,
                currency=form.currency.data,
            )
        except ServiceError as error:
            form[error.field or "name"].errors.append(error.message)
        else:
            flash(_("The workspace is saved."), "success")
            return redirect(url_for("workspace.settings"))
    return render_template(
        "workspace/settings.html",
        form=form,
        workspace=workspace,
        export_url=_export_url(),
    )


@bp.route("/delete", methods=["GET", "POST"])
@owner_required
def delete() -> Response | str:
    """Delete the whole workspace once its name is typed; everyone in it is signed out."""
    workspace = current_user.workspace
    form = ConfirmNameForm()
    if form.validate_on_submit():
        name = workspace.name
        try:
            deletion.delete_workspace(
                workspace,
                confirm_name=form.confirm_name.data,
                actor=current_user._get_current_object(),
            )
        except ServiceError as error:
            form[error.field or "confirm_name"].errors.append(error.message)
        else:
            logout_user()
            flash(_("The workspace %(name)s is deleted, with everything in it.", name=name), "info")
            return redirect(url_for("auth.sign_in"))
    counts = deletion.workspace_counts(workspace)
    return render_template(
        "confirm.html",
        kind="delete_workspace",
        subject=workspace,
        form=form,
        counts=[
            (_("Partners"), counts["partners"]),
            (_("Assessments"), counts["assessments"]),
            (_("Accounts"), counts["users"]),
        ],
        action=url_for("workspace.delete"),
        cancel_url=url_for("workspace.settings"),
    )
