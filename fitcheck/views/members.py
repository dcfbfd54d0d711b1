"""The workspace's members (/members, owners only) and the join page of a member's
invitation (/join/<token>, reached from the mail, no account needed).

The join link is the invitee's credential until they join: the page sends no referrer, is
never cached, and unknown links count against a small per-address budget.
"""

from __future__ import annotations

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    g,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user
from werkzeug.wrappers import Response

from ..extensions import limiter
from ..forms import ActionForm, InviteMemberForm, JoinForm, RoleForm
from ..forms.members import ROLE_CHOICES, ROLE_LABELS
from ..models import MemberInvitation, Role, User, utcnow
from ..services import ServiceError, accounts, members
from ..services.members import JoinLink, LinkState, LinkUnavailable
from .access import owner_required

bp = Blueprint("members", __name__)

# Status of the page a join link leads to when it cannot be used.
LINK_STATUS = {
    LinkState.UNKNOWN: 404,
    LinkState.EXPIRED: 410,
    LinkState.REVOKED: 410,
    LinkState.USED: 410,
    LinkState.ELSEWHERE: 409,
    LinkState.JOINED: 200,
}


def _me() -> User:
    # The proxy itself must not reach the services (nor login_user()).
    user: User = current_user._get_current_object()
    return user


def _member_or_404(user_id: int) -> User:
    member = members.find_member(current_user.workspace_id, user_id)
    if member is None:
        abort(404)
    return member


def _invitation_or_404(invitation_id: int) -> MemberInvitation:
    invitation = members.find_invitation(current_user.workspace_id, invitation_id)
    if invitation is None:
        abort(404)
    return invitation


@bp.route("/members", methods=["GET", "POST"])
@owner_required
def index() -> Response | str:
    form = InviteMemberForm()
    if form.validate_on_submit():
        try:
            invitation = members.invite_member(
                _me(), email=form.email.data, role=Role(form.role.data)
            )
        except ServiceError as error:
            form[error.field or "email"].errors.append(error.message)
        else:
            flash(
                _(
                    "An invitation is on its way to %(email)s. Its link works once, for 7 days.",
                    email=invitation.email,
                ),
                "success",
            )
            return redirect(url_for("members.index"))
    return render_template(
        "members/index.html",
        form=form,
        team=members.list_members(current_user.workspace_id),
        action_form=ActionForm(formdata=None),
        role_labels=ROLE_LABELS,
        role_choices=ROLE_CHOICES,
        now=utcnow(),
    )


@bp.post("/members/invitations/<int:invitation_id>/resend")
@owner_required
def resend_invitation(invitation_id: int) -> Response:
    invitation = _invitation_or_404(invitation_id)
    if ActionForm().validate_on_submit():
        try:
            members.resend_invitation(_me(), invitation)
        except ServiceError as error:
            flash(str(error.message), "danger")
        else:
            flash(
                _(
                    "A new invitation is on its way to %(email)s; the link sent before no "
                    "longer works.",
                    email=invitation.email,
                ),
                "success",
            )
    return redirect(url_for("members.index", _anchor="pending"))


@bp.post("/members/invitations/<int:invitation_id>/revoke")
@owner_required
def revoke_invitation(invitation_id: int) -> Response:
    invitation = _invitation_or_404(invitation_id)
    if ActionForm().validate_on_submit():
        try:
            members.revoke_invitation(_me(), invitation)
        except ServiceError as error:
            flash(str(error.message), "danger")
        else:
            flash(_("The invitation to %(email)s is revoked.", email=invitation.email), "success")
    return redirect(url_for("members.index", _anchor="pending"))


@bp.post("/members/<int:user_id>/role")
@owner_required
def change_role(user_id: int) -> Response:
    member = _member_or_404(user_id)
    form = RoleForm()
    if not form.validate_on_submit():
        flash(_("Choose owner or member."), "danger")
        return redirect(url_for("members.index"))
    role = Role(form.role.data)
    yourself = member.id == current_user.id
    try:
        members.change_role(_me(), member, role)
    except ServiceError as error:
        flash(str(error.message), "danger")
        return redirect(url_for("members.index"))
    if role is Role.OWNER:
        flash(_("%(name)s is now an owner.", name=member.name), "success")
    else:
        flash(_("%(name)s is now a member.", name=member.name), "success")
    # An owner who made themselves a member may no longer open /members.
    return redirect(url_for("main.index" if yourself and role is Role.MEMBER else "members.index"))


@bp.route("/members/<int:user_id>/remove", methods=["GET", "POST"])
@owner_required
def remove(user_id: int) -> Response | str:
    """GET: the confirmation page, which works without JavaScript (where JavaScript runs,
    static/confirm.js asks in a dialog and posts the list's form directly). POST: remove."""
    member = _member_or_404(user_id)
    form = ActionForm()
    if form.validate_on_submit():
        yourself = member.id == current_user.id
        name = member.name
        try:
            members.remove_member(_me(), member)
        except ServiceError as error:
            flash(str(error.message), "danger")
            return redirect(url_for("members.index"))
        if yourself:
            logout_user()
            flash(_("You have left the workspace and are signed out."), "info")
            return redirect(url_for("auth.sign_in"))
        flash(
            _(
                "%(name)s is removed from the workspace. Their sessions and API tokens no "
                "longer work.",
                name=name,
            ),
            "success",
        )
        return redirect(url_for("members.index"))
    return render_template(
        "members/remove.html",
        member=member,
        form=ActionForm(formdata=None),
        last_owner=members.is_last_owner(member),
        yourself=member.id == current_user.id,
    )


def _sign_in_limit() -> str:
    return str(current_app.config["SIGN_IN_RATE_LIMIT"])


def _miss_limit() -> str:
    return str(current_app.config.get("JOIN_MISS_RATE_LIMIT", "10 per minute"))


def _unknown_link(response: Response) -> bool:
    return response.status_code == 404


def _link() -> JoinLink:
    """The invitation of the link in the URL, looked up once per request."""
    if "join_link" not in g:
        g.join_link = members.join_link(str((request.view_args or {}).get("token", "")))
    link: JoinLink = g.join_link
    return link


def _known_link() -> bool:
    return _link().state is not LinkState.UNKNOWN


# Someone guessing links is stopped after a few misses; a real link is never blocked.
@bp.route("/join/<token>", methods=["GET", "POST"])
@limiter.limit(_miss_limit, deduct_when=_unknown_link, exempt_when=_known_link)
@limiter.limit(_sign_in_limit, methods=["POST"])
def join(token: str) -> Response:
    link = _link()
    if current_user.is_authenticated and link.invitation is not None:
        if current_user.email == link.invitation.email:
            flash(_("You are already a member of this workspace."), "info")
            return redirect(url_for("main.index"))
        if link.state is LinkState.VALID:
            return _link_page(link, signed_in_as=current_user.email)
    if link.state is not LinkState.VALID or link.invitation is None:
        return _link_page(link)
    form = JoinForm()
    if form.validate_on_submit():
        try:
            user = members.accept_invitation(
                token, name=form.name.data, password=form.password.data
            )
        except LinkUnavailable as error:
            return _link_page(error.link)
        except ServiceError as error:
            form[error.field or "password"].errors.append(error.message)
        else:
            login_user(accounts.start_session(user))
            flash(
                _("Welcome to %(workspace)s on fitcheck.", workspace=link.workspace_name),
                "success",
            )
            return redirect(url_for("main.index"))
    return _private(
        render_template(
            "members/join.html",
            form=form,
            invitation=link.invitation,
            workspace_name=link.workspace_name,
            role_labels=ROLE_LABELS,
        ),
        200,
    )


def _link_page(link: JoinLink, *, signed_in_as: str | None = None) -> Response:
    status = 409 if signed_in_as else LINK_STATUS.get(link.state, 404)
    page = render_template(
        "members/join_unavailable.html",
        state=link.state.value,
        invitation=link.invitation,
        workspace_name=link.workspace_name,
        signed_in_as=signed_in_as,
    )
    return _private(page, status)


def _private(page: str, status: int) -> Response:
    response = make_response(page, status)
    response.headers["Cache-Control"] = "no-store"
    response.headers["Referrer-Policy"] = "no-referrer"
    return response
