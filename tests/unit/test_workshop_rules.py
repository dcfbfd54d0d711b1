"""The workshop's rules that need no database: dots, the team's self-view, drafted traits,
templates and the tally."""

from __future__ import annotations

import pytest

from fitcheck.models.workshops import (
    DEFAULT_TEMPLATES,
    PHASES,
    Phase,
    default_dots,
    draft_trait,
    self_view,
    tally,
    template_problem,
)


def test_the_phases_keep_their_names_and_order():
    assert [phase.value for phase in PHASES] == [
        "write",
        "group",
        "vote",
        "decide",
        "act",
        "result",
    ]
    assert Phase("vote") is Phase.VOTE


@pytest.mark.parametrize(
    ("clusters", "dots"),
    [(0, 1), (1, 1), (3, 1), (4, 2), (10, 3), (11, 4), (20, 6), (21, 7)],
)
def test_three_dots_per_ten_clusters_rounded_up_at_least_one(clusters, dots):
    assert default_dots(clusters) == dots


def test_the_self_view_counts_each_person_once_with_mean_and_spread():
    # Person 1 wrote two notes of the cluster (2 and 4: one voice of 3), persons 2 and 4
    # rated 5 and 1, person 3 left their note unrated.
    view = self_view([(1, 2), (1, 4), (2, 5), (3, None), (4, 1)])
    assert view.count == 3
    assert view.mean == 3.0
    assert view.spread == 1.63  # the population SD, to two places
    assert (view.lo, view.hi) == (1.0, 5.0)


def test_a_self_view_of_nobody_is_empty_and_below_three_people_gives_only_the_count():
    assert self_view([(1, None)]).mean is None
    assert self_view([]).count == 0
    for ratings in ([(7, 3)], [(7, 3), (8, 5)]):
        few = self_view(ratings)
        assert (few.count, few.mean, few.spread, few.lo, few.hi) == (
            len(ratings),
            None,
            None,
            None,
            None,
        )


def test_a_trait_is_drafted_in_both_languages_with_the_partner_left_to_fill():
    draft = draft_trait(
        DEFAULT_TEMPLATES,
        {"en": "Responds quickly", "ja": "返事が早い"},
        ["answers within a day", "no waiting {weeks}"],
    )
    assert draft["label_en"] == "Responds quickly"
    assert draft["label_ja"] == "返事が早い"
    assert draft["question_other_en"] == "How well does {partner} live up to “Responds quickly”?"
    assert draft["question_self_en"] == "How well do we live up to “Responds quickly”?"
    assert draft["question_other_ja"] == "{partner}は「返事が早い」と言えますか。"
    assert draft["question_self_ja"] == "私たちは「返事が早い」と言えますか。"
    # A brace typed on a note never reads as a placeholder.
    assert "“no waiting (weeks)”" in draft["description_en"]
    assert "「answers within a day」「no waiting (weeks)」" in draft["description_ja"]


def test_edited_templates_shape_the_draft():
    templates = {**DEFAULT_TEMPLATES, "question_self_en": "Are we {trait}, honestly?"}
    draft = draft_trait(templates, {"en": "candid", "ja": "率直"}, [])
    assert draft["question_self_en"] == "Are we candid, honestly?"


@pytest.mark.parametrize(
    ("field", "template", "problem"),
    [
        ("question_other_en", "Does {partner} do {trait}?", None),
        ("question_other_en", "Does the client do {trait}?", "partner"),
        ("question_self_ja", "私たちは{trait}?", None),
        ("question_self_en", "Do we {verb}?", "braces"),
        ("description_en", "Notes: {notes} }", "braces"),
    ],
)
def test_templates_take_only_known_placeholders(field, template, problem):
    assert template_problem(field, template) == problem


def test_the_tally_adds_dots_and_counts_voters_per_cluster():
    assert tally([(1, 10, 2), (2, 10, 1), (2, 11, 1)]) == {10: (3, 2), 11: (1, 1)}
