"""Which round is "the last round": the one rule, without an app or a database."""

from __future__ import annotations

import ast
from datetime import UTC, datetime, timedelta
from pathlib import Path

from fitcheck.services.rounds import RoundFacts, previous_round

START = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
PACKAGE = Path(__file__).resolve().parents[2] / "fitcheck"


def facts(
    id: int,
    *,
    revealed: int | None,
    previous_id: int | None = None,
    scale: tuple[int, int] = (1, 5),
    partner_id: int = 1,
) -> RoundFacts:
    """A round revealed `revealed` days after START (None: not revealed)."""
    return RoundFacts(
        id=id,
        partner_id=partner_id,
        previous_id=previous_id,
        revealed_at=None if revealed is None else START + timedelta(days=revealed),
        scale=scale,
    )


def pick(current: RoundFacts, *candidates: RoundFacts) -> int | None:
    chosen = previous_round(current, [current, *candidates])
    return None if chosen is None else chosen.id


def test_a_review_is_compared_with_the_round_it_continues():
    a = facts(1, revealed=0)
    other = facts(2, revealed=10)  # revealed later than A, but not the one B continues
    b = facts(3, revealed=20, previous_id=1)
    assert pick(b, a, other) == 1


def test_a_round_without_a_link_is_compared_with_the_latest_revealed_before_it():
    a = facts(1, revealed=0)
    b = facts(2, revealed=10, previous_id=1)
    c = facts(3, revealed=20)
    assert pick(c, a, b) == 2
    assert pick(a, b, c) is None  # the first round has none


def test_reveal_time_decides_not_the_id():
    late_id_early_reveal = facts(9, revealed=1)
    early_id_late_reveal = facts(4, revealed=5)
    current = facts(10, revealed=7)
    assert pick(current, late_id_early_reveal, early_id_late_reveal) == 4
    # Rounds revealed in the same instant are ordered by id.
    assert pick(facts(10, revealed=7), facts(5, revealed=3), facts(6, revealed=3)) == 6


def test_rounds_revealed_after_it_are_never_the_last_round():
    current = facts(1, revealed=10)
    assert pick(current, facts(2, revealed=11), facts(3, revealed=30)) is None
    # Even the round it claims to continue, if that one was revealed after it.
    assert pick(facts(1, revealed=10, previous_id=2), facts(2, revealed=11)) is None


def test_an_unrevealed_link_falls_back_to_the_latest_revealed_round():
    draft = facts(2, revealed=None)
    earlier = facts(1, revealed=0)
    assert pick(facts(3, revealed=20, previous_id=2), draft, earlier) == 1
    assert pick(facts(3, revealed=20, previous_id=2), draft) is None


def test_only_rounds_on_the_same_scale_are_compared():
    five = facts(1, revealed=0)
    seven = facts(2, revealed=10, scale=(1, 7))
    assert pick(facts(3, revealed=20), five, seven) == 1
    assert pick(facts(3, revealed=20, scale=(1, 7)), five, seven) == 2
    # A link to a round on another scale cannot be compared: the rule falls back.
    assert pick(facts(3, revealed=20, previous_id=2), five, seven) == 1


def test_rounds_of_other_partners_do_not_count():
    assert pick(facts(2, revealed=10), facts(1, revealed=0, partner_id=2)) is None


def test_a_round_not_revealed_yet_looks_at_every_revealed_round():
    assert pick(facts(3, revealed=None), facts(1, revealed=0), facts(2, revealed=5)) == 2
    assert (
        pick(facts(3, revealed=None, previous_id=1), facts(1, revealed=0), facts(2, revealed=5))
        == 1
    )


def _modules(folder: str) -> list[tuple[Path, ast.Module]]:
    return [
        (path, ast.parse(path.read_text(encoding="utf-8")))
        for path in sorted((PACKAGE / folder).glob("*.py"))
    ]


def test_no_view_or_api_handler_computes_with_the_fit_model():
    """`fit.compare_rounds` is called from services/rounds.py only; views and API handlers
    render what the services computed (they may name the engine's types, never call it)."""
    for folder in ("views", "api"):
        for path, tree in _modules(folder):
            for node in ast.walk(tree):
                if isinstance(node, ast.Attribute | ast.Name):
                    name = node.attr if isinstance(node, ast.Attribute) else node.id
                    assert name != "compare_rounds", f"{path.name} compares rounds itself"
                # No call of the engine's functions (`fit.assess(...)`); its types may be named.
                if (
                    isinstance(node, ast.Call)
                    and isinstance(node.func, ast.Attribute)
                    and isinstance(node.func.value, ast.Name)
                    and node.func.value.id == "fit"
                ):
                    assert not node.func.attr[0].islower(), (path.name, node.func.attr)
                if isinstance(node, ast.ImportFrom) and node.module in ("fit", "fitcheck.fit"):
                    functions = {alias.name for alias in node.names if alias.name[0].islower()}
                    assert not functions, (path.name, functions)
    callers = [
        path.name
        for path, tree in _modules("services")
        if any(
            isinstance(node, ast.Attribute) and node.attr == "compare_rounds"
            for node in ast.walk(tree)
        )
    ]
    assert callers == ["rounds.py"]


def test_no_view_imports_another_view():
    """Labels live in fitcheck/labels.py and reading in the services, so a view needs no
    other view; `access`, `scoping` and `polling` are the views' shared guards and helpers,
    not views."""
    shared = {"access", "scoping", "polling"}
    views = {path.stem for path in (PACKAGE / "views").glob("*.py")} - shared
    imports = set()
    for path, tree in _modules("views"):
        if path.name == "__init__.py":  # registers the blueprints
            continue
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.level == 1:
                names = [node.module] if node.module else [a.name for a in node.names]
                imports |= {(path.stem, name) for name in names if name in views}
    assert imports == set()


def test_the_portfolio_change_is_the_difference_of_the_scores_as_shown():
    from fitcheck.services.rounds import similarity_change
    from fitcheck.services.summaries import Summary

    def summary(similarity: float | None) -> Summary:
        return Summary(
            assessment_id=1,
            withheld=False,
            similarity=similarity,
            level_us=None,
            level_them=None,
            x=None,
            y=None,
            company_responses=1,
            client_responses=1,
        )

    # 63.04 → 69.46 reads "63.0 → 69.5 (+6.5)" on the results page: the portfolio agrees.
    assert similarity_change(summary(63.04), summary(69.46)) == 6.5
    assert similarity_change(None, summary(69.46)) is None
    assert similarity_change(summary(None), summary(69.46)) is None
