"""Changes the audit triggers cannot see (X-4), pure: every four-eyes decision and every role
assignment must match the audit row written with it.

A decision is audited as `approval.approved`/`approval.rejected` by the person who decided,
with the role (and, since the hash chain, the approval's id and `approve`) in its detail; the
importer audits a person's roles as `person.imported`/`person.updated` and each role given or
taken as `person.role_added`/`person.role_removed`, with the roles then held as `roles` in the
detail. An approval or a role set in the database that no audit row accounts for was changed
behind the application's back (`UPDATE approval SET approve = false`), whatever the triggers.
`poflow.audit_verify` reads the rows; this module only compares.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass

from poflow.kernel.auditchain import AuditRow, chain_name

__all__ = [
    "DECISION_ACTIONS",
    "ROLE_ACTIONS",
    "VOIDED_ACTION",
    "ApprovalFact",
    "AuditedDecision",
    "Unaudited",
    "audited_decision",
    "check_approvals",
    "check_roles",
    "voided_approval",
]

DECISION_ACTIONS = {"approval.approved": True, "approval.rejected": False}
ROLE_ACTIONS = ("person.imported", "person.updated", "person.role_added", "person.role_removed")
# A decision made void when the person asked changed (poflow.approvals.reask): its row is gone
# on purpose, and this audit row names it.
VOIDED_ACTION = "approval.voided"


@dataclass(frozen=True, slots=True)
class ApprovalFact:
    """One row of the approval table."""

    id: int
    municipality: str
    subject_type: str
    subject_id: str
    role: str
    person_id: str
    approve: bool

    def describe(self) -> str:
        """Subject, role, person and decision (ids only)."""
        return (
            f"{self.subject_type} {self.subject_id}, role {self.role}, by {self.person_id}, "
            f"approve={_yes(self.approve)}"
        )


@dataclass(frozen=True, slots=True)
class AuditedDecision:
    """A decision as its audit row tells it."""

    audit_id: int
    municipality: str | None
    subject_type: str
    subject_id: str
    role: str
    person_id: str
    approve: bool
    approval_id: int | None

    def describe(self) -> str:
        """Subject, role, person and decision (ids only)."""
        return (
            f"{self.subject_type} {self.subject_id}, role {self.role}, by {self.person_id}, "
            f"approve={_yes(self.approve)}"
        )


@dataclass(frozen=True, slots=True)
class Unaudited:
    """An approval or a role set the audit log does not account for."""

    municipality: str | None
    what: str  # "approval 3", "person HB-0004", "audit row 57"
    why: str

    def message(self) -> str:
        """One line naming the municipality, the row and what does not match."""
        return f"{chain_name(self.municipality)}: {self.what} {self.why}"


def _yes(value: bool) -> str:
    return "yes" if value else "no"


def audited_decision(row: AuditRow) -> AuditedDecision | None:
    """The decision an `approval.approved`/`approval.rejected` audit row records, else None."""
    if row.action not in DECISION_ACTIONS:
        return None
    approval_id = row.detail.get("approval_id")
    return AuditedDecision(
        audit_id=row.id,
        municipality=row.municipality,
        subject_type=row.entity_type,
        subject_id=row.entity_id,
        role=str(row.detail.get("role", "")),
        person_id=row.actor,
        approve=DECISION_ACTIONS[row.action],
        approval_id=approval_id if isinstance(approval_id, int) else None,
    )


def voided_approval(row: AuditRow) -> int | None:
    """The approval id an `approval.voided` audit row names, else None."""
    approval_id = row.detail.get("approval_id") if row.action == VOIDED_ACTION else None
    return approval_id if isinstance(approval_id, int) else None


def _matches(fact: ApprovalFact, audited: AuditedDecision) -> bool:
    return (fact.person_id, fact.approve) == (audited.person_id, audited.approve) and (
        audited.approval_id in (None, fact.id)
    )


def check_approvals(
    approvals: Iterable[ApprovalFact],
    decisions: Iterable[AuditedDecision],
    voided: Collection[int] = (),
) -> list[Unaudited]:
    """Each approval without the audit row of that very decision, and each audited decision
    whose approval row is gone without an audited voiding (`voided`: approval ids)."""
    by_key: dict[tuple[str, str, str], list[AuditedDecision]] = {}
    for d in decisions:
        by_key.setdefault((d.subject_type, d.subject_id, d.role), []).append(d)
    found: list[Unaudited] = []
    accounted: set[int] = set()
    for fact in approvals:
        candidates = by_key.get((fact.subject_type, fact.subject_id, fact.role), [])
        match = next((d for d in candidates if _matches(fact, d)), None)
        if match is not None:
            accounted.add(match.audit_id)
            continue
        if candidates:
            told = "; ".join(f"{d.describe()} (audit row {d.audit_id})" for d in candidates)
            why = f"the audit log records {told}"
            accounted.update(d.audit_id for d in candidates)
        else:
            why = "no audit row records this decision"
        found.append(
            Unaudited(fact.municipality, f"approval {fact.id}", f"({fact.describe()}): {why}")
        )
    for candidates in by_key.values():
        for d in candidates:
            if d.audit_id not in accounted and d.approval_id not in voided:
                found.append(
                    Unaudited(
                        d.municipality,
                        f"audit row {d.audit_id}",
                        f"records a decision ({d.describe()}) whose approval row is gone",
                    )
                )
    return found


def _recorded_roles(row: AuditRow) -> tuple[bool, frozenset[str] | None]:
    """(whether the row is about roles, the roles it records: None when it does not say)."""
    if row.action not in ROLE_ACTIONS:
        return False, None
    roles = row.detail.get("roles")
    if isinstance(roles, str):
        return True, frozenset(r for r in roles.split(";") if r)
    fields = str(row.detail.get("fields", "")).split(",")
    return row.action == "person.updated" and "roles" in fields, None


def check_roles(
    current: Mapping[str, tuple[str, frozenset[str]]], audit_rows: Iterable[AuditRow]
) -> list[Unaudited]:
    """Each person whose roles (person id -> (municipality, roles)) differ from the roles the
    latest audit row about them records (`audit_rows` in id order). A person whose roles were
    last changed before the audit recorded them (fields=roles without the roles) is skipped."""
    recorded: dict[str, tuple[int, str | None, frozenset[str] | None]] = {}
    for row in audit_rows:
        about, roles = _recorded_roles(row)
        if about:
            recorded[row.entity_id] = (row.id, row.municipality, roles)
    found: list[Unaudited] = []
    for person_id in sorted(set(current) | set(recorded)):
        municipality, have = current.get(person_id, (None, frozenset()))
        said = recorded.get(person_id)
        shown = ";".join(sorted(have)) or "none"
        if said is None:
            if have:
                found.append(
                    Unaudited(
                        municipality,
                        f"person {person_id}",
                        f"holds roles {shown} but no audit row records them",
                    )
                )
            continue
        audit_id, audited_in, roles = said
        if roles is not None and roles != have:
            found.append(
                Unaudited(
                    municipality or audited_in,
                    f"person {person_id}",
                    f"holds roles {shown} but the audit log last recorded "
                    f"{';'.join(sorted(roles)) or 'none'} (audit row {audit_id})",
                )
            )
    return found
