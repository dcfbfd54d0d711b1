"""Workspace members: an owner invites colleagues, they join through the mailed link, and
owners change roles or remove members.

An invitation is a `MemberInvitation` row and a queued mail, committed together. Its link
is single use and valid for INVITATION_VALIDITY; the token is derived from a nonce stored
on the row (`fitcheck.tokens.derived_token`, purpose "member"), so the worker rebuilds the
link when it writes the mail, and resending issues a new nonce that ends the old link.

One person belongs to one workspace for now: an address with an account anywhere cannot
be invited. A workspace always keeps an owner: demoting or removing the last one is
refused, also when two owners try it at once (the owners' rows are locked on PostgreSQL;
the guard is part of the UPDATE or DELETE itself, which SQLite runs under its write lock).
Removing a member deletes the user: the schema deletes their sessions and API tokens with
it, so both stop working on the next request.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from flask import current_app
from flask_babel import get_locale
from sqlalchemy import delete, exists, func, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import aliased, joinedload
from sqlalchemy.sql.elements import ColumnElement

from .. import limits
from ..extensions import db
from ..i18n import lazy_gettext as _l
from ..models import MemberInvitation, OutboxMessage, Role, User, Workspace, utcnow
from ..tokens import derived_token, hash_token, new_nonce
from ..urls import external_url
from . import ServiceError, audit, check_length, outbox
from .accounts import hash_password, normalize_email
from .dates import format_datetime
from .outbox import Rendered
from .passwords import check_password

INVITATION_VALIDITY = timedelta(days=7)
TOKEN_PURPOSE = "member"  # noqa: S105 - the purpose of a derived token, not a secret
JOIN_ENDPOINT = "members.join"
MAIL_KIND = "member_invitation"
# Derived tokens are 43 characters; anything much longer is not one of ours.
MAX_TOKEN_LENGTH = 100

LAST_OWNER = _l(
    "A workspace needs at least one owner. Make another member an owner first, then try again."
)


@dataclass(frozen=True)
class Team:
    """What /members shows: everyone in the workspace and the invitations still open."""

    members: list[User]
    pending: list[MemberInvitation]

    @property
    def owner_count(self) -> int:
        return sum(1 for member in self.members if member.role is Role.OWNER)


class LinkState(enum.Enum):
    """What a join link leads to."""

    VALID = "valid"
    UNKNOWN = "unknown"
    EXPIRED = "expired"
    REVOKED = "revoked"
    USED = "used"
    # The address already has an account in the inviting workspace: sign in instead.
    JOINED = "joined"
    # The address has an account in another workspace (one person, one workspace for now).
    ELSEWHERE = "elsewhere"


@dataclass(frozen=True)
class JoinLink:
    state: LinkState
    invitation: MemberInvitation | None = None

    @property
    def workspace_name(self) -> str:
        if self.invitation is None:
            return ""
        workspace = db.session.get(Workspace, self.invitation.workspace_id)
        return workspace.name if workspace is not None else ""


class LinkUnavailable(ServiceError):
    """The link stopped being usable while the invitee filled in the form."""

    def __init__(self, link: JoinLink) -> None:
        super().__init__(_l("This invitation link can no longer be used."))
        self.link = link


# Reading


def list_members(workspace_id: int) -> Team:
    """The workspace's members and open invitations: two queries, whatever their number."""
    members = list(
        db.session.scalars(
            select(User)
            .where(User.workspace_id == workspace_id)
            .order_by(func.lower(User.name), User.id)
        )
    )
    pending = list(
        db.session.scalars(
            select(MemberInvitation)
            .options(joinedload(MemberInvitation.invited_by))
            .where(
                MemberInvitation.workspace_id == workspace_id,
                MemberInvitation.accepted_at.is_(None),
                MemberInvitation.revoked_at.is_(None),
            )
            .order_by(MemberInvitation.created_at.desc(), MemberInvitation.id.desc())
        )
    )
    return Team(members=members, pending=pending)


def find_member(workspace_id: int, user_id: int) -> User | None:
    return db.session.scalar(
        select(User).where(User.id == user_id, User.workspace_id == workspace_id)
    )


def is_last_owner(member: User) -> bool:
    if member.role is not Role.OWNER:
        return False
    owners = db.session.scalar(
        select(func.count(User.id)).where(
            User.workspace_id == member.workspace_id, User.role == Role.OWNER
        )
    )
    return (owners or 0) <= 1


def find_invitation(workspace_id: int, invitation_id: int) -> MemberInvitation | None:
    return db.session.scalar(
        select(MemberInvitation).where(
            MemberInvitation.id == invitation_id, MemberInvitation.workspace_id == workspace_id
        )
    )


def is_expired(invitation: MemberInvitation, now: datetime | None = None) -> bool:
    return invitation.expires_at <= (now or utcnow())


# Inviting


def link_token(invitation: MemberInvitation) -> str:
    """The token of the invitation's link, rebuilt from its nonce."""
    return derived_token(current_app.config["SECRET_KEY"], TOKEN_PURPOSE, invitation.token_nonce)


def join_url(invitation: MemberInvitation) -> str:
    """The absolute URL of the join page, `/join/<token>`, under BASE_URL."""
    return external_url(JOIN_ENDPOINT, token=link_token(invitation))


def invite_member(
    owner: User, *, email: str, role: Role, now: datetime | None = None
) -> MemberInvitation:
    """Record an invitation and queue its mail in one commit."""
    moment = now or utcnow()
    email = normalize_email(email)
    check_length(email, limits.EMAIL, "email", _l("The email address"))
    _check_invitable(owner.workspace_id, email)
    invitation = MemberInvitation(
        workspace_id=owner.workspace_id,
        email=email,
        role=role,
        locale=_mail_locale(owner),
        invited_by_id=owner.id,
        created_at=moment,
    )
    _issue_link(invitation, moment)
    db.session.add(invitation)
    db.session.flush()
    _queue_mail(invitation, moment)
    audit.record(
        audit.Kind.MEMBER_INVITED,
        workspace_id=owner.workspace_id,
        actor=owner,
        subject=email,
        role=role.value,
    )
    db.session.commit()
    return invitation


def resend_invitation(
    owner: User, invitation: MemberInvitation, *, now: datetime | None = None
) -> MemberInvitation:
    """Mail a new link, valid for another INVITATION_VALIDITY; the previous link stops
    working."""
    moment = now or utcnow()
    _check_open(invitation)
    _issue_link(invitation, moment)
    _queue_mail(invitation, moment)
    audit.record(
        audit.Kind.MEMBER_INVITED,
        workspace_id=invitation.workspace_id,
        actor=owner,
        subject=invitation.email,
        role=invitation.role.value,
        resent=True,
    )
    db.session.commit()
    return invitation


def revoke_invitation(
    owner: User, invitation: MemberInvitation, *, now: datetime | None = None
) -> None:
    """End the invitation's link; a mail not sent yet is cancelled by its renderer."""
    _check_open(invitation)
    invitation.revoked_at = now or utcnow()
    audit.record(
        audit.Kind.MEMBER_INVITATION_REVOKED,
        workspace_id=invitation.workspace_id,
        actor=owner,
        subject=invitation.email,
        role=invitation.role.value,
    )
    db.session.commit()


def _check_invitable(workspace_id: int, email: str) -> None:
    account = db.session.scalar(select(User).where(User.email == email))
    if account is not None and account.workspace_id == workspace_id:
        raise ServiceError(
            _l("%(name)s is already a member of this workspace.", name=account.name), "email"
        )
    if account is not None:
        raise ServiceError(
            _l(
                "This address already has an account in another fitcheck workspace. For now, "
                "a person can belong to one workspace only: ask them for another work address."
            ),
            "email",
        )
    waiting = db.session.scalar(
        select(MemberInvitation.id).where(
            MemberInvitation.workspace_id == workspace_id,
            MemberInvitation.email == email,
            MemberInvitation.accepted_at.is_(None),
            MemberInvitation.revoked_at.is_(None),
        )
    )
    if waiting is not None:
        raise ServiceError(
            _l(
                "An invitation to this address is already waiting for an answer. Resend it "
                "from the list of pending invitations, or revoke it to invite with another role."
            ),
            "email",
        )


def _check_open(invitation: MemberInvitation) -> None:
    if invitation.accepted_at is not None:
        raise ServiceError(_l("This invitation has already been accepted."))
    if invitation.revoked_at is not None:
        raise ServiceError(_l("This invitation has been revoked."))


def _issue_link(invitation: MemberInvitation, moment: datetime) -> None:
    invitation.token_nonce = new_nonce()
    invitation.token_hash = hash_token(link_token(invitation))
    invitation.sent_at = moment
    invitation.expires_at = moment + INVITATION_VALIDITY


def _queue_mail(invitation: MemberInvitation, moment: datetime) -> OutboxMessage:
    return outbox.enqueue(
        MAIL_KIND,
        to=invitation.email,
        locale=invitation.locale,
        workspace_id=invitation.workspace_id,
        payload={"invitation_id": invitation.id},
        now=moment,
    )


def _mail_locale(owner: User) -> str:
    """The invitee's language is not known yet: the owner's own choice, else the language
    the owner is reading the page in (the app's default outside a request)."""
    if owner.locale in current_app.config["LANGUAGES"]:
        return str(owner.locale)
    return str(get_locale() or current_app.config.get("BABEL_DEFAULT_LOCALE", "en"))


# Joining


def join_link(token: str, *, now: datetime | None = None) -> JoinLink:
    """What the link with `token` leads to."""
    if not token or len(token) > MAX_TOKEN_LENGTH:
        return JoinLink(LinkState.UNKNOWN)
    invitation = db.session.scalar(
        select(MemberInvitation).where(MemberInvitation.token_hash == hash_token(token))
    )
    if invitation is None:
        return JoinLink(LinkState.UNKNOWN)
    if invitation.revoked_at is not None:
        return JoinLink(LinkState.REVOKED, invitation)
    account = db.session.scalar(select(User).where(User.email == invitation.email))
    if account is not None:
        same = account.workspace_id == invitation.workspace_id
        return JoinLink(LinkState.JOINED if same else LinkState.ELSEWHERE, invitation)
    if invitation.accepted_at is not None:
        # Accepted, and that account has been removed since.
        return JoinLink(LinkState.USED, invitation)
    if is_expired(invitation, now):
        return JoinLink(LinkState.EXPIRED, invitation)
    return JoinLink(LinkState.VALID, invitation)


def accept_invitation(token: str, *, name: str, password: str, now: datetime | None = None) -> User:
    """Create the invitee's account with the invitation's email and role, once.

    The invitation is claimed by a conditional UPDATE, so of two submissions of the same
    link only one creates an account; the other gets `LinkUnavailable`.
    """
    moment = now or utcnow()
    link = join_link(token, now=moment)
    if link.state is not LinkState.VALID or link.invitation is None:
        raise LinkUnavailable(link)
    invitation = link.invitation
    name = name.strip()
    check_length(name, limits.PERSON_NAME, "name", _l("The name"))
    check_password(password, email=invitation.email, field="password")
    claimed = db.session.execute(
        update(MemberInvitation)
        .where(
            MemberInvitation.id == invitation.id,
            MemberInvitation.accepted_at.is_(None),
            MemberInvitation.revoked_at.is_(None),
            MemberInvitation.expires_at > moment,
        )
        .values(accepted_at=moment)
        .execution_options(synchronize_session=False)
    )
    if claimed.rowcount != 1:  # type: ignore[attr-defined]
        db.session.rollback()
        raise LinkUnavailable(join_link(token, now=moment))
    user = User(
        workspace_id=invitation.workspace_id,
        email=invitation.email,
        name=name,
        password_hash=hash_password(password),
        role=invitation.role,
        created_at=moment,
        password_changed_at=moment,
    )
    db.session.add(user)
    try:
        db.session.flush()
    except IntegrityError:
        # The address got an account meanwhile (another workspace's invitation, a sign-up).
        db.session.rollback()
        raise LinkUnavailable(join_link(token, now=moment)) from None
    invitation.accepted_at = moment
    invitation.user_id = user.id
    inviter = invitation.invited_by
    audit.record(
        audit.Kind.MEMBER_JOINED,
        workspace_id=invitation.workspace_id,
        actor=user,
        subject=user.email,
        role=user.role.value,
        invited_by=inviter.email if inviter is not None else None,
    )
    db.session.commit()
    return user


# Roles and removal


def change_role(owner: User, member: User, role: Role) -> User:
    """Make `member` an owner or a member; the last owner stays an owner."""
    previous = member.role
    if role is previous:
        return member
    _lock_owners(member.workspace_id)
    statement = update(User).where(User.id == member.id, User.workspace_id == owner.workspace_id)
    if role is not Role.OWNER:
        statement = statement.where(_another_owner(member))
    changed = db.session.execute(
        statement.values(role=role).execution_options(synchronize_session=False)
    )
    if changed.rowcount != 1:  # type: ignore[attr-defined]
        db.session.rollback()
        raise ServiceError(LAST_OWNER)
    audit.record(
        audit.Kind.ROLE_CHANGED,
        workspace_id=owner.workspace_id,
        actor=owner,
        subject=member.email,
        **_change(previous, role),
    )
    db.session.commit()
    return member


def _change(previous: Role, role: Role) -> dict[str, Any]:
    # `from` is a Python keyword, hence a dict for the event's details.
    return {"from": previous.value, "to": role.value}


def remove_member(owner: User, member: User) -> None:
    """Delete the member's account; their sessions and API tokens go with it (the schema
    cascades), and what they created stays, without their name (SET NULL)."""
    _lock_owners(member.workspace_id)
    email, role = member.email, member.role
    audit.record(
        audit.Kind.MEMBER_REMOVED,
        workspace_id=owner.workspace_id,
        actor=owner,
        subject=email,
        name=member.name,
        role=role.value,
    )
    # The event is written before the row goes, so an owner removing themselves is
    # recorded too (its actor_id then becomes NULL; actor_name keeps who it was).
    db.session.flush()
    removed = db.session.execute(
        delete(User)
        .where(
            User.id == member.id,
            User.workspace_id == owner.workspace_id,
            or_(User.role != Role.OWNER, _another_owner(member)),
        )
        .execution_options(synchronize_session=False)
    )
    if removed.rowcount != 1:  # type: ignore[attr-defined]
        db.session.rollback()
        raise ServiceError(LAST_OWNER)
    db.session.expunge(member)
    db.session.commit()


def _lock_owners(workspace_id: int) -> None:
    """Hold the owners' rows until the commit, so that two owners demoting or removing
    each other at once cannot both succeed (PostgreSQL; SQLite ignores FOR UPDATE and
    serializes writers)."""
    db.session.execute(
        select(User.id)
        .where(User.workspace_id == workspace_id, User.role == Role.OWNER)
        .with_for_update()
    )


def _another_owner(member: User) -> ColumnElement[bool]:
    other = aliased(User)
    return exists().where(
        other.workspace_id == member.workspace_id,
        other.role == Role.OWNER,
        other.id != member.id,
    )


# The mail


def render_member_invitation(message: OutboxMessage) -> Rendered | None:
    """The invitation mail, or None once the invitation is accepted, revoked or expired."""
    invitation = db.session.get(MemberInvitation, message.payload.get("invitation_id", -1))
    if invitation is None or invitation.accepted_at is not None:
        return None
    if invitation.revoked_at is not None or is_expired(invitation):
        return None
    from .mailings import render_templates

    return render_templates("member_invitation", invitation_context(invitation, message.locale))


def invitation_context(invitation: MemberInvitation, locale: str) -> dict[str, Any]:
    workspace = db.session.get(Workspace, invitation.workspace_id)
    inviter = invitation.invited_by
    return {
        "locale": locale,
        "workspace": workspace.name if workspace is not None else "",
        "inviter": inviter.name if inviter is not None else None,
        "inviter_email": inviter.email if inviter is not None else None,
        "role": invitation.role.value,
        "expires": format_datetime(invitation.expires_at, "full", zone=True),
        "url": join_url(invitation),
    }
