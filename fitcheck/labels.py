"""Display labels of the engine's words, in the user's language, for every page that
shows them: pages import them from here, never from one another's views."""

from __future__ import annotations

from .fit import Verdict
from .i18n import lazy_gettext as _l

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
