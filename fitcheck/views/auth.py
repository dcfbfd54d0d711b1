"""Sign-up, sign-in, sign-out and the account settings page."""

from __future__ import annotations

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user
from werkzeug.wrappers import Response

from ..extensions import limiter
from ..forms import (
    ActionForm,
    ApiTokenForm,
    ChangePasswordForm,
    SignInForm,
    SignOutForm,
    SignUpForm,
)
from ..services import ServiceError, accounts, api_tokens
from ..urls import safe_next

bp = Blueprint("auth", __name__)


def _sign_in_limit() -> str:
    return str(current_app.config["SIGN_IN_RATE_LIMIT"])


def _submitted_email() -> str:
    return accounts.normalize_email(request.form.get("email", "")) or "-"


@bp.route("/sign-up", methods=["GET", "POST"])
@limiter.limit(_sign_in_limit, methods=["POST"])
def sign_up() -> Response | str:
    if current_user.is_authenticated:
        return redirect(url_for("main.index"))
    form = SignUpForm()
    if form.validate_on_submit():
        try:
            user = accounts.sign_up(
                workspace_name=form.workspace_name.data,
                name=form.name.data,
                email=form.email.data,
                password=form.password.data,
            )
        except ServiceError as error:
            form[error.field or "email"].errors.append(error.message)
        else:
            login_user(accounts.start_session(user))
            flash(_("Welcome to fitcheck. Your workspace is ready."), "success")
            return redirect(url_for("main.index"))
    return render_template("auth/sign_up.html", form=form)


@bp.route("/sign-in", methods=["GET", "POST"])
@limiter.limit(_sign_in_limit, methods=["POST"])
@limiter.limit("50 per hour", methods=["POST"], key_func=_submitted_email)
def sign_in() -> Response | str:
    if current_user.is_authenticated:
        return redirect(url_for("main.index"))
    form = SignInForm(next=request.args.get("next", ""))
    if form.validate_on_submit():
        user = accounts.authenticate(form.email.data, form.password.data)
        if user is None:
            form.password.errors.append(_("The email or the password is not correct."))
        else:
            login_user(accounts.start_session(user))
            return redirect(safe_next(form.next.data, url_for("main.index")))
    return render_template("auth/sign_in.html", form=form)


@bp.post("/sign-out")
def sign_out() -> Response:
    form = SignOutForm()
    if form.validate_on_submit() and current_user.is_authenticated:
        accounts.end_session(current_user)
        logout_user()
        flash(_("You are signed out."), "info")
    return redirect(url_for("auth.sign_in"))


@bp.route("/account", methods=["GET", "POST"])
@login_required
def account() -> Response | str:
    form = ChangePasswordForm()
    if form.validate_on_submit():
        try:
            # The proxy itself must not reach login_user(), or current_user points at itself.
            user = accounts.change_password(
                current_user._get_current_object(),
                current=form.current_password.data,
                new=form.new_password.data,
            )
        except ServiceError as error:
            form[error.field or "new_password"].errors.append(error.message)
        else:
            login_user(user)
            flash(_("Your password is changed. Other browsers are signed out."), "success")
            return redirect(url_for("auth.account"))
    return _account_page(form)


def _account_page(
    form: ChangePasswordForm,
    *,
    token_form: ApiTokenForm | None = None,
    new_token: str | None = None,
    new_token_name: str = "",
) -> str:
    return render_template(
        "auth/account.html",
        form=form,
        api_tokens=api_tokens.list_tokens(current_user),
        token_form=token_form or ApiTokenForm(formdata=None),
        revoke_form=ActionForm(formdata=None),
        new_token=new_token,
        new_token_name=new_token_name,
    )


@bp.post("/account/api-tokens")
@login_required
def create_api_token() -> Response | str:
    token_form = ApiTokenForm()
    if token_form.validate_on_submit():
        try:
            token, secret = api_tokens.create_token(
                current_user._get_current_object(), token_form.name.data
            )
        except ServiceError as error:
            token_form.name.errors.append(error.message)
        else:
            # Shown in this response alone, never redirected through the session cookie.
            response = make_response(
                _account_page(
                    ChangePasswordForm(formdata=None), new_token=secret, new_token_name=token.name
                )
            )
            response.headers["Cache-Control"] = "no-store"
            return response
    return _account_page(ChangePasswordForm(formdata=None), token_form=token_form)


@bp.post("/account/api-tokens/<int:token_id>/revoke")
@login_required
def revoke_api_token(token_id: int) -> Response:
    token = api_tokens.find_token(current_user, token_id)
    if token is None:
        abort(404)
    api_tokens.revoke_token(token)
    flash(_("The API token “%(name)s” is revoked.", name=token.name), "success")
    return redirect(url_for("auth.account", _anchor="api-tokens"))
