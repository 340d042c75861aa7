"""Helpers for the conversation-cycle tests: fictional staff, hires, link use, mail lookup."""

from __future__ import annotations

import re
from datetime import date
from email.message import EmailMessage
from typing import Any

from sqlalchemy import select

from poflow.conversations.planner import plan_hire_cycle
from poflow.db.models import Hire, Person, PersonRole, Step
from poflow.engine import Context
from poflow.link_tokens import claim_link, verify_token

KB = "kaag-en-braassem"
STAFF = [  # (id, given, family, roles) - fictional people
    ("KB-9001", "Wendy", "Gerritsen", ("gemeentesecretaris",)),
    ("KB-9002", "Pieter", "Hoekstra", ("po_adviseur",)),
    ("KB-9003", "Sanne", "Brouwer", ("leidinggevende", "mt_lid")),
    ("KB-9004", "Tom", "Vermeulen", ("medewerker",)),
    ("KB-9005", "Ruud", "van Leeuwen", ("medewerker",)),
]
HIRE = "NH-KB-9001"
MOTIVATION = "Zeer betrokken bij het project Dorpskern; plant werk nog te krap."
LINK = re.compile(r"/a/([A-Za-z0-9_\-.]+)")


def add_kb_staff(
    rt: Any,
    *,
    hire_start: date | None = date(2027, 3, 1),
    contract: str = "vast",
    months: int | None = None,
) -> None:
    """Kaag en Braassem staff (fictional) and, optionally, one new hire managed by KB-9003."""
    with rt.factory() as session, session.begin():
        for pid, given, family, roles in STAFF:
            person = Person(
                id=pid,
                municipality=KB,
                given_name=given,
                family_name=family,
                email=f"{given.lower()}.{pid.lower()}@kaag-en-braassem.example.nl",
                team="Ruimte",
            )
            person.roles = [PersonRole(role=r, municipality=KB) for r in roles]
            session.add(person)
        if hire_start is not None:
            session.add(
                Hire(
                    id=HIRE,
                    municipality=KB,
                    given_name="Yara",
                    family_name="Jacobs",
                    private_email="yara.jacobs@example.org",
                    work_email="yara.jacobs@kaag-en-braassem.example.nl",
                    team="Ruimte",
                    function="Beleidsmedewerker ruimte",
                    manager_id="KB-9003",
                    buddy_id="KB-9004",
                    contract_type=contract,
                    contract_months=months,
                    start_date=hire_start,
                    first_working_day=rt.config(KB).calendar.first_working_day(hire_start),
                )
            )


def context(rt: Any, session: Any, day: date, *, slug: str = KB, actor: str = "system") -> Context:
    """An engine Context as the dispatcher or the web app builds one."""
    return rt.context(session, slug, day, actor=actor)


def mails(smtp: Any, subject_part: str, to: str | None = None) -> list[EmailMessage]:
    """The received messages whose subject contains `subject_part` (and sent to `to`)."""
    return [
        m
        for m in smtp.messages
        if subject_part in str(m["Subject"]) and (to is None or to in str(m["To"]))
    ]


def text_of(msg: EmailMessage) -> str:
    """The plain-text body of a message."""
    part = msg.get_body(preferencelist=("plain",))
    assert part is not None
    return part.get_content()


def use_link(rt: Any, msg: EmailMessage, day: date, form: dict[str, str] | None = None) -> str:
    """Follow the link in `msg` as its person would: verify, claim, perform; returns the message."""
    token = LINK.search(text_of(msg))
    assert token is not None, "no action link in the mail"
    secret = rt.settings.signing_keys()
    with rt.factory() as session, session.begin():
        row = verify_token(session, secret=secret, token=token.group(1))
        claim_link(session, row)
        ctx = rt.context(session, row.municipality, day, actor=row.subject_id)
        return ctx.registry.link_actions[row.action].perform(ctx, row, form or {})


def scores_form(
    prestatie: str = "goed", potentieel: str = "voldoende", kernwaarden: str = "goed"
) -> dict[str, str]:
    """A filled-in appraisal form."""
    return {
        "prestatie": prestatie,
        "prestatie_motivatie": MOTIVATION,
        "potentieel": potentieel,
        "potentieel_motivatie": "Kan doorgroeien naar senior.",
        "kernwaarden": kernwaarden,
        "kernwaarden_motivatie": "Werkt open en integer.",
    }


def plan_cycle_only(rt: Any, day: date, *, slug: str = KB) -> None:
    """Plan new or moved hires with the conversations planner alone (the other processes'
    planners stay out, which keeps these simulations fast); then mark them planned."""
    with rt.factory() as session, session.begin():
        ctx = context(rt, session, day, slug=slug)
        for hire in session.scalars(
            select(Hire).where(Hire.municipality == slug, Hire.planned_version < Hire.version)
        ):
            plan_hire_cycle(ctx, hire)
            hire.planned_version = hire.version


def steps_of(rt: Any, case_id: str) -> dict[str, Step]:
    """The cycle's steps of a case by key, detached from their session."""
    with rt.factory() as session:
        rows = session.scalars(
            select(Step).where(Step.case_id == case_id, Step.process == "ges")
        ).all()
        session.expunge_all()
        return {s.key: s for s in rows}
