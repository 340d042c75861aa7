"""`poflow recruitment ...`: open a round, add candidates, take P&O's and MT's steps, see status.

Approvals (formation, vacancy text, decision, the four-eyes terms talk) are never given here:
only through each person's own link (REC-9). A P&O or MT step (vacancy, select, offer, terms,
cancel) is taken as the person logged in with `poflow login`, whose role in the round is checked
as before; the other commands are audited as the operator (cli:<os user>).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, cast

import typer

from poflow._exceptions import PreferenceRefused
from poflow.addresses import check_address
from poflow.cli_support import acting_person, cli_runtime, fail, operator, parse_date
from poflow.kernel.calendar import TZ, today
from poflow.mail.sending import SmtpTarget
from poflow.recruitment.appointment import propose_offer, record_terms
from poflow.recruitment.candidates import (
    CANDIDATE_COLUMNS,
    candidates_of,
    checked_person,
    plan_koffiemoment,
    read_candidates,
)
from poflow.recruitment.contract import mark_contract_done
from poflow.recruitment.documents import send_documents, senders
from poflow.recruitment.intake import add_candidates
from poflow.recruitment.interviews import plan_interviews, record_refusal, select_for_round
from poflow.recruitment.need import read_need
from poflow.recruitment.register import set_standing
from poflow.recruitment.rounds import cancel_round, get_round, open_round
from poflow.recruitment.rules import Standing
from poflow.recruitment.stages import advance_round, documents_then_advance
from poflow.recruitment.status import progress_lines, round_progress
from poflow.recruitment.vacancy import draft_vacancy
from poflow.settings import get_settings

if TYPE_CHECKING:
    from prefect.client.schemas.objects import FlowRun

__all__ = ["recruitment_app"]

recruitment_app = typer.Typer(
    help="Recruitment rounds (werving en selectie, REC-1..13).", no_args_is_help=True
)
Round = Annotated[str, typer.Argument(help="The round id, e.g. WR-2027-0001")]
_PERSON = ("--given-name", "--family-name", "--email")  # options checked as a candidate's fields


def _do(
    municipality: str | None,
    round_id: str | None,
    fn: Callable[..., Any],
    *args: Any,
    acting: bool = False,
    **kwargs: Any,
) -> Any:
    """Run one service in a committed transaction with a Context for the round's municipality:
    as the person logged in (`by=` them) when `acting`, else as the operator."""
    rt = cli_runtime()
    with rt.factory() as session, session.begin():
        slug = municipality or get_round(session, round_id or "").municipality
        if acting:
            actor = kwargs["by"] = acting_person(rt, session, municipality=slug).person_id
        else:
            actor = operator()
        ctx = rt.context(session, slug, today(), actor=actor)
        return fn(ctx, *args, **kwargs)


@recruitment_app.command("open")
def open_cmd(
    file: Annotated[Path | None, typer.Option(help="need.yaml/.toml with the keys below")] = None,
    municipality: Annotated[str | None, typer.Option()] = None,
    team: Annotated[str | None, typer.Option()] = None,
    function: Annotated[str | None, typer.Option("--function")] = None,
    fte: Annotated[float | None, typer.Option()] = None,
    formation_change: Annotated[
        bool, typer.Option(help="Extra FTE, shifted hours or changed function content (REC-2)")
    ] = False,
    po: Annotated[str | None, typer.Option(help="P&O adviser's person id")] = None,
    mt_lid: Annotated[str | None, typer.Option()] = None,
    leidinggevende: Annotated[str | None, typer.Option()] = None,
    colleague: Annotated[str | None, typer.Option(help="Panel colleague from the team")] = None,
    recruiter: Annotated[str | None, typer.Option()] = None,
    window_days: Annotated[
        int | None, typer.Option(help="Internal window (default: recruitment.yaml)")
    ] = None,
    flow: Annotated[
        bool,
        typer.Option(
            help="Also start the round's flow on the served deployment (needs `poflow serve`)"
        ),
    ] = False,
) -> None:
    """Open a round from a wervingsbehoefte (REC-1); a formation change asks GS and OR (REC-2)."""
    given = {
        "municipality": municipality,
        "team": team,
        "function": function,
        "fte": fte,
        "po_id": po,
        "mt_lid_id": mt_lid,
        "leidinggevende_id": leidinggevende,
        "colleague_id": colleague,
        "recruiter_id": recruiter,
        "internal_window_days": window_days,
    }
    need = read_need(file, given, formation_change=formation_change)
    slug = need.pop("municipality")
    rnd = _do(slug, None, open_round, **need)
    typer.echo(f"Round {rnd.id} opened ({rnd.state.value}).")
    if flow:
        # Prefect loads only when a flow is asked for: the other commands run without it.
        from prefect.deployments import run_deployment

        started = cast(  # called from synchronous code, it returns the run itself
            "FlowRun",
            run_deployment(
                "poflow-recruitment-round/round", parameters={"round_id": rnd.id}, timeout=0
            ),
        )
        typer.echo(f"Flow run {started.id} started for {rnd.id}.")


@recruitment_app.command("candidates")
def candidates_cmd(
    round_id: Round,
    file: Annotated[
        Path | None, typer.Option(help="CSV/.xlsx with columns " + ", ".join(CANDIDATE_COLUMNS))
    ] = None,
    given_name: Annotated[str | None, typer.Option()] = None,
    family_name: Annotated[str | None, typer.Option()] = None,
    email: Annotated[str | None, typer.Option()] = None,
    tier: Annotated[int | None, typer.Option(min=1, max=4, help="Voorkeursbeleid (REC-4)")] = None,
    consent_partners: Annotated[bool, typer.Option()] = False,
    consent_retention: Annotated[bool, typer.Option()] = False,
    referred_by: Annotated[
        str | None, typer.Option(help="Referring employee's id (REC-12)")
    ] = None,
    prospect: Annotated[str | None, typer.Option(help="Candidate id of a koffiemoment")] = None,
    employee_id: Annotated[
        str | None, typer.Option(help="Staff register id; tiers 1-3 are checked against it")
    ] = None,
) -> None:
    """Add one candidate or import a file (all rows or none), or list the round's candidates."""
    rows: list[dict[str, Any]] = []
    if file is not None:
        rows = read_candidates(file)
    elif given_name and family_name and email and tier:
        rows.append(
            {
                **checked_person(given_name, family_name, email, fields=_PERSON),
                "tier": tier,
                "consent_partners": consent_partners,
                "consent_retention": consent_retention,
                "referred_by_id": referred_by,
                "prospect_id": prospect,
                "employee_id": employee_id,
            }
        )

    def add_all(ctx: Any) -> list[tuple[str, int, str]]:
        add_candidates(ctx, round_id, rows, source=str(file) if file is not None else None)
        return [
            (c.id, c.tier, c.state.value)
            for c in candidates_of(ctx, get_round(ctx.session, round_id))
        ]

    listing = _do(None, round_id, add_all)
    if rows:
        typer.echo(f"{len(rows)} candidate(s) added to {round_id}; receipts are queued.")
    for cid, level, state in listing:
        typer.echo(f"{cid}  categorie {level}  {state}")


@recruitment_app.command("status")
def status_cmd(round_id: Round) -> None:
    """The round's stage, candidates per tier and state, and who still has to decide."""
    progress = _do(None, round_id, lambda ctx: round_progress(ctx.session, round_id))
    for line in progress_lines(progress):
        typer.echo(line)


@recruitment_app.command("vacancy")
def vacancy_cmd(round_id: Round, file: Annotated[Path, typer.Option()]) -> None:
    """P&O records the vacancy text; P&O and the MT-lid each confirm by link (REC-3).

    As the round's P&O adviser, logged in with `poflow login`."""
    _do(None, round_id, draft_vacancy, round_id, file.read_text(encoding="utf-8"), acting=True)
    typer.echo(f"Vacancy text of {round_id} sent to P&O and the MT-lid for confirmation.")


@recruitment_app.command("select")
def select_cmd(
    round_id: Round,
    candidate_ids: list[str],
    with_po: Annotated[
        str, typer.Option(help="P&O adviser consulted, asked to confirm by link (REC-5)")
    ],
    round_no: Annotated[int, typer.Option(min=1, max=2)] = 1,
    passed_over: Annotated[
        list[str] | None,
        typer.Option(help="CANDIDATE=REASON for each higher tier left out (REC-4)"),
    ] = None,
) -> None:
    """The MT-lid proposes a selection for interview round 1 or 2 (REC-4, REC-5, REC-7); the
    P&O adviser --with-po confirms it by their own link (logged in) before it takes effect.

    As the round's MT-lid, logged in with `poflow login`. A candidate of a higher
    voorkeursbeleid tier left out for a lower one needs a reason."""
    reasons = dict(item.partition("=")[::2] for item in passed_over or [])
    try:
        proposed = _do(
            None,
            round_id,
            select_for_round,
            round_id,
            round_no,
            candidate_ids,
            with_po=with_po,
            passed_over_reasons=reasons,
            acting=True,
        )
    except PreferenceRefused as refused:  # the refusal is audited on its own (REC-4, X-4)
        _do(None, round_id, record_refusal, round_id, refused, acting=True)
        raise
    typer.echo(
        f"Selection of {len(proposed.chosen)} candidate(s) for round {round_no} proposed; "
        f"P&O adviser {with_po} is asked to confirm it by their own link (REC-5). It takes "
        "effect (the others hear it) once confirmed."
    )


@recruitment_app.command("interviews")
def interviews_cmd(
    round_id: Round,
    start: Annotated[str, typer.Option(help="First slot, YYYY-MM-DDTHH:MM")],
    round_no: Annotated[int, typer.Option(min=1, max=2)] = 1,
) -> None:
    """Plan and send the interview invitations, higher tiers first (REC-4, REC-6, REC-7)."""
    first = datetime.fromisoformat(start).replace(tzinfo=TZ)
    steps = _do(None, round_id, plan_interviews, round_id, round_no, first)
    typer.echo(f"{len(steps)} invitation(s) for round {round_no} queued.")


@recruitment_app.command("offer")
def offer_cmd(round_id: Round, candidate_id: str) -> None:
    """P&O proposes the offer; P&O, MT-lid and colleague decide by link (REC-8).

    As the round's P&O adviser, logged in with `poflow login`."""
    _do(None, round_id, propose_offer, round_id, candidate_id, acting=True)
    typer.echo(f"Decision on {candidate_id} asked of P&O, the MT-lid and the colleague.")


@recruitment_app.command("terms")
def terms_cmd(
    round_id: Round,
    start_date: Annotated[str, typer.Option(help="YYYY-MM-DD")],
    contract: Annotated[str, typer.Option(help="vast, tijdelijk, stage, ...")],
    work_email: Annotated[str, typer.Option()],
    months: Annotated[int | None, typer.Option()] = None,
) -> None:
    """P&O records the agreed terms; leidinggevende and P&O confirm by own link (REC-9).

    As the round's P&O adviser, logged in with `poflow login`."""
    start = parse_date(start_date, "--start-date")
    if start is None:
        fail("--start-date: a day is needed (YYYY-MM-DD).")
    work_email = check_address(work_email, smtputf8=get_settings().smtputf8, field="--work-email")
    subject = _do(
        None,
        round_id,
        record_terms,
        round_id,
        start_date=start,
        contract_type=contract,
        contract_months=months,
        work_email=work_email,
        acting=True,
    )
    typer.echo(f"Terms recorded ({subject}); the four-eyes links are queued.")


@recruitment_app.command("contract")
def contract_cmd(round_id: Round) -> None:
    """P&O reports the arbeidsovereenkomst drawn up; the hire follows (REC-10). A task done, like
    a checklist item: audited as the operator (cli:<os user>)."""
    who = operator()
    done = _do(None, round_id, mark_contract_done, round_id, by=who)
    state = _do(None, round_id, advance_round, round_id)
    typer.echo(
        f"{round_id}: contract "
        + ("recorded as drawn up" if done else "was already drawn up")
        + f"; the round is {state.value}."
    )


@recruitment_app.command("standing")
def standing_cmd(
    person_id: Annotated[str, typer.Argument(help="The person's id on the staff register")],
    standing: Annotated[Standing, typer.Argument(help="How they work for the municipality")],
    municipality: Annotated[str, typer.Option(help="Municipality slug")],
) -> None:
    """P&O records how someone on the staff register works here, for tiers 1-3 (REC-4)."""
    who = operator()
    changed = _do(municipality, None, set_standing, person_id, standing, by=who)
    typer.echo(f"{person_id}: {standing.value}" + ("" if changed else " (unchanged)"))


@recruitment_app.command("koffiemoment")
def koffie_cmd(
    round_id: Round,
    given_name: Annotated[str, typer.Option()],
    family_name: Annotated[str, typer.Option()],
    email: Annotated[str, typer.Option()],
    host: Annotated[str, typer.Option(help="Recruiter or colleague id")],
    at: Annotated[str, typer.Option(help="YYYY-MM-DDTHH:MM")],
) -> None:
    """Plan an informal koffiemoment before applying, with an invitation (REC-13)."""
    person: dict[str, Any] = checked_person(given_name, family_name, email, fields=_PERSON)
    cand = _do(
        None,
        round_id,
        plan_koffiemoment,
        round_id,
        **person,
        host_id=host,
        starts_at=datetime.fromisoformat(at).replace(tzinfo=TZ),
    )
    typer.echo(f"Koffiemoment planned for prospect {cand.id}.")


@recruitment_app.command("advance")
def advance_cmd(round_id: Round) -> None:
    """Apply the decisions taken so far, as the round's flow does on every wake-up.

    The aanstellingsadvies and the concept contract (with their PDFs) are sent here too; the
    hire follows once P&O reports the contract drawn up (REC-10).
    """
    rt = cli_runtime()
    state = documents_then_advance(
        _do(None, round_id, advance_round, round_id),
        send=lambda: send_documents(
            rt.factory, SmtpTarget.from_settings(rt.settings), senders(rt.configs)
        ),
        apply=lambda: _do(None, round_id, advance_round, round_id),
    )
    typer.echo(f"{round_id}: {state.value}")


@recruitment_app.command("cancel")
def cancel_cmd(round_id: Round) -> None:
    """P&O withdraws the vacancy; open candidates get a friendly message (REC-11).

    As the round's P&O adviser, logged in with `poflow login`."""
    _do(None, round_id, cancel_round, round_id, acting=True)
    typer.echo(f"Round {round_id} cancelled.")
