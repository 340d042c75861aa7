"""Import e-learning completions from the learning platform's CSV export (INT-4): all rows or
none."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

from poflow._exceptions import ImportRejected
from poflow.db.models import Hire
from poflow.engine import Context
from poflow.introduction.config import section
from poflow.introduction.kinds import elearning_key
from poflow.introduction.steps import complete_step
from poflow.kernel.vocabulary import CaseType
from poflow.rows import read_rows

__all__ = ["COLUMNS", "CompletionResult", "import_completion_rows", "import_completions"]

COLUMNS = ("hire_id", "module", "completed_on")


@dataclass(frozen=True, slots=True)
class CompletionResult:
    """Counts of one import: newly completed, and rows that were already completed."""

    completed: int
    unchanged: int


def import_completions(ctx: Context, path: Path, *, by: str = "csv") -> CompletionResult:
    """Mark each listed e-learning done and certify it; a bad row rejects the whole file."""
    return import_completion_rows(ctx, read_rows(path, COLUMNS), source=path, by=by)


def import_completion_rows(
    ctx: Context, rows: list[dict[str, str]], *, source: Path, by: str = "csv"
) -> CompletionResult:
    """`import_completions` for rows already read (an upload in the workspace); `source` names
    the file in ImportRejected and the audit."""
    path = source
    cfg = section(ctx.config)
    modules = {i.key for i in cfg.items if i.kind == "elearning"}
    problems: list[str] = []
    checked = []
    for n, rec in enumerate(rows, start=2):
        hire = ctx.session.get(Hire, rec.get("hire_id", ""))
        if hire is None or hire.municipality != ctx.municipality:
            problems.append(
                f"row {n}, column 'hire_id': no hire {rec.get('hire_id')!r} in {ctx.municipality}"
            )
            continue
        module = rec.get("module", "")
        step = ctx.step(case_type=CaseType.HIRE, case_id=hire.id, key=elearning_key(module))
        if module not in modules:
            problems.append(
                f"row {n}, column 'module': {module!r} is not an e-learning module "
                f"(expected one of {', '.join(sorted(modules))})"
            )
        elif step is None:
            problems.append(
                f"row {n}, column 'module': hire {hire.id} has no e-learning "
                f"{module!r} in their programme"
            )
        try:
            on = date.fromisoformat(rec.get("completed_on", ""))
        except ValueError:
            problems.append(
                f"row {n}, column 'completed_on': {rec.get('completed_on')!r} is "
                "not a date (expected YYYY-MM-DD)"
            )
            continue
        if on > ctx.day:
            problems.append(f"row {n}, column 'completed_on': {on} is in the future")
        if step is not None:
            checked.append((step, on))
    if problems:
        raise ImportRejected(str(path), problems)
    done = sum(complete_step(ctx, step, by=by, source="csv", on=on) for step, on in checked)
    ctx.audit(
        "int.completions.imported",
        "import",
        path.name,
        completed=done,
        unchanged=len(checked) - done,
    )
    return CompletionResult(done, len(checked) - done)
