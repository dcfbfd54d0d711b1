"""Exports of a revealed assessment: tidy CSV, XLSX and JSON, for spreadsheets and BI tools.

Everything here reads through `rounds.load_round` (or `results.results_of`, for the
answers alone), so an export shows the numbers of the results page (one computation), its
last round and the change since, and obeys the same two rules: nothing before the reveal
(`ResultsSealed` propagates) and nothing of a side withheld by the anonymity threshold —
not its averages, not its individual answers, not its comments.

Respondents appear only as opaque ids ("company-1", "client-2"): numbered within their
side in an order drawn from an HMAC of the respondent under the app's SECRET_KEY, so the
numbers follow neither the database ids, nor names, nor the order of invitation or
submission, yet the same respondent keeps the same id from one export to the next (while
the key stays the same). Names and emails are never selected. Comments are left out of the
answers file, where a comment beside an opaque id would still be attributable; they are
exported grouped by trait and side only (JSON, XLSX), in the sorted order `load_results`
gives them.

The first row of every CSV file and XLSX sheet holds the columns' stable machine names
(`assessment_id`, `mirror_score`, …), whatever the language: scripts read them. In a
workspace whose language is Japanese a second header row follows with the same columns
named in Japanese (`vocabulary.COLUMN_LABELS`, translated by Flask-Babel with the
workspace's language forced, not the reader's); an English workspace's files have the
machine names alone, as they always had. The JSON export keeps the machine names as its
keys and adds `columns`, the trait rows' fields named in the workspace's language.

Spreadsheets run a text cell that starts with "=", "+", "-" or "@" (and a few more) as a
formula. Every text cell of the CSV and XLSX files is neutralised with a leading "'"
(OWASP "CSV Injection"), the header rows' included; numbers stay numbers.

Every download (`export_file`) is on record in the audit log: who took which file of which
round.
"""

from __future__ import annotations

import csv
import hashlib
import hmac
import io
import json
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import date
from typing import TYPE_CHECKING, Any, TypeAlias

from flask import current_app
from flask_babel import force_locale, gettext
from openpyxl import Workbook  # type: ignore[import-untyped]
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE  # type: ignore[import-untyped]
from openpyxl.styles import Font  # type: ignore[import-untyped]

from .. import vocabulary
from ..extensions import db
from ..fit import Side
from ..models import Assessment, User
from . import audit
from .assessments import audit_subject as assessment_subject
from .commitments import list_commitments
from .documents import commitment_document, round_document
from .results import Results, check_visible, results_of, submitted_answers
from .rounds import Round, load_round

if TYPE_CHECKING:
    from .results import AnswerRow

Cell: TypeAlias = str | int | float | bool | None
Row: TypeAlias = dict[str, Cell]

PERSPECTIVES = ("other", "self", "importance")

ANSWER_COLUMNS = (
    "assessment_id",
    "partner",
    "kind",
    "side",
    "respondent",
    "trait_key",
    "trait_label_en",
    "trait_label_ja",
    "perspective",
    "value",
    # Why `value` is empty, spelled out: "cant_judge" (the respondent chose "can't judge")
    # or "not_given" (an importance left out); "given" beside a number.
    "answer",
)
#: The `answer` column's values.
GIVEN, CANT_JUDGE, NOT_GIVEN = "given", "cant_judge", "not_given"
RESULT_COLUMNS = (
    "assessment_id",
    "partner",
    "kind",
    "trait_key",
    "trait_label_en",
    "trait_label_ja",
    *(term.name for term in vocabulary.TRAIT_TERMS),
    # Round-level, repeated on every trait row like `partner`, so the one CSV carries the
    # headline; the whole "Fit" table is in the XLSX and JSON exports.
    "mirror_score",
    "verdict",
    # The round compared with (the results page's "last round") and the change of S since.
    "previous_assessment_id",
    "mirror_score_change",
)
FIT_COLUMNS = ("measure", "value")
COMMENT_COLUMNS = ("trait_key", "trait_label_en", "trait_label_ja", "side", "comment")

# OWASP's formula triggers, NUL (OWASP ASVS 1.2.10) and the full-width forms of the four
# signs, which Japanese input methods produce and Japanese Excel also reads as a formula.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r", "\0", "＝", "＋", "－", "＠")

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

#: The language whose readers take the machine names as they are: no second header row.
MACHINE_NAMES_LANGUAGE = "en"

# --------------------------------------------------------------------------------------------
# Rows
# --------------------------------------------------------------------------------------------


def _opaque_ids(assessment_id: int, respondents: Iterable[tuple[int, Side]]) -> dict[int, str]:
    """`<side>-<n>` per respondent id, ordered by side, then n (a keyed-hash order)."""
    key = str(current_app.config["SECRET_KEY"]).encode("utf-8")

    def rank(respondent_id: int) -> tuple[str, int]:
        message = f"fitcheck-export:{assessment_id}:{respondent_id}".encode("ascii")
        return hmac.new(key, message, hashlib.sha256).hexdigest(), respondent_id

    ids: dict[int, str] = {}
    for side in Side:
        members = sorted({rid for rid, s in respondents if s is side}, key=rank)
        ids.update({rid: f"{side.value}-{number}" for number, rid in enumerate(members, 1)})
    return ids


def _meta(assessment: Assessment) -> Row:
    return {
        "assessment_id": assessment.id,
        "partner": assessment.partner.name,
        "kind": assessment.kind.value,
    }


def _answer_rows(results: Results, answers: Sequence[AnswerRow]) -> list[Row]:
    """The answers file of a round from its submitted answers (`results.answers_query`),
    without a side withheld by the anonymity threshold."""
    assessment = results.assessment
    visible = {side for side in Side if not results.fit.side(side).withheld}
    answers = [row for row in answers if row.side in visible]
    sides = {row.respondent_id: Side(row.side) for row in answers}
    ids = _opaque_ids(assessment.id, sides.items())
    given: dict[tuple[int, int], tuple[tuple[int | None, bool], ...]] = {
        (row.respondent_id, row.trait_id): (
            (row.other_rating, row.other_cant_judge),
            (row.self_rating, row.self_cant_judge),
            (row.importance, False),
        )
        for row in answers
    }
    nothing = ((None, False),) * len(PERSPECTIVES)
    meta = _meta(assessment)
    rows: list[Row] = []
    # `ids` is ordered by side, then opaque number: nothing in the order points to a person.
    for respondent_id, opaque_id in ids.items():
        for trait in assessment.traits:
            values = given.get((respondent_id, trait.id), nothing)
            for perspective, (value, cant_judge) in zip(PERSPECTIVES, values, strict=True):
                rows.append(
                    {
                        **meta,
                        "side": sides[respondent_id].value,
                        "respondent": opaque_id,
                        "trait_key": trait.key,
                        "trait_label_en": trait.label_en,
                        "trait_label_ja": trait.label_ja,
                        "perspective": perspective,
                        "value": value,
                        "answer": GIVEN
                        if value is not None
                        else CANT_JUDGE
                        if cant_judge
                        else NOT_GIVEN,
                    }
                )
    return rows


def _since(results: Round) -> Row:
    """The last round and the changes since, as the results page shows them."""
    previous = results.previous
    return {
        "previous_assessment_id": previous.assessment.id if previous else None,
        **vocabulary.change_deltas(results.change),
    }


def _results_rows(results: Round) -> list[Row]:
    fit = results.fit
    traits = {trait.key: trait for trait in results.assessment.traits}
    meta = _meta(results.assessment)
    measures = vocabulary.round_values(fit)
    since = _since(results)
    return [
        {
            **meta,
            "trait_key": row.trait,
            "trait_label_en": traits[row.trait].label_en,
            "trait_label_ja": traits[row.trait].label_ja,
            **vocabulary.trait_values(row),
            "mirror_score": measures["mirror_score"],
            "verdict": measures["verdict"],
            "previous_assessment_id": since["previous_assessment_id"],
            "mirror_score_change": since["mirror_score_change"],
        }
        for row in fit.traits
    ]


def _fit_rows(results: Round) -> list[Row]:
    styles = {side: results.style(side) for side in Side}
    measures = {
        **vocabulary.round_values(results.fit),
        **vocabulary.beside_values(styles, results.distinctive),
        **_since(results),
    }
    return [{"measure": measure, "value": value} for measure, value in measures.items()]


def _comment_groups(results: Results) -> list[tuple[str, Side, list[str]]]:
    """(trait key, side, comments) in trait order, company first; withheld sides are absent."""
    return [
        (trait.key, side, results.comments[(trait.key, side)])
        for trait in results.assessment.traits
        for side in Side
        if (trait.key, side) in results.comments
    ]


def _comment_rows(results: Results) -> list[Row]:
    traits = {trait.key: trait for trait in results.assessment.traits}
    return [
        {
            "trait_key": key,
            "trait_label_en": traits[key].label_en,
            "trait_label_ja": traits[key].label_ja,
            "side": side.value,
            "comment": text,
        }
        for key, side, texts in _comment_groups(results)
        for text in texts
    ]


def answer_rows(assessment: Assessment) -> list[Row]:
    """One row per submitted respondent × trait × perspective (other, self, importance).

    `value` is None for "can't judge" or an importance not given; `answer` says which
    ("cant_judge", "not_given"; "given" beside a number). Respondents of a side
    withheld by the anonymity threshold are left out. Raises `ResultsSealed` before the
    reveal. Queries: those of `load_results`, however many respondents.
    """
    check_visible(assessment)
    answers = submitted_answers(assessment)
    return _answer_rows(results_of(assessment, answers), answers)


def results_rows(assessment: Assessment) -> list[Row]:
    """One row per trait: the four profiles, the mirror gap and band, the weight, blind spots
    and hidden strengths and rwg per side, with the round's mirror score and verdict, its
    last round and the change of the mirror score since."""
    return _results_rows(load_round(assessment))


def fit_rows(assessment: Assessment) -> list[Row]:
    """The round as measure/value pairs: the mirror's statistics, verdict, the other named
    comparisons' scores, responses per side, the last round and the changes since."""
    return _fit_rows(load_round(assessment))


def round_rows(assessment: Assessment) -> dict[str, list[Row]]:
    """Every table of a revealed round from one `load_round`: answers, results, fit and
    comments, as the files and the workspace export carry them."""
    results = load_round(assessment)
    return round_tables(results, submitted_answers(assessment))


def round_tables(results: Round, answers: Sequence[AnswerRow]) -> dict[str, list[Row]]:
    """Every table of a revealed round (`round_rows`) from the round as `load_round` reads
    it and its submitted answers (`results.answers_query`). No query: the workspace export
    reads every round's at once (`rounds.rounds_among`)."""
    return {
        "answers": _answer_rows(results, answers),
        "results": _results_rows(results),
        "fit": _fit_rows(results),
        "comments": _comment_rows(results),
    }


# --------------------------------------------------------------------------------------------
# Headers
# --------------------------------------------------------------------------------------------


def workspace_language(assessment: Assessment) -> str:
    """The language the round's workspace names its export columns in."""
    return assessment.partner.workspace.language


def column_names(columns: Sequence[str], language: str) -> dict[str, str]:
    """Each column's name in `language`: the catalogs' translation of its English words,
    with that language forced (the workspace's, not the reader's)."""
    with force_locale(language):
        return {column: gettext(vocabulary.COLUMN_LABELS[column]) for column in columns}


def column_labels(columns: Sequence[str], language: str) -> list[str] | None:
    """The second header row of a file in a workspace speaking `language`: the columns'
    names in it, or None in English, whose files keep the machine names alone."""
    if language == MACHINE_NAMES_LANGUAGE:
        return None
    return list(column_names(columns, language).values())


# --------------------------------------------------------------------------------------------
# Formats
# --------------------------------------------------------------------------------------------


def neutralise(value: str) -> str:
    """A text cell that no spreadsheet runs as a formula."""
    return f"'{value}" if value.startswith(FORMULA_TRIGGERS) else value


def _csv_cell(value: Cell) -> str | int | float:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, str):
        return neutralise(value)
    return value


def to_csv(
    rows: Sequence[Mapping[str, Cell]],
    columns: Sequence[str] | None = None,
    *,
    labels: Sequence[str] | None = None,
) -> bytes:
    """UTF-8 with a byte-order mark (Excel then reads Japanese right), CRLF line ends.

    `columns` gives the header, so a file without rows still has one; by default the keys of
    the first row. `labels` (`column_labels`), when given, is a second header row naming the
    same columns in words. Text cells are neutralised, the labels too; numbers are written
    as numbers.
    """
    header = list(columns) if columns is not None else list(rows[0]) if rows else []
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([neutralise(name) for name in header])
    if labels is not None:
        if len(labels) != len(header):
            raise ValueError("a label row names every column, and only those")
        writer.writerow([neutralise(label) for label in labels])
    for row in rows:
        writer.writerow([_csv_cell(row.get(column)) for column in header])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def _xlsx_cell(value: Cell) -> Cell:
    if isinstance(value, str):
        # openpyxl stores a string starting with "=" as a formula, and refuses control
        # characters that XML 1.0 cannot carry.
        return neutralise(ILLEGAL_CHARACTERS_RE.sub("", value))
    return value


def _sheet(
    workbook: Any, title: str, columns: Sequence[str], rows: Sequence[Row], language: str
) -> None:
    """A sheet whose header rows are the CSV's: the machine names, then their labels in
    a workspace that is not English; both bold and kept in view."""
    sheet = workbook.create_sheet(title)
    labels = column_labels(columns, language)
    headers = [list(columns)] if labels is None else [list(columns), labels]
    for header in headers:
        sheet.append([_xlsx_cell(name) for name in header])
        for cell in sheet[sheet.max_row]:
            cell.font = Font(bold=True)
    sheet.freeze_panes = f"A{len(headers) + 1}"
    for row in rows:
        sheet.append([_xlsx_cell(row.get(column)) for column in columns])


def to_xlsx(assessment: Assessment) -> bytes:
    """A workbook with sheets Answers, Results, Fit and Comments, from one `load_round`."""
    results = load_round(assessment)
    language = workspace_language(assessment)
    workbook = Workbook()
    workbook.remove(workbook.active)
    workbook.properties.creator = "fitcheck"
    answers = _answer_rows(results, submitted_answers(assessment))
    _sheet(workbook, "Answers", ANSWER_COLUMNS, answers, language)
    _sheet(workbook, "Results", RESULT_COLUMNS, _results_rows(results), language)
    _sheet(workbook, "Fit", FIT_COLUMNS, _fit_rows(results), language)
    _sheet(workbook, "Comments", COMMENT_COLUMNS, _comment_rows(results), language)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def to_json(assessment: Assessment) -> dict[str, Any]:
    """The assessment, `documents.round_document` (the API's results, in both languages),
    the comments by trait and side, the round's commitments as the API lists them, and
    `columns`: the fields of the trait rows named in the workspace's language."""
    results = load_round(assessment)
    columns = column_names(vocabulary.TRAIT_ROW_FIELDS, workspace_language(assessment))
    return {
        "assessment": {
            "id": assessment.id,
            "title": assessment.title,
            "partner": assessment.partner.name,
            "kind": assessment.kind.value,
            "state": assessment.state.value,
            "revealed_at": assessment.revealed_at,
            "min_responses_per_side": assessment.min_responses_per_side,
        },
        **round_document(results),
        "comments": [
            {"trait_key": key, "side": side.value, "comments": list(texts)}
            for key, side, texts in _comment_groups(results)
        ],
        "commitments": [commitment_document(seen) for seen in list_commitments(assessment)],
        "columns": columns,
    }


def _json_value(value: object) -> str:
    if isinstance(value, date):  # a datetime too
        return value.isoformat()
    raise TypeError(f"{type(value).__name__} is not JSON")


# --------------------------------------------------------------------------------------------
# Downloads
# --------------------------------------------------------------------------------------------


def answers_csv(assessment: Assessment) -> bytes:
    """The answers file: machine names, their labels in a Japanese workspace, the rows."""
    rows = answer_rows(assessment)
    labels = column_labels(ANSWER_COLUMNS, workspace_language(assessment))
    return to_csv(rows, ANSWER_COLUMNS, labels=labels)


def results_csv(assessment: Assessment) -> bytes:
    """The results file: machine names, their labels in a Japanese workspace, the rows."""
    rows = results_rows(assessment)
    labels = column_labels(RESULT_COLUMNS, workspace_language(assessment))
    return to_csv(rows, RESULT_COLUMNS, labels=labels)


FILES: dict[tuple[str, str], Callable[[Assessment], bytes]] = {
    ("answers", "csv"): answers_csv,
    ("results", "csv"): results_csv,
    ("results", "xlsx"): to_xlsx,
    ("results", "json"): lambda assessment: json.dumps(
        to_json(assessment), ensure_ascii=False, allow_nan=False, default=_json_value
    ).encode("utf-8"),
}


def export_file(assessment: Assessment, what: str, fmt: str, *, actor: User | None) -> bytes:
    """One download of `what` ("answers", "results") in `fmt`, on record in the audit log.

    Its own transaction: the event says who took which file of which round. Raises
    `ResultsSealed` before the reveal, and then nothing is recorded.
    """
    body = FILES[(what, fmt)](assessment)
    audit.record(
        audit.Kind.EXPORT,
        workspace_id=assessment.workspace_id,
        actor=actor,
        subject=assessment_subject(assessment),
        format=fmt,
        what=what,
        assessment_id=assessment.id,
    )
    db.session.commit()
    return body
