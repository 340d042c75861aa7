"""Tests of the pure audit chain (X-4): the hash of a row, sealing and checking a chain, and
the cross-check of approvals and roles against their audit rows."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta

import pytest

from poflow._exceptions import AuditAnchorInvalid
from poflow.kernel.auditchain import (
    GENESIS,
    Anchor,
    AuditRow,
    Head,
    Problem,
    check_chain,
    parse_anchor,
    row_hash,
    seal,
)
from poflow.kernel.auditfacts import ApprovalFact, audited_decision, check_approvals, check_roles

T0 = datetime(2027, 1, 4, 7, 0, tzinfo=UTC)


def _row(i: int, *, at: datetime | None = None, **changes: object) -> AuditRow:
    row = AuditRow(
        id=i,
        at=at or T0 + timedelta(seconds=i),
        municipality="hardenberg",
        actor="system",
        action="action.done",
        entity_type="hire",
        entity_id=f"NH-{i}",
        detail={"kind": "invite", "n": i},
    )
    return dataclasses.replace(row, **changes)  # type: ignore[arg-type]  (test rows)


def _sealed(n: int) -> tuple[list[AuditRow], Head]:
    rows = [_row(i) for i in range(1, n + 1)]
    outcome = seal(Head(), rows)
    by_id = {i: (seq, h) for i, seq, h in outcome.seals}
    return [dataclasses.replace(r, seq=by_id[r.id][0], hash=by_id[r.id][1]) for r in rows], (
        outcome.head
    )


def test_x_4_every_field_of_a_row_and_its_place_go_into_its_hash():
    """Changing action, entity, actor, time, detail, municipality, seq or previous hash
    changes the hash."""
    row = _row(1)
    base = row_hash(row, 1, GENESIS)
    changed = [
        dataclasses.replace(row, action="action.skipped"),
        dataclasses.replace(row, entity_type="person"),
        dataclasses.replace(row, entity_id="NH-2"),
        dataclasses.replace(row, actor="HB-0002"),
        dataclasses.replace(row, at=row.at + timedelta(microseconds=1)),
        dataclasses.replace(row, detail={"kind": "invite", "n": 2}),
        dataclasses.replace(row, municipality="borger-odoorn"),
        dataclasses.replace(row, id=2),
    ]
    assert all(row_hash(r, 1, GENESIS) != base for r in changed)
    assert row_hash(row, 2, GENESIS) != base
    assert row_hash(row, 1, "1" * 64) != base
    assert row_hash(dataclasses.replace(row, detail={"n": 1, "kind": "invite"}), 1, GENESIS) == base


def test_x_4_a_sealed_chain_checks_clean_and_ends_in_its_head():
    """Sealing numbers rows 1..n in id order; checking them against the head finds nothing."""
    rows, head = _sealed(5)
    assert [r.seq for r in rows] == [1, 2, 3, 4, 5]
    assert (head.seq, head.audit_id, head.hash) == (5, 5, rows[-1].hash)
    assert check_chain("hardenberg", rows, head) == []


def test_x_4_sealing_in_two_passes_equals_sealing_at_once():
    """A chain sealed in two passes has the same hashes as one sealed in one pass."""
    rows, head = _sealed(6)
    first = seal(Head(), [_row(i) for i in (1, 2, 3)])
    second = seal(first.head, [_row(i) for i in (4, 5, 6)])
    assert second.head == head
    assert [h for *_, h in first.seals + second.seals] == [r.hash for r in rows]


def test_x_4_a_changed_row_is_named():
    """A row whose content changed after sealing is named as changed, and only that row."""
    rows, head = _sealed(5)
    rows[2] = dataclasses.replace(rows[2], actor="HB-0099")
    (finding,) = check_chain("hardenberg", rows, head)
    assert (finding.audit_id, finding.seq, finding.problem) == (3, 3, Problem.CHANGED)
    assert "audit row 3 (regel 3) changed" in finding.message()


def test_x_4_a_deleted_row_is_named_by_its_place_and_neighbours():
    """Deleting a row in the middle names the gap; deleting the last names the head's row."""
    rows, head = _sealed(5)
    (middle,) = check_chain("hardenberg", rows[:2] + rows[3:], head)
    assert (middle.problem, middle.seq, middle.audit_id) == (Problem.MISSING, 3, 4)
    assert "regel 3 after audit row 2 is gone" in middle.message()
    (last,) = check_chain("hardenberg", rows[:4], head)
    assert (last.problem, last.audit_id, last.seq) == (Problem.MISSING, 5, 5)


def test_x_4_a_back_dated_row_is_sealed_and_named():
    """A row much older than the chain's latest time is sealed (history stays) and named, at
    sealing and when checking."""
    rows, head = _sealed(3)
    late = _row(4, at=T0 - timedelta(days=30))
    outcome = seal(head, [late, _row(5)])
    assert [s[0] for s in outcome.seals] == [4, 5]
    assert [(f.audit_id, f.problem) for f in outcome.backdated] == [(4, Problem.BACKDATED)]
    sealed = rows + [
        dataclasses.replace(r, seq=q, hash=h)
        for r, (_, q, h) in zip([late, _row(5)], outcome.seals, strict=True)
    ]
    assert [(f.audit_id, f.problem) for f in check_chain("x", sealed, outcome.head)] == [
        (4, Problem.BACKDATED)
    ]


def test_x_4_rows_a_little_out_of_time_order_are_not_back_dated():
    """Commit order may differ from insert time by less than the tolerance: not a finding."""
    rows, head = _sealed(3)
    outcome = seal(head, [_row(4, at=rows[-1].at - timedelta(seconds=30))])
    assert outcome.backdated == ()


def test_x_4_a_row_inserted_with_a_forged_place_is_named():
    """A row carrying a sequence number already taken, or one past the head, is named."""
    rows, head = _sealed(3)
    forged = dataclasses.replace(_row(9), seq=2, hash="f" * 64)
    (twice,) = check_chain("hardenberg", [rows[0], rows[1], forged, rows[2]], head)
    assert (twice.audit_id, twice.problem) == (9, Problem.INSERTED)
    extra = dataclasses.replace(_row(9), seq=4, hash=row_hash(_row(9), 4, rows[-1].hash))
    (past,) = check_chain("hardenberg", [*rows, extra], head)
    assert (past.audit_id, past.problem) == (9, Problem.INSERTED)


def test_x_4_a_rewritten_chain_is_caught_by_the_published_head():
    """A chain rewritten consistently (hashes and head recomputed) still differs from the head
    published before; an anchor past the end is named too."""
    rows, head = _sealed(4)
    published = Anchor("hardenberg", 3, rows[2].hash[:16])
    assert check_chain("hardenberg", rows, head, anchors=[published]) == []
    rewritten = [dataclasses.replace(r, seq=None, hash=None) for r in rows]
    rewritten[1] = dataclasses.replace(rewritten[1], actor="HB-0099")
    again = seal(Head(), rewritten)
    redone = [
        dataclasses.replace(r, seq=q, hash=h)
        for r, (_, q, h) in zip(rewritten, again.seals, strict=True)
    ]
    assert check_chain("hardenberg", redone, again.head) == []
    (finding,) = check_chain("hardenberg", redone, again.head, anchors=[published])
    assert (finding.audit_id, finding.problem) == (3, Problem.ANCHOR)
    (beyond,) = check_chain("hardenberg", rows, head, anchors=[Anchor("hardenberg", 9, "ab" * 4)])
    assert (beyond.seq, beyond.problem) == (9, Problem.ANCHOR)


def test_x_4_an_anchor_is_parsed_or_refused_with_its_shape():
    """SLUG:REGEL:HEX is read; anything else raises AuditAnchorInvalid naming the shape."""
    assert parse_anchor("hardenberg:12:3F2A9C0D") == Anchor("hardenberg", 12, "3f2a9c0d")
    assert parse_anchor("-:1:00000000") == Anchor(None, 1, "00000000")
    for bad in ("hardenberg:12", "hardenberg:x:3f2a9c0d", "hardenberg:1:xyz", "a:1:abc"):
        with pytest.raises(AuditAnchorInvalid, match="SLUG:REGEL:HEX"):
            parse_anchor(bad)


def _decision(audit_id: int, approve: bool, **detail: object) -> AuditRow:
    return AuditRow(
        id=audit_id,
        at=T0,
        municipality="hardenberg",
        actor="HB-0004",
        action="approval.approved" if approve else "approval.rejected",
        entity_type="terms",
        entity_id="C-1:1",
        detail={"role": "leidinggevende", **detail},
    )


def test_x_4_an_approval_must_match_the_audit_row_of_its_decision():
    """An approval changed, added or deleted behind the application's back is named."""
    fact = ApprovalFact(7, "hardenberg", "terms", "C-1:1", "leidinggevende", "HB-0004", True)
    decided = audited_decision(_decision(50, True, approval_id=7))
    assert decided is not None
    assert check_approvals([fact], [decided]) == []
    flipped = dataclasses.replace(fact, approve=False)
    (changed,) = check_approvals([flipped], [decided])
    assert changed.what == "approval 7"
    assert "approve=yes (audit row 50)" in changed.why
    (added,) = check_approvals([dataclasses.replace(fact, role="po_adviseur")], [])
    assert "no audit row records this decision" in added.why
    (gone,) = check_approvals([], [decided])
    assert gone.what == "audit row 50"
    assert "approval row is gone" in gone.why
    old_style = audited_decision(_decision(51, True))  # before decisions named their approval
    assert old_style is not None
    assert check_approvals([fact], [old_style]) == []


def test_x_4_roles_must_match_the_latest_audit_row_about_the_person():
    """Roles granted or withdrawn without the importer are named; audited changes are not."""
    imported = AuditRow(
        1,
        T0,
        "hardenberg",
        "cli",
        "person.imported",
        "person",
        "HB-0004",
        {"roles": "leidinggevende"},
    )
    changed = AuditRow(
        2,
        T0,
        "hardenberg",
        "cli",
        "person.updated",
        "person",
        "HB-0004",
        {"fields": "roles", "roles": "leidinggevende;po_adviseur"},
    )
    both = frozenset({"leidinggevende", "po_adviseur"})
    assert check_roles({"HB-0004": ("hardenberg", both)}, [imported, changed]) == []
    (added,) = check_roles({"HB-0004": ("hardenberg", both)}, [imported])
    assert added.what == "person HB-0004"
    assert "(audit row 1)" in added.why
    (unknown,) = check_roles({"HB-0009": ("hardenberg", frozenset({"po_adviseur"}))}, [])
    assert "no audit row records them" in unknown.why
    (withdrawn,) = check_roles({}, [imported])
    assert "holds roles none" in withdrawn.why
