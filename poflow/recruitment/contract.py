"""The arbeidsovereenkomst (REC-10): "de arbeidsovereenkomst [wordt] opgesteld op basis van de
besproken voorwaarden".

When both sides agreed on the terms, P&O gets the task to draw up the contract: a step of the
round owned by the round's P&O adviser, and a mail to them with a concept rendered from
templates/docs/arbeidsovereenkomst.txt (PDF attached, sent like the aanstellingsadvies). The
hire waits for the task: P&O marks it done by the mail's link or `poflow recruitment contract`.
"""

from __future__ import annotations

from datetime import date

from poflow._exceptions import RecruitmentRefused
from poflow.db.models import Step
from poflow.engine import Context, step_close
from poflow.kernel.vocabulary import CaseType, Role
from poflow.links import link_url
from poflow.mail.render import render_mail
from poflow.recruitment.documents import advice_lines, render_pdf
from poflow.recruitment.mails import round_context, section
from poflow.recruitment.models import Candidate, RecruitmentRound, RoundDocument
from poflow.recruitment.rounds import get_round, signal_flow
from poflow.states import StepState

__all__ = [
    "CONTRACT",
    "CONTRACT_DONE",
    "CONTRACT_STEP",
    "contract_drawn_up",
    "mark_contract_done",
    "write_contract_task",
]

CONTRACT = "arbeidsovereenkomst"  # the kind of the concept document
CONTRACT_STEP = "rec:arbeidsovereenkomst"  # the round's step: P&O draws up the contract
CONTRACT_DONE = "rec.contract_opgesteld"  # the link action that marks it done


def _step(ctx: Context, rnd: RecruitmentRound) -> Step | None:
    return ctx.step(case_type=CaseType.ROUND, case_id=rnd.id, key=CONTRACT_STEP)


def write_contract_task(ctx: Context, rnd: RecruitmentRound, cand: Candidate) -> Step:
    """P&O's task to draw up the contract on the agreed terms, with a concept; once per terms."""
    step = _step(ctx, rnd)
    if step is not None:
        return step
    terms = rnd.terms
    start = date.fromisoformat(terms["start_date"])
    due = max(
        ctx.calendar.add_working_days(start, -section(ctx).contract_working_days_before_start),
        ctx.day,
    )
    step = Step(
        municipality=rnd.municipality,
        case_type=CaseType.ROUND,
        case_id=rnd.id,
        process="rec",
        key=CONTRACT_STEP,
        title="Arbeidsovereenkomst opstellen",
        due_date=due,
        owner_role=Role.PO_ADVISEUR,
        owner_id=rnd.po_id,
        sequence=0,
        data={"terms_version": rnd.terms_version, "candidate": cand.id},
    )
    ctx.session.add(step)
    ctx.session.flush()
    ctx.audit("round.contract_task", CaseType.ROUND, rnd.id, step=step.id, due=due.isoformat())
    po = ctx.person(rnd.po_id)
    m = ctx.config.municipality
    context = {
        **round_context(ctx, rnd),
        "gemeente": m.name,
        "afzender": m.sender_name,
        "po_mailbox": str(m.po_mailbox),
        "vandaag": ctx.day,
        "base_url": ctx.settings.resolved_base_url(),
        "ontvanger": ctx.recipient(po),
        "kandidaat": cand.full_name,
        "leidinggevende": ctx.person(rnd.leidinggevende_id).full_name,
        "startdatum": start,
        "contractvorm": terms["contract_type"],
        "maanden": terms["contract_months"],
        "uiterlijk": due,
        "link": link_url(
            ctx,
            action=CONTRACT_DONE,
            subject_id=po.id,
            case_type=CaseType.ROUND,
            case_id=rnd.id,
            step_id=step.id,
        ),
    }
    lines = advice_lines(str(ctx.settings.templates_dir), context, template=f"docs/{CONTRACT}.txt")
    mail = render_mail(
        ctx.settings.templates_dir,
        "recruitment/rec_arbeidsovereenkomst",
        {**context, "regels": lines},
    )
    doc = RoundDocument(
        round_id=rnd.id,
        municipality=ctx.municipality,
        kind=CONTRACT,
        key=f"rec.contract:{rnd.id}:t{rnd.terms_version}",
        recipient_name=po.full_name,
        recipient_email=po.email,
        subject=mail.subject,
        body_text=mail.text,
        body_html=mail.html,
        filename=f"concept-arbeidsovereenkomst-{rnd.id}.pdf",
        pdf=render_pdf(lines, title=f"Concept arbeidsovereenkomst {rnd.id}"),
        attempts=0,
    )
    ctx.session.add(doc)
    ctx.session.flush()
    ctx.audit("round.contract_draft", CaseType.ROUND, rnd.id, document=doc.id)
    return step


def contract_drawn_up(ctx: Context, rnd: RecruitmentRound) -> bool:
    """Whether P&O marked the contract drawn up (REC-10): the hire waits for it."""
    step = _step(ctx, rnd)
    return step is not None and step.state == StepState.DONE


def mark_contract_done(ctx: Context, round_id: str, *, by: str) -> bool:
    """P&O marks the contract drawn up (audited as `by`); False when it already was."""
    rnd = get_round(ctx.session, round_id)
    step = _step(ctx, rnd)
    if step is None:
        raise RecruitmentRefused(
            f"Cannot mark the contract of round {rnd.id} drawn up: there is no contract task "
            f"(the round is {rnd.state.value!r}; the task comes once the terms are agreed)."
        )
    if step.state != StepState.OPEN:
        return False
    step_close(step, StepState.DONE, by=by)
    ctx.audit("round.contract_done", CaseType.ROUND, rnd.id, step=step.id, by=by)
    signal_flow(ctx, rnd)
    return True
