"""The workspace bench's fast seeding (bench/workspace_seed.py), small: a few hires planned for
real, the others clones of their rows with their own ids, keys and addresses (issue 21)."""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from bench import workspace
from bench.workspace_seed import bench_id, templates_for
from poflow.db.models import Action, AuditEntry, Hire, Outbox, Step
from poflow.kernel.calendar import today


def test_templates_cover_every_hire_once() -> None:
    """Every hire number is a template or the clone of exactly one template of its run."""
    plan = templates_for(2000, 50)
    assert len(plan) == 50
    numbers = [*plan, *(i for clones in plan.values() for i in clones)]
    assert sorted(numbers) == list(range(2000))
    assert all(min(clones, default=t + 1) > t for t, clones in plan.items())


def test_clones_copy_their_templates_rows_with_their_own_ids(
    runtime: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Six hires from two planned ones: each clone has its template's steps, actions, mails and
    audit rows, pointing at its own hire, steps and address."""
    monkeypatch.setattr(workspace, "PLANNED", 2)
    workspace._seed(runtime, tmp_path, 6, today())
    with runtime.factory() as session:
        assert session.scalar(select(func.count()).select_from(Hire)) == 6
        per_hire = {
            table: Counter(session.scalars(select(table.case_id)).all())
            for table in (Step, Action, Outbox)
        }
        for template, clones in templates_for(6, 2).items():
            for i in clones:
                for counts in per_hire.values():
                    assert counts[bench_id(i)] == counts[bench_id(template)] > 0
                hire = session.get_one(Hire, bench_id(i))
                assert hire.given_name == f"Bench{i}"
                steps = set(session.scalars(select(Step.id).where(Step.case_id == hire.id)).all())
                step_of = session.scalars(
                    select(Action.step_id).where(Action.case_id == hire.id)
                ).all()
                assert {s for s in step_of if s is not None} <= steps
                audited = session.scalars(
                    select(AuditEntry.entity_id).where(
                        AuditEntry.entity_type == "step",
                        AuditEntry.entity_id.in_([str(s) for s in steps]),
                    )
                ).all()
                assert len(audited) >= len(steps)  # each step's "step.planned", its own
                mails = session.scalars(select(Outbox).where(Outbox.case_id == hire.id)).all()
                assert all(bench_id(template) not in m.key for m in mails)
                assert all(f"bench{template}@" not in m.recipient_email for m in mails)
