"""How a results page names the two sides, from its reader's side.

Staff read the results as the company: "the company" is their own workspace and "the
client" the partner (自社 / クライアント in Japanese). A respondent reads them from their
own side, which may be the client's: to them the workspace is another company. So a
respondent's page calls the reader's side "your company" (貴社) and the other side by its
name, in every label, heading, legend and flag. Every word that names a side on the
results page, its report and its charts comes from one :class:`Perspective`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask_babel import gettext

from .models import Side


def _(string: str, **variables: Any) -> str:
    return str(gettext(string, **variables))


def _other(side: Side) -> Side:
    return Side.CLIENT if side is Side.COMPANY else Side.COMPANY


@dataclass(frozen=True, slots=True)
class Perspective:
    """The two sides' names for one reader: ``viewer`` is the respondent's side, ``None``
    for staff; ``company`` is the workspace's name, ``client`` the partner's."""

    viewer: Side | None
    company: str
    client: str

    @property
    def for_staff(self) -> bool:
        return self.viewer is None

    def organization(self, side: Side) -> str:
        return self.company if side is Side.COMPANY else self.client

    def name(self, side: Side) -> str:
        """The side in the middle of a sentence: "the client (Sakura Trading)" for staff,
        "your company" or "Sakura Trading" for a respondent."""
        if self.for_staff:
            if side is Side.COMPANY:
                return _("the company (%(name)s)", name=self.company)
            return _("the client (%(name)s)", name=self.client)
        return _("your company") if side is self.viewer else self.organization(side)

    def title(self, side: Side) -> str:
        """The side at the start of a heading or sentence."""
        if self.for_staff:
            if side is Side.COMPANY:
                return _("The company (%(name)s)", name=self.company)
            return _("The client (%(name)s)", name=self.client)
        return _("Your company") if side is self.viewer else self.organization(side)

    def short(self, side: Side) -> str:
        """The side in a table cell: "Company" / "Client" for staff."""
        if self.for_staff:
            return _("Company") if side is Side.COMPANY else _("Client")
        return self.title(side)

    # The four views, and last round's ---------------------------------------------------

    def seen(self, side: Side) -> str:
        """How the other side sees ``side``: the filled shape in ``side``'s colour."""
        if self.for_staff:
            if side is Side.COMPANY:
                return _("Company as seen by the client")
            return _("Client as seen by the company")
        return _(
            "%(seen)s as seen by %(seer)s", seen=self.title(side), seer=self.name(_other(side))
        )

    def self_view(self, side: Side) -> str:
        if self.for_staff:
            return _("Company's self-view") if side is Side.COMPANY else _("Client's self-view")
        return _("%(side)s's self-view", side=self.title(side))

    def seen_last_round(self, side: Side) -> str:
        if self.for_staff:
            if side is Side.COMPANY:
                return _("Company as seen by the client, last round")
            return _("Client as seen by the company, last round")
        return _(
            "%(seen)s as seen by %(seer)s, last round",
            seen=self.title(side),
            seer=self.name(_other(side)),
        )

    def level(self, side: Side) -> str:
        """The level of ``side`` as the other side sees it (a percentage follows)."""
        if self.for_staff:
            if side is Side.COMPANY:
                return _("Level of the company, as the client sees it")
            return _("Level of the client, as the company sees it")
        return _(
            "Level of %(side)s, as %(seer)s sees it",
            side=self.name(side),
            seer=self.name(_other(side)),
        )

    def seen_higher(self, side: Side) -> str:
        """An end of the gap axis: ``side`` is seen higher than the other."""
        if self.for_staff:
            return _("company seen higher") if side is Side.COMPANY else _("client seen higher")
        return _("%(side)s seen higher", side=self.name(side))

    @property
    def gap(self) -> str:
        """The gap's definition, client seen − company seen, as an axis title."""
        if self.for_staff:
            return _("Gap: client as seen by the company − company as seen by the client")
        return _(
            "Gap: %(client)s − %(company)s",
            client=self.seen(Side.CLIENT),
            company=self.seen(Side.COMPANY),
        )

    @property
    def elevation(self) -> str:
        if self.for_staff:
            return _(
                "Elevation (client as seen by the company − company as seen by the client, "
                "in scale points)"
            )
        return _(
            "Elevation (%(client)s − %(company)s, in scale points)",
            client=self.seen(Side.CLIENT),
            company=self.seen(Side.COMPANY),
        )

    # Flags of a trait ----------------------------------------------------------------------

    def blind_spot(self, side: Side) -> str:
        if self.for_staff:
            return _("company blind spot") if side is Side.COMPANY else _("client blind spot")
        return _("blind spot of %(side)s", side=self.name(side))

    def hidden_strength(self, side: Side) -> str:
        if self.for_staff:
            if side is Side.COMPANY:
                return _("company hidden strength")
            return _("client hidden strength")
        return _("hidden strength of %(side)s", side=self.name(side))

    def disagrees(self, side: Side) -> str:
        if self.for_staff:
            if side is Side.COMPANY:
                return _("company disagrees within")
            return _("client disagrees within")
        return _("%(side)s disagrees within", side=self.title(side))

    # Sentences -----------------------------------------------------------------------------

    @property
    def radar_caption(self) -> str:
        if self.for_staff:
            return _(
                "Filled shapes: how each side sees the other. Dashed and dotted lines: how "
                "each side sees itself. The company is always blue with squares, the client "
                "orange with circles."
            )
        return _(
            "Filled shapes: how each side sees the other. Dashed and dotted lines: how each "
            "side sees itself. %(company)s is always blue with squares, %(client)s orange "
            "with circles.",
            company=self.title(Side.COMPANY),
            client=self.name(Side.CLIENT),
        )

    @property
    def bars_caption(self) -> str:
        if self.for_staff:
            return _(
                "Positive: the company sees more of the trait in the client than the client "
                "sees in the company — it asks of the client what it may not show itself."
            )
        return _(
            "Positive: %(company)s sees more of the trait in %(client)s than %(client)s sees "
            "in %(company)s.",
            company=self.name(Side.COMPANY),
            client=self.name(Side.CLIENT),
        )

    def thinks_alike(self, seer: Side) -> str:
        """Does ``seer`` think the other side is like it?"""
        if self.for_staff:
            if seer is Side.COMPANY:
                return _("Does the company think the client is like it?")
            return _("Does the client think the company is like it?")
        return _(
            "Does %(seer)s think %(seen)s is like it?",
            seer=self.name(seer),
            seen=self.name(_other(seer)),
        )

    def sees_as_itself(self, seen: Side) -> str:
        """Does the other side see ``seen`` as ``seen`` sees itself?"""
        if self.for_staff:
            if seen is Side.COMPANY:
                return _("Does the client see the company as the company sees itself?")
            return _("Does the company see the client as the client sees itself?")
        return _(
            "Does %(seer)s see %(seen)s as %(seen)s sees itself?",
            seer=self.name(_other(seen)),
            seen=self.name(seen),
        )

    def answer_counts(self, company: int, client: int) -> str:
        if self.for_staff:
            return _(
                "Answers: %(company)d from the company, %(client)d from the client.",
                company=company,
                client=client,
            )
        return _(
            "Answers: %(company_count)d from %(company)s, %(client_count)d from %(client)s.",
            company_count=company,
            client_count=client,
            company=self.name(Side.COMPANY),
            client=self.name(Side.CLIENT),
        )
