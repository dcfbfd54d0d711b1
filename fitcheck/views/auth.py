"""Sign-up (confirmed by mail), sign-in, sign-out, password reset and the account page."""

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
from flask_babel import get_locale
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
from ..forms.auth import ConfirmSignUpForm, PasswordResetForm, PasswordResetRequestForm
from ..models import User
from ..services import ServiceError, accounts, api_tokens
from ..urls import safe_next

bp = Blueprint("auth", __name__)

# Pages that mail someone: a few tries an hour per address typed, so nobody can flood a
# mailbox through them (the limit is the same whether the address has an account).
MAIL_PER_ADDRESS_LIMIT = "5 per hour"


def _sign_in_limit() -> str:
    return str(current_app.config["SIGN_IN_RATE_LIMIT"])


def _account_limit() -> str:
    """Sign-in attempts per account typed, from every address (ASVS 2.2.1: 100 an hour)."""
    return str(current_app.config["SIGN_IN_ACCOUNT_RATE_LIMIT"])


def _submitted_email() -> str:
    return accounts.normalize_email(request.form.get("email", "")) or "-"


def _hours(kind: str) -> int:
    """How long a mailed link works, in hours, as the pages say it."""
    valid_for = accounts.RESET_VALID_FOR if kind == "reset" else accounts.SIGN_UP_VALID_FOR
    return int(valid_for.total_seconds() // 3600)


def _page_locale() -> str:
    return str(get_locale() or current_app.config["BABEL_DEFAULT_LOCALE"])


@bp.route("/sign-up", methods=["GET", "POST"])
@limiter.limit(_sign_in_limit, methods=["POST"])
@limiter.limit(MAIL_PER_ADDRESS_LIMIT, methods=["POST"], key_func=_submitted_email)
def sign_up() -> Response | str:
    if current_user.is_authenticated:
        return redirect(url_for("main.index"))
    form = SignUpForm()
    if form.validate_on_submit():
        try:
            accounts.request_sign_up(
                workspace_name=form.workspace_name.data,
                name=form.name.data,
                email=form.email.data,
                password=form.password.data,
                locale=_page_locale(),
            )
        except ServiceError as error:
            form[error.field or "password"].errors.append(error.message)
        else:
            # The same page whether the address is new or has an account: the mail differs.
            return render_template(
                "auth/sign_up_sent.html",
                email=accounts.normalize_email(form.email.data),
                hours=_hours("sign_up"),
            )
    return render_template("auth/sign_up.html", form=form)


@bp.route("/sign-up/confirm/<token>", methods=["GET", "POST"])
@limiter.limit(_sign_in_limit, methods=["POST"])
def confirm_sign_up(token: str) -> Response | tuple[str, int] | str:
    sign_up_request = accounts.find_sign_up_request(token)
    if sign_up_request is None:
        return _link_invalid("sign_up")
    form = ConfirmSignUpForm()
    if form.validate_on_submit():
        try:
            user = accounts.confirm_sign_up(token)
        except ServiceError as error:
            return _link_invalid("sign_up", error.message)
        _sign_in_as(user)
        flash(_("Welcome to fitcheck. Your workspace is ready."), "success")
        return redirect(url_for("main.index"))
    return render_template("auth/sign_up_confirm.html", form=form, sign_up_request=sign_up_request)


@bp.route("/sign-in", methods=["GET", "POST"])
@limiter.limit(_sign_in_limit, methods=["POST"])
@limiter.limit(_account_limit, methods=["POST"], key_func=_submitted_email)
def sign_in() -> Response | str:
    if current_user.is_authenticated:
        return redirect(url_for("main.index"))
    form = SignInForm(next=request.args.get("next", ""))
    if form.validate_on_submit():
        user = accounts.sign_in(form.email.data, form.password.data)
        if user is None:
            form.password.errors.append(_("The email or the password is not correct."))
        else:
            login_user(user)
            return redirect(safe_next(form.next.data, url_for("main.index")))
    return render_template("auth/sign_in.html", form=form)


@bp.route("/password-reset", methods=["GET", "POST"])
@limiter.limit(_sign_in_limit, methods=["POST"])
@limiter.limit(MAIL_PER_ADDRESS_LIMIT, methods=["POST"], key_func=_submitted_email)
def request_password_reset() -> str:
    form = PasswordResetRequestForm()
    if form.validate_on_submit():
        accounts.request_password_reset(form.email.data, locale=_page_locale())
        # The same page, status and words whether the address has an account or not.
        return render_template("auth/password_reset_sent.html", hours=_hours("reset"))
    return render_template("auth/password_reset_request.html", form=form, hours=_hours("reset"))


@bp.route("/password-reset/<token>", methods=["GET", "POST"])
@limiter.limit(_sign_in_limit, methods=["POST"])
def reset_password(token: str) -> Response | tuple[str, int] | str:
    if accounts.find_password_reset(token) is None:
        return _link_invalid("reset")
    form = PasswordResetForm()
    if form.validate_on_submit():
        try:
            user = accounts.reset_password(token, form.password.data)
        except ServiceError as error:
            if error.field is None:  # used or expired since the page was shown
                return _link_invalid("reset", error.message)
            form[error.field].errors.append(error.message)
        else:
            _sign_in_as(user)
            flash(
                _("Your password is changed and you are signed in. Other browsers are signed out."),
                "success",
            )
            return redirect(url_for("main.index"))
    return render_template("auth/password_reset.html", form=form)


def _sign_in_as(user: User) -> None:
    """Sign this browser in as `user`, ending the session it had as someone else (its
    own sessions the service has ended already)."""
    if current_user.is_authenticated and current_user.id != user.id:
        accounts.end_session(current_user._get_current_object())
    login_user(user)


def _link_invalid(kind: str, message: object = None) -> tuple[str, int]:
    """A link that no longer works: a page saying what to do, never whose link it was."""
    page = render_template("auth/link_invalid.html", kind=kind, message=message, hours=_hours(kind))
    return page, 404


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
