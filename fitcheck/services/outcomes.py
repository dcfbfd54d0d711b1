"""Outcomes: what became of each relationship, one row per partner and period.

Recorded one at a time (page, API) or imported from a CSV file; an import is all or
nothing: every row is checked first, and only a file without a single problem is written,
in one transaction. Every write holds the values to `outcome_rules`, the one statement of
what they may be.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from sqlalchemy import select

from .. import text
from ..extensions import db
from ..i18n import lazy_gettext as _l
from ..models import Outcome, Partner
from . import Conflict, ServiceError, commit_unique, outcome_rules

MAX_IMPORT_ROWS = 5000

CSV_COLUMNS = (
    "partner",
    "period",
    "observed_on",
    "contract_signed",
    "renewed",
    "satisfaction",
    "revenue",
    "note",
)
REQUIRED_COLUMNS = ("partner", "period", "observed_on")


def list_outcomes(partner: Partner) -> list[Outcome]:
    """The partner's outcomes, the latest first, in one query."""
    return list(
        db.session.scalars(
            select(Outcome)
            .where(Outcome.partner_id == partner.id, Outcome.workspace_id == partner.workspace_id)
            .order_by(Outcome.observed_on.desc(), Outcome.id.desc())
        )
    )


def _find(partner_id: int, period: str) -> Outcome | None:
    return db.session.scalar(
        select(Outcome).where(Outcome.partner_id == partner_id, Outcome.period == period)
    )


def _apply(outcome: Outcome, values: dict[str, Any], recorded_by_id: int | None) -> None:
    for name, value in values.items():
        setattr(outcome, name, value)
    outcome.recorded_by_id = recorded_by_id


def record_outcome(
    partner: Partner,
    *,
    period: str,
    observed_on: date,
    contract_signed: bool | None = None,
    renewed: bool | None = None,
    satisfaction: int | None = None,
    revenue: Decimal | None = None,
    note: str = "",
    recorded_by_id: int | None = None,
    is_demo: bool = False,
) -> tuple[Outcome, bool]:
    """Create the partner's outcome for `period`, or update the one recorded already.

    `is_demo` marks an outcome generated for the demo workspace. Returns the row and
    whether it was created. Conflict when another request recorded the period between
    looking for it and creating it: its values are not overwritten unseen.
    """
    values = outcome_rules.check_outcome(
        {
            "period": period,
            "observed_on": observed_on,
            "contract_signed": contract_signed,
            "renewed": renewed,
            "satisfaction": satisfaction,
            "revenue": revenue,
            "note": note,
        }
    )
    partner_id = partner.id
    outcome = _find(partner_id, values["period"])
    created = outcome is None

    def check_not_created_meanwhile() -> None:
        if created and _find(partner_id, values["period"]) is not None:
            raise Conflict(
                _l("The outcome of this period is being recorded by another request."), "period"
            )

    if outcome is None:
        outcome = Outcome(workspace_id=partner.workspace_id, partner_id=partner_id)
        db.session.add(outcome)
    _apply(outcome, values, recorded_by_id)
    outcome.is_demo = is_demo
    commit_unique(check_not_created_meanwhile)
    return outcome, created


def update_outcome(
    outcome: Outcome,
    *,
    period: str,
    observed_on: date,
    contract_signed: bool | None = None,
    renewed: bool | None = None,
    satisfaction: int | None = None,
    revenue: Decimal | None = None,
    note: str = "",
    recorded_by_id: int | None = None,
) -> Outcome:
    """Change an outcome, its period included (which must stay unique for the partner)."""
    values = outcome_rules.check_outcome(
        {
            "period": period,
            "observed_on": observed_on,
            "contract_signed": contract_signed,
            "renewed": renewed,
            "satisfaction": satisfaction,
            "revenue": revenue,
            "note": note,
        }
    )
    partner_id, outcome_id = outcome.partner_id, outcome.id

    def check_period_free() -> None:
        taken = _find(partner_id, values["period"])
        if taken is not None and taken.id != outcome_id:
            raise Conflict(_l("An outcome for this period is recorded already."), "period")

    check_period_free()
    _apply(outcome, values, recorded_by_id)
    commit_unique(check_period_free)
    return outcome


def delete_outcome(outcome: Outcome) -> None:
    db.session.delete(outcome)
    db.session.commit()


# --------------------------------------------------------------------------------------------
# CSV import
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RowError:
    row: int  # the line of the file, the header being line 1
    column: str
    message: str


@dataclass
class ImportReport:
    created: int = 0
    updated: int = 0
    errors: list[RowError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


def template_csv() -> str:
    """The header row of an import file, with one example row."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    writer.writerow(["Aozora Design", "2025", "2025-12-31", "yes", "no", "8", "1200000", ""])
    return out.getvalue()


def _broken_cells(row: dict[str, str], line: int, errors: list[RowError]) -> bool:
    """Report each cell of the row holding a character no text may hold (fitcheck.text);
    True when there is one. Only the note may span lines."""
    broken = False
    for column in CSV_COLUMNS:
        message = text.problem(row.get(column) or "", lines=column == "note")
        if message is not None:
            errors.append(RowError(line, column, str(message)))
            broken = True
    return broken


def _day(text: str) -> date:
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
        raise ValueError(text)
    return date.fromisoformat(text)


def _whole_number(text: str) -> int | None:
    if not text:
        return None
    if not text.isdecimal():
        raise ValueError(text)
    return int(text)  # ValueError beyond 4,300 digits, too


def _amount(text: str) -> Decimal | None:
    text = text.replace(",", "")
    return Decimal(text) if text else None  # InvalidOperation when it is no number


def _parse_row(row: dict[str, str], line: int, errors: list[RowError]) -> dict[str, Any]:
    """The row's values, read from their text and held to the outcome rules; a cell that
    cannot be read, or breaks its rule, is reported in the words the form and the API use."""
    cells = {column: (row.get(column) or "").strip() for column in CSV_COLUMNS}
    problems: dict[str, Any] = {
        column: _l("This column is required.") for column in REQUIRED_COLUMNS if not cells[column]
    }
    read: dict[str, Any] = {"note": cells["note"]}
    if cells["period"]:
        read["period"] = cells["period"]
    if cells["observed_on"]:
        try:
            read["observed_on"] = _day(cells["observed_on"])
        except ValueError:
            problems["observed_on"] = _l("Write the date as YYYY-MM-DD, e.g. 2025-12-31.")
    for column in ("contract_signed", "renewed"):
        try:
            read[column] = outcome_rules.read_flag(cells[column], column)
        except ServiceError as error:
            problems[column] = error.message
    try:
        read["satisfaction"] = _whole_number(cells["satisfaction"])
    except ValueError:
        problems["satisfaction"] = outcome_rules.SATISFACTION_MESSAGE
    try:
        read["revenue"] = _amount(cells["revenue"])
    except InvalidOperation:
        problems["revenue"] = outcome_rules.REVENUE_MESSAGE
    values = outcome_rules.check_outcome(read, problems=problems)
    errors.extend(
        RowError(line, column, str(problems[column]))
        for column in CSV_COLUMNS
        if column in problems
    )
    return values


def _decode(data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise ServiceError(_l("The file is not UTF-8 text. Save it as CSV UTF-8.")) from error


def _unreadable(line: int) -> RowError:
    message = _l(
        "This row cannot be read: a cell is longer than %(max)s characters, or a quotation "
        "mark is never closed.",
        max=csv.field_size_limit(),
    )
    return RowError(line, "", str(message))


def _rows(reader: csv.DictReader[str], errors: list[RowError]) -> Iterator[dict[str, str]]:
    """The rows of the file, up to the first one the csv module refuses (a row error)."""
    try:
        yield from reader
    except csv.Error:
        # line_num counts the lines read whole; the reader stopped inside the next one.
        errors.append(_unreadable(reader.line_num + 1))


def import_outcomes_csv(
    workspace_id: int, data: bytes, *, recorded_by_id: int | None
) -> ImportReport:
    """Record every row of a CSV file, or none: the report lists each row's problems.

    Rows name their partner (case-insensitively, within the workspace) and period; a row
    for a partner and period recorded already updates that outcome.
    """
    report = ImportReport()
    content = _decode(data)
    reader = csv.DictReader(io.StringIO(content, newline=""))
    try:
        header = [name.strip().lower() for name in reader.fieldnames or []]
    except csv.Error:
        report.errors.append(_unreadable(1))
        return report
    missing = [column for column in REQUIRED_COLUMNS if column not in header]
    if missing:
        report.errors.append(
            RowError(
                1,
                ", ".join(missing),
                str(
                    _l(
                        "The header row lacks these columns: %(columns)s.",
                        columns=", ".join(missing),
                    )
                ),
            )
        )
        return report
    reader.fieldnames = header
    partners = {
        name.casefold(): partner_id
        for partner_id, name in db.session.execute(
            select(Partner.id, Partner.name).where(Partner.workspace_id == workspace_id)
        )
    }
    parsed: list[tuple[int, int, dict[str, Any]]] = []
    seen: dict[tuple[int, str], int] = {}
    for raw in _rows(reader, report.errors):
        line = reader.line_num
        if not any((value or "").strip() for key, value in raw.items() if key is not None):
            continue
        if len(parsed) >= MAX_IMPORT_ROWS:
            report.errors.append(
                RowError(line, "", str(_l("At most %(max)s rows at a time.", max=MAX_IMPORT_ROWS)))
            )
            break
        before = len(report.errors)
        row = {k: v for k, v in raw.items() if k is not None}
        if _broken_cells(row, line, report.errors):
            continue  # the rest of the row is checked once these cells are fixed
        values = _parse_row(row, line, report.errors)
        name = (raw.get("partner") or "").strip()
        partner_id = partners.get(name.casefold()) if name else None
        if name and partner_id is None:
            report.errors.append(
                RowError(line, "partner", str(_l("No partner named “%(name)s”.", name=name)))
            )
        if partner_id is not None and "period" in values:
            key = (partner_id, values["period"])
            if key in seen:
                report.errors.append(
                    RowError(
                        line,
                        "period",
                        str(
                            _l(
                                "This partner and period are on row %(row)s already.",
                                row=seen[key],
                            )
                        ),
                    )
                )
            else:
                seen[key] = line
        if len(report.errors) == before and partner_id is not None:
            parsed.append((line, partner_id, values))
    if report.errors:
        return report
    if not parsed:
        report.errors.append(RowError(1, "", str(_l("The file has no rows to import."))))
        return report
    partner_ids = {partner_id for _, partner_id, _ in parsed}
    existing = {
        (outcome.partner_id, outcome.period): outcome
        for outcome in db.session.scalars(
            select(Outcome).where(
                Outcome.workspace_id == workspace_id, Outcome.partner_id.in_(partner_ids)
            )
        )
    }
    created: dict[tuple[int, str], int] = {}
    for line, partner_id, values in parsed:
        outcome = existing.get((partner_id, values["period"]))
        if outcome is None:
            outcome = Outcome(workspace_id=workspace_id, partner_id=partner_id)
            db.session.add(outcome)
            created[(partner_id, values["period"])] = line
            report.created += 1
        else:
            report.updated += 1
        _apply(outcome, values, recorded_by_id)

    def check_not_created_meanwhile() -> None:
        recorded = db.session.execute(
            select(Outcome.partner_id, Outcome.period).where(
                Outcome.workspace_id == workspace_id, Outcome.partner_id.in_(partner_ids)
            )
        )
        taken = {(partner_id, period) for partner_id, period in recorded}
        rows = sorted(line for key, line in created.items() if key in taken)
        if rows:
            raise Conflict(
                _l(
                    "Another request recorded the outcome of row %(row)s meanwhile; nothing "
                    "was imported. Upload the file again to update it.",
                    row=rows[0],
                ),
                "file",
            )

    commit_unique(check_not_created_meanwhile)
    return report
