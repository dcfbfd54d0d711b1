"""Typed SQLAlchemy models of SPEC.md's concepts, one module per group."""

from ..fit import Side
from .accounts import ApiToken, Role, User, UserSession, Workspace
from .activity import ActorKind, AuditEvent, MailStatus, OutboxMessage, ScheduleMark
from .assessments import (
    DEFAULT_REMINDER_DAYS,
    IMPORTANCE_HI,
    IMPORTANCE_LO,
    Answer,
    Assessment,
    AssessmentTrait,
    Commitment,
    CommitmentReview,
    CommitmentStatus,
    Kind,
    Respondent,
    RevealPolicy,
    RoundSummary,
    State,
)
from .base import utcnow
from .meetings import (
    MEETING_LANGUAGES,
    Meeting,
    MeetingCommitment,
    MeetingOrder,
    MeetingParticipant,
)
from .partners import Contact, Outcome, Partner
from .team import MemberInvitation, PasswordReset, SignUpRequest
from .traits import Trait, TraitSet
from .workshops import (
    Phase,
    Workshop,
    WorkshopAction,
    WorkshopCluster,
    WorkshopNote,
    WorkshopParticipant,
    WorkshopVote,
)

__all__ = [
    "DEFAULT_REMINDER_DAYS",
    "IMPORTANCE_HI",
    "IMPORTANCE_LO",
    "MEETING_LANGUAGES",
    "ActorKind",
    "Answer",
    "ApiToken",
    "Assessment",
    "AssessmentTrait",
    "AuditEvent",
    "Commitment",
    "CommitmentReview",
    "CommitmentStatus",
    "Contact",
    "Kind",
    "MailStatus",
    "Meeting",
    "MeetingCommitment",
    "MeetingOrder",
    "MeetingParticipant",
    "MemberInvitation",
    "OutboxMessage",
    "Outcome",
    "Partner",
    "PasswordReset",
    "Phase",
    "Respondent",
    "RevealPolicy",
    "Role",
    "RoundSummary",
    "ScheduleMark",
    "Side",
    "SignUpRequest",
    "State",
    "Trait",
    "TraitSet",
    "User",
    "UserSession",
    "Workshop",
    "WorkshopAction",
    "WorkshopCluster",
    "WorkshopNote",
    "WorkshopParticipant",
    "WorkshopVote",
    "Workspace",
    "utcnow",
]
