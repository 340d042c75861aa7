"""Helpers shared by the introduction tests: synthetic hires, planning days, reading mails.

Their fixtures (a runtime on SQLite, a registry of only this process) are in conftest.py.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from email.message import EmailMessage
from typing import Any

from sqlalchemy import select

from poflow.db.models import Hire, Step
from poflow.engine import Context
from poflow.importer import import_staff
from poflow.introduction.attendance import record_attendance
from poflow.introduction.config import section
from poflow.introduction.models import IntroSession, SessionParticipant
from poflow.introduction.sessions import plan_day
from poflow.introduction.states import OPEN
from poflow.introduction.steps import complete_step
from poflow.link_tokens import claim_link, verify_token
from poflow.runtime import run_day
from poflow.states import StepState
from tests.conftest import EXAMPLES
from tests.support import ics_of

GEMEENTESECRETARIS = "anouk.verbeek@hardenberg.example.nl"
PO_BRAM = "bram.dewit@hardenberg.example.nl"
COACH = "hanna.kok@hardenberg.example.nl"
MANAGER = "HB-0004"
MANAGER_EMAIL = "dirk.mulder@hardenberg.example.nl"
URL = re.compile(r"http://[^\s\"<>]+/a/([A-Za-z0-9_.\-]+)")


@dataclass(frozen=True)
class Spec:
    """A synthetic hire: id, contract, start date."""

    hire_id: str
    contract_type: str
    months: int | None
    start: date


def staff(rt: Any) -> None:
    """Import the example staff (Hardenberg roles: secretaris, P&O, leidinggevenden, coach)."""
    with rt.factory() as session, session.begin():
        import_staff(session, EXAMPLES / "staff.csv", rt.configs)


def add_hires(rt: Any, specs: list[Spec]) -> None:
    """Insert fictional Hardenberg hires directly (as the importer would)."""
    cal = rt.config("hardenberg").calendar
    with rt.factory() as session, session.begin():
        for n, s in enumerate(specs):
            local = s.hire_id.lower().replace("-", "")
            session.add(
                Hire(
                    id=s.hire_id,
                    municipality="hardenberg",
                    given_name="Test",
                    family_name=f"Nieuw {s.hire_id}",
                    private_email=f"{local}@example.org",
                    work_email=f"{local}@hardenberg.example.nl",
                    team="Ruimtelijk domein",
                    function="Adviseur",
                    manager_id=MANAGER if n % 2 == 0 else "HB-0006",
                    buddy_id="HB-0005",
                    contract_type=s.contract_type,
                    contract_months=s.months,
                    start_date=s.start,
                    first_working_day=cal.first_working_day(s.start),
                )
            )


def plan_all(rt: Any, day: date, series: tuple[str, ...] | None = None) -> list[Any]:
    """Each series' planning pass for one day (what the three session flows do), Hardenberg."""
    cfg = rt.config("hardenberg")
    return [
        plan_day(rt.factory, cfg, rt.settings, day, key, registry=rt.registry)
        for key in series or section(cfg).series_keys()
    ]


def simulate(
    rt: Any,
    first: date,
    last: date,
    *,
    series: tuple[str, ...] | None = None,
    after_day: Callable[[date], None] | None = None,
) -> None:
    """Each day: the session flows' planning, then the dispatcher's day (plan, perform, send)."""
    day = first
    while day <= last:
        plan_all(rt, day, series)
        run_day(rt, day, municipality="hardenberg")
        if after_day is not None:
            after_day(day)
        day += timedelta(days=1)


def event(msg: EmailMessage) -> tuple[str, date, str] | None:
    """(summary, start date, method) of a message's invitation, or None."""
    cal = ics_of(msg)
    if cal is None:
        return None
    ev = next(iter(cal.walk("VEVENT")))
    return str(ev["SUMMARY"]), ev.decoded("DTSTART").date(), str(cal["METHOD"])


def invitation(msg: EmailMessage) -> tuple[str, date, str]:
    """(summary, start date, method) of the invitation a message must carry."""
    found = event(msg)
    assert found is not None, f"no calendar invitation in {msg['Subject']!r}"
    return found


def body(msg: EmailMessage) -> str:
    """The plain-text body of a message."""
    part = msg.get_body(preferencelist=("plain",))
    assert part is not None
    return part.get_content()


def tokens(msg: EmailMessage) -> list[str]:
    """The action-link tokens in a message's text, in order."""
    return URL.findall(body(msg))


def ctx_for(rt: Any, session: Any, day: date, actor: str = "system") -> Context:
    """An engine Context for Hardenberg on `day`."""
    return rt.context(session, "hardenberg", day, actor=actor)


def follow_link(rt: Any, token: str, day: date, form: dict[str, str] | None = None) -> str:
    """Do what the web app does on POST: verify, claim, perform as the link's subject."""
    with rt.factory() as session, session.begin():
        link = verify_token(session, secret=rt.settings.signing_keys(), token=token)
        claim_link(session, link)
        return rt.registry.link_actions[link.action].perform(
            ctx_for(rt, session, day, link.subject_id), link, form or {}
        )


def hire(rt: Any, hire_id: str) -> Hire:
    """A hire, loaded in a throwaway session."""
    with rt.factory() as session:
        found = session.scalar(select(Hire).where(Hire.id == hire_id))
        assert found is not None
        return found


def run_capture(
    rt: Any,
    smtp: Any,
    first: date,
    last: date,
    *,
    series: tuple[str, ...] | None = ("start",),
    after_day: Callable[[date], None] | None = None,
) -> dict[date, list]:
    """simulate(), returning the messages the SMTP server received per day."""
    per_day: dict[date, list[EmailMessage]] = {}

    def capture(day: date) -> None:
        if after_day is not None:
            after_day(day)

    day = first
    while day <= last:
        before = len(smtp.messages)
        simulate(rt, day, day, series=series, after_day=capture)
        per_day[day] = smtp.messages[before:]
        day += timedelta(days=1)
    return per_day


def received(per_day: dict[date, list], *, to: str, subject: str) -> list[date]:
    """The days on which a mail whose subject holds `subject` reached `to`."""
    return [
        d
        for d, msgs in sorted(per_day.items())
        for m in msgs
        if to in str(m["To"]) and subject in str(m["Subject"])
    ]


def messages(per_day: dict[date, list], *, to: str, subject: str = "") -> list[EmailMessage]:
    """The messages to `to` whose subject holds `subject`, in order."""
    return [
        m
        for _, msgs in sorted(per_day.items())
        for m in msgs
        if to in str(m["To"]) and subject in str(m["Subject"])
    ]


def finish_lines(rt: Any, hire_id: str, day: date) -> None:
    """Record every programme item of the hire but the closing talk as done on `day`: open
    own-line steps completed, places in sessions held by then attended (INT-2: lines first)."""
    with rt.factory() as session, session.begin():
        ctx = ctx_for(rt, session, day, "HB-0002")
        for step in session.scalars(
            select(Step).where(
                Step.case_id == hire_id,
                Step.process == "int",
                Step.state == StepState.OPEN,
                Step.key != "int:startontwikkelgesprek",
            )
        ):
            complete_step(ctx, step, by="HB-0002", source="cli")
        for place in session.scalars(
            select(SessionParticipant)
            .join(SessionParticipant.session)
            .where(
                SessionParticipant.hire_id == hire_id,
                SessionParticipant.status.in_(OPEN),
                IntroSession.session_date <= day,
            )
        ):
            record_attendance(ctx, place, attended=True, by="HB-0002")
