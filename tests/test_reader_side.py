"""The results name the sides from the reader's side.

Staff read them as the company (自社 / クライアント). A respondent reads them from their own
side: their company is "your company" (貴社) and the other side goes by its name, in the
page, the report, the chart legends and the commitment form. A client's respondent must
never meet 自社 meaning the other company.
"""

from __future__ import annotations

import json
import re

import pytest
from flask_babel import force_locale

from fitcheck.extensions import db
from fitcheck.models import Side
from fitcheck.perspective import Perspective
from fitcheck.services import assessments, commitments

from .test_results_page import _answer_all

COMPANY = "株式会社みなと精機"
CLIENT = "株式会社さくら商事"


@pytest.fixture
def revealed(make_user, make_assessment):
    user = make_user("o@example.com")
    user.workspace.name = COMPANY
    assessment, tokens = make_assessment(user, company=2, client=2)
    assessment.partner.name = CLIENT
    db.session.commit()
    _answer_all(assessment, tokens, comment="A remark")
    assessments.reveal(assessment)
    token = {respondent.side: token for respondent, token in tokens.items()}
    return assessment, token


def _speaks(assessment, side: Side, locale: str) -> None:
    for respondent in assessment.respondents:
        if respondent.side is side:
            respondent.locale = locale
    db.session.commit()


def _legends(page: str) -> list[str]:
    names = []
    for figure in re.findall(
        r'<script type="application/json" class="fc-figure">(.*?)</script>', page, re.S
    ):
        names += [trace.get("name", "") for trace in json.loads(figure)["data"]]
    return names


METHODS = [
    ("seen", True),
    ("self_view", True),
    ("seen_last_round", True),
    ("level", True),
    ("seen_higher", True),
    ("blind_spot", True),
    ("hidden_strength", True),
    ("disagrees", True),
    ("name", True),
    ("title", True),
    ("short", True),
    ("thinks_alike", True),
    ("sees_as_itself", True),
    ("gap", False),
    ("elevation", False),
    ("radar_caption", False),
    ("bars_caption", False),
]


def _everything(sides: Perspective) -> list[str]:
    words = []
    for method, per_side in METHODS:
        if per_side:
            words += [getattr(sides, method)(side) for side in Side]
        else:
            words.append(getattr(sides, method))
    words.append(sides.answer_counts(3, 4))
    return words


def test_a_client_respondent_reads_kisha_for_their_company_and_the_name_for_the_other(app):
    sides = Perspective(viewer=Side.CLIENT, company=COMPANY, client=CLIENT)
    with app.test_request_context(), force_locale("ja"):
        assert sides.seen(Side.CLIENT) == f"{COMPANY}から見た貴社"
        assert sides.seen(Side.COMPANY) == f"貴社から見た{COMPANY}"
        assert sides.self_view(Side.CLIENT) == "貴社の自己評価"
        assert sides.self_view(Side.COMPANY) == f"{COMPANY}の自己評価"
        assert sides.level(Side.CLIENT) == f"{COMPANY}から見た貴社のレベル"
        assert sides.blind_spot(Side.COMPANY) == f"{COMPANY}の盲点"
        words = _everything(sides)
        assert not [word for word in words if "自社" in word or "クライアント" in word]
        assert all(CLIENT not in word for word in words)  # never their own name: 貴社


def test_a_company_respondent_reads_kisha_for_the_company_and_the_clients_name(app):
    sides = Perspective(viewer=Side.COMPANY, company=COMPANY, client=CLIENT)
    with app.test_request_context(), force_locale("ja"):
        assert sides.seen(Side.CLIENT) == f"貴社から見た{CLIENT}"
        assert sides.self_view(Side.COMPANY) == "貴社の自己評価"
        assert not [word for word in _everything(sides) if "自社" in word or "クライアント" in word]


def test_staff_keep_company_and_client(app):
    sides = Perspective(viewer=None, company=COMPANY, client=CLIENT)
    with app.test_request_context(), force_locale("ja"):
        assert sides.seen(Side.CLIENT) == "自社から見たクライアント"
        assert sides.self_view(Side.COMPANY) == "自社の自己評価"
        assert all("貴社" not in word for word in _everything(sides))


def test_english_names_the_readers_side_your_company(app):
    sides = Perspective(viewer=Side.CLIENT, company="Minato Seiki", client="Sakura Trading")
    with app.test_request_context(), force_locale("en"):
        assert sides.seen(Side.CLIENT) == "Your company as seen by Minato Seiki"
        assert sides.seen(Side.COMPANY) == "Minato Seiki as seen by your company"
        assert sides.self_view(Side.CLIENT) == "Your company's self-view"
        assert sides.seen_higher(Side.CLIENT) == "your company seen higher"
        words = _everything(sides)
        assert not [
            w
            for w in words
            if re.search(r"\b(the )?(company|client)\b", w, re.I)
            and "your company" not in w.lower()
        ]


def test_the_clients_respondent_reads_the_japanese_results_without_jisha(client, revealed):
    assessment, token = revealed
    _speaks(assessment, Side.CLIENT, "ja")
    for path in ("results", "report"):
        page = client.get(f"/r/{token[Side.CLIENT]}/{path}").get_data(as_text=True)
        assert "自社" not in page, path
        assert f"{COMPANY}から見た貴社" in page
        assert "貴社の自己評価" in page
    legends = _legends(client.get(f"/r/{token[Side.CLIENT]}/results").get_data(as_text=True))
    assert f"{COMPANY}から見た貴社" in legends
    assert f"貴社から見た{COMPANY}" in legends
    assert not [name for name in legends if "自社" in name]


def test_the_respondents_commitments_name_their_side_your_company(client, revealed):
    assessment, token = revealed
    _speaks(assessment, Side.CLIENT, "ja")
    traits = assessment.traits
    commitments.add_commitment(
        assessment, trait_id=traits[0].id, side=Side.CLIENT, action="Reply within a day"
    )
    commitments.add_commitment(
        assessment, trait_id=traits[1].id, side=Side.COMPANY, action="Weekly call"
    )
    page = client.get(f"/r/{token[Side.CLIENT]}/results").get_data(as_text=True)
    who = re.findall(r'<td data-label="約束する側"[^>]*>([^<]*)</td>', page)
    assert sorted(who) == sorted(["貴社", COMPANY])
    # A respondent promises for their own side only: there is no side to choose.
    assert 'name="side"' not in page


def test_staff_still_read_jisha_and_client(client, sign_in, revealed):
    assessment, _ = revealed
    user = assessment.partner.workspace.users[0]
    user.locale = "ja"
    db.session.commit()
    sign_in("o@example.com")
    page = client.get(f"/assessments/{assessment.id}/results").get_data(as_text=True)
    assert "自社から見たクライアント" in page
    assert "貴社" not in page


def test_the_english_client_respondent_reads_your_company(client, revealed):
    _, token = revealed
    page = client.get(f"/r/{token[Side.CLIENT]}/results").get_data(as_text=True)
    assert f"Your company as seen by {COMPANY}" in page
    assert "Company as seen by the client" not in page
    assert "Client as seen by the company" not in page


def test_organisation_names_are_escaped_in_the_words_and_the_legends(client, revealed):
    assessment, token = revealed
    assessment.partner.workspace.name = '<img src=x onerror="alert(1)">'
    db.session.commit()
    page = client.get(f"/r/{token[Side.CLIENT]}/results").get_data(as_text=True)
    assert "<img src=x" not in page
    assert "&lt;img src=x" in page
    assert all("<img" not in name for name in _legends(page))
