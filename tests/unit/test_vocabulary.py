"""One public vocabulary for a round's result, built in `fitcheck.vocabulary` only."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from fitcheck import fit, vocabulary

from ..worked_example import TRAITS, worked_fit

ROOT = Path(__file__).resolve().parents[2]


def _assess(min_responses: int = 1) -> fit.FitResult:
    return worked_fit(min_responses)


def _terms() -> list[vocabulary.Term]:
    return [*vocabulary.ROUND_TERMS, *vocabulary.TRAIT_TERMS]


def test_names_are_unique_snake_case_and_described():
    for terms in (vocabulary.ROUND_TERMS, vocabulary.TRAIT_TERMS):
        names = [term.name for term in terms]
        assert len(names) == len(set(names))
    for term in _terms():
        assert re.fullmatch(r"[a-z][a-z0-9_]*", term.name)
        assert term.description.endswith(".") and term.kind in (float, int, bool, str)


@pytest.mark.parametrize("min_responses", [1, 2], ids=["both sides", "client withheld"])
def test_every_value_has_its_declared_type(min_responses):
    result = _assess(min_responses)
    values = [(term, term.read(result)) for term in vocabulary.ROUND_TERMS] + [
        (term, term.read(row)) for term in vocabulary.TRAIT_TERMS for row in result.traits
    ]
    for term, value in values:
        assert value is None or type(value) is term.kind, (term.name, value)
        if term.choices and value is not None:
            assert value in term.choices


def test_the_engine_names_map_to_the_public_ones():
    result = _assess()
    mirror = result.comparisons.mirror
    values = vocabulary.round_values(result)
    assert values["mirror_score"] == mirror.similarity == pytest.approx(64.1658, abs=1e-4)
    assert (values["level_us"], values["level_them"]) == (mirror.level_x, mirror.level_y)
    assert values["shape_r"] == mirror.shape and values["elevation"] == mirror.elevation
    assert (values["shape_ci_low"], values["shape_ci_high"]) == mirror.shape_ci
    assert values["d2_shape"] == mirror.decomposition.shape
    assert values["verdict"] == "one_sided" and values["falls_short"] == "client"
    assert values["self_described_score"] == result.comparisons.self_described.similarity
    assert values["responses_client"] == 1 and values["withheld_client"] is False
    row = vocabulary.trait_values(result.trait("response"))
    assert row["blind_spot_company"] is True and row["band"] == "major"
    assert vocabulary.headline(result) == {name: values[name] for name in vocabulary.HEADLINE}


def test_the_change_document_reads_the_engine_comparison():
    before, after = _assess(), _assess()
    change = fit.compare_rounds(before, after)
    document = vocabulary.change_document(change)
    assert document is not None
    assert document["mirror_score"] == {
        "previous": before.mirror.similarity,
        "current": after.mirror.similarity,
        "delta": 0.0,
        "no_change": True,
    }
    assert [trait["key"] for trait in document["traits"]] == list(TRAITS)
    assert "traits" not in vocabulary.change_document(change, traits=False)
    assert vocabulary.change_deltas(change) == {
        "mirror_score_change": 0.0,
        "level_us_change": 0.0,
        "level_them_change": 0.0,
    }
    assert vocabulary.change_document(None) is None
    assert set(vocabulary.change_deltas(None).values()) == {None}


def test_every_public_name_is_documented_in_the_api_guide():
    guide = (ROOT / "docs" / "api.md").read_text(encoding="utf-8")
    for term in _terms():
        assert f"`{term.name}`" in guide or f".{term.name}`" in guide, term.name


# The engine's own names for the mirror's numbers: reading them to write a field is the
# renaming that belongs to the vocabulary alone.
ENGINE_NAMES = {"similarity", "level_x", "level_y", "shape_ci", "t_prime", "decomposition"}
WRITERS = [
    *sorted((ROOT / "fitcheck" / "api").glob("*.py")),
    ROOT / "fitcheck" / "services" / "exports.py",
    ROOT / "fitcheck" / "services" / "documents.py",
    ROOT / "fitcheck" / "services" / "listings.py",
    ROOT / "fitcheck" / "services" / "workspace_export.py",
]


@pytest.mark.parametrize("path", WRITERS, ids=lambda path: path.name)
def test_what_leaves_fitcheck_is_renamed_in_the_vocabulary_only(path):
    tree = ast.parse(path.read_text(encoding="utf-8"))
    read = {
        node.attr
        for node in ast.walk(tree)
        if isinstance(node, ast.Attribute) and node.attr in ENGINE_NAMES
    }
    assert not read, f"{path.name} reads {sorted(read)}: use fitcheck.vocabulary"
