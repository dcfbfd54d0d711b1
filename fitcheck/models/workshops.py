"""The brand-partner workshop (SPEC.md, "Where the mirror starts"): a team writes the traits
of its ideal partner on notes, rates itself on each ("are we like that?"), groups, votes,
decides, promises, and leaves with a trait set.

A workshop's rows hang off it with composite keys, so a note, a vote or an action can only
name a participant or a cluster of the same workshop, and the workshop only one of its own
workspace. The pure rules of the exercise (the dots each participant has, the team's
self-view on a cluster, a trait drafted from the facilitator's templates) are functions
here, tested without an app.
"""

from __future__ import annotations

import enum
import math
import statistics
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    CheckConstraint,
    Date,
    ForeignKey,
    ForeignKeyConstraint,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .. import limits
from ..defaults import BRAND_PARTNER
from ..extensions import db
from ..fit import Side
from .base import UTCDateTime, WorkspaceOwned, in_same_workspace, str_enum, utcnow


class Phase(enum.StrEnum):
    """The steps of a workshop, in order; only the facilitator moves it on."""

    WRITE = "write"
    GROUP = "group"
    VOTE = "vote"
    DECIDE = "decide"
    ACT = "act"
    RESULT = "result"


PHASES: tuple[Phase, ...] = tuple(Phase)

#: The scale the team rates itself on, that of the default trait set (and of the result).
SCALE_LO = BRAND_PARTNER.scale_lo
SCALE_HI = BRAND_PARTNER.scale_hi
WORKSHOP_LANGUAGES = ("en", "ja")


def scale_ends(locale: str) -> tuple[str, str]:
    """What the lowest and the highest point of the scale mean, in `locale`."""
    labels = BRAND_PARTNER.point_labels_ja if locale == "ja" else BRAND_PARTNER.point_labels_en
    return labels[0], labels[-1]


#: The question a workshop opens with unless the facilitator writes another.
DEFAULT_QUESTION = {
    "en": "What is a good client — a brand partner — for us?",
    "ja": "私たちにとっての良いお客様 ― ブランド・パートナー ― とは、どんな相手でしょう?",
}

#: How a chosen cluster becomes a trait: `{trait}` is its label in that language, `{notes}`
#: the notes it gathers; `{partner}` stays, for the assessment to fill with a name.
DRAFT_FIELDS = (
    "description_en",
    "description_ja",
    "question_other_en",
    "question_other_ja",
    "question_self_en",
    "question_self_ja",
)
DEFAULT_TEMPLATES: dict[str, str] = {
    "description_en": "What we wrote about a good partner: {notes}",
    "description_ja": "良いパートナーについて私たちが書いたこと:{notes}",
    "question_other_en": "How well does {partner} live up to “{trait}”?",
    "question_other_ja": "{partner}は「{trait}」と言えますか。",
    "question_self_en": "How well do we live up to “{trait}”?",
    "question_self_ja": "私たちは「{trait}」と言えますか。",
}
#: Placeholders a template may hold; every other brace is refused.
TEMPLATE_PLACEHOLDERS = ("{partner}", "{trait}", "{notes}")


class Workshop(WorkspaceOwned, db.Model):  # type: ignore[name-defined,misc]
    __tablename__ = "workshops"
    __table_args__ = (
        UniqueConstraint("id", "workspace_id"),
        CheckConstraint("dots IS NULL OR dots >= 1", name="dots_positive"),
        CheckConstraint("version >= 0", name="version_not_negative"),
        CheckConstraint("language IN ('en', 'ja')", name="language_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    question: Mapped[str] = mapped_column(String(limits.WORKSHOP_QUESTION))
    # The language of the room: the default question's and the result trait set's name.
    language: Mapped[str] = mapped_column(String(5), default="en")
    phase: Mapped[Phase] = mapped_column(str_enum(Phase, "workshop_phase"), default=Phase.WRITE)
    # The join link's token is derived from this nonce under SECRET_KEY, so the board can
    # show it again; only its SHA-256 is stored for the lookup (see fitcheck.tokens).
    token_nonce: Mapped[str] = mapped_column(String(32), unique=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    # Each participant's dots: set by the facilitator, or fixed when the vote opens.
    dots: Mapped[int | None]
    # The facilitator's wording of a drafted trait (DEFAULT_TEMPLATES' keys).
    templates: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)
    # Raised by every change anyone in the room could see: the screens poll it (ETag).
    version: Mapped[int] = mapped_column(default=0)
    created_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    phase_changed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The trait set the workshop ended with.
    trait_set_id: Mapped[int | None] = mapped_column(
        ForeignKey("trait_sets.id", ondelete="SET NULL"), index=True
    )

    clusters: Mapped[list[WorkshopCluster]] = relationship(
        back_populates="workshop",
        primaryjoin="Workshop.id == WorkshopCluster.workshop_id",
        foreign_keys="WorkshopCluster.workshop_id",
        order_by="(WorkshopCluster.position, WorkshopCluster.id)",
        passive_deletes=True,
    )

    def template(self, field: str) -> str:
        return str(self.templates.get(field) or DEFAULT_TEMPLATES[field])

    def reached(self, phase: Phase) -> bool:
        """The workshop is at `phase` or past it."""
        return PHASES.index(self.phase) >= PHASES.index(phase)


class WorkshopParticipant(WorkspaceOwned, db.Model):  # type: ignore[name-defined,misc]
    """Someone in the room, on our side or the client's, known by a cookie: no account."""

    __tablename__ = "workshop_participants"
    __table_args__ = (
        UniqueConstraint("id", "workshop_id"),
        in_same_workspace("workshop_id", "workshops", ondelete="CASCADE"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    workshop_id: Mapped[int] = mapped_column(index=True)
    # Shown only on the notes they sign; empty: nobody learns who they are.
    name: Mapped[str] = mapped_column(String(limits.PERSON_NAME), default="")
    user_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    side: Mapped[Side] = mapped_column(str_enum(Side, "participant_side"), default=Side.COMPANY)
    # SHA-256 of the random token in the participant's cookie.
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class WorkshopNote(WorkspaceOwned, db.Model):  # type: ignore[name-defined,misc]
    """A trait of the ideal partner in a short phrase, with the writer's answer to its mirror
    question ("are we like that?") about their own side."""

    __tablename__ = "workshop_notes"
    __table_args__ = (
        CheckConstraint(
            f"self_rating >= {SCALE_LO} AND self_rating <= {SCALE_HI}", name="self_in_scale"
        ),
        in_same_workspace("workshop_id", "workshops", ondelete="CASCADE"),
        ForeignKeyConstraint(
            ["participant_id", "workshop_id"],
            ["workshop_participants.id", "workshop_participants.workshop_id"],
            ondelete="CASCADE",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    workshop_id: Mapped[int] = mapped_column(index=True)
    participant_id: Mapped[int] = mapped_column(index=True)
    text: Mapped[str] = mapped_column(String(limits.WORKSHOP_NOTE))
    example: Mapped[str] = mapped_column(Text, default="")
    signed: Mapped[bool] = mapped_column(default=False)
    self_rating: Mapped[int | None]
    # Null until the room first groups; from then on, every note is in one cluster of its
    # workshop (the services keep it there), except a note written after a step back to
    # writing, until grouping resumes.
    cluster_id: Mapped[int | None] = mapped_column(
        ForeignKey("workshop_clusters.id", ondelete="SET NULL"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    participant: Mapped[WorkshopParticipant] = relationship(
        primaryjoin="WorkshopParticipant.id == WorkshopNote.participant_id",
        foreign_keys="WorkshopNote.participant_id",
    )

    def writer(self) -> str | None:
        """The name the room may see: only on a signed note, and only if one was given."""
        return (self.participant.name or None) if self.signed else None


class WorkshopCluster(WorkspaceOwned, db.Model):  # type: ignore[name-defined,misc]
    """Notes that say the same thing, under one name; chosen, it becomes a trait."""

    __tablename__ = "workshop_clusters"
    __table_args__ = (
        UniqueConstraint("id", "workshop_id"),
        in_same_workspace("workshop_id", "workshops", ondelete="CASCADE"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    workshop_id: Mapped[int] = mapped_column(index=True)
    name: Mapped[str] = mapped_column(String(limits.WORKSHOP_CLUSTER))
    position: Mapped[int] = mapped_column(default=0)
    chosen: Mapped[bool] = mapped_column(default=False)
    # The trait drafted for it (TraitText's fields), edited by the facilitator.
    draft: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)
    # The trait it became, and where that trait came from, frozen when the workshop ended:
    # its notes, dots and voters, the team's self-view and the workshop's date.
    trait_id: Mapped[int | None] = mapped_column(
        ForeignKey("traits.id", ondelete="SET NULL"), index=True
    )
    provenance: Mapped[dict[str, Any] | None] = mapped_column(JSON)

    workshop: Mapped[Workshop] = relationship(
        back_populates="clusters",
        primaryjoin="Workshop.id == WorkshopCluster.workshop_id",
        foreign_keys="WorkshopCluster.workshop_id",
    )
    notes: Mapped[list[WorkshopNote]] = relationship(
        primaryjoin="WorkshopCluster.id == WorkshopNote.cluster_id",
        foreign_keys="WorkshopNote.cluster_id",
        order_by="WorkshopNote.id",
        viewonly=True,
    )


class WorkshopVote(WorkspaceOwned, db.Model):  # type: ignore[name-defined,misc]
    """The dots one participant put on one cluster."""

    __tablename__ = "workshop_votes"
    __table_args__ = (
        UniqueConstraint("participant_id", "cluster_id"),
        CheckConstraint("dots >= 1", name="dots_positive"),
        in_same_workspace("workshop_id", "workshops", ondelete="CASCADE"),
        ForeignKeyConstraint(
            ["participant_id", "workshop_id"],
            ["workshop_participants.id", "workshop_participants.workshop_id"],
            ondelete="CASCADE",
        ),
        ForeignKeyConstraint(
            ["cluster_id", "workshop_id"],
            ["workshop_clusters.id", "workshop_clusters.workshop_id"],
            ondelete="CASCADE",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    workshop_id: Mapped[int] = mapped_column(index=True)
    # Looked up through the unique (participant_id, cluster_id) index.
    participant_id: Mapped[int]
    cluster_id: Mapped[int] = mapped_column(index=True)
    dots: Mapped[int]


class WorkshopAction(WorkspaceOwned, db.Model):  # type: ignore[name-defined,misc]
    """What we must do more of to meet such a partner, on one chosen trait. The first
    assessment launched on the workshop's trait set takes it on as our side's commitment."""

    __tablename__ = "workshop_actions"
    __table_args__ = (
        in_same_workspace("workshop_id", "workshops", ondelete="CASCADE"),
        ForeignKeyConstraint(
            ["cluster_id", "workshop_id"],
            ["workshop_clusters.id", "workshop_clusters.workshop_id"],
            ondelete="CASCADE",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    workshop_id: Mapped[int] = mapped_column(index=True)
    cluster_id: Mapped[int] = mapped_column(index=True)
    # Who wrote it (a participant may take back their own); null when the facilitator did.
    participant_id: Mapped[int | None] = mapped_column(
        ForeignKey("workshop_participants.id", ondelete="SET NULL"), index=True
    )
    text: Mapped[str] = mapped_column(Text)
    owner: Mapped[str] = mapped_column(String(limits.COMMITMENT_OWNER), default="")
    due_on: Mapped[date | None] = mapped_column(Date)
    # The commitment a launch made of it; null: still open, for the next launch to take.
    commitment_id: Mapped[int | None] = mapped_column(
        ForeignKey("commitments.id", ondelete="SET NULL"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    cluster: Mapped[WorkshopCluster] = relationship(
        primaryjoin="WorkshopCluster.id == WorkshopAction.cluster_id",
        foreign_keys="WorkshopAction.cluster_id",
        viewonly=True,
    )


# ----------------------------------------------------------------------------------------
# The rules of the exercise, without a database
# ----------------------------------------------------------------------------------------

DOTS_PER_TEN_CLUSTERS = 3


def default_dots(clusters: int) -> int:
    """Each participant's dots: 3 per 10 clusters, rounded up, at least 1."""
    return max(1, math.ceil(DOTS_PER_TEN_CLUSTERS * clusters / 10))


# Fewer people than this and a self-view gives only its count: from one voice the mean is
# that person's rating (tied to a name on a signed note), from two "low–high" is both
# ratings. Nobody's rating is ever shown on its own — board, phones, summary, API and the
# trait's frozen provenance all go through `self_view`.
SELF_VIEW_MIN_PEOPLE = 3


@dataclass(frozen=True)
class SelfView:
    """How one side of the room rated itself on a cluster's notes ("are we like that?").

    One voice per person: a participant who wrote several of its notes counts once, with
    the mean of their ratings. `spread` is the standard deviation of those voices, `lo`
    and `hi` the lowest and highest: where the team doubts itself. With fewer than
    `SELF_VIEW_MIN_PEOPLE` voices only `count` is given; the rest is None (`hidden`)."""

    count: int
    mean: float | None
    spread: float | None
    lo: float | None
    hi: float | None

    def as_dict(self) -> dict[str, Any]:
        return {
            "count": self.count,
            "mean": self.mean,
            "spread": self.spread,
            "lo": self.lo,
            "hi": self.hi,
        }

    @property
    def min_people(self) -> int:
        return SELF_VIEW_MIN_PEOPLE

    @property
    def hidden(self) -> bool:
        """Some people rated, too few for their view to show (see `SELF_VIEW_MIN_PEOPLE`)."""
        return 0 < self.count < SELF_VIEW_MIN_PEOPLE


def self_view(ratings: Iterable[tuple[int, int | None]]) -> SelfView:
    """The self-view from `(participant_id, rating)` pairs; unrated notes are left out.

    Below `SELF_VIEW_MIN_PEOPLE` voices, only their count."""
    by_person: dict[int, list[int]] = {}
    for person, rating in ratings:
        if rating is not None:
            by_person.setdefault(person, []).append(rating)
    voices = [statistics.fmean(values) for values in by_person.values()]
    if len(voices) < SELF_VIEW_MIN_PEOPLE:
        return SelfView(len(voices), None, None, None, None)
    return SelfView(
        count=len(voices),
        mean=round(statistics.fmean(voices), 2),
        spread=round(statistics.pstdev(voices), 2),
        lo=round(min(voices), 2),
        hi=round(max(voices), 2),
    )


def _inserted(value: str) -> str:
    """Text put into a template: a brace in a note must not read as a placeholder."""
    return value.replace("{", "(").replace("}", ")")


def quoted_notes(texts: Sequence[str], locale: str) -> str:
    if locale == "ja":
        return "".join(f"「{_inserted(text)}」" for text in texts)
    return ", ".join(f"“{_inserted(text)}”" for text in texts)


def draft_trait(
    templates: Mapping[str, str], labels: Mapping[str, str], notes: Sequence[str]
) -> dict[str, str]:
    """A trait's wording in both languages from the templates: `labels` by locale, `notes`
    the phrases of its cluster. The keys are those of `services.traits.TraitText`."""
    draft = {f"label_{locale}": labels[locale].strip() for locale in WORKSHOP_LANGUAGES}
    for field in DRAFT_FIELDS:
        locale = field.rsplit("_", 1)[1]
        template = templates.get(field) or DEFAULT_TEMPLATES[field]
        draft[field] = (
            template.replace("{trait}", _inserted(labels[locale].strip()))
            .replace("{notes}", quoted_notes(notes, locale))
            .strip()
        )
    return draft


def template_problem(field: str, template: str) -> str | None:
    """What is wrong with a template, as a code the form words, or None.

    `braces`: a brace that is no known placeholder; `partner`: a question about the partner
    without `{partner}`."""
    rest = template
    for placeholder in TEMPLATE_PLACEHOLDERS:
        rest = rest.replace(placeholder, "")
    if "{" in rest or "}" in rest:
        return "braces"
    if field.startswith("question_other") and "{partner}" not in template:
        return "partner"
    return None


def tally(votes: Iterable[tuple[int, int, int]]) -> dict[int, tuple[int, int]]:
    """`{cluster_id: (dots, voters)}` from `(participant_id, cluster_id, dots)` rows."""
    result: dict[int, tuple[int, int]] = {}
    for _participant, cluster, dots in votes:
        total, voters = result.get(cluster, (0, 0))
        result[cluster] = (total + dots, voters + 1)
    return result
