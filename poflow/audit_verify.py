"""`poflow audit verify` against the database (X-4): every sealed row of every chain checked
against its hash, its place, its chain's head and the published heads
(`poflow.kernel.auditchain`), and, independent of any trigger, every four-eyes decision and
role assignment against the audit row written with it (`poflow.kernel.auditfacts`).

A direct `UPDATE approval SET approve = false`, a role added with SQL or a decision deleted
leaves no audit row behind, whatever the triggers; this finds each such row by its id.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from poflow.approvals.models import Approval
from poflow.audit_chain import AUDIT, COLUMNS, chain_of, heads, key_of, row_of, seal
from poflow.db.models import PersonRole
from poflow.kernel.auditchain import Anchor, AuditRow, Finding, Head, check_chain
from poflow.kernel.auditfacts import (
    DECISION_ACTIONS,
    ROLE_ACTIONS,
    VOIDED_ACTION,
    ApprovalFact,
    Unaudited,
    audited_decision,
    check_approvals,
    check_roles,
    voided_approval,
)

__all__ = [
    "ChainReport",
    "FactsReport",
    "Verification",
    "check_facts",
    "verify_chains",
    "verify_log",
]


@dataclass(slots=True)
class ChainReport:
    """One chain after verifying: its sealed rows, its head and what does not fit."""

    municipality: str | None
    rows: int
    head: Head | None
    findings: list[Finding] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class FactsReport:
    """How many approvals and people were compared with the audit log, and what did not match."""

    approvals: int
    people: int
    findings: list[Unaudited]


@dataclass(frozen=True, slots=True)
class Verification:
    """What `poflow audit verify` found: per chain, and for the approvals and roles."""

    chains: list[ChainReport]
    facts: FactsReport

    @property
    def problems(self) -> list[str]:
        """One line per row that does not fit, the chains' first (in chain order), then the
        approvals' and roles'."""
        found = [f.message() for chain in self.chains for f in chain.findings]
        return found + [f.message() for f in self.facts.findings]


def verify_log(
    factory: sessionmaker[Session], only: str | None = None, *, anchors: Iterable[Anchor] = ()
) -> Verification:
    """Seal what is unsealed, then check every chain (or municipality `only`'s) and every
    approval and role assignment against the audit log."""
    seal(factory, only)
    chains = verify_chains(factory, only, anchors=anchors)
    with factory() as session:
        return Verification(chains, check_facts(session, only))


def check_facts(session: Session, only: str | None = None) -> FactsReport:
    """Compare the approvals and role assignments (of every municipality, or of `only`) with
    the audit rows recorded with them."""
    approvals = select(Approval).order_by(Approval.id)
    decisions = select(*COLUMNS).where(AUDIT.c.action.in_(DECISION_ACTIONS)).order_by(AUDIT.c.id)
    roles = select(PersonRole.person_id, PersonRole.municipality, PersonRole.role)
    people = (
        select(*COLUMNS)
        .where(AUDIT.c.entity_type == "person", AUDIT.c.action.in_(ROLE_ACTIONS))
        .order_by(AUDIT.c.id)
    )
    if only is not None:
        approvals = approvals.where(Approval.municipality == only)
        decisions = decisions.where(AUDIT.c.municipality == only)
        roles = roles.where(PersonRole.municipality == only)
        people = people.where(AUDIT.c.municipality == only)
    facts = [
        ApprovalFact(
            a.id, a.municipality, a.subject_type, a.subject_id, a.role, a.person_id, a.approve
        )
        for a in session.scalars(approvals)
    ]
    audited = [d for r in session.execute(decisions) if (d := audited_decision(row_of(r)))]
    held: dict[str, tuple[str, set[str]]] = {}
    for person_id, municipality, role in session.execute(roles):
        held.setdefault(person_id, (municipality, set()))[1].add(role)
    current = {p: (m, frozenset(r)) for p, (m, r) in held.items()}
    voids = select(*COLUMNS).where(AUDIT.c.action == VOIDED_ACTION)
    if only is not None:
        voids = voids.where(AUDIT.c.municipality == only)
    voided = {v for r in session.execute(voids) if (v := voided_approval(row_of(r))) is not None}
    found = check_approvals(facts, audited, voided)
    found += check_roles(current, (row_of(r) for r in session.execute(people)))
    return FactsReport(len(facts), len(current), found)


def verify_chains(
    factory: sessionmaker[Session], only: str | None = None, *, anchors: Iterable[Anchor] = ()
) -> list[ChainReport]:
    """Check every sealed row of every chain (or of municipality `only`'s) against its hash,
    its place, its chain's head and the published heads given as `anchors`."""
    wanted: dict[str | None, list[Anchor]] = {}
    for anchor in anchors:
        if only is None or anchor.municipality == only:
            wanted.setdefault(anchor.municipality, []).append(anchor)
    reports: list[ChainReport] = []
    with factory() as session:
        known = heads(session)
        if only is not None:
            known = {only: known[only]} if only in known else {}
        query = select(*COLUMNS).where(AUDIT.c.seq.is_not(None))
        if only is not None:
            query = query.where(chain_of(only))
        query = query.order_by(AUDIT.c.municipality, AUDIT.c.seq, AUDIT.c.id)
        result = session.execute(query.execution_options(yield_per=2000))
        rows = (row_of(r) for r in result)
        for chain, group in itertools.groupby(rows, lambda r: r.municipality):
            reports.append(_check(chain, group, known.pop(chain, None), wanted.pop(chain, [])))
    for chain in sorted({*known, *wanted}, key=key_of):
        reports.append(_check(chain, [], known.get(chain), wanted.get(chain, [])))
    return sorted(reports, key=lambda r: key_of(r.municipality))


def _check(
    chain: str | None, rows: Iterable[AuditRow], head: Head | None, anchors: list[Anchor]
) -> ChainReport:
    counted = _Counted(rows)
    findings = check_chain(chain, counted, head, anchors=anchors)
    return ChainReport(chain, counted.n, head, findings)


class _Counted:
    """An iterable that counts what passes through it (the rows are streamed, not listed)."""

    def __init__(self, rows: Iterable[AuditRow]) -> None:
        self.rows = rows
        self.n = 0

    def __iter__(self) -> Iterator[AuditRow]:
        for row in self.rows:
            self.n += 1
            yield row
