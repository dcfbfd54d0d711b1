"""The public names of a round's result: what leaves fitcheck speaks one vocabulary.

The engine (`fit.py`) speaks the formulas' language — `similarity`, `level_x`, the
comparison "mirror" — because that is how FIT_MODEL.md writes them. An integrator, an
analyst with a spreadsheet and a BI tool read `mirror_score`, `level_us`, `level_them`.
The renaming happens here, once: the API's results and timelines, the partner listings,
the JSON export and the CSV and XLSX files all build their fields with these terms, and
the API's schema and docs/api.md describe them with these descriptions.

"Us" is the company (the workspace), "them" the client, as on every staff page. Values are
not rounded, and a value a withheld side would contribute is None, as in the engine.
Pure: no Flask, no database.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Generic, Protocol, TypeAlias, TypeVar

from . import norms
from .fit import (
    Band,
    Change,
    Comparison,
    FitResult,
    RoundChange,
    Side,
    TraitResult,
    TraitStatus,
    Verdict,
)

Cell: TypeAlias = str | int | float | bool | None
T = TypeVar("T")


@dataclass(frozen=True)
class Term(Generic[T]):
    """One public field: its name, its type in JSON, what it means, and how to read it."""

    name: str
    kind: type  # float, int, bool or str; every value may also be None
    description: str
    read: Callable[[T], Cell]
    choices: tuple[str, ...] = ()  # the values a str term takes, when they are a fixed few


def _enum_value(value: object) -> Cell:
    return None if value is None else str(getattr(value, "value", value))


def _mirror(
    name: str, kind: type, description: str, read: Callable[[Comparison], Cell]
) -> Term[FitResult]:
    return Term(name, kind, description, lambda result: read(result.mirror))


def _part(attribute: str) -> Callable[[Comparison], Cell]:
    def read(mirror: Comparison) -> Cell:
        parts = mirror.decomposition
        return None if parts is None else getattr(parts, attribute)

    return read


def _ci(end: int) -> Callable[[Comparison], Cell]:
    return lambda mirror: None if mirror.shape_ci is None else mirror.shape_ci[end]


# The other comparisons of FIT_MODEL.md §6, by the engine's name.
_NAMED_COMPARISONS = {
    "self_described": "the two self-views (us_self → them_self)",
    "company_perceived": "the company's self-view against the client as the company sees it",
    "client_perceived": "the client's self-view against the company as the client sees it",
    "company_blind_spots": "how the client sees the company against its self-view",
    "client_blind_spots": "how the company sees the client against its self-view",
}


def _named_score(name: str, description: str) -> Term[FitResult]:
    return Term(
        f"{name}_score",
        float,
        f"S of {description}, 0..100.",
        lambda result: getattr(result.comparisons, name).similarity,
    )


def _side_terms(side: Side) -> list[Term[FitResult]]:
    def responses(result: FitResult) -> Cell:
        return result.side(side).responses

    def withheld(result: FitResult) -> Cell:
        return result.side(side).withheld

    return [
        Term(
            f"responses_{side.value}",
            int,
            f"Submitted responses of the {side.value} side (shown even when withheld).",
            responses,
        ),
        Term(
            f"withheld_{side.value}",
            bool,
            f"The {side.value} side has fewer responses than the anonymity threshold: "
            "its values are null.",
            withheld,
        ),
    ]


#: The round's measures, in the order of the XLSX "Fit" sheet.
ROUND_TERMS: tuple[Term[FitResult], ...] = (
    _mirror("mirror_score", float, "S of the mirror (us → them), 0..100.", lambda m: m.similarity),
    _mirror(
        "elevation", float, "E = wmean(them) − wmean(us), in scale points.", lambda m: m.elevation
    ),
    _mirror(
        "shape_r",
        float,
        "Pearson r of us and them; null below 3 traits or for a flat profile.",
        lambda m: m.shape,
    ),
    _mirror("shape_ci_low", float, "Lower end of the 95% CI of shape_r.", _ci(0)),
    _mirror("shape_ci_high", float, "Upper end of the 95% CI of shape_r.", _ci(1)),
    _mirror(
        "shape_inconclusive",
        bool,
        "The CI of shape_r is too wide to tell a shape (too few traits).",
        lambda m: m.inconclusive,
    ),
    _mirror("icc", float, "Double-entry intraclass correlation of us and them.", lambda m: m.icc),
    _mirror("d2", float, "D² = Σ gap², the sum of its three parts.", _part("d2")),
    _mirror(
        "d2_elevation", float, "Elevation part of D², T'·(mean_y − mean_x)².", _part("elevation")
    ),
    _mirror("d2_scatter", float, "Scatter part of D², T'·(sd_y − sd_x)².", _part("scatter")),
    _mirror("d2_shape", float, "Shape part of D², 2T'·sd_x·sd_y·(1 − r).", _part("shape")),
    _mirror(
        "d2_elevation_share",
        float,
        "Elevation part ÷ D² (null when D² = 0).",
        _part("elevation_share"),
    ),
    _mirror(
        "d2_scatter_share", float, "Scatter part ÷ D² (null when D² = 0).", _part("scatter_share")
    ),
    _mirror("d2_shape_share", float, "Shape part ÷ D² (null when D² = 0).", _part("shape_share")),
    _mirror(
        "level_us",
        float,
        "L_us: the company's level as the client sees it, 0..1.",
        lambda m: m.level_x,
    ),
    _mirror(
        "level_them",
        float,
        "L_them: the client's level as the company sees it, 0..1.",
        lambda m: m.level_y,
    ),
    _mirror("traits_compared", int, "T': traits both sides rated.", lambda m: m.t_prime),
    Term(
        "verdict",
        str,
        "mutual_fit, alike_but_weak, one_sided, misfit or not_enough_data.",
        lambda result: _enum_value(result.verdict),
        choices=tuple(Verdict),
    ),
    Term(
        "falls_short",
        str,
        "For one_sided: the side with the lower level (company or client); else null.",
        lambda result: _enum_value(result.falls_short),
        choices=tuple(Side),
    ),
    Term(
        "similarity_threshold",
        float,
        "The S a mutual fit needs (the workspace's setting).",
        lambda result: result.thresholds.similar,
    ),
    Term(
        "level_threshold",
        float,
        "The level L both sides need (the workspace's setting).",
        lambda result: result.thresholds.level,
    ),
    *(_named_score(name, description) for name, description in _NAMED_COMPARISONS.items()),
    *(term for side in Side for term in _side_terms(side)),
    Term(
        "min_responses_per_side",
        int,
        "k, the anonymity threshold: fewer responses withhold a side.",
        lambda result: result.min_responses,
    ),
    Term("scale_lo", int, "The rating scale's lowest point.", lambda result: result.scale.lo),
    Term("scale_hi", int, "The rating scale's highest point.", lambda result: result.scale.hi),
)

#: A trait's row, in the order of the CSV's columns.
TRAIT_TERMS: tuple[Term[TraitResult], ...] = (
    Term("weight", float, "w_t: the sides' mean importance (1 if none).", lambda r: r.weight),
    Term(
        "us",
        float,
        "The company as seen by the client: mean of the client's other-ratings.",
        lambda r: r.us,
    ),
    Term(
        "them",
        float,
        "The client as seen by the company: mean of the company's other-ratings.",
        lambda r: r.them,
    ),
    Term("us_self", float, "The company's self-view.", lambda r: r.us_self),
    Term("them_self", float, "The client's self-view.", lambda r: r.them_self),
    Term("gap", float, "The mirror gap them − us.", lambda r: r.gap),
    Term(
        "band",
        str,
        "aligned (|gap| < R/8), notable (< R/4) or major.",
        lambda r: _enum_value(r.band),
        choices=tuple(Band),
    ),
    Term(
        "blind_spot_company",
        bool,
        "The company's self-view exceeds the client's view of it by ≥ R/4.",
        lambda r: r.company.blind_spot,
    ),
    Term(
        "hidden_strength_company",
        bool,
        "The client's view of the company exceeds its self-view by ≥ R/4.",
        lambda r: r.company.hidden_strength,
    ),
    Term(
        "blind_spot_client",
        bool,
        "The client's self-view exceeds the company's view of it by ≥ R/4.",
        lambda r: r.client.blind_spot,
    ),
    Term(
        "hidden_strength_client",
        bool,
        "The company's view of the client exceeds its self-view by ≥ R/4.",
        lambda r: r.client.hidden_strength,
    ),
    Term(
        "rwg_company",
        float,
        "Agreement of the company's other-ratings (0..1; needs 2 ratings).",
        lambda r: r.company.rwg,
    ),
    Term(
        "rwg_client",
        float,
        "Agreement of the client's other-ratings (0..1; needs 2 ratings).",
        lambda r: r.client.rwg,
    ),
)

#: The round measures whose change since the last round is reported (FIT_MODEL.md §10).
CHANGED: Mapping[str, Callable[[RoundChange], Change]] = {
    "mirror_score": lambda change: change.similarity,
    "level_us": lambda change: change.level_us,
    "level_them": lambda change: change.level_them,
}

#: What a list of rounds shows of each one.
HEADLINE = ("mirror_score", "level_us", "level_them", "verdict", "falls_short")
HEADLINE_TERMS = tuple(term for term in ROUND_TERMS if term.name in HEADLINE)
#: What a round's stored summary gives of it (`stored_headline`).
STORED_HEADLINE_TERMS = tuple(term for term in HEADLINE_TERMS if term.name != "falls_short")


def round_values(result: FitResult) -> dict[str, Cell]:
    """Every measure of a round, by its public name (`ROUND_TERMS`)."""
    return {term.name: term.read(result) for term in ROUND_TERMS}


def trait_values(row: TraitResult) -> dict[str, Cell]:
    """A trait's numbers and flags, by their public names (`TRAIT_TERMS`)."""
    return {term.name: term.read(row) for term in TRAIT_TERMS}


def headline(result: FitResult) -> dict[str, Cell]:
    """S, both levels and the verdict, as a list of rounds shows them."""
    values = round_values(result)
    return {name: values[name] for name in HEADLINE}


class StoredSummary(Protocol):
    """A round's stored summary (`services.summaries.Summary`): the engine's numbers."""

    @property
    def similarity(self) -> float | None: ...
    @property
    def level_us(self) -> float | None: ...
    @property
    def level_them(self) -> float | None: ...


def stored_headline(summary: StoredSummary, verdict: Verdict) -> dict[str, Cell]:
    """The headline of a round read from its stored summary rather than its answers."""
    return {
        "mirror_score": summary.similarity,
        "level_us": summary.level_us,
        "level_them": summary.level_them,
        "verdict": _enum_value(verdict),
    }


def _change_document(change: Change) -> dict[str, Cell]:
    return {
        "previous": change.previous,
        "current": change.current,
        "delta": change.delta,
        "no_change": change.no_change,
    }


def change_deltas(change: RoundChange | None) -> dict[str, Cell]:
    """`<measure>_change`: this round's value − the last round's, flat for a table row."""
    return {
        f"{name}_change": None if change is None else read(change).delta
        for name, read in CHANGED.items()
    }


#: How a trait key relates two rounds (`traits[].status` of a change).
TRAIT_STATUSES = tuple(TraitStatus)


def change_document(change: RoundChange | None, *, traits: bool = True) -> dict[str, object] | None:
    """The change since the last round: each measure's previous and current value, the
    delta and whether it reads as no change (below the annual review's step); the two
    verdicts; and, with `traits`, each trait's change (matched by key, retired and new
    traits included). None for a first round."""
    if change is None:
        return None
    document: dict[str, object] = {
        **{name: _change_document(read(change)) for name, read in CHANGED.items()},
        "previous_verdict": _enum_value(change.previous_verdict),
        "verdict": _enum_value(change.current_verdict),
    }
    if traits:
        document["traits"] = [
            {
                "key": trait.trait,
                "status": _enum_value(trait.status),
                "us": _change_document(trait.us),
                "them": _change_document(trait.them),
                "gap": _change_document(trait.gap),
            }
            for trait in change.traits
        ]
    return document


# --------------------------------------------------------------------------------------------
# Beside the mirror (`fitcheck.norms`): each side's response style, the distinctive
# correlation against the workspace's norm
# --------------------------------------------------------------------------------------------


def style_document(style: norms.ResponseStyle) -> dict[str, Cell]:
    """A side's response-style index: mean and SD of (self-view − the other side's view of
    it) over `traits`, and its leaning (modest, neutral, self_enhancing)."""
    return {
        "mean": style.mean,
        "sd": style.sd,
        "traits": style.traits,
        "leaning": _enum_value(style.leaning),
    }


def norms_document(distinctive: norms.Distinctive | None) -> dict[str, Cell] | None:
    """The distinctive profile correlation (`distinctive_r`), the traits and rounds behind
    it, and why it is missing (few_rounds, few_traits, flat); None when not computed."""
    if distinctive is None:
        return None
    return {
        "distinctive_r": distinctive.r,
        "traits": distinctive.traits,
        "rounds": distinctive.rounds,
        "missing": _enum_value(distinctive.missing),
    }


def beside_values(
    styles: Mapping[Side, norms.ResponseStyle], distinctive: norms.Distinctive | None
) -> dict[str, Cell]:
    """The same, flat, as rows of the XLSX "Fit" sheet."""
    values: dict[str, Cell] = {}
    for side in Side:
        values[f"response_style_{side.value}"] = styles[side].mean
        values[f"response_style_{side.value}_sd"] = styles[side].sd
    values["distinctive_r"] = None if distinctive is None else distinctive.r
    return values


# --------------------------------------------------------------------------------------------
# The exports' columns in words: a second header row in the workspace's language
# --------------------------------------------------------------------------------------------


def N_(message: str) -> str:
    """Mark an English column name for the translation catalogs; the exports translate it
    in the workspace's language when they write it. The vocabulary stays free of Flask."""
    return message


#: Every column of the CSV and XLSX files, and every field of the JSON export's trait rows,
#: by machine name: the English words the catalogs translate. The machine names stay the
#: files' first row; these only ever name them.
COLUMN_LABELS: Mapping[str, str] = {
    "assessment_id": N_("Assessment ID"),
    "partner": N_("Partner"),
    "kind": N_("Kind"),
    "side": N_("Side"),
    "respondent": N_("Respondent"),
    "trait_key": N_("Trait key"),
    "trait_label_en": N_("Trait (English)"),
    "trait_label_ja": N_("Trait (Japanese)"),
    # The JSON export's trait rows name the same three shorter.
    "key": N_("Trait key"),
    "label_en": N_("Trait (English)"),
    "label_ja": N_("Trait (Japanese)"),
    "perspective": N_("Perspective"),
    "value": N_("Value"),
    "answer": N_("Answer"),
    "weight": N_("Weight"),
    "us": N_("Company as seen by the client"),
    "them": N_("Client as seen by the company"),
    "us_self": N_("Company's self-view"),
    "them_self": N_("Client's self-view"),
    "gap": N_("Gap"),
    "band": N_("Band"),
    "blind_spot_company": N_("Company's blind spot"),
    "hidden_strength_company": N_("Company's hidden strength"),
    "blind_spot_client": N_("Client's blind spot"),
    "hidden_strength_client": N_("Client's hidden strength"),
    "rwg_company": N_("Agreement within the company (rwg)"),
    "rwg_client": N_("Agreement within the client (rwg)"),
    "mirror_score": N_("Mirror score"),
    "verdict": N_("Verdict"),
    "previous_assessment_id": N_("Last round's assessment ID"),
    "mirror_score_change": N_("Mirror score change since the last round"),
    "measure": N_("Measure"),
    "comment": N_("Comment"),
    # The audit log's CSV (`services.audit.CSV_COLUMNS`; "kind" is above).
    "created_at": N_("When (UTC)"),
    "actor_kind": N_("Acted as"),
    "actor": N_("Who"),
    "subject": N_("Subject"),
    "details": N_("Details"),
    "ip_address": N_("IP address"),
}

#: The fields of a trait row of the JSON export (`documents.round_document`), in order.
TRAIT_ROW_FIELDS = ("key", "label_en", "label_ja", *(term.name for term in TRAIT_TERMS))
