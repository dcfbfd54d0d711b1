"""Typed SQLAlchemy models of SPEC.md's concepts, one module per group."""

from ..fit import Side
from .accounts import ApiToken, Role, User, UserSession, Workspace
from .assessments import (
    IMPORTANCE_HI,
    IMPORTANCE_LO,
    Answer,
    Assessment,
    AssessmentTrait,
    Commitment,
    CommitmentStatus,
    Kind,
    Respondent,
    RevealPolicy,
    RoundSummary,
    State,
)
from .base import utcnow
from .partners import Contact, Outcome, Partner
from .traits import Trait, TraitSet

__all__ = [
    "IMPORTANCE_HI",
    "IMPORTANCE_LO",
    "Answer",
    "ApiToken",
    "Assessment",
    "AssessmentTrait",
    "Commitment",
    "CommitmentStatus",
    "Contact",
    "Kind",
    "Outcome",
    "Partner",
    "Respondent",
    "RevealPolicy",
    "Role",
    "RoundSummary",
    "Side",
    "State",
    "Trait",
    "TraitSet",
    "User",
    "UserSession",
    "Workspace",
    "utcnow",
]
