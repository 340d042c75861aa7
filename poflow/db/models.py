"""The engine's tables: people and roles, hires, steps, the dated agenda, the outbox and audit."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Date,
    Enum,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from poflow.db.base import Base, UTCDateTime, calendar_uid, utcnow
from poflow.states import ActionState, HireState, MailState, StepState

__all__ = [
    "Action",
    "AuditChainHead",
    "AuditEntry",
    "Hire",
    "Outbox",
    "Person",
    "PersonRole",
    "RefusalTally",
    "Step",
]

SLUG = 64
ID = 40


def _enum(cls: type) -> Enum:
    return Enum(cls, native_enum=False, length=16, values_callable=lambda e: [m.value for m in e])


class Person(Base):
    """Someone on the municipality's staff who can receive mail and hold roles."""

    __tablename__ = "person"

    id: Mapped[str] = mapped_column(String(ID), primary_key=True)
    municipality: Mapped[str] = mapped_column(String(SLUG), index=True)
    given_name: Mapped[str] = mapped_column(String(100))
    family_name: Mapped[str] = mapped_column(String(100))
    email: Mapped[str] = mapped_column(String(254))
    team: Mapped[str] = mapped_column(String(120))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    roles: Mapped[list[PersonRole]] = relationship(
        back_populates="person", cascade="all, delete-orphan", lazy="selectin"
    )

    @property
    def full_name(self) -> str:
        """Given name and family name."""
        return f"{self.given_name} {self.family_name}"

    @property
    def role_names(self) -> set[str]:
        """The roles this person holds."""
        return {r.role for r in self.roles}


class PersonRole(Base):
    """One role of one person in their municipality (e.g. po_adviseur, leidinggevende)."""

    __tablename__ = "person_role"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    person_id: Mapped[str] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"))
    municipality: Mapped[str] = mapped_column(String(SLUG))
    role: Mapped[str] = mapped_column(String(32))

    person: Mapped[Person] = relationship(back_populates="roles")

    __table_args__ = (
        UniqueConstraint("person_id", "role"),
        Index("ix_person_role_municipality_role", "municipality", "role"),
    )


class Hire(Base):
    """A new colleague: the case that onboarding, check-ins and the introduction hang on."""

    __tablename__ = "hire"

    id: Mapped[str] = mapped_column(String(ID), primary_key=True)
    municipality: Mapped[str] = mapped_column(String(SLUG), index=True)
    given_name: Mapped[str] = mapped_column(String(100))
    family_name: Mapped[str] = mapped_column(String(100))
    private_email: Mapped[str] = mapped_column(String(254))
    work_email: Mapped[str] = mapped_column(String(254))
    team: Mapped[str] = mapped_column(String(120))
    function: Mapped[str] = mapped_column(String(160))
    manager_id: Mapped[str] = mapped_column(ForeignKey("person.id", ondelete="RESTRICT"))
    buddy_id: Mapped[str | None] = mapped_column(ForeignKey("person.id", ondelete="RESTRICT"))
    contract_type: Mapped[str] = mapped_column(String(16))
    contract_months: Mapped[int | None] = mapped_column(Integer)
    start_date: Mapped[date] = mapped_column(Date)
    first_working_day: Mapped[date] = mapped_column(Date)
    state: Mapped[HireState] = mapped_column(_enum(HireState), default=HireState.PLANNED)
    # Raised on every start-date move; planners re-plan while planned_version < version.
    version: Mapped[int] = mapped_column(Integer, default=1)
    planned_version: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    manager: Mapped[Person] = relationship(foreign_keys=[manager_id], lazy="joined")
    buddy: Mapped[Person | None] = relationship(foreign_keys=[buddy_id], lazy="joined")

    __table_args__ = (Index("ix_hire_needs_planning", "planned_version", "version"),)

    @property
    def full_name(self) -> str:
        """Given name and family name."""
        return f"{self.given_name} {self.family_name}"

    def address_on(self, day: date) -> str:
        """Private address before the first working day, work address from then on."""
        return self.private_email if day < self.first_working_day else self.work_email


class Step(Base):
    """One step of a case: a check-in talk, a checklist item, a session, an approval."""

    __tablename__ = "step"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    municipality: Mapped[str] = mapped_column(String(SLUG))
    case_type: Mapped[str] = mapped_column(String(16))
    case_id: Mapped[str] = mapped_column(String(ID))
    process: Mapped[str] = mapped_column(String(16))
    key: Mapped[str] = mapped_column(String(80))
    title: Mapped[str] = mapped_column(String(300))
    due_date: Mapped[date] = mapped_column(Date)
    starts_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    ends_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    owner_role: Mapped[str | None] = mapped_column(String(32))
    owner_id: Mapped[str | None] = mapped_column(String(ID))
    state: Mapped[StepState] = mapped_column(_enum(StepState), default=StepState.OPEN)
    sequence: Mapped[int] = mapped_column(Integer, default=0)  # iCalendar SEQUENCE
    # The local part of its invitations' UID: stable for the step, unique per installation.
    uid: Mapped[str] = mapped_column(String(64), default=calendar_uid("poflow-step"))
    done_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    done_by: Mapped[str | None] = mapped_column(String(ID))
    note: Mapped[str | None] = mapped_column(Text)  # personal data: stored, never logged
    data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)

    __table_args__ = (
        UniqueConstraint("case_type", "case_id", "key"),
        Index("ix_step_state_due", "state", "due_date"),
        # The workspace overview's "what waits on whom" and its late hires: one municipality's
        # open steps by owner, and by date, each carrying what its query reads (index only).
        Index(
            "ix_step_open_work",
            "municipality",
            "state",
            "owner_id",
            "owner_role",
            "process",
            "due_date",
        ),
        Index("ix_step_late_cases", "municipality", "state", "due_date", "case_type", "case_id"),
    )


class Action(Base):
    """A dated duty of the dispatcher (invite, remind, escalate), performed at most once."""

    __tablename__ = "action"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    municipality: Mapped[str] = mapped_column(String(SLUG))
    case_type: Mapped[str] = mapped_column(String(16))
    case_id: Mapped[str] = mapped_column(String(ID))
    step_id: Mapped[int | None] = mapped_column(ForeignKey("step.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(48))
    key: Mapped[str] = mapped_column(String(200), unique=True)
    due_date: Mapped[date] = mapped_column(Date)
    state: Mapped[ActionState] = mapped_column(_enum(ActionState), default=ActionState.PENDING)
    done_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    step: Mapped[Step | None] = relationship(lazy="joined")

    __table_args__ = (
        Index("ix_action_due", "state", "due_date", "municipality"),
        Index("ix_action_case", "case_type", "case_id"),
        # The claim's and the waiting kinds' lookups: few municipalities' due rows, not every
        # municipality's (a small index: pending rows only).
        Index(
            "ix_action_pending",
            "municipality",
            "due_date",
            postgresql_where=text("state = 'pending'"),
            sqlite_where=text("state = 'pending'"),
        ),
    )


class Outbox(Base):
    """A rendered mail; its unique key makes a second send of the same message impossible (X-1)."""

    __tablename__ = "outbox"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    key: Mapped[str] = mapped_column(String(255), unique=True)
    message_id: Mapped[str] = mapped_column(String(255), unique=True)
    municipality: Mapped[str] = mapped_column(String(SLUG))
    case_type: Mapped[str] = mapped_column(String(16))
    case_id: Mapped[str] = mapped_column(String(ID))
    action_id: Mapped[int | None] = mapped_column(ForeignKey("action.id", ondelete="SET NULL"))
    template: Mapped[str] = mapped_column(String(80))
    recipient_id: Mapped[str | None] = mapped_column(String(ID))
    recipient_email: Mapped[str] = mapped_column(String(254))
    recipient_name: Mapped[str] = mapped_column(String(200), default="")
    sender_name: Mapped[str] = mapped_column(String(160))
    sender_email: Mapped[str] = mapped_column(String(254))
    subject: Mapped[str] = mapped_column(String(300))
    body_text: Mapped[str] = mapped_column(Text)
    body_html: Mapped[str] = mapped_column(Text)
    ics: Mapped[str | None] = mapped_column(Text)
    ics_method: Mapped[str | None] = mapped_column(String(16))
    state: Mapped[MailState] = mapped_column(_enum(MailState), default=MailState.QUEUED)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(String(300))  # its type and a short reason
    # After a failure of this message alone: not tried again before this moment (backoff).
    next_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    __table_args__ = (
        Index("ix_outbox_state", "state", "municipality", "id"),
        Index("ix_outbox_queue", "state", "id"),  # a send for all municipalities
        Index("ix_outbox_case", "case_type", "case_id"),  # a hire's page: its mails
    )


class AuditEntry(Base):
    """One append-only audit row: who did what to which object, when (X-4)."""

    __tablename__ = "audit"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    municipality: Mapped[str | None] = mapped_column(String(SLUG))
    actor: Mapped[str] = mapped_column(String(ID))  # a person id, "system" or "cli"
    action: Mapped[str] = mapped_column(String(64))
    entity_type: Mapped[str] = mapped_column(String(32))
    entity_id: Mapped[str] = mapped_column(String(80))
    detail: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)  # ids and states only
    # The hash chain (poflow.audit_chain): written unsealed, then sealed once with the row's
    # place in its municipality's chain and the hash over its content and the previous hash.
    seq: Mapped[int | None] = mapped_column(Integer)
    hash: Mapped[str | None] = mapped_column(String(64))

    __table_args__ = (
        Index("ix_audit_entity", "entity_type", "entity_id"),
        # The sealing pass's lookup: the few unsealed rows, not the whole log.
        Index(
            "ix_audit_unsealed",
            "municipality",
            "id",
            postgresql_where=text("seq IS NULL"),
            sqlite_where=text("seq IS NULL"),
        ),
        # One row per place in a chain; verify reads a chain in this order.
        Index(
            "ix_audit_chain",
            "municipality",
            "seq",
            unique=True,
            postgresql_where=text("seq IS NOT NULL"),
            sqlite_where=text("seq IS NOT NULL"),
        ),
    )


class AuditChainHead(Base):
    """Where one municipality's audit chain ends (X-4); its row is the sealing pass's lock.

    `municipality` is "" for the chain of rows without a municipality. `at` is the latest time
    on the chain: a row sealed later with a time well before it was inserted back-dated.
    """

    __tablename__ = "audit_chain"

    municipality: Mapped[str] = mapped_column(String(SLUG), primary_key=True)
    seq: Mapped[int] = mapped_column(Integer, default=0)
    hash: Mapped[str] = mapped_column(String(64))
    audit_id: Mapped[int | None] = mapped_column(Integer)
    at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    sealed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class RefusalTally(Base):
    """Refused web requests counted per minute, source, reason, method and link (X-4).

    The first refusal of such a bucket also writes one audit row; the others only count here,
    so a flood from one source leaves a few rows, not one per request (poflow/web/refusals.py).
    """

    __tablename__ = "refusal_tally"

    minute: Mapped[datetime] = mapped_column(UTCDateTime, primary_key=True)
    source: Mapped[str] = mapped_column(String(16), primary_key=True)  # keyed hash
    reason: Mapped[str] = mapped_column(String(24), primary_key=True)
    method: Mapped[str] = mapped_column(String(8), primary_key=True)
    entity_id: Mapped[str] = mapped_column(String(80), primary_key=True)  # link id or "unknown"
    municipality: Mapped[str | None] = mapped_column(String(SLUG))
    count: Mapped[int] = mapped_column(Integer, default=1)
    last_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
