"""Helpers of the onboarding tests (ONB, BUD): fictional staff, ticking days, reading digests.

The runtime fixture (`sqlite_runtime`) is tests/conftest.py's.
"""

from __future__ import annotations

import hashlib
import re
from datetime import date, timedelta
from email.message import EmailMessage
from pathlib import Path
from typing import Any

from sqlalchemy import select

from poflow.db.models import Hire, Outbox, Person, PersonRole
from poflow.engine import Context
from poflow.onboarding.rules import Level

EXAMPLES = Path(__file__).resolve().parents[3] / "shared" / "examples"
KB = "kaag-en-braassem"
SECTION_LEVEL = {
    "Binnenkort te doen": Level.ANNOUNCE,
    "Herinnering": Level.REMIND,
    "Nog open in je team": Level.ESCALATE_MANAGER,
    "Escalatie": Level.ESCALATE_PO,
}
ONB_TEMPLATES = (
    "onboarding/digest",
    "onboarding/welkom_prive",
    "onboarding/welkom_werk",
    "onboarding/buddy_toegewezen",
    "onboarding/vier_successen",
    "onboarding/buddy_afgesloten",
)
# The addresses of Kaag en Braassem's people who hear about checklist items (see add_kb_staff).
FACILITAIR = "ilse.koster@kaag.example.nl"
ICT = "tom.brouwer@kaag.example.nl"
MANAGER = "sanne.vos@kaag.example.nl"
PO = "po@kaag-en-braassem.example.nl"


def add_kb_staff(rt: Any, *, team_colleagues: bool = True) -> None:
    """Fictional staff of Kaag en Braassem: a manager, colleagues, ICT, facilities, P&O."""
    people = [
        ("KB-0001", "Sanne", "Vos", "Bedrijfsvoering", "leidinggevende"),
        ("KB-0004", "Tom", "Brouwer", "ICT", "ict"),
        ("KB-0005", "Ilse", "Koster", "Facilitair", "facilitair"),
        ("KB-0006", "Ruben", "Lammers", "P&O", "po_adviseur"),
    ]
    if team_colleagues:
        people += [
            ("KB-0003", "Yara", "Peeters", "Bedrijfsvoering", "medewerker"),
            ("KB-0002", "Wim", "Hoekstra", "Bedrijfsvoering", "medewerker"),
        ]
    with rt.factory() as session, session.begin():
        for pid, given, family, team, role in people:
            session.add(
                Person(
                    id=pid,
                    municipality=KB,
                    given_name=given,
                    family_name=family,
                    email=f"{given.lower()}.{family.lower()}@kaag.example.nl",
                    team=team,
                )
            )
            session.flush()
            session.add(PersonRole(person_id=pid, municipality=KB, role=role))


def add_kb_hire(
    rt: Any,
    hire_id: str = "KB-NH-01",
    *,
    start: date = date(2027, 3, 1),
    contract: str = "vast",
    months: int | None = None,
) -> None:
    """A fictional new hire in Kaag en Braassem without a buddy yet."""
    cal = rt.config(KB).calendar
    with rt.factory() as session, session.begin():
        session.add(
            Hire(
                id=hire_id,
                municipality=KB,
                given_name="Fenna",
                family_name="de Graaf",
                private_email=f"{hire_id.lower()}@example.org",
                work_email=f"{hire_id.lower()}@kaag.example.nl",
                team="Bedrijfsvoering",
                function="Adviseur informatiebeheer",
                manager_id="KB-0001",
                buddy_id=None,
                contract_type=contract,
                contract_months=months,
                start_date=start,
                first_working_day=cal.first_working_day(start),
            )
        )


def import_examples(rt: Any) -> None:
    """The shared example staff and hires (Hardenberg), imported."""
    from poflow.importer import import_hires, import_staff

    with rt.factory() as session, session.begin():
        import_staff(session, EXAMPLES / "staff.csv", rt.configs)
        import_hires(session, EXAMPLES / "hires.csv", rt.configs)


def templates_by_hash(rt: Any) -> dict[str, str]:
    """X-Poflow-Key header value -> outbox template, to tell the received mails apart."""
    with rt.factory() as session:
        rows = session.execute(select(Outbox.key, Outbox.template)).all()
    return {hashlib.sha256(k.encode()).hexdigest()[:16]: t for k, t in rows}


def run(
    rt: Any, smtp: Any, first: date, last: date, *, municipality: str | None = None
) -> list[tuple[date, str, str, EmailMessage]]:
    """Tick every day from first to last; return (day, template, to address, message)."""
    from poflow.runtime import run_day

    got: list[tuple[date, EmailMessage]] = []
    day = first
    while day <= last:
        seen = len(smtp.messages)
        run_day(rt, day, municipality=municipality)
        got += [(day, m) for m in smtp.messages[seen:]]
        day += timedelta(days=1)
    names = templates_by_hash(rt)
    return [
        (d, names.get(str(m["X-Poflow-Key"]), "?"), m["To"].addresses[0].addr_spec, m)
        for d, m in got
    ]


def text_of(msg: EmailMessage) -> str:
    """The plain-text part of a received message."""
    part = msg.get_body(preferencelist=("plain",))
    assert part is not None
    return part.get_content()


def digest_items(msg: EmailMessage) -> list[tuple[Level | None, str, str]]:
    """(level, hire id, item key) for every item listed in a digest mail."""
    level, found = None, []
    for line in text_of(msg).splitlines():
        if heading := re.fullmatch(r"== (.+) ==", line.strip()):
            level = SECTION_LEVEL[heading.group(1)]
        elif ref := re.search(r"\(kenmerk (\S+)/([a-z0-9-]+)\)", line):
            found.append((level, ref.group(1), ref.group(2)))
    return found


def ctx_for(rt: Any, session: Any, slug: str, day: date, actor: str = "system") -> Context:
    """An engine context for direct calls."""
    return rt.context(session, slug, day, actor=actor)


def link_for(msg: EmailMessage, item: str) -> str:
    """The done link printed under `item` in a digest's text."""
    lines = text_of(msg).splitlines()
    at = next(i for i, line in enumerate(lines) if f"/{item})" in line)
    found = re.search(r"(http\S+)", lines[at + 1])
    assert found is not None, f"no link under {item}"
    return found.group(1)
