"""Tasks of the dispatcher: plan new cases, perform the day's actions. Ids and counts only."""

from __future__ import annotations

from datetime import date
from typing import Any

from prefect import task
from prefect.artifacts import create_markdown_artifact

from poflow.audit_chain import SealReport, chains_to_seal, seal
from poflow.engine import municipalities_with_work
from poflow.kernel.auditchain import chain_name
from poflow.runtime import get_runtime
from poflow.tasks.onboarding import artifact_key

__all__ = [
    "find_municipalities_with_work",
    "head_markdown",
    "perform_due_actions",
    "perform_process_actions",
    "plan_new_cases",
    "seal_audit_log",
]


def _find_run_name() -> str:
    from prefect.runtime import task_run

    params = task_run.parameters
    return f"find-work-{params.get('process') or 'all'}-{params['day']}"


@task(name="find-municipalities-with-work", task_run_name=_find_run_name)
def find_municipalities_with_work(
    day: date, municipality: str | None = None, process: str | None = None
) -> dict[str, list[str]]:
    """The slugs (of one or every municipality) to plan ("plan") and to perform ("perform": of
    `process`'s kinds, when given), and the audit chains with rows still to seal ("seal"; "-"
    for the rows of no municipality)."""
    rt = get_runtime()
    kinds = rt.registry.kinds(process) if process else None
    with rt.factory() as session:
        work = municipalities_with_work(session, day, rt.slugs(municipality), kinds)
        unsealed = [chain_name(c) for c in chains_to_seal(session, municipality)]
    return {"plan": work.to_plan, "perform": work.to_perform, "seal": unsealed}


@task(name="plan-new-cases", task_run_name="plan-{municipality}-{day}")
def plan_new_cases(municipality: str, day: date) -> list[str]:
    """Plan every process for hires that are new or moved; returns their hire ids."""
    rt = get_runtime()
    return rt.plan(municipality, day)


def _perform_run_name() -> str:
    from prefect.runtime import task_run

    params = task_run.parameters
    slugs = params["municipalities"]
    group = slugs[0] if len(slugs) == 1 else f"{slugs[0]}..{slugs[-1]}"
    process = f"{params['process']}-" if params.get("process") else ""
    return f"perform-{process}{group}-{params['day']}"


@task(name="perform-due-actions", task_run_name=_perform_run_name)
def perform_due_actions(municipalities: list[str], day: date) -> dict[str, dict[str, int]]:
    """Perform each pending action of these municipalities due on or before `day` once;
    counts per municipality. Raise, naming municipality and action ids, if any failed."""
    rt = get_runtime()
    reports = rt.perform(municipalities, day)
    failed = {slug: r.failed_actions for slug, r in reports.items() if r.failed_actions}
    if failed:
        which = "; ".join(f"{slug}: action ids {ids[:20]}" for slug, ids in failed.items())
        raise RuntimeError(
            f"{sum(map(len, failed.values()))} action(s) failed and stay pending ({which}); "
            "the others were performed."
        )
    return {slug: {"performed": r.performed, "skipped": r.skipped} for slug, r in reports.items()}


@task(name="perform-process-actions", task_run_name=_perform_run_name)
def perform_process_actions(
    process: str, municipalities: list[str], day: date
) -> dict[str, dict[str, Any]]:
    """Perform each pending action of `process` of these municipalities due on or before `day`
    once. Per municipality: counts, counts per kind, the ids done and the ids that failed (they
    stay pending; the caller fails its run after the others were done). Ids and counts only."""
    reports = get_runtime().perform(municipalities, day, process=process)
    return {
        slug: {
            "performed": r.performed,
            "skipped": r.skipped,
            "by_kind": dict(r.by_kind),
            "done": list(r.done_actions),
            "failed": list(r.failed_actions),
        }
        for slug, r in reports.items()
    }


@task(name="seal-audit-log", task_run_name="seal-audit-{day}")
def seal_audit_log(day: date, municipality: str | None = None) -> dict[str, dict[str, int]]:
    """Seal the audit rows written since the last seal onto their municipality's chain (X-4)
    and publish each moved head as a Prefect artifact (ids and hashes only): rewriting the
    audit log then also means rewriting Prefect's record. Counts per chain."""
    rt = get_runtime()
    reports = seal(rt.factory, municipality)
    for report in reports:
        create_markdown_artifact(
            key=artifact_key("auditlog", report.municipality or "zonder-gemeente"),
            markdown=head_markdown(report),
            description=f"Kop van de auditlog van {chain_name(report.municipality)} "
            f"na {day.isoformat()}: regel {report.head.seq}",
        )
    return {
        chain_name(r.municipality): {
            "sealed": r.sealed,
            "regel": r.head.seq,
            "backdated": len(r.backdated),
        }
        for r in reports
    }


def head_markdown(report: SealReport) -> str:
    """The published head of one chain: its place, hash and row id, and how to check it."""
    head, chain = report.head, chain_name(report.municipality)
    lines = [
        f"**Auditlog {chain}**: regel {head.seq} (audit-id {head.audit_id})",
        "",
        f"Hash: `{head.hash}`",
        "",
        f"Controleren: `poflow audit verify --anchor {chain}:{head.seq}:{head.hash[:16]}`",
    ]
    if report.backdated:
        lines += ["", f"Teruggedateerd verzegeld: audit-id {', '.join(map(str, report.backdated))}"]
    return "\n".join(lines)
