"""Outcomes: what became of each relationship, one row per partner and period.

Recorded one at a time (page, API) or imported from a CSV file; an import is all or
nothing: every row is checked first, and only a file without a single problem is written,
in one transaction.
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
from . import ServiceError, dates

MAX_PERIOD = 40
MAX_NOTE = 2000
MAX_REVENUE = Decimal("999999999999.99")  # Numeric(14, 2)
MAX_IMPORT_ROWS = 5000
# A period is a URL segment of the API: one line, no slash, starting with a letter or digit.
PERIOD_PATTERN = r"^\w([^/\x00-\x1f\x7f]*[^/\s\x00-\x1f\x7f])?$"
_PERIOD = re.compile(PERIOD_PATTERN)

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
_YES = {"yes", "true", "1", "y", "はい"}
_NO = {"no", "false", "0", "n", "いいえ"}


def check_period(period: str) -> str:
    """The period without surrounding spaces; ServiceError when it cannot be one."""
    value = period.strip()
    if not value or len(value) > MAX_PERIOD or not _PERIOD.match(value):
        raise ServiceError(
            _l(
                "A period is a short label such as 2025 or 2025-H1 "
                "(at most %(max)s characters, no slash).",
                max=MAX_PERIOD,
            ),
            "period",
        )
    return value


def _check_values(satisfaction: int | None, revenue: Decimal | None, note: str) -> None:
    if satisfaction is not None and not 0 <= satisfaction <= 10:
        raise ServiceError(_l("Satisfaction is a number from 0 to 10."), "satisfaction")
    if revenue is not None and not (revenue.is_finite() and 0 <= revenue <= MAX_REVENUE):
        raise ServiceError(_l("Revenue is an amount of 0 or more."), "revenue")
    if len(note) > MAX_NOTE:
        raise ServiceError(_l("The note is too long."), "note")


def list_outcomes(partner: Partner) -> list[Outcome]:
    """The partner's outcomes, the latest first, in one query."""
    return list(
        db.session.scalars(
            select(Outcome)
            .where(Outcome.partner_id == partner.id, Outcome.workspace_id == partner.workspace_id)
            .order_by(Outcome.observed_on.desc(), Outcome.id.desc())
        )
    )


def _find(partner: Partner, period: str) -> Outcome | None:
    return db.session.scalar(
        select(Outcome).where(Outcome.partner_id == partner.id, Outcome.period == period)
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
    whether it was created.
    """
    period = check_period(period)
    note = note.strip()
    observed_on = dates.check_day(observed_on, "observed_on")
    _check_values(satisfaction, revenue, note)
    values = {
        "observed_on": observed_on,
        "contract_signed": contract_signed,
        "renewed": renewed,
        "satisfaction": satisfaction,
        "revenue": revenue,
        "note": note,
    }
    outcome = _find(partner, period)
    created = outcome is None
    if outcome is None:
        outcome = Outcome(workspace_id=partner.workspace_id, partner_id=partner.id, period=period)
        db.session.add(outcome)
    _apply(outcome, values, recorded_by_id)
    outcome.is_demo = is_demo
    db.session.commit()
    return outcome, created


def update_outcome(outcome: Outcome, **values: Any) -> Outcome:
    """Change an outcome, its period included (which must stay unique for the partner)."""
    period = check_period(values.pop("period"))
    recorded_by_id = values.pop("recorded_by_id", None)
    values["note"] = values.get("note", "").strip()
    if "observed_on" in values:
        values["observed_on"] = dates.check_day(values["observed_on"], "observed_on")
    _check_values(values.get("satisfaction"), values.get("revenue"), values["note"])
    if period != outcome.period and _find(outcome.partner, period) is not None:
        raise ServiceError(_l("An outcome for this period is recorded already."), "period")
    outcome.period = period
    _apply(outcome, values, recorded_by_id)
    db.session.commit()
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


def _flag(text: str) -> bool | None:
    value = text.strip().lower()
    if not value:
        return None
    if value in _YES:
        return True
    if value in _NO:
        return False
    raise ValueError


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


def _parse_row(row: dict[str, str], line: int, errors: list[RowError]) -> dict[str, Any]:
    def problem(column: str, message: Any) -> None:
        errors.append(RowError(line, column, str(message)))

    values: dict[str, Any] = {"note": (row.get("note") or "").strip()}
    for column in REQUIRED_COLUMNS:
        if not (row.get(column) or "").strip():
            problem(column, _l("This column is required."))
    if (row.get("period") or "").strip():
        try:
            values["period"] = check_period(row["period"])
        except ServiceError as error:
            problem("period", error.message)
    observed = (row.get("observed_on") or "").strip()
    if observed:
        try:
            if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", observed):
                raise ValueError
            values["observed_on"] = dates.check_day(date.fromisoformat(observed), "observed_on")
        except ValueError:
            problem("observed_on", _l("Write the date as YYYY-MM-DD, e.g. 2025-12-31."))
        except ServiceError as error:
            problem("observed_on", error.message)
    for column in ("contract_signed", "renewed"):
        try:
            values[column] = _flag(row.get(column) or "")
        except ValueError:
            problem(column, _l("Write yes or no (or leave it empty)."))
    satisfaction = (row.get("satisfaction") or "").strip()
    values["satisfaction"] = None
    if satisfaction:
        if re.fullmatch(r"\d{1,2}", satisfaction) and int(satisfaction) <= 10:
            values["satisfaction"] = int(satisfaction)
        else:
            problem("satisfaction", _l("Satisfaction is a whole number from 0 to 10."))
    revenue = (row.get("revenue") or "").strip().replace(",", "")
    values["revenue"] = None
    if revenue:
        try:
            amount = Decimal(revenue)
            if not amount.is_finite() or not 0 <= amount <= MAX_REVENUE:
                raise InvalidOperation
            values["revenue"] = amount.quantize(Decimal("0.01"))
        except InvalidOperation:
            problem("revenue", _l("Revenue is an amount of 0 or more."))
    if len(values["note"]) > MAX_NOTE:
        problem("note", _l("The note is too long."))
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
    existing = {
        (outcome.partner_id, outcome.period): outcome
        for outcome in db.session.scalars(
            select(Outcome).where(
                Outcome.workspace_id == workspace_id,
                Outcome.partner_id.in_({partner_id for _, partner_id, _ in parsed}),
            )
        )
    }
    for _line, partner_id, values in parsed:
        outcome = existing.get((partner_id, values["period"]))
        if outcome is None:
            outcome = Outcome(workspace_id=workspace_id, partner_id=partner_id)
            db.session.add(outcome)
            report.created += 1
        else:
            report.updated += 1
        _apply(outcome, values, recorded_by_id)
    db.session.commit()
    return report
