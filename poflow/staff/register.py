"""The staff import's safeguards against the database: one person, one mailbox, and a person's
roles changed role by role, approval roles only through a second person (`poflow.staff.grants`).

`poflow.importer` checks every row first and calls these; the rules themselves are pure
(`poflow.staff.rules`).
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from poflow.config import MunicipalityConfig
from poflow.db.models import Person
from poflow.staff.grants import add_role, remove_role, request_grant, withdraw_grants
from poflow.staff.rules import (
    APPROVAL_ROLES,
    MailboxRow,
    mailbox_clashes,
    mailbox_key,
    role_changes,
)

__all__ = ["RoleResult", "apply_roles", "at_once", "mailbox_problems", "shared_mailboxes"]


def shared_mailboxes(configs: Mapping[str, MunicipalityConfig]) -> set[str]:
    """Every municipality's P&O team mailbox and sender: addresses that are no one person's."""
    found: set[str] = set()
    for cfg in configs.values():
        m = cfg.municipality
        found |= {mailbox_key(str(m.po_mailbox)), mailbox_key(str(m.sender_email))}
    return found


def mailbox_problems(
    session: Session, rows: list[MailboxRow], configs: Mapping[str, MunicipalityConfig]
) -> list[tuple[int, str]]:
    """(row, problem) for each import row whose address is another person's or a shared one."""
    importing = {r.person_id for r in rows}
    keys = {mailbox_key(r.email) for r in rows if r.email}
    others: dict[str, str] = {}
    # One pass over the register (no index serves a case-insensitive IN list of many addresses).
    for pid, email in session.execute(select(Person.id, Person.email)):
        key = mailbox_key(email)
        if pid not in importing and key in keys:
            others.setdefault(key, pid)
    return mailbox_clashes(rows, others, shared_mailboxes(configs))


@dataclass(frozen=True, slots=True)
class RoleResult:
    """What one person's role change did: roles given, taken, and grants now waiting."""

    added: tuple[str, ...]
    removed: tuple[str, ...]
    waiting: int


def apply_roles(
    session: Session,
    person: Person,
    wanted: Iterable[str],
    *,
    actor: str,
    batch: str,
    bootstrap: bool,
) -> RoleResult:
    """Bring `person`'s roles to `wanted`, one role at a time, each audited.

    A removal is at once; a role outside APPROVAL_ROLES is given at once; an approval role waits
    for a second person's confirmation unless `bootstrap` (nobody in the municipality could
    confirm it yet). Waiting grants of roles no longer wanted are withdrawn.
    """
    wanted_set = set(wanted)
    to_add, to_remove = role_changes(person.role_names, wanted_set)
    for role in to_remove:
        remove_role(session, person, role, actor=actor)
    withdraw_grants(session, person, wanted_set, actor=actor)
    added: list[str] = []
    waiting = 0
    for role in to_add:
        if role in APPROVAL_ROLES and not bootstrap:
            waiting += request_grant(session, person, role, actor=actor, batch=batch) is not None
            continue
        add_role(session, person, role, actor=actor, bootstrap=role in APPROVAL_ROLES)
        added.append(role)
    return RoleResult(tuple(added), tuple(to_remove), waiting)


def at_once(roles: Collection[str], *, bootstrap: bool) -> tuple[list[str], list[str]]:
    """(roles a new person gets at once, roles that wait for confirmation)."""
    now = sorted(r for r in roles if bootstrap or r not in APPROVAL_ROLES)
    return now, sorted(set(roles) - set(now))
