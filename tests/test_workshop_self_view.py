"""A cluster's self-view shows nobody's rating on its own, on SQLite and PostgreSQL: below
`SELF_VIEW_MIN_PEOPLE` people only their count is given — on the board, in the API and in
a trait's frozen provenance — and from there the mean, spread and range."""

from __future__ import annotations

from typing import Any

import pytest

from fitcheck.extensions import db
from fitcheck.models import Phase, WorkshopCluster
from fitcheck.models.workshops import SELF_VIEW_MIN_PEOPLE, SelfView, self_view
from fitcheck.services import api_tokens
from fitcheck.services import workshops as service

from .test_workshops import _clusters, facilitator, room  # noqa: F401

HIDDEN = {"mean": None, "spread": None, "lo": None, "hi": None}


def test_the_rule_is_three_people():
    assert SELF_VIEW_MIN_PEOPLE == 3


def test_one_or_two_voices_give_only_their_count():
    assert self_view([]) == SelfView(0, None, None, None, None)
    assert self_view([(1, 4), (2, None)]) == SelfView(1, None, None, None, None)
    # Ken's two notes are one voice: two people.
    assert self_view([(1, 2), (2, 4), (2, 5)]) == SelfView(2, None, None, None, None)
    assert self_view([(1, 2), (2, 4), (3, 5)]) == SelfView(3, 3.67, 1.25, 2.0, 5.0)
    assert self_view([(1, 2)]).hidden and not self_view([]).hidden
    assert not self_view([(1, 2), (2, 4), (3, 5)]).hidden


def _decided(build: Any, raters: int) -> tuple[Any, WorkshopCluster]:
    """One chosen cluster, "Speed", its notes rated 2, 4, 5 by the first `raters` people
    (the first note signed); the room's vote closed."""
    workshop, people = build(people=3)
    for person, rating in zip(people[:raters], (2, 4, 5), strict=False):
        service.write_note(person, text=f"Quick {rating}", self_rating=rating, signed=rating == 2)
    service.write_note(people[2], text="Fast, unrated")
    service.advance(workshop, expected=Phase.WRITE)
    service.merge_clusters(workshop, [c.id for c in _clusters(workshop)], name="Speed")
    service.advance(workshop, expected=Phase.GROUP)
    service.advance(workshop, expected=Phase.VOTE)
    (speed,) = _clusters(workshop)
    service.choose_clusters(workshop, [speed.id])
    draft = db.session.get(WorkshopCluster, speed.id).draft
    service.update_draft(
        workshop, speed.id, service.TraitText(**{**draft, "label_ja": "速さ"}), redraft=True
    )
    return workshop, speed


@pytest.mark.parametrize("raters", [1, 2])
def test_one_or_two_raters_show_only_how_many_rated(
    room,  # noqa: F811
    facilitator,  # noqa: F811
    client,
    sign_in,
    raters,
):
    sign_in(facilitator.email)
    workshop, speed = _decided(room, raters)

    board = client.get(f"/workshops/{workshop.id}").get_data(as_text=True)
    people = "1 person" if raters == 1 else "2 people"
    assert f"{people} rated this; the view shows from 3 people." in board
    for shown in ("on average", "spread", "fc-spread", "2.0", "4.0", "3.0", "from 2"):
        assert shown not in board, shown

    token = api_tokens.create_token(facilitator, "Tests")[1]
    body = client.get(
        f"/api/v1/workshops/{workshop.id}/clusters",
        headers={"Authorization": f"Bearer {token}"},
    ).json
    (cluster,) = body["items"]
    assert cluster["self_view"]["company"] == {"count": raters, **HIDDEN}
    assert cluster["self_view"]["client"] == {"count": 0, **HIDDEN}

    service.advance(workshop, expected=Phase.DECIDE)
    service.finish(workshop, name="Our partner")
    provenance = db.session.get(WorkshopCluster, speed.id).provenance
    assert provenance["self_view"]["company"] == {"count": raters, **HIDDEN}
    summary = client.get(f"/workshops/{workshop.id}/summary").get_data(as_text=True)
    assert f"{people} rated this" in summary and "on average" not in summary


def test_three_raters_show_the_mean_and_range(room, facilitator, client, sign_in):  # noqa: F811
    sign_in(facilitator.email)
    workshop, speed = _decided(room, 3)

    board = client.get(f"/workshops/{workshop.id}").get_data(as_text=True)
    assert "3.7 on average, spread 1.2" in board
    assert "3 people" in board and "from 2.0 to 5.0" in board
    assert "rated this; the view shows" not in board

    token = api_tokens.create_token(facilitator, "Tests")[1]
    body = client.get(
        f"/api/v1/workshops/{workshop.id}/clusters",
        headers={"Authorization": f"Bearer {token}"},
    ).json
    shown = {"count": 3, "mean": 3.67, "spread": 1.25, "lo": 2.0, "hi": 5.0}
    assert body["items"][0]["self_view"]["company"] == shown

    service.advance(workshop, expected=Phase.DECIDE)
    service.finish(workshop, name="Our partner")
    provenance = db.session.get(WorkshopCluster, speed.id).provenance
    assert provenance["self_view"]["company"] == shown
    summary = client.get(f"/workshops/{workshop.id}/summary").get_data(as_text=True)
    assert "3.7 on average" in summary and "from 2.0 to 5.0" in summary
