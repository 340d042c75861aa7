"""What every process's daily flow shares: one pass over the process's due actions, its artifact
(counts and ids per municipality and step), and its deployment on the CAO's working days.

A process's flow (`flows/<process>.py`) names its steps, as the policy does, and calls
`run_process`. Run on its own (its deployment, a retry from the UI) it does the whole day for
its process: plan new or moved hires (every planner: planning is per hire), perform its due
actions, seal the day's audit rows and send the mail. Inside the daily parent
(`flows/dispatcher.py`, `within_day=True`) it only performs: the parent plans first and seals
and sends once at the end. Either way a repeated run converges (X-1): actions and mails have
unique keys. Run names, parameters and artifacts carry ids and counts only (X-3).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, time
from typing import Any

from prefect import flow, get_run_logger
from prefect.artifacts import create_markdown_artifact
from prefect.runtime import flow_run
from prefect.schedules import RRule

from poflow.engine import perform_groups
from poflow.failure import notify_po_of_failure
from poflow.kernel.calendar import TIMEZONE, cao_holidays
from poflow.kernel.wording import date_nl
from poflow.runtime import get_runtime, today
from poflow.tasks.engine import (
    find_municipalities_with_work,
    perform_process_actions,
    plan_new_cases,
    seal_audit_log,
)
from poflow.tasks.mail import send_mail
from poflow.tasks.onboarding import artifact_key

__all__ = [
    "SCHEDULE_YEARS",
    "Step",
    "daily_deployment",
    "day_markdown",
    "id_ranges",
    "process_day",
    "process_run_name",
    "run_process",
    "send_with_retries",
    "working_days",
]

Step = tuple[str, frozenset[str]]  # (the policy's name for a step, the action kinds it covers)
SCHEDULE_YEARS = 5  # holidays left out of a schedule: this year and the next four
IDS_SHOWN = 300  # action ids listed per municipality in an artifact; the count is always whole


def process_run_name() -> str:
    """`<process>-<day>-<municipality or all>`, e.g. `onboarding-2027-01-04-hardenberg`."""
    params = flow_run.parameters
    name = params.get("process") or flow_run.flow_name.removeprefix("poflow-")
    return f"{name}-{params.get('day') or today()}-{params.get('municipality') or 'all'}"


def run_process(
    process: str,
    steps: Sequence[Step],
    day: date | None,
    municipality: str | None,
    *,
    within_day: bool,
) -> dict[str, Any]:
    """One process's day (see the module docstring); its summary in counts and ids. Raises after
    the artifact is published when actions failed (they stay pending for the next run)."""
    day = day or today()
    rt = get_runtime()
    work = find_municipalities_with_work(day, municipality, process)
    counts: dict[str, dict[str, Any]] = {}
    if not within_day:
        for slug in work["plan"]:
            counts.setdefault(slug, {})["planned"] = plan_new_cases(slug, day)
    for group in perform_groups(rt.working_on(day, work["perform"])):
        for slug, done in perform_process_actions(process, group, day).items():
            counts.setdefault(slug, {}).update(done)
    summary: dict[str, Any] = {"day": day.isoformat(), "process": process, "municipalities": {}}
    for slug, done in sorted(counts.items()):
        summary["municipalities"][slug] = {
            "planned": len(done.get("planned", [])),
            "performed": done.get("performed", 0),
            "skipped": done.get("skipped", 0),
            "failed": done.get("failed", []),
        }
    if not within_day:
        if work["plan"] or work["perform"] or work["seal"]:
            summary["audit"] = seal_audit_log(day, municipality)
        summary["mail"] = send_with_retries(municipality, day)
    create_markdown_artifact(
        key=artifact_key("dag", process, municipality or "alle"),
        markdown=day_markdown(process, steps, day, counts),
        description=f"{process} op {day.isoformat()}: aantallen en ids",
    )
    get_run_logger().info("%s %s: %s", process, day.isoformat(), summary["municipalities"])
    failed = {s: v["failed"] for s, v in summary["municipalities"].items() if v["failed"]}
    if failed:
        which = "; ".join(f"{slug}: action ids {ids[:20]}" for slug, ids in failed.items())
        raise RuntimeError(
            f"{sum(map(len, failed.values()))} action(s) of {process} failed and stay pending "
            f"({which}); the others were performed."
        )
    return summary


def send_with_retries(municipality: str | None, day: date | None = None) -> dict[str, int]:
    """Send what is queued, retried as the settings say (the delay doubles); what cannot be sent
    stays queued and the run fails (X-2). A simulated `day` (not today) dates the mails."""
    settings = get_runtime().settings
    delays = [settings.send_retry_delay_s * 2**i for i in range(settings.send_retries)]
    dated = None if day is None or day == today() else day
    return send_mail.with_options(retries=settings.send_retries, retry_delay_seconds=delays or 0)(
        municipality, dated=dated
    )


def day_markdown(
    process: str, steps: Sequence[Step], day: date, counts: dict[str, dict[str, Any]]
) -> str:
    """The artifact of one process's day: per municipality the hires planned, each step's count,
    the actions done and those that failed, by id (X-3: no names, no addresses)."""
    names = [name for name, _ in steps]
    lines = [
        f"## {process}, {date_nl(day)}",
        "",
        "| gemeente | " + " | ".join(names) + " | overgeslagen | mislukt |",
        "|---|" + "---:|" * (len(names) + 2),
    ]
    for slug, done in sorted(counts.items()):
        by_kind = done.get("by_kind", {})
        cells = [str(sum(by_kind.get(k, 0) for k in kinds)) for _, kinds in steps]
        lines.append(
            f"| {slug} | {' | '.join(cells)} | {done.get('skipped', 0)} | "
            f"{len(done.get('failed', []))} |"
        )
    if not counts:
        lines += ["", "Niets te doen."]
    for slug, done in sorted(counts.items()):
        parts = []
        if done.get("planned"):
            parts.append(f"gepland: {', '.join(done['planned'])}")
        if done.get("done"):
            parts.append(f"acties: {id_ranges(done['done'])}")
        if done.get("failed"):
            parts.append(f"mislukt (blijven open): {id_ranges(done['failed'])}")
        if parts:
            lines += ["", f"**{slug}**: " + "; ".join(parts)]
    return "\n".join(lines)


def id_ranges(ids: Sequence[int], shown: int = IDS_SHOWN) -> str:
    """Ids as sorted runs (`3-7, 12`), at most `shown` of them, and how many more."""
    ordered = sorted(ids)[:shown]
    runs: list[str] = []
    start = prev = None
    for n in [*ordered, None]:
        if n is not None and prev is not None and n == prev + 1:
            prev = n
            continue
        if start is not None:
            runs.append(str(start) if start == prev else f"{start}-{prev}")
        start = prev = n
    rest = len(ids) - len(ordered)
    return ", ".join(runs) + (f" en {rest} meer" if rest else "")


@flow(
    name="poflow-process",
    flow_run_name=lambda: process_run_name(),
    on_failure=[notify_po_of_failure],
    on_crashed=[notify_po_of_failure],
    log_prints=False,
)
def process_day(
    process: str, day: date | None = None, municipality: str | None = None, within_day: bool = False
) -> dict[str, Any]:
    """The day of a process that has no daily flow of its own: its action kinds as one step."""
    return run_process(
        process,
        [("acties", get_runtime().registry.kinds(process))],
        day,
        municipality,
        within_day=within_day,
    )


def working_days(at: time, first_year: int | None = None, years: int = SCHEDULE_YEARS) -> Any:
    """A schedule at `at` Europe/Amsterdam on Monday to Friday except the CAO Gemeenten holidays
    of `years` years from `first_year` (default: this year). A municipality's own closing days
    are skipped inside the run (a run on such a day performs nothing there)."""
    first_year = first_year or today().year
    start = datetime.combine(date(first_year, 1, 1), at)
    holidays = [
        datetime.combine(day, at)
        for year in range(first_year, first_year + years)
        for day in sorted(cao_holidays(year))
        if day.weekday() < 5
    ]
    lines = [
        f"DTSTART:{start:%Y%m%dT%H%M%S}",
        f"RRULE:FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR;BYHOUR={at.hour};BYMINUTE={at.minute};BYSECOND=0",
        "EXDATE:" + ",".join(f"{d:%Y%m%dT%H%M%S}" for d in holidays),
    ]
    return RRule("\n".join(lines), timezone=TIMEZONE)


def daily_deployment(flow_: Any, at: time, description: str) -> Any:
    """A process flow's deployment `daily`, on the CAO's working days at `at`."""
    return flow_.to_deployment(
        name="daily",
        schedules=[working_days(at)],
        description=description,
        tags=["poflow", "dag"],
    )
