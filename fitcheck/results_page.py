"""The results page of a revealed round, as staff and respondents read it: its charts,
labels and context in the reader's language, built from one `rounds.load_round`.

Not a view: the staff routes (views/results.py) and the respondent's link
(views/respond.py) both render the page with it, so neither view imports the other.
"""

from __future__ import annotations

from typing import Any

from flask import render_template
from flask_babel import get_locale
from flask_babel import gettext as _

from . import norms
from .charts.embed import figure_json
from .charts.round import ChartText, gap_bars, mirror_radar
from .charts.theme import CLIENT_COLOUR, COMPANY_COLOUR
from .forms import ActionForm, CommitmentForm
from .labels import VERDICTS
from .models import Assessment, Side
from .perspective import Perspective
from .services import commitments as commitment_service
from .services.rounds import Round


def chart_text(sides: Perspective) -> ChartText:
    return ChartText(
        them=sides.seen(Side.CLIENT),
        us=sides.seen(Side.COMPANY),
        them_self=sides.self_view(Side.CLIENT),
        us_self=sides.self_view(Side.COMPANY),
        previous_them=sides.seen_last_round(Side.CLIENT),
        previous_us=sides.seen_last_round(Side.COMPANY),
        gap_axis=sides.gap,
        them_higher=sides.seen_higher(Side.CLIENT),
        us_higher=sides.seen_higher(Side.COMPANY),
        company_disagrees=sides.disagrees(Side.COMPANY),
        client_disagrees=sides.disagrees(Side.CLIENT),
        aligned=_("aligned"),
        notable=_("notable"),
        major=_("major"),
        n=_("n"),
        no_data=_("no data"),
    )


def page_context(results: Round, *, viewer: Side | None) -> dict[str, Any]:
    """Everything the results page and the report show, labelled in the current language."""
    assessment = results.assessment
    locale = str(get_locale() or "en")
    traits = {trait.key: trait for trait in assessment.traits}
    company = assessment.partner.workspace.name
    partner = assessment.partner.name
    labels = {key: trait.label(locale) for key, trait in traits.items()}
    questions = {
        key: trait.text("question_other", locale).replace("{partner}", _("the other side"))
        for key, trait in traits.items()
    }
    result = results.fit
    sides = Perspective(viewer=viewer, company=company, client=partner)
    text = chart_text(sides)
    previous = results.previous
    radar = mirror_radar(
        result,
        labels=labels,
        questions=questions,
        text=text,
        previous=previous.fit if previous else None,
        locale=locale,
    )
    bars = gap_bars(result, labels=labels, text=text, locale=locale)
    by_gap = sorted(result.traits, key=lambda row: (row.gap is None, -abs(row.gap or 0.0)))
    return {
        "assessment": assessment,
        "result": result,
        "mirror": result.comparisons.mirror,
        "comparisons": result.comparisons,
        "rows": by_gap,
        "labels": labels,
        "traits": traits,
        "company": company,
        "partner": partner,
        "verdict_text": VERDICTS[result.verdict],
        "comments": results.comments,
        "commitments": commitment_service.list_commitments(assessment),
        "previous": previous,
        "changes": results.change,
        "previous_commitments": (
            commitment_service.list_commitments(previous.assessment) if previous else []
        ),
        "previous_labels": (
            {t.key: t.label(locale) for t in previous.assessment.traits} if previous else {}
        ),
        "radar_json": figure_json(radar),
        "bars_json": figure_json(bars),
        "distinctive": results.distinctive,
        "styles": {side: results.style(side) for side in Side},
        "norm_rounds": norms.MIN_NORM_ROUNDS,
        "norm_traits": norms.MIN_DISTINCTIVE_TRAITS,
        "viewer": viewer,
        "sides": sides,
        "Side": Side,
        "company_colour": COMPANY_COLOUR,
        "client_colour": CLIENT_COLOUR,
    }


def commitment_form(assessment: Assessment, viewer: Side | None) -> CommitmentForm:
    locale = str(get_locale() or "en")
    return CommitmentForm(
        traits=[(t.id, t.label(locale)) for t in assessment.traits], viewer=viewer
    )


def render_results(template: str, results: Round, *, viewer: Side | None, **extra: Any) -> str:
    context = page_context(results, viewer=viewer)
    context.setdefault("commitment_form", commitment_form(results.assessment, viewer))
    context.update(extra)
    return render_template(template, action_form=ActionForm(), **context)
