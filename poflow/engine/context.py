"""The Context a planner, handler or link action works in: one session, one municipality, one day.

It gives the process code what it may use (people, the case's steps and actions, mail, the
audit log, calendar invitations) and nothing else; the runtime makes one with `Runtime.context`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from poflow import audit
from poflow.audit_chain import head_of
from poflow.config import MunicipalityConfig
from poflow.db.base import utcnow
from poflow.db.models import Action, Hire, Outbox, Person, PersonRole, Step
from poflow.engine.cases import case_of, note_actions_added
from poflow.engine.process import Registry
from poflow.kernel.calendar import TZ, local_datetime
from poflow.mail.ics import Invitation, build_ics
from poflow.mail.outbox import Recipient, outbox_row, queue_mail
from poflow.mail.render import render_mail
from poflow.settings import Settings
from poflow.states import ActionState

__all__ = ["SYSTEM_ACTOR", "TZ", "Context", "local_datetime"]

SYSTEM_ACTOR = "system"  # who the audit log names for what the dispatcher does


def mail_frame(
    config: MunicipalityConfig, settings: Settings, to: Recipient, day: date
) -> dict[str, Any]:
    """What every mail template gets besides its own context (render_mail adds the salutation,
    `aanhef`, from `ontvanger`)."""
    m = config.municipality
    return {
        "gemeente": m.name,
        "afzender": m.sender_name,
        "po_mailbox": str(m.po_mailbox),
        "ontvanger": to,
        "vandaag": day,
        "base_url": settings.resolved_base_url(),
        "huisstijl": config.house_style,
    }


@dataclass
class Context:
    """Everything a planner or handler may use: one session, one municipality, one day."""

    session: Session
    config: MunicipalityConfig
    settings: Settings
    day: date
    registry: Registry
    actor: str = SYSTEM_ACTOR
    # One invitation mailed to several people is written once (same DTSTAMP for all of them).
    _ics: dict[Invitation, str] = field(default_factory=dict, repr=False)
    # What handlers remember within this context's session (e.g. today's digest per recipient).
    memo: dict[Any, Any] = field(default_factory=dict, repr=False)

    @property
    def municipality(self) -> str:
        """The municipality's slug."""
        return self.config.slug

    @property
    def calendar(self) -> Any:
        """The municipality's working-day calendar."""
        return self.config.calendar

    # -- people ---------------------------------------------------------------------------
    def person(self, person_id: str) -> Person:
        """A staff member by id (the import guarantees managers and buddies exist)."""
        person = self.session.get(Person, person_id)
        if person is None:
            raise LookupError(f"person {person_id} does not exist")
        return person

    def people_with_role(self, role: str) -> list[Person]:
        """Everyone holding `role` in this municipality, by id."""
        query = (
            select(Person)
            .join(PersonRole)
            .where(PersonRole.municipality == self.municipality, PersonRole.role == role)
            .order_by(Person.id)
        )
        return list(self.session.scalars(query))

    @staticmethod
    def recipient(person: Person) -> Recipient:
        """A staff member as a mail recipient."""
        return Recipient(person.id, person.full_name, person.email, person.given_name)

    def hire_recipient(self, hire: Hire) -> Recipient:
        """A new hire at the address valid on this day (private before day one, work after)."""
        return Recipient(hire.id, hire.full_name, hire.address_on(self.day), hire.given_name)

    def hire_invitee(self, hire: Hire) -> Recipient:
        """A new hire as a calendar attendee: the work address, where the talks belong (an
        invitation to the hire is sent from the first working day on)."""
        return Recipient(hire.id, hire.full_name, hire.work_email, hire.given_name)

    def po_recipient(self) -> Recipient:
        """The P&O team mailbox of this municipality."""
        m = self.config.municipality
        return Recipient(None, f"P&O {m.name}", str(m.po_mailbox))

    # -- steps and actions ----------------------------------------------------------------
    def step(self, *, case_type: str, case_id: str, key: str) -> Step | None:
        """The step `key` of a case, or None (the case's steps are read once per session)."""
        return case_of(self.session, case_type, case_id).steps.get(key)

    def schedule(
        self,
        *,
        case_type: str,
        case_id: str,
        kind: str,
        key: str,
        due: date,
        step: Step | None = None,
    ) -> Action:
        """Make sure action `key` exists: create it, or revive it when a move had cancelled it.

        An action already done or skipped is returned as is, so re-planning never repeats work.
        Keys name their case, so the case's actions (read once per session) are the ones to
        check; the new row is written with the session's next flush.
        """
        if kind not in self.registry.handlers:
            raise ValueError(f"No handler registered for action kind {kind!r}")
        existing = case_of(self.session, case_type, case_id).actions.get(key)
        if existing is not None:
            if existing.state == ActionState.CANCELLED:
                note_actions_added(self.session)
                existing.state = ActionState.PENDING
                existing.due_date = due
                existing.done_at = None
            return existing
        action = Action(
            municipality=self.municipality,
            case_type=case_type,
            case_id=case_id,
            step=step,
            kind=kind,
            key=key,
            due_date=due,
            state=ActionState.PENDING,
        )
        self.session.add(action)
        return action

    def mail(
        self,
        *,
        key: str,
        template: str,
        to: Recipient,
        context: dict[str, Any],
        case_type: str,
        case_id: str,
        action: Action | None = None,
        invitation: Invitation | None = None,
    ) -> Outbox | None:
        """Queue one templated mail under `key` (once only, X-1); None when already queued."""
        m = self.config.municipality
        return queue_mail(
            self.session,
            key=key,
            templates_dir=self.config.templates(self.settings.templates_dir),
            template=template,
            context=self._mail_context(to, context),
            to=to,
            sender_name=m.sender_name,
            sender_email=str(m.sender_email),
            municipality=self.municipality,
            case_type=case_type,
            case_id=case_id,
            action_id=action.id if action else None,
            invitation=invitation,
            ics=self._ics_of(invitation),
        )

    def outbox_rows(self, mails: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """Render many mails of this municipality into outbox rows, for queue_rows (one
        statement for a batch, possibly of several municipalities).

        Each item holds mail()'s keyword arguments; a key given twice is rendered once. As
        with mail(), queue_rows leaves a key queued before alone and queues one a move withdrew
        again. Only for batches without savepoints: the engine redoes a failed batch one by one.
        """
        m = self.config.municipality
        rows: dict[str, dict[str, Any]] = {}
        for spec in mails:
            key, to, invitation, action = (
                spec["key"],
                spec["to"],
                spec.get("invitation"),
                spec.get("action"),
            )
            if key in rows:
                continue
            rendered = render_mail(
                self.config.templates(self.settings.templates_dir),
                spec["template"],
                self._mail_context(to, spec["context"]),
            )
            rows[key] = outbox_row(
                key=key,
                rendered=rendered,
                to=to,
                sender_name=m.sender_name,
                sender_email=str(m.sender_email),
                municipality=self.municipality,
                case_type=spec["case_type"],
                case_id=spec["case_id"],
                template=spec["template"],
                action_id=action.id if action else None,
                ics=self._ics_of(invitation),
                ics_method=invitation.method if invitation else None,
            )
        return list(rows.values())

    def _mail_context(self, to: Recipient, context: dict[str, Any]) -> dict[str, Any]:
        """What every template gets, plus the mail's own context; a mail to the P&O mailbox
        also gets the audit chain's head (`auditlog`, its footer line: X-4)."""
        m = self.config.municipality
        extra = {"auditlog": self._audit_head()} if to.email == str(m.po_mailbox) else {}
        return {**mail_frame(self.config, self.settings, to, self.day), **extra, **context}

    def _audit_head(self) -> dict[str, Any] | None:
        """This municipality's audit chain head as last sealed (read once per context): P&O's
        mailbox then holds a copy outside poflow's database."""
        key = ("audit-head", self.municipality)
        if key not in self.memo:
            head = head_of(self.session, self.municipality)
            self.memo[key] = (
                {"hash": head.hash[:16], "regel": head.seq} if head and head.seq else None
            )
        head_line: dict[str, Any] | None = self.memo[key]
        return head_line

    def _ics_of(self, invitation: Invitation | None) -> str | None:
        """The invitation's text, written once per context (same DTSTAMP for everyone)."""
        if invitation is None:
            return None
        ics = self._ics.get(invitation)
        if ics is None:
            ics = self._ics[invitation] = build_ics(invitation, stamp=utcnow())
        return ics

    def audit(self, action: str, entity_type: str, entity_id: str, **detail: Any) -> None:
        """Record a state change in the append-only audit log (X-4)."""
        audit.record(
            self.session,
            actor=self.actor,
            action=action,
            entity_type=entity_type,
            entity_id=entity_id,
            municipality=self.municipality,
            **detail,
        )

    def invitation_for(
        self,
        step: Step,
        *,
        summary: str,
        description: str,
        location: str,
        attendees: Iterable[Recipient],
        cancelled: bool = False,
    ) -> Invitation:
        """The calendar invitation of an appointment step: stable uid, its current sequence."""
        m = self.config.municipality
        if step.starts_at is None or step.ends_at is None:
            raise ValueError(f"step {step.id} has no appointment time")
        return Invitation(
            uid=f"{step.uid}@{self.municipality}.poflow",
            sequence=step.sequence,
            starts_at=step.starts_at,
            ends_at=step.ends_at,
            summary=summary,
            location=location,
            description=description,
            organizer_name=m.sender_name,
            organizer_email=str(m.sender_email),
            attendees=tuple((r.name, r.email) for r in attendees),
            cancelled=cancelled,
        )
