"""`poflow cycle ...` and `poflow appraisal ...`: start, see and steer the cycle (GES)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from typing import Annotated

import typer

from poflow._exceptions import AppraisalRequired, InputRefused, NotFound
from poflow.cli_support import acting_person, cli_runtime, fail, operator, parse_date
from poflow.conversations.case import Case, find_case, find_cycle
from poflow.conversations.cycle import start_case_cycle, update_cycle_facts
from poflow.conversations.decisions import plan_extra_appraisal, record_legal_decision
from poflow.conversations.models import LegalDecision
from poflow.conversations.rules import LegalKind
from poflow.conversations.status import (
    appraisals,
    cycle_steps,
    cycles,
    legal_decisions,
    next_open_step,
)
from poflow.engine import Context
from poflow.kernel.calendar import today

__all__ = ["appraisal_app", "cycle_app"]

cycle_app = typer.Typer(
    help="The conversation cycle: richtgesprek and beoordelingsgesprek (GES).", no_args_is_help=True
)
appraisal_app = typer.Typer(
    help="Appraisals: extra appraisals and legal-status decisions (GES-5).", no_args_is_help=True
)

IdArg = Annotated[str, typer.Argument(help="A hire id (NH-...) or a person id of existing staff")]
DateOpt = Annotated[str | None, typer.Option(help="A day as YYYY-MM-DD.")]


def _required_day(value: str, option: str) -> date:
    """A required date option as a date (parse_date fails clearly on a malformed one)."""
    day = parse_date(value, option)
    if day is None:
        fail(f"{option} is required (YYYY-MM-DD).")
    return day


@contextmanager
def _context(some_id: str, *, acting: bool = False) -> Iterator[tuple[Context, Case]]:
    """A Context for the municipality of `some_id`, inside one transaction, and its case; its
    actor is the person logged in with `poflow login` when `acting`, else the operator."""
    rt = cli_runtime()
    with rt.factory() as session, session.begin():
        case = find_case(session, some_id)
        slug = case.municipality
        actor = acting_person(rt, session, municipality=slug).person_id if acting else operator()
        yield rt.context(session, slug, today(), actor=actor), case


@cycle_app.command("start")
def cycle_start(
    some_id: IdArg,
    date_: Annotated[str, typer.Option("--date", help="The first richtgesprek (YYYY-MM-DD)")],
    manager: Annotated[
        str | None,
        typer.Option(help="The leidinggevende's person id (required for existing staff)"),
    ] = None,
    joined: DateOpt = None,
    last_raise: DateOpt = None,
    last_promotion: DateOpt = None,
    scale_max: Annotated[bool, typer.Option(help="The maximum of the scale is reached")] = False,
) -> None:
    """Start the cycle on a chosen date, e.g. for staff at the top of their scale (GES-1).

    Started by the person logged in with `poflow login`."""
    on = _required_day(date_, "--date")
    with _context(some_id, acting=True) as (ctx, case):
        try:
            cycle = start_case_cycle(
                ctx,
                case,
                on=on,
                manager_id=manager,
                joined_on=parse_date(joined, "--joined"),
                last_raise_on=parse_date(last_raise, "--last-raise"),
                last_promotion_on=parse_date(last_promotion, "--last-promotion"),
                at_scale_max=scale_max,
            )
        except InputRefused as exc:
            raise typer.BadParameter(exc.why, param_hint=f"--{exc.field}") from None
        first = cycle.first_richtgesprek
    typer.echo(
        f"Cycle of {some_id} started: richtgesprek {first}; the next tick sends the "
        "invitations and the POP form request."
    )


@cycle_app.command("update")
def cycle_update(
    some_id: IdArg,
    scale_max: Annotated[
        bool | None,
        typer.Option("--scale-max/--not-scale-max", help="Maximum of the scale reached?"),
    ] = None,
    last_raise: DateOpt = None,
    last_promotion: DateOpt = None,
) -> None:
    """Record the scale facts the raise rule needs (GES-4): maximum, last raise, promotion.

    Recorded by the person logged in with `poflow login`."""
    with _context(some_id, acting=True) as (ctx, case):
        changed = update_cycle_facts(
            ctx,
            case,
            at_scale_max=scale_max,
            last_raise_on=parse_date(last_raise, "--last-raise"),
            last_promotion_on=parse_date(last_promotion, "--last-promotion"),
        )
    typer.echo(f"Cycle of {some_id} updated: {', '.join(changed) or 'nothing changed'}.")


@cycle_app.command("show")
def cycle_show(
    some_id: IdArg,
    scores: Annotated[bool, typer.Option(help="Also print the scores (personal data)")] = False,
) -> None:
    """Show one employee's cycle: talks, POP form, appraisals, raise decisions, legal decisions."""
    with _context(some_id) as (ctx, case):
        cycle = find_cycle(ctx.session, case.case_type, case.case_id)
        if cycle is None:
            typer.echo(f"{some_id} has no conversation cycle (yet).")
        else:
            typer.echo(
                f"{case.case_type} {case.case_id}: cycle {cycle.id} ({cycle.basis.value}, "
                f"{cycle.state.value}), manager {cycle.manager_id}, round "
                f"{cycle.current_round}, in service since {cycle.joined_on}, scale max: "
                f"{'yes' if cycle.at_scale_max else 'no'}, last raise "
                f"{cycle.last_raise_on or '-'}"
            )
        for step in cycle_steps(ctx.session, case):
            typer.echo(f"  {step.due_date}  {step.state.value:<9} {step.title}")
        for row in appraisals(ctx.session, case):
            kind = f"round {row.round}" if row.round else f"extra #{row.legal_decision_id}"
            line = f"  appraisal {row.id} ({kind}, {row.talk_on}) recorded by {row.recorded_by}"
            if row.raise_on is not None:
                line += (
                    f"; raise {row.raise_on}: "
                    f"{'granted' if row.raise_granted else 'not granted'}"
                    f"{' (' + row.raise_reasons + ')' if row.raise_reasons else ''}"
                )
            typer.echo(line)
            if scores:
                typer.echo(
                    f"    prestatie {row.prestatie.value}, potentieel "
                    f"{row.potentieel.value}, kernwaarden {row.kernwaarden.value}"
                )
        for d in legal_decisions(ctx.session, case):
            typer.echo(
                f"  legal decision {d.id}: {d.kind.value}, {d.state.value}, "
                f"appraisal {d.appraisal_on}"
            )


@cycle_app.command("list")
def cycle_list(
    municipality: Annotated[str | None, typer.Option(help="Only this municipality")] = None,
) -> None:
    """Every cycle at a glance: whose, which round, the next open talk and whether it is late."""
    rt = cli_runtime()
    day = today()
    slug = rt.config(municipality).slug if municipality else None
    with rt.factory() as session:
        every = cycles(session, slug)
        typer.echo(f"{'municipality':<18} {'case':<14} {'round':>5}  next open step")
        for c in every:
            nxt = next_open_step(session, c)
            what = (
                f"{nxt.due_date} {nxt.title}{'  (OVERDUE)' if nxt.due_date < day else ''}"
                if nxt
                else "-"
            )
            typer.echo(f"{c.municipality:<18} {c.case_id:<14} {c.current_round:>5}  {what}")
        typer.echo(f"{len(every)} cycle(s).")


@appraisal_app.command("extra")
def appraisal_extra(
    some_id: IdArg,
    reason: Annotated[str, typer.Option(help="vast | promotie | geen_periodiek | demotie")],
    date_: Annotated[str, typer.Option("--date", help="Day of the extra beoordelingsgesprek")],
    manager: Annotated[
        str | None, typer.Option(help="The leidinggevende (person id), when it has no cycle")
    ] = None,
) -> None:
    """Plan an extra appraisal for a legal-status decision; the decision waits for it (GES-5).

    Asked by the person logged in with `poflow login` (P&O)."""
    try:
        kind = LegalKind(reason)
    except ValueError:
        raise typer.BadParameter(
            f"{reason!r}; choose one of {', '.join(k.value for k in LegalKind)}",
            param_hint="--reason",
        ) from None
    on = _required_day(date_, "--date")
    with _context(some_id, acting=True) as (ctx, case):
        decision = plan_extra_appraisal(
            ctx, case, kind=kind, on=on, requested_by=ctx.actor, manager_id=manager
        )
        did, day = decision.id, decision.appraisal_on
    typer.echo(
        f"Extra appraisal for {some_id} planned on {day} (decision {did}: {kind.value}). "
        f"Record the decision after the appraisal: poflow appraisal decide {did}"
    )


@appraisal_app.command("decide")
def appraisal_decide(
    decision_id: Annotated[int, typer.Argument(help="The decision's number")],
    note: Annotated[str | None, typer.Option(help="Optional note (stored, never logged)")] = None,
) -> None:
    """Record a legal-status decision; refused while its extra appraisal is not recorded (GES-5).

    Recorded as the decision of the person logged in with `poflow login`."""
    rt = cli_runtime()
    refused: AppraisalRequired | None = None
    with rt.factory() as session, session.begin():
        decision = session.get(LegalDecision, decision_id)
        if decision is None:
            raise NotFound(f"Legal-status decision {decision_id} does not exist")
        by = acting_person(rt, session, municipality=decision.municipality).person_id
        ctx = rt.context(session, decision.municipality, today(), actor=by)
        try:
            record_legal_decision(ctx, decision_id, by=by, note=note)
        except AppraisalRequired as exc:
            refused = exc  # commit the audit row of the refusal, then report it
    if refused is not None:
        raise refused
    typer.echo(f"Decision {decision_id} recorded.")
