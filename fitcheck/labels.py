"""Display labels of the engine's words, in the user's language, for every page that
shows them: pages import them from here, never from one another's views."""

from __future__ import annotations

from . import portfolio as stats
from .fit import Verdict
from .i18n import lazy_gettext as _l
from .services.analysis import Measure

# Short names, for tables that list many rounds.
VERDICT_NAMES = {
    Verdict.MUTUAL_FIT: _l("Mutual fit"),
    Verdict.ALIKE_BUT_WEAK: _l("Alike, but not both strong"),
    Verdict.ONE_SIDED: _l("One-sided"),
    Verdict.MISFIT: _l("Misfit"),
    Verdict.NOT_ENOUGH_DATA: _l("Not enough data"),
}

# In full, for the results page of one round.
VERDICTS = {
    Verdict.MUTUAL_FIT: _l("Mutual fit: you see each other alike, and both at a high level."),
    Verdict.ALIKE_BUT_WEAK: _l(
        "Alike, but not both strong: you mirror each other, and at least one of you is "
        "below the bar."
    ),
    Verdict.ONE_SIDED: _l("One-sided: you see each other differently."),
    Verdict.MISFIT: _l("Misfit: you see each other differently, and neither reaches the bar."),
    Verdict.NOT_ENOUGH_DATA: _l(
        "Not enough data: a side has too few answers, or no trait was rated by both."
    ),
}


# --------------------------------------------------------------------------------------------
# The portfolio test (FIT_MODEL.md §"Portfolio"): words of association, never of cause, and
# "no evidence of" where a confidence interval merely contains a value.
# --------------------------------------------------------------------------------------------

MEASURE_NAMES = {
    Measure.SATISFACTION: _l("Satisfaction (0–10)"),
    Measure.RENEWED: _l("Renewed (1 = yes, 0 = no)"),
    Measure.CONTRACT_SIGNED: _l("Contract signed (1 = yes, 0 = no)"),
    Measure.REVENUE: _l("Revenue"),
}

PORTFOLIO_VERDICTS = {
    stats.PortfolioVerdict.TOO_FEW: _l(
        "Too few rounds to tell: with fewer than %(min)s rounds the numbers below are "
        "preliminary, and no direction is claimed.",
        min=stats.SMALL_SAMPLE_BELOW,
    ),
    stats.PortfolioVerdict.SUPPORTED: _l(
        "The data are consistent with like attracts like: outcomes are best where both sides "
        "see each other alike, whatever the level."
    ),
    stats.PortfolioVerdict.LEVEL_ONLY: _l(
        "A level effect: both sides seeing each other high goes with better outcomes; these "
        "data show no evidence of an added effect of being alike."
    ),
    stats.PortfolioVerdict.NOT_SUPPORTED: _l(
        "No support for like attracts like here: the conditions listed below do not hold."
    ),
    stats.PortfolioVerdict.UNTESTABLE: _l(
        "Cannot be tested: the surface fits these rounds exactly, so nothing is left to test "
        "the conditions with. More rounds with an outcome are needed."
    ),
    stats.PortfolioVerdict.NOT_ENOUGH_DATA: _l("Nothing is fitted yet."),
}

# `one_side_matters`, naming the side whose view goes with the outcome.
ONE_SIDE_MATTERS = {
    stats.View.US: _l(
        "One side's view goes with the outcome more than the other's: how the client sees "
        "the company (X). This is not a fit effect."
    ),
    stats.View.THEM: _l(
        "One side's view goes with the outcome more than the other's: how the company sees "
        "the client (Y). This is not a fit effect."
    ),
}

FAILURES = {
    stats.FailedCondition.NO_INCONGRUENCE_EFFECT: _l(
        "No evidence that the outcome is lower as the two views move apart (a4 is not "
        "significantly below 0)."
    ),
    stats.FailedCondition.ASYMMETRIC: _l(
        "Which side sees the other higher goes with the outcome (the 95% CI of a3 does not "
        "contain 0)."
    ),
    stats.FailedCondition.AXIS_UNDEFINED: _l(
        "The ridge of the surface cannot be located: the first principal axis or its "
        "bootstrap CI is undefined, or fewer than 90 percent of the bootstrap resamples gave one."
    ),
    stats.FailedCondition.AXIS_NOT_THROUGH_ORIGIN: _l(
        "The ridge of the surface does not pass through the point where both views are "
        "equal and central (the 95% CI of p10 does not contain 0)."
    ),
    stats.FailedCondition.AXIS_NOT_DIAGONAL: _l(
        "The ridge of the surface does not run along the line of equal views (the 95% CI "
        "of p11 does not contain 1)."
    ),
}

NOT_FITTED = {
    stats.NotFitted.TOO_FEW_ROUNDS: _l(
        "Nothing is fitted below %(min)s rounds with an outcome.", min=stats.MIN_ROUNDS
    ),
    stats.NotFitted.CONSTANT_OUTCOME: _l(
        "Every round has the same outcome, so there is nothing to explain."
    ),
    stats.NotFitted.SINGULAR_DESIGN: _l(
        "The rounds cannot tell the six terms of the regression apart (for example, when "
        "both sides always see each other at the same level)."
    ),
}


UNTESTABLE_ONE_PARTNER = _l(
    "Cannot be tested: every round comes from one partner, so the rounds are not "
    "independent and nothing is left to test the conditions with. Rounds of more partners "
    "are needed."
)


def portfolio_verdict(analysis: stats.Analysis) -> str:
    """The verdict of the portfolio test in a sentence, naming the side for
    `one_side_matters`, and why for `untestable`."""
    verdict, regression = analysis.verdict, analysis.regression
    if verdict is stats.PortfolioVerdict.ONE_SIDE_MATTERS and analysis.view:
        return str(ONE_SIDE_MATTERS[analysis.view])
    if verdict is stats.PortfolioVerdict.UNTESTABLE and regression and not regression.perfect_fit:
        return str(UNTESTABLE_ONE_PARTNER)
    return str(PORTFOLIO_VERDICTS[verdict])
