"""The exports' header rows: the stable machine names first, in every workspace; in a
Japanese workspace a second row naming the columns in Japanese (whatever the reader's own
language), formula-safe like every cell; the JSON's keys unchanged, with `columns` beside
them. CSV, XLSX, JSON and the workspace export alike, on SQLite and PostgreSQL."""

from __future__ import annotations

import csv
import io
import json
import zipfile
from pathlib import Path
from typing import Any

import pytest
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_file
from flask_babel import force_locale, gettext
from openpyxl import load_workbook

from fitcheck import vocabulary
from fitcheck.extensions import db
from fitcheck.services import audit, exports, workspace_export

from .support import count_queries

ROOT = Path(__file__).resolve().parents[1]

# Column names whose Japanese the catalog holds already (shared with the pages).
JAPANESE = {
    "partner": "パートナー",
    "kind": "種類",
    "side": "側",
    "gap": "ギャップ",
    "mirror_score": "ミラースコア",
    "verdict": "判定",
}


# (file, its columns, its rows) of a round's CSV downloads.
FILES = (
    ("answers.csv", exports.ANSWER_COLUMNS, exports.answer_rows),
    ("results.csv", exports.RESULT_COLUMNS, exports.results_rows),
)


def csv_rows(body: bytes) -> list[list[str]]:
    assert body.startswith(b"\xef\xbb\xbf")
    return list(csv.reader(io.StringIO(body.decode("utf-8-sig"), newline="")))


def japanese(columns: tuple[str, ...]) -> list[str]:
    with force_locale("ja"):
        return [gettext(vocabulary.COLUMN_LABELS[column]) for column in columns]


def _in_language(user: Any, language: str, *, reader: str | None = None) -> None:
    user.workspace.language = language
    user.locale = reader
    db.session.commit()


@pytest.fixture
def revealed(worked_example: Any, sign_in: Any) -> Any:
    """A revealed round and its signed-in owner, whose workspace `language` is set."""

    def build(language: str, *, reader: str | None = None, **options: Any) -> tuple[Any, Any]:
        assessment, user = worked_example(**options)
        _in_language(user, language, reader=reader)
        sign_in(user.email)
        return assessment, user

    return build


# --------------------------------------------------------------------------------------------
# The names themselves
# --------------------------------------------------------------------------------------------

EVERY_COLUMN = sorted(
    {
        *exports.ANSWER_COLUMNS,
        *exports.RESULT_COLUMNS,
        *exports.FIT_COLUMNS,
        *exports.COMMENT_COLUMNS,
        *vocabulary.TRAIT_ROW_FIELDS,
        *audit.CSV_COLUMNS,
    }
)


def test_every_exported_column_is_named_in_words():
    missing = [column for column in EVERY_COLUMN if column not in vocabulary.COLUMN_LABELS]
    assert not missing
    assert all(vocabulary.COLUMN_LABELS[column].strip() for column in EVERY_COLUMN)


def test_every_column_name_reaches_the_translation_catalogs():
    """Babel extracts `N_` by default: the names are in messages.pot, so the catalog test
    (tests/test_i18n.py) asks for their Japanese."""
    extracted = {
        message
        for _, message, _, _ in extract_from_file(
            "python", ROOT / "fitcheck" / "vocabulary.py", keywords=DEFAULT_KEYWORDS
        )
    }
    assert set(vocabulary.COLUMN_LABELS.values()) <= extracted


def test_a_label_row_must_name_every_column_and_is_formula_safe():
    body = exports.to_csv([{"a": 1, "b": "x"}], ["a", "b"], labels=["=1+1", "-b"])
    assert body == "\ufeffa,b\r\n'=1+1,'-b\r\n1,x\r\n".encode()
    with pytest.raises(ValueError, match="label row"):
        exports.to_csv([], ["a", "b"], labels=["only one"])


def test_english_has_no_label_row_and_japanese_has_the_catalogs_words(app):
    with app.test_request_context(headers={"Accept-Language": "en"}):
        assert exports.column_labels(exports.ANSWER_COLUMNS, "en") is None
        labels = exports.column_labels(exports.RESULT_COLUMNS, "ja")
        assert labels == japanese(exports.RESULT_COLUMNS)
        named = dict(zip(exports.RESULT_COLUMNS, labels, strict=True))
        assert {column: named[column] for column in JAPANESE if column in named} == {
            column: word for column, word in JAPANESE.items() if column in named
        }
        # Forcing the workspace's language leaves the reader's page in theirs.
        assert gettext("Partner") == "Partner"


# --------------------------------------------------------------------------------------------
# The round's own downloads
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("reader", ["en", "ja"])
def test_an_english_workspaces_csv_files_have_the_machine_names_alone(revealed, client, reader):
    assessment, _ = revealed("en", reader=reader)
    base = f"/assessments/{assessment.id}/export"
    for name, columns, read in FILES:
        rows = csv_rows(client.get(f"{base}/{name}").data)
        assert rows[0] == list(columns)
        assert rows[1][0] == str(assessment.id)  # the data start on row 2, as always
        assert len(rows) - 1 == len(read(assessment))


@pytest.mark.parametrize("reader", ["en", "ja"])
def test_a_japanese_workspaces_csv_files_name_their_columns_in_japanese_on_row_2(
    revealed, client, reader
):
    """The workspace's language, not the reader's: an English reader gets the same file."""
    assessment, _ = revealed("ja", reader=reader)
    base = f"/assessments/{assessment.id}/export"
    for name, columns, read in FILES:
        body = client.get(f"{base}/{name}").data
        rows = csv_rows(body)
        assert rows[0] == list(columns)
        assert rows[1] == japanese(columns)
        named = dict(zip(columns, rows[1], strict=True))
        for column, word in JAPANESE.items():
            if column in named:
                assert named[column] == word, column
        assert rows[2][0] == str(assessment.id)  # the data start on row 3
        assert len(rows) - 2 == len(read(assessment))
        # Read by its first row, as scripts do, the label row is the first record.
        records = list(csv.DictReader(io.StringIO(body.decode("utf-8-sig"), newline="")))
        assert records[0]["partner"] == "パートナー"
        assert records[1]["assessment_id"] == str(assessment.id)


def test_the_label_row_is_formula_safe_in_csv_and_xlsx(revealed, client, monkeypatch):
    """A translation is text like any other: one that a spreadsheet would run is quoted."""
    monkeypatch.setitem(vocabulary.COLUMN_LABELS, "partner", '=HYPERLINK("http://evil")')
    monkeypatch.setitem(vocabulary.COLUMN_LABELS, "trait_key", "@SUM(1+1)")
    assessment, _ = revealed("ja")
    base = f"/assessments/{assessment.id}/export"
    for name in ("answers.csv", "results.csv"):
        header = dict(zip(*csv_rows(client.get(f"{base}/{name}").data)[:2], strict=True))
        assert header["partner"] == "'" + '=HYPERLINK("http://evil")'
        assert header["trait_key"] == "'@SUM(1+1)"
    workbook = load_workbook(io.BytesIO(client.get(f"{base}/results.xlsx").data))
    for sheet in workbook.worksheets:
        for cell in sheet[2]:
            assert cell.data_type != "f", (sheet.title, cell.coordinate)
    labels = [cell.value for cell in workbook["Answers"][2]]
    assert "'" + '=HYPERLINK("http://evil")' in labels


@pytest.mark.parametrize(("language", "header_rows"), [("en", 1), ("ja", 2)])
def test_xlsx_sheets_have_the_same_header_rows_bold_and_frozen(
    revealed, client, language, header_rows
):
    assessment, _ = revealed(language, reader="en")
    body = client.get(f"/assessments/{assessment.id}/export/results.xlsx").data
    workbook = load_workbook(io.BytesIO(body))
    sheets = {
        "Answers": exports.ANSWER_COLUMNS,
        "Results": exports.RESULT_COLUMNS,
        "Fit": exports.FIT_COLUMNS,
        "Comments": exports.COMMENT_COLUMNS,
    }
    assert workbook.sheetnames == list(sheets)
    for title, columns in sheets.items():
        sheet = workbook[title]
        assert [cell.value for cell in sheet[1]] == list(columns)
        assert sheet.freeze_panes == f"A{header_rows + 1}"
        for number in range(1, header_rows + 1):
            assert all(cell.font.bold for cell in sheet[number]), (title, number)
        first_data = [cell.value for cell in sheet[header_rows + 1]]
        if language == "ja":
            assert [cell.value for cell in sheet[2]] == japanese(columns)
        if title in ("Answers", "Results"):
            assert first_data[0] == assessment.id  # a number: data, not a header
        assert not sheet[header_rows + 1][0].font.bold


@pytest.mark.parametrize("language", ["en", "ja"])
def test_the_json_keeps_machine_keys_and_names_them_in_columns(revealed, client, language):
    assessment, _ = revealed(language, reader="en")
    document = client.get(f"/assessments/{assessment.id}/export/results.json").json
    row = document["traits"][0]
    assert list(row) == list(vocabulary.TRAIT_ROW_FIELDS)
    assert list(document["columns"]) == list(vocabulary.TRAIT_ROW_FIELDS)
    if language == "ja":
        assert document["columns"]["gap"] == "ギャップ"
        assert list(document["columns"].values()) == japanese(vocabulary.TRAIT_ROW_FIELDS)
    else:
        assert document["columns"]["gap"] == "Gap"
        assert document["columns"]["key"] == vocabulary.COLUMN_LABELS["trait_key"]
    assert "commitments" in document and "comments" in document  # the rest, unchanged


def test_a_japanese_workspace_costs_no_more_queries(revealed, client):
    assessment, user = revealed("en")
    url = f"/assessments/{assessment.id}/export/answers.csv"
    counts = []
    for language in ("en", "ja"):
        _in_language(user, language)
        db.session.expire_all()
        with count_queries() as statements:
            rows = csv_rows(client.get(url).data)
        assert (rows[1] == japanese(exports.ANSWER_COLUMNS)) is (language == "ja")
        counts.append(len(statements))
    assert counts[0] == counts[1], counts


# --------------------------------------------------------------------------------------------
# The workspace export
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("language", ["en", "ja"])
def test_the_workspace_exports_csvs_have_the_same_header_rows(revealed, language):
    assessment, user = revealed(language, reader="en")
    with zipfile.ZipFile(io.BytesIO(workspace_export.workspace_archive(user.workspace_id))) as zf:
        files = {name: zf.read(name) for name in zf.namelist()}
    document = json.loads(files["workspace.json"])
    assert document["workspace"]["language"] == language
    assert document["workspace"]["currency"] == "JPY"
    folder = f"assessments/{assessment.id}"
    for name, columns, _ in FILES:
        rows = csv_rows(files[f"{folder}/{name}"])
        assert rows[0] == list(columns)
        if language == "ja":
            assert rows[1] == japanese(columns)
            assert rows[2][0] == str(assessment.id)
        else:
            assert rows[1][0] == str(assessment.id)
    # The same files as the round's own downloads.
    assert files[f"{folder}/answers.csv"] == exports.answers_csv(assessment)
    assert files[f"{folder}/results.csv"] == exports.results_csv(assessment)
