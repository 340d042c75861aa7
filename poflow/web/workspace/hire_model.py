"""The read model of a hire's page (issue 21, item 2): the hire, the checklist with owners, and
the whole timeline (every step and dated action, every mail sent or queued, each calendar
invitation's state, and who did what when from the audit log), in one query per table, each on
an index by case (the hire's steps, actions, outbox rows and audit rows)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session

from poflow.config import MunicipalityConfig
from poflow.db.models import Action, AuditEntry, Hire, Outbox, Step
from poflow.kernel.calendar import TIMEZONE
from poflow.kernel.vocabulary import CaseType
from poflow.onboarding.rules import phase_on
from poflow.onboarding.steps import ITEM_PREFIX
from poflow.states import ActionState, MailState, StepState
from poflow.web.workspace.labels import action_label, audit_label
from poflow.web.workspace.waits_model import PROCESS_LABELS, names_of, owner_label

__all__ = ["COMING_SHOWN", "PAST_SHOWN", "HirePage", "Item", "Moment", "fold", "read_hire"]

_ZONE = ZoneInfo(TIMEZONE)
PAST_SHOWN = 20  # the timeline as first shown: the last lines up to today...
COMING_SHOWN = 10  # ...and the next ones; "alles tonen" shows every line
STEP_STATES = {StepState.OPEN: "open", StepState.DONE: "klaar", StepState.CANCELLED: "vervallen"}
ACTION_STATES = {
    ActionState.PENDING: "gepland",
    ActionState.DONE: "gedaan",
    ActionState.SKIPPED: "overgeslagen",
    ActionState.CANCELLED: "vervallen",
}
MAIL_STATES = {
    MailState.QUEUED: "in de wachtrij",
    MailState.SENT: "verstuurd",
    MailState.PARKED: "geparkeerd",
    MailState.CANCELLED: "niet verstuurd",
}


@dataclass(frozen=True)
class Item:
    """A step of the hire (checklist item, check-in, session...) with its owner and state."""

    id: int
    title: str
    kind: str  # the process's Dutch name
    due: date
    owner: str
    state: str  # open / klaar / vervallen / te laat
    done_at: datetime | None
    invitation: str  # verstuurd / bijgewerkt / ingetrokken / "" (no invitation)
    checklist: bool = False  # a checklist item: P&O can mark it done on its owner's behalf


@dataclass(frozen=True)
class Moment:
    """One line of the timeline: when, what kind, what, and its state or who."""

    at: datetime
    dated: bool  # False: a day (an action's due date), True: a moment
    kind: str
    what: str
    state: str


@dataclass(frozen=True)
class HirePage:
    """Everything the hire's page shows."""

    hire: Hire
    phase: str
    items: list[Item]
    timeline: list[Moment]


def _local(moment: datetime) -> datetime:
    return moment.astimezone(_ZONE) if moment.tzinfo else moment


def _recipient(row: Outbox, hire: Hire, po_mailbox: str, roles: dict[int, str]) -> str:
    """The role the mail went to, as P&O reads it (no address: the page shows roles)."""
    if row.recipient_id and row.recipient_id == hire.manager_id:
        return "leidinggevende"
    if row.recipient_id and row.recipient_id == hire.buddy_id:
        return "buddy"
    if row.recipient_email.lower() in {hire.private_email.lower(), hire.work_email.lower()}:
        return "nieuwe collega"
    if row.recipient_email.lower() == po_mailbox.lower():
        return "P&O"
    return roles.get(row.action_id or 0, "collega")  # the owner of the mail's item


def _invitations(rows: list[Outbox], step_of: dict[int, int | None]) -> dict[int, str]:
    """Step id -> the state of its calendar invitation, from the mails that carried it."""
    methods: dict[int, list[str]] = {}
    for row in rows:  # in id order: the last is the latest
        step = step_of.get(row.action_id or 0)
        if row.ics_method and step is not None and row.state != MailState.CANCELLED:
            methods.setdefault(step, []).append(row.ics_method.upper())
    out = {}
    for step, sent in methods.items():
        if sent[-1] == "CANCEL":
            out[step] = "ingetrokken"
        else:
            out[step] = "bijgewerkt" if sent.count("REQUEST") > 1 else "verstuurd"
    return out


def read_hire(
    session: Session, config: MunicipalityConfig, hire_id: str, day: date
) -> HirePage | None:
    """The page of `hire_id` of `config`'s municipality on `day`; None when there is none."""
    hire = session.get(Hire, hire_id)
    if hire is None or hire.municipality != config.slug:
        return None
    steps = session.scalars(
        select(Step)
        .where(Step.case_type == CaseType.HIRE, Step.case_id == hire_id)
        .order_by(Step.due_date, Step.id)
    ).all()
    actions = session.execute(
        select(Action.id, Action.step_id, Action.kind, Action.due_date, Action.state)
        .where(Action.case_type == CaseType.HIRE, Action.case_id == hire_id)
        .order_by(Action.due_date, Action.id)
    ).all()
    mails = session.scalars(
        select(Outbox)
        .where(Outbox.case_type == CaseType.HIRE, Outbox.case_id == hire_id)
        .order_by(Outbox.id)
    ).all()
    step_ids = [str(s.id) for s in steps]
    audits = session.scalars(
        select(AuditEntry)
        .where(
            or_(
                and_(AuditEntry.entity_type == CaseType.HIRE, AuditEntry.entity_id == hire_id),
                and_(AuditEntry.entity_type == "step", AuditEntry.entity_id.in_(step_ids or [""])),
            )
        )
        .order_by(AuditEntry.at, AuditEntry.id)
    ).all()
    people = {s.owner_id for s in steps if s.owner_id} | {a.actor for a in audits}
    people |= {m.recipient_id for m in mails if m.recipient_id}
    names = names_of(session, people, {hire.id: hire.full_name})
    step_of = {a.id: a.step_id for a in actions}
    invitation = _invitations(list(mails), step_of)
    titles = {s.id: s.title for s in steps}
    items = [
        Item(
            id=s.id,
            title=s.title,
            kind=PROCESS_LABELS.get(s.process, s.process),
            due=s.due_date,
            owner=owner_label(s.owner_id, s.owner_role, names),
            state="te laat"
            if s.state == StepState.OPEN and s.due_date < day
            else STEP_STATES[s.state],
            done_at=_local(s.done_at) if s.done_at else None,
            invitation=invitation.get(s.id, ""),
            checklist=s.key.startswith(ITEM_PREFIX),
        )
        for s in steps
    ]
    timeline = [
        Moment(
            at=datetime.combine(a.due_date, datetime.min.time()),
            dated=False,
            kind="actie",
            what=f"{action_label(a.kind)}: {titles.get(a.step_id or 0, 'de medewerker')}",
            state=ACTION_STATES[a.state],
        )
        for a in actions
    ]
    owners = {s.id: owner_label(None, s.owner_role, {}) for s in steps}
    roles = {a.id: owners[a.step_id] for a in actions if a.step_id in owners}
    po_mailbox = str(config.municipality.po_mailbox)
    timeline += [
        Moment(
            at=_local(m.sent_at or m.created_at).replace(tzinfo=None),
            dated=True,
            kind="mail",
            what=f"{m.subject} (aan {_recipient(m, hire, po_mailbox, roles)})"
            + (" met agenda-uitnodiging" if m.ics_method == "REQUEST" else "")
            + (" met intrekking uit de agenda" if m.ics_method == "CANCEL" else ""),
            state=MAIL_STATES[m.state],
        )
        for m in mails
    ]
    timeline += [
        Moment(
            at=_local(a.at).replace(tzinfo=None),
            dated=True,
            kind="audit",
            what=audit_label(a.action)
            + (f": {titles[int(a.entity_id)]}" if a.entity_type == "step" else ""),
            state=f"door {names.get(a.actor, a.actor)}",
        )
        for a in audits
    ]
    timeline.sort(key=lambda m: (m.at, not m.dated))
    return HirePage(
        hire=hire,
        phase=phase_on(config.calendar, hire.first_working_day, day),
        items=items,
        timeline=timeline,
    )


def fold(timeline: list[Moment], day: date) -> tuple[list[Moment], int]:
    """The timeline as first shown: its last PAST_SHOWN lines up to and including `day` and its
    next COMING_SHOWN after it (a hire's timeline grows to hundreds of lines); and how many
    lines that leaves out."""
    past = [m for m in timeline if m.at.date() <= day]
    coming = [m for m in timeline if m.at.date() > day]
    shown = past[-PAST_SHOWN:] + coming[:COMING_SHOWN]
    return shown, len(timeline) - len(shown)
