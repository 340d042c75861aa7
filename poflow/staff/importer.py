"""Import the staff register from the HR/payroll export (CSV or .xlsx): all rows or none.

Every row is checked first (`poflow.rows`); one person, one mailbox (`poflow.staff.register`);
roles change one at a time and a new approval role waits for a second person
(`poflow.staff.grants`); a person asked in an open approval whose address or roles change is
asked again (`poflow.approvals.reask`). Re-importing the same file changes nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any
from uuid import uuid4

from sqlalchemy import select
from sqlalchemy.orm import Session

from poflow import audit
from poflow._exceptions import ImportRejected
from poflow.approvals.reask import PersonChange, asked_in_open, reask_changed_person
from poflow.config import MunicipalityConfig
from poflow.db.models import Person, PersonRole
from poflow.engine import Context
from poflow.kernel.vocabulary import Role
from poflow.rows import (
    ImportPlan,
    ImportResult,
    PlannedRow,
    RowChecker,
    RowOutcome,
    person_names,
    read_rows,
    show_value,
)
from poflow.staff.grants import has_confirmer, request_grant
from poflow.staff.models import PENDING, RoleGrant
from poflow.staff.notify import announce_batch
from poflow.staff.register import apply_roles, at_once, mailbox_problems
from poflow.staff.rules import APPROVAL_ROLES, MailboxRow, mailbox_key, role_changes

__all__ = ["ROLES", "STAFF_COLUMNS", "apply_staff", "import_staff", "plan_staff"]

STAFF_COLUMNS = (
    "employee_id",
    "given_name",
    "family_name",
    "email",
    "team",
    "roles",
    "municipality",
)
ROLES = frozenset(Role)
Progress = Callable[[int], None]


def import_staff(
    session: Session,
    path: Path,
    configs: dict[str, MunicipalityConfig],
    *,
    actor: str = "cli",
    progress: Progress | None = None,
    contexts: Callable[[str], Context] | None = None,
) -> ImportResult:
    """Import staff.csv/.xlsx: people and their roles. Nothing is written if any row is bad.

    One person, one mailbox: an address another person (or a shared P&O mailbox) has is refused.
    Roles change one by one, audited; a new approval role waits for a second person
    (`poflow.staff.grants`) unless nobody in the municipality could confirm it yet. A person
    asked in an open approval whose address or roles change is asked again through `contexts`
    (a Context per municipality); without it such a row is refused. With `contexts`, each
    municipality's P&O mailbox is mailed the review page of grants left waiting.
    """
    rows = read_rows(path, STAFF_COLUMNS)
    plan = plan_staff(
        session, rows, configs, source=str(path), progress=progress, reask=contexts is not None
    )
    if plan.problems:
        raise ImportRejected(str(path), plan.problems)
    return apply_staff(session, plan, actor=actor, contexts=contexts)


def plan_staff(
    session: Session,
    rows: list[dict[str, str]],
    configs: dict[str, MunicipalityConfig],
    *,
    source: str,
    progress: Progress | None = None,
    reask: bool = True,
) -> ImportPlan:
    """The dry run of a staff import (rows as `read_rows` gives them): every row checked, and
    what importing it would do (fields, roles given, roles waiting for a second person, roles
    taken); nothing is written. `reask`: whether the import will ask again the people of open
    approvals whose address or roles change (else such a row is refused)."""
    check = RowChecker()
    parsed: list[dict[str, Any]] = []
    seen: dict[str, int] = {}
    for n, rec in enumerate(rows, start=2):
        pid = check.ident(n, rec, "employee_id")
        if pid in seen:
            check.bad(n, "employee_id", f"{show_value(pid)} appears twice (also row {seen[pid]})")
        seen.setdefault(pid, n)
        roles = sorted({r.strip() for r in (rec.get("roles") or "").split(";") if r.strip()})
        if not roles:
            check.bad(n, "roles", "is empty, at least one role is required")
        for role in roles:
            if role not in ROLES:
                check.bad(
                    n,
                    "roles",
                    f"unknown role {show_value(role)}; known: {', '.join(sorted(ROLES))}",
                )
        parsed.append(
            {
                "id": pid,
                **person_names(check, n, rec),
                "email": check.email(n, rec, "email"),
                "municipality": check.municipality(n, rec, configs),
                "roles": roles,
            }
        )
        if progress:
            progress(1)
    existing = {p.id: p for p in session.scalars(select(Person).where(Person.id.in_(seen)))}
    for n, rec in enumerate(parsed, start=2):
        old = existing.get(rec["id"])
        if old is not None and old.municipality != rec["municipality"]:
            check.bad(
                n, "municipality", f"person {rec['id']} already belongs to {old.municipality!r}"
            )
    mailboxes = [MailboxRow(n, r["id"], r["email"]) for n, r in enumerate(parsed, start=2)]
    for n, why in mailbox_problems(session, mailboxes, configs):
        check.bad(n, "email", why)
    changes = _asked_changes(session, parsed, existing)
    if changes and not reask:
        for n, change in changes:
            check.bad(
                n,
                "email",
                f"person {change.person_id} is asked in an open approval: "
                "import through `poflow import staff`, which asks them again",
            )
    records = dict(enumerate(parsed, start=2))
    for n, change in changes:
        records[n]["asked"] = change
    planned = _planned(session, parsed, existing, check)
    return ImportPlan(source, planned, records, check.problems, found=dict(existing))


def _planned(
    session: Session, parsed: list[dict[str, Any]], existing: dict[str, Person], check: RowChecker
) -> list[PlannedRow]:
    """What each checked row would do (a person's roles as `apply_roles` changes them)."""
    waiting = set(
        session.execute(
            select(RoleGrant.person_id, RoleGrant.role).where(
                RoleGrant.person_id.in_(list(existing)), PENDING
            )
        ).tuples()
    )
    confirmer: dict[str, bool] = {}
    planned = []
    for n, rec in enumerate(parsed, start=2):
        problems = check.of_row(n)
        if problems:
            planned.append(PlannedRow(n, rec["id"], RowOutcome.REFUSED, problems=problems))
            continue
        slug = rec["municipality"]
        if slug not in confirmer:
            confirmer[slug] = has_confirmer(session, slug)
        boot = not confirmer[slug]
        person = existing.get(rec["id"])
        if person is None:
            now, later = at_once(rec["roles"], bootstrap=boot)
            planned.append(
                PlannedRow(
                    n, rec["id"], RowOutcome.NEW, roles_added=tuple(now), roles_waiting=tuple(later)
                )
            )
            continue
        fields = tuple(  # "asked": the open approval the change re-asks (not a column)
            k for k, v in rec.items() if k not in {"roles", "asked"} and getattr(person, k) != v
        )
        to_add, to_remove = role_changes(person.role_names, set(rec["roles"]))
        wait = {r for r in to_add if r in APPROVAL_ROLES and not boot}
        asked = tuple(sorted(r for r in wait if (person.id, r) not in waiting))
        given = tuple(sorted(set(to_add) - wait))
        removed = tuple(sorted(to_remove))
        changes = fields or given or asked or removed
        outcome = RowOutcome.CHANGED if changes else RowOutcome.UNCHANGED
        planned.append(
            PlannedRow(
                n,
                rec["id"],
                outcome,
                fields=fields,
                roles_added=given,
                roles_waiting=asked,
                roles_removed=removed,
            )
        )
    return planned


def apply_staff(
    session: Session,
    plan: ImportPlan,
    *,
    actor: str,
    contexts: Callable[[str], Context] | None = None,
) -> ImportResult:
    """Write the accepted rows of a staff plan (made in this session), each change audited as
    `actor`; a refused row is left out. With `contexts`, people of open approvals are asked
    again and each municipality's P&O mailbox is told of the grants left waiting."""
    accepted = [{**plan.records[r.row]} for r in plan.accepted()]
    batch = uuid4().hex
    bootstrap = {
        slug: not has_confirmer(session, slug) for slug in {r["municipality"] for r in accepted}
    }
    created = updated = unchanged = waiting = 0
    asked: list[PersonChange] = []
    for new in accepted:
        new_roles = new.pop("roles")
        if "asked" in new:
            asked.append(new.pop("asked"))
        person = plan.found.get(new["id"])
        boot = bootstrap[new["municipality"]]
        if person is None:
            now, later = at_once(new_roles, bootstrap=boot)
            person = Person(**new)
            person.roles = [PersonRole(role=r, municipality=new["municipality"]) for r in now]
            session.add(person)
            created += 1
            audit.record(
                session,
                actor=actor,
                action="person.imported",
                entity_type="person",
                entity_id=new["id"],
                municipality=new["municipality"],
                roles=";".join(now),
                # approval roles given at once: nobody could confirm them yet
                **({"bootstrap": True} if boot and set(now) & APPROVAL_ROLES else {}),
            )
            if later:
                session.flush()
                for role in later:
                    grant = request_grant(session, person, role, actor=actor, batch=batch)
                    waiting += grant is not None
            continue
        changed = [k for k, v in new.items() if getattr(person, k) != v]
        for k in changed:
            setattr(person, k, new[k])
        if changed:
            audit.record(
                session,
                actor=actor,
                action="person.updated",
                entity_type="person",
                entity_id=person.id,
                municipality=person.municipality,
                fields=",".join(changed),
            )
        role_result = apply_roles(
            session, person, new_roles, actor=actor, batch=batch, bootstrap=boot
        )
        waiting += role_result.waiting
        if changed or role_result.added or role_result.removed:
            updated += 1
        else:
            unchanged += 1
    session.flush()
    for change in asked:
        if contexts is not None:
            reask_changed_person(contexts(change.municipality), change)
    if waiting and contexts is not None:  # the second person learns of them by mail
        for slug in sorted(bootstrap):
            announce_batch(contexts(slug), batch)
    session.flush()
    return ImportResult(created, updated, unchanged, waiting)


def _asked_changes(
    session: Session, parsed: list[dict[str, Any]], existing: dict[str, Person]
) -> list[tuple[int, PersonChange]]:
    """(row, change) for each existing person asked in an open approval whose address changes
    or who loses a role."""
    found: list[tuple[int, PersonChange]] = []
    for n, rec in enumerate(parsed, start=2):
        person = existing.get(rec["id"])
        if person is None:
            continue
        moved = mailbox_key(person.email) != mailbox_key(rec["email"] or "")
        removed = frozenset(person.role_names - set(rec["roles"]))
        if not (moved or removed):
            continue
        if asked_in_open(session, person.municipality, person.id):
            change = PersonChange(
                person.id, person.municipality, person.email if moved else None, removed
            )
            found.append((n, change))
    return found
