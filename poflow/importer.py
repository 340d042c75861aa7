"""Import staff and hires from the HR/payroll export (CSV or .xlsx): all rows or none.

Every row is checked before anything is written (`plan_hires`/`plan_staff`: the dry run, what
each row would do; `apply_*` writes a plan's accepted rows); each problem becomes one line
naming the row (as a spreadsheet numbers it: the header is row 1) and the column. Re-importing
the same file changes nothing. The staff register's import lives in `poflow.staff.importer`
(re-exported here).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from poflow import audit
from poflow._exceptions import ImportRejected
from poflow.config import MunicipalityConfig
from poflow.db.models import Hire, Person
from poflow.kernel.dates import parse_date, start_date_problem
from poflow.kernel.vocabulary import ContractType
from poflow.rows import (
    ID_PATTERN,
    ImportPlan,
    ImportResult,
    PlannedRow,
    RowChecker,
    RowOutcome,
    person_names,
    read_rows,
    show_value,
)
from poflow.staff.importer import ROLES, STAFF_COLUMNS, apply_staff, import_staff, plan_staff
from poflow.staff.rules import mailbox_key

__all__ = [
    "CONTRACT_TYPES",
    "HIRE_COLUMNS",
    "ROLES",
    "STAFF_COLUMNS",
    "ImportPlan",
    "ImportResult",
    "apply_hires",
    "apply_staff",
    "import_hires",
    "import_staff",
    "plan_hires",
    "plan_staff",
]

HIRE_COLUMNS = (
    "hire_id",
    "given_name",
    "family_name",
    "private_email",
    "work_email",
    "team",
    "function",
    "manager_id",
    "buddy_id",
    "contract_type",
    "contract_months",
    "start_date",
    "municipality",
)
CONTRACT_TYPES = frozenset(ContractType)
Progress = Callable[[int], None]
_ALLOW_HINT = " (a start date like this needs --allow-non-working-day or --allow-past)"


def _not_their_mailbox(
    check: RowChecker,
    n: int,
    column: str,
    address: str,
    people: dict[str, Person],
    *ids: str | None,
) -> None:
    """A hire's address may not be the mailbox of their manager or buddy: the hire's links
    and forms (check-ins, appraisals) would land with the person who decides about them."""
    for pid in ids:
        person = people.get(pid or "")
        if person is not None and address and mailbox_key(person.email) == mailbox_key(address):
            check.bad(n, column, f"is the address of {pid}, not the new colleague's own mailbox")


def _start_date(check: RowChecker, n: int, raw: str) -> date | None:
    """The start date of row `n` (ISO or Dutch day-month-year), or None with a problem noted."""
    try:
        return parse_date(raw)
    except ValueError as exc:
        check.bad(n, "start_date", f"{show_value(raw)} {exc}")
        return None


def _check_new_start(
    check: RowChecker,
    n: int,
    new: dict[str, Any],
    *,
    configs: dict[str, MunicipalityConfig],
    today: date | None,
    allow_non_working_day: bool,
    allow_past: bool,
) -> None:
    """A new hire's start date: a working day of its municipality, not before `today`."""
    start = new["start_date"]
    if start is None or new["municipality"] not in configs:
        return
    problem = start_date_problem(
        start,
        configs[new["municipality"]].calendar,
        today=today,
        allow_non_working_day=allow_non_working_day,
        allow_past=allow_past,
    )
    if problem:
        check.bad(n, "start_date", f"{problem}{_ALLOW_HINT}")


def import_hires(
    session: Session,
    path: Path,
    configs: dict[str, MunicipalityConfig],
    *,
    actor: str = "cli",
    progress: Progress | None = None,
    today: date | None = None,
    allow_non_working_day: bool = False,
    allow_past: bool = False,
) -> ImportResult:
    """Import hires.csv/.xlsx. Managers and buddies must exist as staff of the same municipality.

    All rows or none: with any problem, ImportRejected lists them all and nothing is written.
    A new hire's start date must be a working day of its municipality and, when `today` is
    given (the CLI gives it), not before it; `allow_non_working_day`/`allow_past` lift that."""
    plan = plan_hires(
        session,
        read_rows(path, HIRE_COLUMNS),
        configs,
        source=str(path),
        progress=progress,
        today=today,
        allow_non_working_day=allow_non_working_day,
        allow_past=allow_past,
    )
    if plan.problems:
        raise ImportRejected(str(path), plan.problems)
    return apply_hires(session, plan, configs, actor=actor)


def plan_hires(
    session: Session,
    rows: list[dict[str, str]],
    configs: dict[str, MunicipalityConfig],
    *,
    source: str,
    progress: Progress | None = None,
    today: date | None = None,
    allow_non_working_day: bool = False,
    allow_past: bool = False,
) -> ImportPlan:
    """The dry run of a hires import (rows as `read_rows` gives them): every row checked, and
    what importing it would do; nothing is written. `apply_hires` writes its accepted rows."""
    check = RowChecker()
    parsed: list[dict[str, Any]] = []
    seen: dict[str, int] = {}
    people_ids = {r.get("manager_id", "") for r in rows} | {r.get("buddy_id", "") for r in rows}
    people = {p.id: p for p in session.scalars(select(Person).where(Person.id.in_(people_ids)))}
    for n, rec in enumerate(rows, start=2):
        parsed.append(_check_row(check, n, rec, configs, people, seen))
        if progress:
            progress(1)
    existing = {h.id: h for h in session.scalars(select(Hire).where(Hire.id.in_(seen)))}
    staff_ids = set(session.scalars(select(Person.id).where(Person.id.in_(seen))))
    for n, rec in enumerate(parsed, start=2):
        if rec["id"] in staff_ids:
            check.bad(n, "hire_id", f"{show_value(rec['id'])} is already a staff member's id")
        old = existing.get(rec["id"])
        if old is None:
            _check_new_start(
                check,
                n,
                rec,
                configs=configs,
                today=today,
                allow_non_working_day=allow_non_working_day,
                allow_past=allow_past,
            )
            continue
        for column in ("municipality", "start_date"):
            if rec[column] is not None and getattr(old, column) != rec[column]:
                hint = " (use: poflow hire move)" if column == "start_date" else ""
                check.bad(
                    n, column, f"hire {rec['id']} already exists with a different {column}{hint}"
                )
    planned = []
    for n, rec in enumerate(parsed, start=2):
        old = existing.get(rec["id"])
        problems = check.of_row(n)
        if problems:
            planned.append(PlannedRow(n, rec["id"], RowOutcome.REFUSED, problems=problems))
        elif old is None:
            planned.append(PlannedRow(n, rec["id"], RowOutcome.NEW))
        else:
            changed = tuple(k for k, v in rec.items() if getattr(old, k) != v)
            outcome = RowOutcome.CHANGED if changed else RowOutcome.UNCHANGED
            planned.append(PlannedRow(n, rec["id"], outcome, fields=changed))
    records = dict(enumerate(parsed, start=2))
    return ImportPlan(source, planned, records, check.problems, found=dict(existing))


def _check_row(
    check: RowChecker,
    n: int,
    rec: dict[str, str],
    configs: dict[str, MunicipalityConfig],
    people: dict[str, Person],
    seen: dict[str, int],
) -> dict[str, Any]:
    """Row `n` of a hires file checked on its own: its values, problems noted in `check`."""
    hid = check.ident(n, rec, "hire_id")
    if hid in seen:
        check.bad(n, "hire_id", f"{show_value(hid)} appears twice (also row {seen[hid]})")
    seen.setdefault(hid, n)
    slug = check.municipality(n, rec, configs)
    manager_id = check.ident(n, rec, "manager_id")
    buddy_id = check.ident(n, rec, "buddy_id", required=False) or None
    for column, pid in (("manager_id", manager_id), ("buddy_id", buddy_id)):
        if not pid or not ID_PATTERN.match(pid):
            continue
        person = people.get(pid)
        if person is None:
            check.bad(n, column, f"unknown person {show_value(pid)}: import them in staff first")
        elif slug in configs and person.municipality != slug:
            check.bad(n, column, f"person {pid} works for {person.municipality!r}, not {slug!r}")
        elif column == "manager_id" and "leidinggevende" not in person.role_names:
            check.bad(n, column, f"person {pid} does not have the role leidinggevende")
    if buddy_id and buddy_id == manager_id:
        check.bad(n, "buddy_id", "the buddy cannot be the manager")
    for column in ("work_email", "private_email"):
        _not_their_mailbox(check, n, column, rec.get(column, ""), people, manager_id, buddy_id)
    contract = rec.get("contract_type", "")
    if contract not in CONTRACT_TYPES:
        check.bad(
            n,
            "contract_type",
            f"unknown contract type {show_value(contract)}; known: "
            f"{', '.join(sorted(CONTRACT_TYPES))}",
        )
    months = check.whole_number(n, rec, "contract_months", 1, 120)  # months
    if months is not None and contract == "vast":
        check.bad(n, "contract_months", "must be empty for contract type 'vast'")
        months = None
    elif not rec.get("contract_months") and contract in CONTRACT_TYPES - {"vast", "bestuurder"}:
        check.bad(n, "contract_months", f"is empty; required for contract type {contract!r}")
    return {
        "id": hid,
        "municipality": slug,
        **person_names(check, n, rec),
        "private_email": check.email(n, rec, "private_email"),
        "work_email": check.email(n, rec, "work_email"),
        "function": check.text(n, rec, "function", max_length=160),
        "manager_id": manager_id,
        "buddy_id": buddy_id,
        "contract_type": contract,
        "contract_months": months,
        "start_date": _start_date(check, n, rec.get("start_date", "")),
    }


def apply_hires(
    session: Session,
    plan: ImportPlan,
    configs: dict[str, MunicipalityConfig],
    *,
    actor: str,
) -> ImportResult:
    """Write the accepted rows of a hires plan (made in this session), each audited as `actor`;
    a refused row is left out. A new hire is planned by the next dispatcher run."""
    created = updated = unchanged = 0
    for row in plan.accepted():
        new = plan.records[row.row]
        hire = plan.found.get(new["id"])
        if hire is None:
            cal = configs[new["municipality"]].calendar
            session.add(Hire(**new, first_working_day=cal.first_working_day(new["start_date"])))
            audit.record(
                session,
                actor=actor,
                action="hire.imported",
                entity_type="hire",
                entity_id=new["id"],
                municipality=new["municipality"],
                start=new["start_date"].isoformat(),
                contract=new["contract_type"],
            )
            created += 1
            continue
        changed = [k for k, v in new.items() if getattr(hire, k) != v]
        for k in changed:
            setattr(hire, k, new[k])
        if changed:
            audit.record(
                session,
                actor=actor,
                action="hire.updated",
                entity_type="hire",
                entity_id=hire.id,
                municipality=hire.municipality,
                fields=",".join(changed),
            )
            updated += 1
        else:
            unchanged += 1
    session.flush()
    return ImportResult(created, updated, unchanged)
