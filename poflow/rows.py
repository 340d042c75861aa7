"""Reading an import file (CSV with comma or semicolon, or .xlsx) into rows of stripped strings,
and checking their cells: each problem one line naming the row (as a spreadsheet numbers it:
the header is row 1) and the column. Every import of poflow reads and checks through here."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum
from pathlib import Path
from typing import Any

from poflow._exceptions import ImportRejected, InputRefused
from poflow.addresses import check_address, check_name
from poflow.addresses import shown as show_value
from poflow.settings import get_settings

__all__ = [
    "ID_PATTERN",
    "MAX_TEXT",
    "XLSX_SUFFIXES",
    "ImportPlan",
    "ImportResult",
    "PlannedRow",
    "RowChecker",
    "RowOutcome",
    "RowProblem",
    "parse_rows",
    "person_names",
    "read_rows",
    "show_value",
]

ID_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,39}$")
MAX_TEXT = 160
_WHOLE_NUMBER = re.compile(r"[0-9]{1,9}")  # ASCII digits: str.isdigit() also takes '²'
XLSX_SUFFIXES = frozenset({".xlsx", ".xlsm"})


def read_rows(
    path: Path, expected: tuple[str, ...], *, optional: tuple[str, ...] = ()
) -> list[dict[str, str]]:
    """Read a CSV (comma or semicolon) or .xlsx file into rows of stripped strings.

    The header must hold exactly the expected columns (in any order), and may hold the
    `optional` ones (empty in every row when absent).
    """
    if not path.is_file():
        raise ImportRejected(str(path), [f"file {path} does not exist"])
    xlsx = path.suffix.lower() in XLSX_SUFFIXES
    return parse_rows(path.read_bytes(), str(path), expected, optional=optional, xlsx=xlsx)


def parse_rows(
    content: bytes,
    source: str,
    expected: tuple[str, ...],
    *,
    optional: tuple[str, ...] = (),
    xlsx: bool,
) -> list[dict[str, str]]:
    """`read_rows` for a file's bytes (an upload): `source` names it in ImportRejected."""
    header, rows = _read_xlsx(content, source) if xlsx else _read_csv(content, source)
    problems = []
    missing = [c for c in expected if c not in header]
    unknown = [c for c in header if c not in expected and c not in optional]
    if missing:
        problems.append(f"row 1 (header): missing column(s): {', '.join(missing)}")
    if unknown:
        problems.append(f"row 1 (header): unknown column(s): {', '.join(unknown)}")
    if len(set(header)) != len(header):
        problems.append("row 1 (header): a column name appears twice")
    if problems:
        raise ImportRejected(source, problems)
    absent = dict.fromkeys((c for c in optional if c not in header), "")
    return [{**absent, **dict(zip(header, r, strict=False))} for r in rows]


def _read_csv(content: bytes, source: str) -> tuple[list[str], list[list[str]]]:
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ImportRejected(source, ["file is not UTF-8 text (save it as CSV UTF-8)"]) from exc
    first = text.splitlines()[0] if text.strip() else ""
    delimiter = ";" if first.count(";") > first.count(",") else ","
    # newline=None: universal newlines, as a file opened in text mode reads (a line break
    # inside a quoted cell is one "\n" whatever the spreadsheet wrote)
    reader = csv.reader(io.StringIO(text, newline=None), delimiter=delimiter)
    lines = [row for row in reader if any(cell.strip() for cell in row)]
    if not lines:
        raise ImportRejected(source, ["file is empty: expected a header row"])
    header = [h.strip() for h in lines[0]]
    return header, [[c.strip() for c in row] for row in lines[1:]]


def _read_xlsx(content: bytes, source: str) -> tuple[list[str], list[list[str]]]:
    import openpyxl  # only for .xlsx files: the CSV path (and `poflow --help`) goes without it

    try:
        book = openpyxl.load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception as exc:
        raise ImportRejected(source, [f"not a readable .xlsx file ({type(exc).__name__})"]) from exc
    sheet = book.worksheets[0]
    values = [[_cell(v) for v in row] for row in sheet.iter_rows(values_only=True)]
    values = [row for row in values if any(row)]
    if not values:
        raise ImportRejected(source, ["the first sheet is empty: expected a header row"])
    return values[0], values[1:]


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


class RowChecker:
    """Collects problems per row and column. Addresses are checked under the SMTPUTF8 policy
    (`smtputf8`, default the setting POFLOW_SMTPUTF8), names as poflow.addresses says."""

    def __init__(self, *, smtputf8: bool | None = None) -> None:
        self.problems: list[str] = []
        self.found: list[RowProblem] = []  # the same problems, by row and column
        self.smtputf8 = get_settings().smtputf8 if smtputf8 is None else smtputf8

    def bad(self, row: int, column: str, why: str) -> None:
        self.problems.append(f"row {row}, column '{column}': {why}")
        self.found.append(RowProblem(row, column, why))

    def of_row(self, row: int) -> tuple[RowProblem, ...]:
        """The problems found in `row`."""
        return tuple(p for p in self.found if p.row == row)

    def text(
        self,
        row: int,
        rec: dict[str, str],
        column: str,
        *,
        required: bool = True,
        max_length: int = MAX_TEXT,
    ) -> str:
        """A name or other text shown in mails: no control, bidi or zero-width characters."""
        value = rec.get(column, "") or ""
        try:
            return check_name(value, field=column, max_length=max_length, required=required)
        except InputRefused as exc:
            self.bad(row, column, exc.why)
            return value

    def whole_number(
        self, row: int, rec: dict[str, str], column: str, low: int, high: int
    ) -> int | None:
        """A whole number from `low` to `high` written in ASCII digits; None when empty."""
        value = rec.get(column, "") or ""
        if not value:
            return None
        if not _WHOLE_NUMBER.fullmatch(value) or not low <= int(value) <= high:
            self.bad(row, column, f"{show_value(value)} is not a whole number from {low} to {high}")
            return None
        return int(value)

    def ident(self, row: int, rec: dict[str, str], column: str, *, required: bool = True) -> str:
        value = rec.get(column, "") or ""
        if not value:
            if required:
                self.bad(row, column, "is empty, an id is required")
        elif not ID_PATTERN.match(value):
            self.bad(
                row,
                column,
                f"{show_value(value)} is not a valid id (letters, digits, - and _, at most 40)",
            )
        return value

    def email(self, row: int, rec: dict[str, str], column: str) -> str:
        value = rec.get(column, "") or ""
        try:
            return check_address(value, smtputf8=self.smtputf8, field=column)
        except InputRefused as exc:
            self.bad(row, column, exc.why)
            return value

    def municipality(self, row: int, rec: dict[str, str], known: Iterable[str]) -> str:
        value = rec.get("municipality", "") or ""
        if value not in known:
            self.bad(
                row,
                "municipality",
                f"unknown municipality {show_value(value)}; known: {', '.join(sorted(known))}",
            )
        return value


@dataclass(frozen=True, slots=True)
class RowProblem:
    """One problem of an import: the row (the header is row 1), the column and what is wrong."""

    row: int
    column: str
    why: str


class RowOutcome(StrEnum):
    """What an import does with one row."""

    NEW = "new"  # a person or hire it creates
    CHANGED = "changed"  # an existing one whose values or roles it changes
    UNCHANGED = "unchanged"  # an existing one that stays as it is (X-1: importing again)
    REFUSED = "refused"  # a row with problems: it is not imported


@dataclass(frozen=True, slots=True)
class PlannedRow:
    """The dry run of one row: its id, outcome, the fields and roles it changes, its problems."""

    row: int
    key: str
    outcome: RowOutcome
    fields: tuple[str, ...] = ()  # columns whose value changes (an existing record)
    roles_added: tuple[str, ...] = ()  # roles given at once (staff)
    roles_waiting: tuple[str, ...] = ()  # approval roles that wait for a second person (staff)
    roles_removed: tuple[str, ...] = ()
    problems: tuple[RowProblem, ...] = ()


@dataclass
class ImportPlan:
    """What an import would do, row by row, before anything is written (its dry run).

    `apply_*` of the same importer writes the rows that are not refused; the command line
    imports only a plan without problems (all rows or none)."""

    source: str
    rows: list[PlannedRow]
    records: dict[int, dict[str, Any]]  # row number -> its checked values
    problems: list[str]  # every problem as one line, as ImportRejected lists them
    found: dict[str, Any] = field(default_factory=dict)  # id -> the existing record

    def count(self, outcome: RowOutcome) -> int:
        """How many rows have this outcome."""
        return sum(1 for r in self.rows if r.outcome is outcome)

    def accepted(self) -> list[PlannedRow]:
        """The rows that would be written (not refused), in file order."""
        return [r for r in self.rows if r.outcome is not RowOutcome.REFUSED]

    def lines(self) -> list[str]:
        """The dry run as text, one line per row (`poflow import ... --dry-run`)."""
        out = []
        for r in self.rows:
            parts = [*r.fields, *(f"+{x}" for x in r.roles_added)]
            parts += [f"+{x} (waits for a second person)" for x in r.roles_waiting]
            parts += [f"-{x}" for x in r.roles_removed]
            parts += [f"column '{p.column}': {p.why}" for p in r.problems]
            detail = f" ({'; '.join(parts)})" if parts else ""
            out.append(f"row {r.row} {r.key}: {r.outcome.value}{detail}")
        return out


@dataclass(frozen=True, slots=True)
class ImportResult:
    """Counts of one import: created, updated and unchanged rows, and role grants waiting."""

    created: int
    updated: int
    unchanged: int
    waiting: int = 0  # approval-role grants now waiting for a second person (staff only)


def person_names(check: RowChecker, n: int, rec: dict[str, str]) -> dict[str, str]:
    """A person's names and team, at most as long as their columns (no control characters)."""
    return {
        "given_name": check.text(n, rec, "given_name", max_length=100),
        "family_name": check.text(n, rec, "family_name", max_length=100),
        "team": check.text(n, rec, "team", max_length=120),
    }
