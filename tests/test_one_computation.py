"""One computation everywhere: the page, its charts, the report, the exports and the API
all show the numbers of the one engine result for an assessment."""

from __future__ import annotations

import csv
import io
import json
import re

import pytest
from openpyxl import load_workbook

from fitcheck import vocabulary
from fitcheck.extensions import db
from fitcheck.models import Kind, Side
from fitcheck.services import api_tokens, assessments, invitations, traits
from fitcheck.services.accounts import hash_password
from fitcheck.services.answers import AnswerInput, save_answers
from fitcheck.services.respondents import add_respondent
from fitcheck.services.results import load_results

from .support import sign_in_with


def _figures(page: str) -> list[dict]:
    return [
        json.loads(raw)
        for raw in re.findall(
            r'<script type="application/json" class="fc-figure">(.*?)</script>', page, re.S
        )
    ]


@pytest.fixture
def revealed(worked_example):
    assessment, _ = worked_example()
    return assessment


def test_page_charts_report_exports_and_api_agree(app, client, revealed):
    assessment = revealed
    engine = load_results(assessment).fit
    mirror = engine.comparisons.mirror
    owner = assessment.partner.workspace.users[0]
    owner.password_hash = hash_password("one computation!")
    db.session.commit()
    sign_in_with(client, owner.email, "one computation!")

    # The page and the report: the same mirror score, to the digit shown.
    for url in (f"/assessments/{assessment.id}/results", f"/assessments/{assessment.id}/report"):
        page = client.get(url).get_data(as_text=True)
        assert f"{mirror.similarity:.1f}" == "64.2"
        assert "64.2" in page

    # The radar draws the engine's profiles, trait by trait.
    page = client.get(f"/assessments/{assessment.id}/results").get_data(as_text=True)
    radar = _figures(page)[0]
    drawn = {trace["name"]: trace["r"] for trace in radar["data"] if trace.get("r")}
    them = [row.them for row in engine.traits]
    assert any(values[: len(them)] == them for values in drawn.values())

    # The JSON export: the engine's numbers under their public names.
    exported = client.get(f"/assessments/{assessment.id}/export/results.json").get_json()
    assert exported["fit"] == json.loads(json.dumps(vocabulary.round_values(engine)))

    # The results CSV and the workbook carry the same score.
    body = client.get(f"/assessments/{assessment.id}/export/results.csv").data.decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(body)))
    assert float(rows[0]["mirror_score"]) == pytest.approx(mirror.similarity)
    workbook = load_workbook(
        io.BytesIO(client.get(f"/assessments/{assessment.id}/export/results.xlsx").data)
    )
    values = [cell for row in workbook["Fit"].iter_rows(values_only=True) for cell in row]
    assert any(
        isinstance(value, float) and value == pytest.approx(mirror.similarity) for value in values
    )

    # The API.
    _, secret = api_tokens.create_token(owner, "agreement")
    api = client.get(
        f"/api/v1/assessments/{assessment.id}/results",
        headers={"Authorization": f"Bearer {secret}"},
    ).get_json()
    assert api["fit"]["mirror_score"] == pytest.approx(mirror.similarity)
    assert api["fit"]["elevation"] == pytest.approx(mirror.elevation)
    assert api["fit"]["verdict"] == engine.verdict.value == "one_sided"
    assert [t["gap"] for t in api["traits"]] == [row.gap for row in engine.traits]
    # One vocabulary: the API's results are the export's document, labels aside.
    assert api["fit"] == exported["fit"]
    assert [{k: v for k, v in t.items() if k != "label"} for t in api["traits"]] == exported[
        "traits"
    ]
    assert mirror.similarity == pytest.approx(64.1658, abs=1e-4)


# --------------------------------------------------------------------------------------------
# The previous round and the change: one rule, the same everywhere
# --------------------------------------------------------------------------------------------

KEYS = ("passion", "response", "dialogue", "growth")


def _round(partner, trait_set, *, us, kind=Kind.ANNUAL_REVIEW, previous=None, title=""):
    """A revealed round, one respondent a side: the client rates the company's trait at
    position i `us(i)`; the company rates every trait of the client 4."""
    assessment = assessments.create_assessment(
        partner, trait_set, kind=kind, previous=previous, title=title
    )
    people = [add_respondent(assessment, side=side, name=side.value)[0] for side in Side]
    assessments.launch(assessment, invite=False)
    for person in people:
        rate = us if person.side is Side.CLIENT else (lambda i: 4)
        save_answers(
            person,
            [
                AnswerInput(trait_key=trait.key, other=rate(i), self_=4)
                for i, trait in enumerate(assessment.traits)
            ],
            submit=True,
        )
    assessments.reveal(assessment)
    return assessment


@pytest.fixture
def three_rounds(make_user, make_partner):
    """Kitahama Foods: A (pre-contract), B reviewing A, then C started without a link.

    Mirror gaps of 2 everywhere (S = 50), then of 0 and 2 (S = 64.6), then of 1 (S = 75):
    C is 10.4 points above B, less than the R/8 step (12.5), so "no change" beside it.
    """
    user = make_user()
    user.password_hash = hash_password("one computation!")
    trait_set = traits.create_trait_set(
        user.workspace_id,
        name="Rounds",
        scale_lo=1,
        scale_hi=5,
        point_labels={"en": list("12345"), "ja": list("12345")},
    )
    for key in KEYS:
        traits.add_trait(
            trait_set,
            traits.TraitText(
                label_en=key,
                label_ja=f"{key}（日本語）",
                question_other_en="{partner}?",
                question_other_ja="{partner}?",
                question_self_en="we?",
                question_self_ja="we?",
            ),
            key=key,
        )
    partner = make_partner(user.workspace, "Kitahama Foods")
    a = _round(partner, trait_set, us=lambda i: 2, kind=Kind.PRE_CONTRACT, title="Round A")
    b = _round(partner, trait_set, us=lambda i: 4 if i % 2 else 2, previous=a, title="Round B")
    c = _round(partner, trait_set, us=lambda i: 3, title="Round C")
    return user, partner, (a, b, c)


def _row(table: str, assessment_id: int) -> str:
    """The table row of a round: the first results page it links to is the round's."""
    for row in table.split("<tr")[1:]:
        first = re.search(r'href="/assessments/(\d+)/results"', row.split("</tr>")[0])
        if first and int(first.group(1)) == assessment_id:
            return row.split("</tr>")[0]
    raise AssertionError(f"no row for round {assessment_id}")


def test_every_door_agrees_on_the_previous_round_and_the_change(app, client, three_rounds):
    user, partner, (a, b, c) = three_rounds
    sign_in_with(client, user.email, "one computation!")
    s = {r.id: load_results(r).fit.comparisons.mirror.similarity for r in (a, b, c)}
    assert (s[a.id], round(s[b.id], 1), s[c.id]) == (50.0, 64.6, 75.0)
    shown = {
        b.id: f"{s[a.id]:.1f} → {s[b.id]:.1f} ({round(s[b.id], 1) - round(s[a.id], 1):+.1f})",
        c.id: f"{s[b.id]:.1f} → {s[c.id]:.1f} ({round(s[c.id], 1) - round(s[b.id], 1):+.1f})",
    }
    assert shown[c.id] == "64.6 → 75.0 (+10.4)"
    previous = {b.id: a, c.id: b}

    # The results page and the report: the numbers, with "no change" as a note beside them.
    for current in (b, c):
        for page_name in ("results", "report"):
            page = client.get(f"/assessments/{current.id}/{page_name}").get_data(as_text=True)
            assert 'id="since"' in page, (page_name, current.title)
            since = page.split('id="since"')[1].split("</section>")[0]
            assert previous[current.id].title in since
            assert shown[current.id] in since
    since = client.get(f"/assessments/{c.id}/results").get_data(as_text=True).split('id="since"')[1]
    assert "no change" in since.split("</dl>")[0]
    first = client.get(f"/assessments/{a.id}/results").get_data(as_text=True)
    assert 'id="since"' not in first

    # The web timeline: the same previous round and change on each round's row.
    timeline = client.get(f"/partners/{partner.id}/timeline").get_data(as_text=True)
    table = timeline.split("<tbody>")[1].split("</tbody>")[0]
    for current in (b, c):
        row = _row(table, current.id)
        assert shown[current.id] in row
        assert previous[current.id].title in row
    assert "no change" in _row(table, c.id)
    assert "→" not in _row(table, a.id)

    # The API timeline.
    _, secret = api_tokens.create_token(user, "agreement")
    body = client.get(
        f"/api/v1/partners/{partner.id}/timeline", headers={"Authorization": f"Bearer {secret}"}
    ).get_json()
    rounds = {row["assessment_id"]: row for row in body["rounds"]}
    assert rounds[a.id]["change"] is None and rounds[a.id]["previous_assessment_id"] is None
    for current in (b, c):
        row = rounds[current.id]
        assert row["previous_assessment_id"] == previous[current.id].id
        delta = s[current.id] - s[previous[current.id].id]
        assert row["change"]["mirror_score"]["delta"] == pytest.approx(delta)
    assert rounds[b.id]["change"]["mirror_score"]["no_change"] is False
    assert rounds[c.id]["change"]["mirror_score"]["no_change"] is True

    # The portfolio's change column: C against B.
    portfolio = client.get("/portfolio/").get_data(as_text=True)
    assert f"{s[c.id] - s[b.id]:+.1f}" == "+10.4"
    assert "+10.4" in _row(portfolio.split("<tbody>")[1], c.id)

    # The exports: the previous round and the change, in the JSON, the CSV and the workbook.
    for current in (b, c):
        before = previous[current.id]
        delta = s[current.id] - s[before.id]
        url = f"/assessments/{current.id}/export/results"
        document = client.get(f"{url}.json").get_json()
        assert document["previous_round"]["id"] == before.id
        assert document["change"]["mirror_score"]["delta"] == pytest.approx(delta)
        assert document["change"]["mirror_score"]["no_change"] is (current is c)
        # The API's results: the same document, the same last round and change.
        results = client.get(
            f"/api/v1/assessments/{current.id}/results",
            headers={"Authorization": f"Bearer {secret}"},
        ).get_json()
        assert results["previous_round"] == document["previous_round"]
        assert results["change"] == document["change"]
        assert results["change"]["mirror_score"]["previous"] == s[before.id]
        body = client.get(f"{url}.csv").data.decode("utf-8-sig")
        rows = list(csv.DictReader(io.StringIO(body)))
        assert {row["previous_assessment_id"] for row in rows} == {str(before.id)}
        assert float(rows[0]["mirror_score_change"]) == pytest.approx(delta)
        assert rows[0]["mirror_score_change"] == repr(document["change"]["mirror_score"]["delta"])
        workbook = load_workbook(io.BytesIO(client.get(f"{url}.xlsx").data))
        fit_sheet = dict(workbook["Fit"].iter_rows(min_row=2, values_only=True))
        assert fit_sheet["previous_assessment_id"] == before.id
        assert fit_sheet["mirror_score_change"] == pytest.approx(delta)
    document = client.get(f"/assessments/{a.id}/export/results.json").get_json()
    assert document["previous_round"] is None and document["change"] is None


def test_a_client_sees_the_last_round_only_if_it_was_shared_with_the_client(
    app, client, three_rounds
):
    _, _, (_, b, c) = three_rounds
    links = {r.side: f"/r/{invitations.link_token(r)}/results" for r in c.respondents}
    b.share_with_client = False
    db.session.commit()
    company = client.get(links[Side.COMPANY]).get_data(as_text=True)
    assert 'id="since"' in company and "64.6 → 75.0 (+10.4)" in company
    shared = client.get(links[Side.CLIENT])
    assert shared.status_code == 200
    page = shared.get_data(as_text=True)
    assert 'id="since"' not in page and "64.6" not in page
    assert "last round" not in json.dumps(_figures(page)[0])  # no ghost on the radar either
    b.share_with_client = True
    db.session.commit()
    assert 'id="since"' in client.get(links[Side.CLIENT]).get_data(as_text=True)
