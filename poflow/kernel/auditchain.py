"""The audit log's hash chain (X-4), pure: the hash of a row, sealing rows onto a chain, and
checking a chain row by row.

Each municipality has one chain (the rows without a municipality have their own). A row is
written unsealed, on the hot path; sealing gives it the next sequence number ("regel") and
the hash of its content together with the previous row's hash, so changing, deleting or
inserting a sealed row breaks the chain at that row. A row whose time lies more than
`BACKDATE_TOLERANCE` before the latest time already on the chain was inserted back-dated:
sealing records it as a finding and seals it anyway (history is never rewritten).

`poflow.audit_chain` seals and `poflow.audit_verify` checks the rows; this module only computes.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum

from poflow._exceptions import AuditAnchorInvalid

__all__ = [
    "BACKDATE_TOLERANCE",
    "GENESIS",
    "Anchor",
    "AuditRow",
    "Finding",
    "Head",
    "Problem",
    "Sealed",
    "chain_name",
    "check_chain",
    "parse_anchor",
    "row_hash",
    "seal",
]

GENESIS = "0" * 64
BACKDATE_TOLERANCE = timedelta(minutes=5)  # commit order against insert time, clock skew
_VERSION = "poflow-audit-1"
_ANCHOR = re.compile(r"^(?P<chain>[a-z0-9-]+|-):(?P<seq>[0-9]{1,12}):(?P<prefix>[0-9a-f]{8,64})$")


@dataclass(frozen=True, slots=True)
class AuditRow:
    """One audit row as stored: its content and, once sealed, its place and hash."""

    id: int
    at: datetime
    municipality: str | None
    actor: str
    action: str
    entity_type: str
    entity_id: str
    detail: Mapping[str, object]
    seq: int | None = None
    hash: str | None = None


@dataclass(frozen=True, slots=True)
class Head:
    """Where a chain ends: its last sequence number, hash and row, and its latest time."""

    seq: int = 0
    hash: str = GENESIS
    audit_id: int | None = None
    at: datetime | None = None


class Problem(StrEnum):
    """What is wrong with a row of the chain."""

    CHANGED = "changed"
    MISSING = "deleted or missing"
    BACKDATED = "inserted back-dated"
    INSERTED = "inserted"
    HEAD = "does not match the chain's head"
    ANCHOR = "does not match the published head"


@dataclass(frozen=True, slots=True)
class Finding:
    """One row that does not fit, and why (ids, sequence numbers and times only)."""

    municipality: str | None
    audit_id: int | None
    seq: int | None
    problem: Problem
    why: str

    def message(self) -> str:
        """One line naming the chain, the row and what is wrong."""
        row = f"audit row {self.audit_id}" if self.audit_id is not None else "a row"
        place = f" (regel {self.seq})" if self.seq is not None else ""
        return f"{chain_name(self.municipality)}: {row}{place} {self.problem}: {self.why}"


@dataclass(frozen=True, slots=True)
class Sealed:
    """The outcome of sealing rows: (audit id, seq, hash) per row, the new head, findings."""

    seals: tuple[tuple[int, int, str], ...]
    head: Head
    backdated: tuple[Finding, ...]


@dataclass(frozen=True, slots=True)
class Anchor:
    """A published head: in chain `municipality`, regel `seq` has a hash starting `prefix`."""

    municipality: str | None
    seq: int
    prefix: str


def chain_name(municipality: str | None) -> str:
    """The chain's name in messages: the municipality, or "-" for rows without one."""
    return municipality or "-"


def _utc(at: datetime) -> datetime:
    return at.replace(tzinfo=UTC) if at.tzinfo is None else at.astimezone(UTC)


def row_hash(row: AuditRow, seq: int, previous: str) -> str:
    """SHA-256 over the row's content, its place and the previous row's hash (hex)."""
    content = [
        _VERSION,
        previous,
        seq,
        row.id,
        row.municipality,
        _utc(row.at).strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
        row.actor,
        row.action,
        row.entity_type,
        row.entity_id,
        row.detail,
    ]
    text = json.dumps(
        content, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str
    )
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _backdated(row: AuditRow, latest: datetime | None, tolerance: timedelta) -> bool:
    return latest is not None and _utc(row.at) < latest - tolerance


def _later(latest: datetime | None, at: datetime) -> datetime:
    return _utc(at) if latest is None else max(latest, _utc(at))


def _backdated_finding(
    row: AuditRow, seq: int, latest: datetime | None, tolerance: timedelta
) -> Finding:
    minutes = int(tolerance.total_seconds() // 60)
    return Finding(
        row.municipality,
        row.id,
        seq,
        Problem.BACKDATED,
        f"its time {_utc(row.at).isoformat()} is more than {minutes} minutes before "
        f"{latest.isoformat() if latest else ''}, the latest time already on the chain",
    )


def seal(
    head: Head, rows: Iterable[AuditRow], *, tolerance: timedelta = BACKDATE_TOLERANCE
) -> Sealed:
    """Put unsealed `rows` (in id order) onto the chain ending in `head`; back-dated rows are
    sealed too, and named as findings."""
    seals: list[tuple[int, int, str]] = []
    findings: list[Finding] = []
    seq, previous, latest, last_id = head.seq, head.hash, head.at, head.audit_id
    for row in rows:
        seq += 1
        if _backdated(row, latest, tolerance):
            findings.append(_backdated_finding(row, seq, latest, tolerance))
        previous = row_hash(row, seq, previous)
        seals.append((row.id, seq, previous))
        latest, last_id = _later(latest, row.at), row.id
    return Sealed(tuple(seals), Head(seq, previous, last_id, latest), tuple(findings))


def check_chain(
    municipality: str | None,
    rows: Iterable[AuditRow],
    head: Head | None,
    *,
    anchors: Iterable[Anchor] = (),
    tolerance: timedelta = BACKDATE_TOLERANCE,
) -> list[Finding]:
    """Every sealed row of one chain that does not fit, in chain order (`rows` sorted by seq,
    then id): a hash that does not follow, a gap, a sequence number taken twice, a back-dated
    time, a head or a published head that does not match."""
    expected_anchor = {a.seq: a for a in anchors}
    findings: list[Finding] = []
    expected, previous, latest = 1, GENESIS, None
    last: AuditRow | None = None
    past_head: AuditRow | None = None

    def found(row: AuditRow | None, problem: Problem, why: str, seq: int | None = None) -> None:
        audit_id = row.id if row is not None else None
        place = seq if seq is not None else (row.seq if row is not None else None)
        findings.append(Finding(municipality, audit_id, place, problem, why))

    for row in rows:
        if row.seq is None:
            continue
        if head is not None and row.seq > head.seq and past_head is None:
            past_head = row
        if row.seq < expected:
            before = f"audit row {last.id}" if last is not None else "another row"
            found(row, Problem.INSERTED, f"regel {row.seq} is taken twice (also {before})")
            continue
        if row.seq > expected:
            after = f"after audit row {last.id}" if last is not None else "at the start"
            gap = f"{expected}" if row.seq == expected + 1 else f"{expected}..{row.seq - 1}"
            found(row, Problem.MISSING, f"regel {gap} {after} is gone (deleted)", expected)
        elif row.hash != row_hash(row, row.seq, previous):
            before = f", or the hash of audit row {last.id} before it," if last is not None else ""
            found(
                row,
                Problem.CHANGED,
                f"its hash does not follow from its content and the previous hash: this row{before}"
                " was changed",
            )
        elif _backdated(row, latest, tolerance):
            findings.append(_backdated_finding(row, row.seq, latest, tolerance))
        if (anchor := expected_anchor.pop(row.seq, None)) and not (row.hash or "").startswith(
            anchor.prefix
        ):
            found(row, Problem.ANCHOR, f"its hash does not start with {anchor.prefix}")
        previous, expected, last = row.hash or "", row.seq + 1, row
        latest = _later(latest, row.at)
    for anchor in expected_anchor.values():
        found(None, Problem.ANCHOR, f"regel {anchor.seq} is not on the chain", anchor.seq)
    findings += _against_head(municipality, last, past_head, head)
    return findings


def _against_head(
    municipality: str | None, last: AuditRow | None, past_head: AuditRow | None, head: Head | None
) -> list[Finding]:
    last_seq = last.seq if last is not None and last.seq is not None else 0
    if head is None:
        if last is None:
            return []
        return [Finding(municipality, last.id, last_seq, Problem.HEAD, "the chain has no head")]
    if head.seq > last_seq:
        gap = f"{last_seq + 1}" if head.seq == last_seq + 1 else f"{last_seq + 1}..{head.seq}"
        return [
            Finding(
                municipality,
                head.audit_id,
                head.seq,
                Problem.MISSING,
                f"regel {gap} at the end of the chain is gone (deleted); the head still names it",
            )
        ]
    if past_head is not None:
        return [
            Finding(
                municipality,
                past_head.id,
                past_head.seq,
                Problem.INSERTED,
                f"sealed past the head (regel {head.seq}) without moving it",
            )
        ]
    if last is not None and last.hash != head.hash:
        return [
            Finding(
                municipality, last.id, last_seq, Problem.HEAD, "its hash is not the head's hash"
            )
        ]
    return []


def parse_anchor(text: str) -> Anchor:
    """A published head as `SLUG:REGEL:HEX` (at least 8 hex digits; "-" for the rows without
    a municipality); AuditAnchorInvalid otherwise."""
    match = _ANCHOR.match(text.strip().lower())
    if match is None:
        raise AuditAnchorInvalid(
            f"Published head {text!r} is not SLUG:REGEL:HEX (e.g. hardenberg:1234:3f2a9c0d12345678)"
        )
    chain = match["chain"]
    return Anchor(None if chain == "-" else chain, int(match["seq"]), match["prefix"])
