"""The participants' side of the brand-partner workshop: the join link `/workshops/join/<token>`
opened on a phone, no account needed.

The link's token says which workshop; a cookie of the participant's own, scoped to that
link's path, says who. Both are looked up together in one query at the start of every
request (`services.workshops.find_link`), which is all a poll costs. Nothing here reaches
beyond the workshop of the link: no staff page, no other workshop, no API. The pages send
no referrer and are never cached; guessing links is rate-limited as on the respondent's
pages, with a budget per address generous enough for a room of phones behind one Wi-Fi.
"""

from __future__ import annotations

from typing import Any

from flask import (
    Blueprint,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response

from ..extensions import limiter
from ..forms import ActionForm
from ..forms.workshops import DotsForm, JoinForm, NoteForm, PromiseForm, RateForm
from ..models import Side, Workshop, WorkshopParticipant
from ..models.workshops import Phase, scale_ends
from ..services import ServiceError
from ..services import workshops as service
from ..services.workshop_views import Room, chosen_traits, load_room, trait_label
from .polling import poll_ms, poll_response

bp = Blueprint("workshop_room", __name__, url_prefix="/workshops/join")

COOKIE = "fc_workshop"
COOKIE_DAYS = 30


def _page_limit() -> str:
    return str(current_app.config.get("WORKSHOP_RATE_LIMIT", "3000 per minute"))


def _miss_limit() -> str:
    return str(current_app.config.get("WORKSHOP_MISS_RATE_LIMIT", "10 per minute"))


def _link() -> tuple[Workshop, WorkshopParticipant | None] | None:
    """The workshop of the link in the URL and the participant of the cookie, once."""
    if "workshop_link" not in g:
        token = str((request.view_args or {}).get("token", ""))
        g.workshop_link = service.find_link(token, request.cookies.get(COOKIE))
    link: tuple[Workshop, WorkshopParticipant | None] | None = g.workshop_link
    return link


def _unknown_link(response: Response) -> bool:
    return response.status_code == 404


def _known_link() -> bool:
    return _link() is not None


# A room of thirty phones polls from one address every few seconds: a large budget per
# address; and a small one that only unknown links use up.
limiter.shared_limit(_page_limit, scope="workshop-room")(bp)
limiter.shared_limit(
    _miss_limit, scope="workshop-room-miss", deduct_when=_unknown_link, exempt_when=_known_link
)(bp)


@bp.before_request
def _open_link() -> ResponseReturnValue | None:
    if _link() is None:
        return render_template("workshops/unknown.html"), 404
    return None


@bp.after_request
def _private(response: Response) -> Response:
    response.headers["Referrer-Policy"] = "no-referrer"
    response.headers.setdefault("Cache-Control", "no-store")
    response.headers["X-Robots-Tag"] = "noindex, nofollow"
    return response


def _workshop() -> Workshop:
    link = _link()
    assert link is not None
    return link[0]


def _participant() -> WorkshopParticipant | None:
    link = _link()
    return link[1] if link else None


def _joined() -> WorkshopParticipant | Response:
    """The participant, or a redirect to the join page for a phone that has not joined."""
    participant = _participant()
    if participant is None:
        return redirect(url_for("workshop_room.join", token=_token()))
    return participant


def _token() -> str:
    return str((request.view_args or {}).get("token", ""))


@bp.route("/<token>", methods=["GET", "POST"])
def join(token: str) -> ResponseReturnValue:
    workshop = _workshop()
    if _participant() is not None:
        return redirect(url_for("workshop_room.room", token=token))
    form = JoinForm()
    if workshop.phase is Phase.RESULT:
        return render_template("workshops/join.html", workshop=workshop, form=None), 410
    if form.validate_on_submit():
        user = current_user if current_user.is_authenticated else None
        try:
            _joiner, secret = service.join(
                workshop, name=form.name.data or "", side=Side(form.side.data), user=user
            )
        except ServiceError as error:
            form[error.field or "name"].errors.append(error.message)
        else:
            response = redirect(url_for("workshop_room.room", token=token))
            response.set_cookie(
                COOKIE,
                secret,
                max_age=COOKIE_DAYS * 24 * 3600,
                path=url_for("workshop_room.join", token=token),
                secure=request.is_secure or bool(current_app.config["SESSION_COOKIE_SECURE"]),
                httponly=True,
                samesite="Lax",
            )
            return response
    status = 422 if request.method == "POST" else 200
    return render_template("workshops/join.html", workshop=workshop, form=form), status


def _room_page(
    participant: WorkshopParticipant, status: int = 200, **forms: Any
) -> tuple[str, int]:
    workshop = _workshop()
    room: Room = load_room(workshop, participant)
    locale = str(get_locale() or "en")
    traits = chosen_traits(room.board, locale)
    return render_template(
        "workshops/room.html",
        room=room,
        workshop=workshop,
        token=_token(),
        note_form=forms.get("note_form") or NoteForm(formdata=None),
        rate_form=RateForm(formdata=None),
        rate_errors=forms.get("rate_errors", {}),
        dots_form=DotsForm(formdata=None),
        promise_form=forms.get("promise_form") or PromiseForm(formdata=None, traits=traits),
        action_form=ActionForm(formdata=None),
        problem=forms.get("problem"),
        state_url=url_for("workshop_room.state", token=_token()),
        poll_ms=poll_ms("WORKSHOP_POLL_MS"),
        locale=locale,
        label=trait_label,
        ends=scale_ends(locale),
    ), status


@bp.get("/<token>/room")
def room(token: str) -> ResponseReturnValue:
    participant = _joined()
    if isinstance(participant, Response):
        return participant
    return _room_page(participant)


@bp.get("/<token>/state")
def state(token: str) -> ResponseReturnValue:
    """The phone's poll: one query (the link and the cookie), 304 while nothing changed."""
    found = service.poll_state(_workshop(), _participant())
    return poll_response(found.etag, found.as_dict)


@bp.post("/<token>/notes")
def write(token: str) -> ResponseReturnValue:
    participant = _joined()
    if isinstance(participant, Response):
        return participant
    form = NoteForm()
    if not form.validate_on_submit():
        return _room_page(participant, 422, note_form=form)
    try:
        note = service.write_note(
            participant,
            text=form.text.data,
            example=form.example.data or "",
            signed=form.signed.data,
            self_rating=form.self_rating.data,
        )
    except ServiceError as error:
        if error.field in ("text", "example", "self_rating"):
            form[error.field].errors.append(error.message)
            return _room_page(participant, 422, note_form=form)
        # Writing closed meanwhile: the page of the new phase, with the note kept to copy.
        return _room_page(participant, 409, note_form=form, problem=error.message)
    if note.self_rating is None:
        flash(_("Your note is on the wall. Now: are we like that?"), "info")
    return redirect(url_for("workshop_room.room", token=token, _anchor=f"note-{note.id}"))


@bp.post("/<token>/notes/<int:note_id>/rating")
def rate(token: str, note_id: int) -> ResponseReturnValue:
    participant = _joined()
    if isinstance(participant, Response):
        return participant
    form = RateForm()
    if form.validate_on_submit():
        try:
            service.rate_note(participant, note_id, form.self_rating.data)
        except ServiceError as error:
            return _room_page(participant, 409, problem=error.message)
        return redirect(url_for("workshop_room.room", token=token, _anchor=f"note-{note_id}"))
    return _room_page(participant, 422, rate_errors={note_id: _("Choose a point on the scale.")})


@bp.route("/<token>/notes/<int(min=1, max=2147483647):note_id>/remove", methods=["GET", "POST"])
def remove_note(token: str, note_id: int) -> ResponseReturnValue:
    """Take one's own note back while the room writes. GET: the confirmation page (without
    JavaScript; with it, a dialog posts the phone's form). POST: remove. Anyone else's
    note, or one that is gone: 404."""
    participant = _joined()
    if isinstance(participant, Response):
        return participant
    workshop = _workshop()
    form = ActionForm()
    try:
        if form.validate_on_submit():
            service.remove_note(workshop, note_id, participant=participant)
            return redirect(url_for("workshop_room.room", token=token))
        note = service.note_to_remove(workshop, note_id, participant=participant)
    except service.NoteNotFound as error:
        return _room_page(participant, 404, problem=error.message)
    except ServiceError as error:
        return _room_page(participant, 409, problem=error.message)
    return render_template(
        "workshops/confirm.html",
        layout="workshops/_room_layout.html",
        kind="remove_own_note",
        note=note,
        form=form,
        action=url_for("workshop_room.remove_note", token=token, note_id=note.id),
        cancel_url=url_for("workshop_room.room", token=token, _anchor=f"note-{note.id}"),
    )


@bp.post("/<token>/votes")
def vote(token: str) -> ResponseReturnValue:
    participant = _joined()
    if isinstance(participant, Response):
        return participant
    form = DotsForm()
    if not form.validate_on_submit():
        return _room_page(participant, 422, problem=_("That vote was not understood."))
    try:
        service.set_dots(participant, form.cluster_id.data, form.dots.data)
    except ServiceError as error:
        return _room_page(participant, 409, problem=error.message)
    return redirect(
        url_for("workshop_room.room", token=token, _anchor=f"cluster-{form.cluster_id.data}")
    )


@bp.post("/<token>/actions")
def promise(token: str) -> ResponseReturnValue:
    participant = _joined()
    if isinstance(participant, Response):
        return participant
    workshop = _workshop()
    board = load_room(workshop, participant).board
    form = PromiseForm(traits=chosen_traits(board, str(get_locale() or "en")))
    if form.validate_on_submit():
        try:
            service.add_action(
                workshop,
                form.cluster_id.data,
                text=form.text.data,
                owner=form.owner.data or "",
                due_on=form.due_on.data,
                participant=participant,
            )
        except ServiceError as error:
            if error.field in ("cluster_id", "text", "owner", "due_on"):
                form[error.field].errors.append(error.message)
                return _room_page(participant, 422, promise_form=form)
            return _room_page(participant, 409, promise_form=form, problem=error.message)
        flash(_("Your promise is added."), "success")
        return redirect(url_for("workshop_room.room", token=token))
    return _room_page(participant, 422, promise_form=form)


@bp.post("/<token>/actions/<int:action_id>/remove")
def remove_promise(token: str, action_id: int) -> ResponseReturnValue:
    participant = _joined()
    if isinstance(participant, Response):
        return participant
    if not ActionForm().validate_on_submit():
        return _room_page(participant, 400)
    try:
        service.remove_action(_workshop(), action_id, participant=participant)
    except ServiceError as error:
        return _room_page(participant, 409, problem=error.message)
    return redirect(url_for("workshop_room.room", token=token))
