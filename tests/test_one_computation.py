"""One computation everywhere: the page, its charts, the report, the exports and the API
all show the numbers of the one engine result for an assessment."""

from __future__ import annotations

import csv
import io
import json
import re

import pytest
from openpyxl import load_workbook

from fitcheck.extensions import db
from fitcheck.services import api_tokens
from fitcheck.services.accounts import hash_password
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

    # The JSON export is the engine's own dictionary.
    exported = client.get(f"/assessments/{assessment.id}/export/results.json").get_json()
    assert exported["results"] == json.loads(json.dumps(engine.to_dict()))

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
    assert mirror.similarity == pytest.approx(64.1658, abs=1e-4)
