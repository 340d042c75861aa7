"""Shared pieces of the recruitment tests: staff, a context, clicking a mailed link, sending,
and a round brought to a stage the way its people do it."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date, datetime
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import icalendar

from poflow.db.models import Person, PersonRole
from poflow.engine import Context
from poflow.importer import import_staff
from poflow.mail.sending import SmtpTarget, send_queued
from poflow.recruitment import (
    appointment,
    candidates,
    interviews,
    register,
    rounds,
    selection,
    stages,
    vacancy,
)
from poflow.recruitment.documents import send_documents, senders
from poflow.recruitment.models import RecruitmentRound
from poflow.recruitment.rules import Standing
from poflow.runtime import get_runtime, run_day
from poflow.web.service import LinkPages
from tests.conftest import EXAMPLES, runtime_on
from tests.web.support import subject_viewer

SLUG = "hardenberg"
GS, PO, PO2, MT, COLLEGA, OTHER_MT, REFERRER, OR = (
    "HB-0001",
    "HB-0002",
    "HB-0003",
    "HB-0004",
    "HB-0005",
    "HB-0006",
    "HB-0007",
    "HB-0011",
)
TEAM = "Ruimtelijk domein"
D0 = date(2027, 3, 1)  # a Monday
GS_MAIL, OR_MAIL = "anouk.verbeek@", "karim.elamrani@"
PO_MAIL, MT_MAIL, COL_MAIL = "bram.dewit@", "dirk.mulder@", "esra.yilmaz@"
TOKEN = re.compile(r"/a/([A-Za-z0-9_\-\.]+)")


def sqlite_runtime(monkeypatch: Any, tmp_path: Path, url: str, smtp: Any) -> Iterator[Any]:
    """A runtime on a SQLite file (for tests whose subject is not the database), staff loaded."""
    with runtime_on(monkeypatch, url=url, data_dir=tmp_path / "data", smtp_port=smtp.port):
        rt = get_runtime()
        import_example_staff(rt)
        yield rt


def import_example_staff(rt: Any) -> None:
    """The shared example staff (no hires), plus two people made for the bypass tests."""
    with rt.factory() as session, session.begin():
        import_staff(session, EXAMPLES / "staff.csv", rt.configs)
        for pid, given, roles in (
            ("HB-0090", "Dubbel", ("leidinggevende", "po_adviseur")),
            ("HB-0091", "Beheer", ("beheerder",)),
        ):
            session.add(
                Person(
                    id=pid,
                    municipality=SLUG,
                    given_name=given,
                    family_name="Rolhouder",
                    email=f"{given.lower()}@example.nl",
                    team=TEAM,
                    roles=[PersonRole(municipality=SLUG, role=r) for r in roles],
                )
            )


def ctx_for(session: Any, rt: Any, day: date, actor: str = "cli") -> Context:
    """An engine context for Hardenberg on `day`."""
    return rt.context(session, SLUG, day, actor=actor)


def run(rt: Any, day: date, fn: Any, *args: Any, actor: str = "cli", **kwargs: Any) -> Any:
    """Call a service in its own committed transaction, as the CLI does."""
    with rt.factory() as session, session.begin():
        return fn(ctx_for(session, rt, day, actor), *args, **kwargs)


def select_confirmed(
    rt: Any,
    day: date,
    round_id: str,
    round_no: int,
    chosen: list[str],
    *,
    by: str = MT,
    with_po: str = PO,
    **kwargs: Any,
) -> Any:
    """The MT-lid selects and the asked P&O adviser confirms it (REC-5) through the domain
    function their link page calls, as themself; the confirmed selection."""
    proposed = run(
        rt,
        day,
        interviews.select_for_round,
        round_id,
        round_no,
        chosen,
        by=by,
        with_po=with_po,
        **kwargs,
    )
    return run(rt, day, selection.decide_selection, proposed.id, confirm=True, actor=with_po)


def confirm_selection_by_mail(rt: Any, smtp: Any, decision: str = "bevestigen", **form: str) -> Any:
    """The asked P&O adviser opens the newest selection mail and decides on its page (REC-5)."""
    send(rt)
    msg = mail_to(smtp, PO_MAIL, "Selectie ter bevestiging")
    return click(rt, tokens(msg)[0], besluit=decision, **form)


def send(rt: Any) -> int:
    """Send what is queued (outbox and documents) to the test SMTP server."""
    target = SmtpTarget.from_settings(rt.settings)
    sent = len(send_queued(rt.factory, target).sent)
    return sent + len(send_documents(rt.factory, target, senders(rt.configs)))


def body(msg: EmailMessage) -> str:
    """The plain-text part of a received message."""
    part = msg.get_body(preferencelist=("plain",))
    return part.get_content() if part is not None else ""


def tokens(msg: EmailMessage) -> list[str]:
    """The action-link tokens in a received message, in order."""
    return TOKEN.findall(body(msg))


def mail_to(smtp: Any, address_part: str, subject_part: str) -> EmailMessage:
    """The last received message to `address_part` whose subject holds `subject_part`."""
    found = [
        m
        for m in smtp.messages
        if address_part in str(m["To"]) and subject_part in str(m["Subject"])
    ]
    assert found, f"no mail to {address_part} about {subject_part!r}: {smtp.subjects()}"
    return found[-1]


def click(rt: Any, token: str, **form: str) -> Any:
    """Open a link (GET) and press its button (POST) through poflow's own link pages."""
    pages = LinkPages(rt)
    viewer = subject_viewer(rt, token)  # the asked person, logged in (decisions need it)
    page = pages.show(token, None, None, viewer)
    if page.template != "confirm.html":
        return page
    posted = {"csrf": [page.context["csrf"]], **{k: [v] for k, v in form.items()}}
    return pages.act(token, posted, page.nonce, None, viewer)


def approve_by_mail(
    rt: Any,
    smtp: Any,
    person_email: str,
    subject_part: str,
    decision: str = "akkoord",
    reason: str = "",
) -> Any:
    """The person opens their own approval mail and decides."""
    found = [
        m
        for m in smtp.messages
        if person_email in str(m["To"])
        and "besluit gevraagd" in str(m["Subject"])
        and subject_part in str(m["Subject"])
    ]
    assert found, f"no approval mail to {person_email} about {subject_part!r}"
    msg = found[-1]
    form = {"besluit": decision}
    if reason:
        form["toelichting"] = reason
    return click(rt, tokens(msg)[0], **form)


def open_round(rt: Any, *, formation_change: bool = True, **kw: Any) -> str:
    """Open a round for a Beleidsadviseur in the Ruimtelijk domein and send its mails."""
    values = {
        "team": TEAM,
        "function": "Beleidsadviseur wonen",
        "fte": 0.89,
        "formation_change": formation_change,
        "po_id": PO,
        "mt_lid_id": MT,
        "leidinggevende_id": MT,
        "colleague_id": COLLEGA,
        "recruiter_id": PO2,
        **kw,
    }
    rnd = run(rt, D0, rounds.open_round, **values)
    send(rt)
    return rnd.id


def publish(rt: Any, smtp: Any, round_id: str, *, day: date = D0) -> None:
    """Formation (if asked) and vacancy text confirmed by both: the round is published."""
    with rt.factory() as s:
        formation = s.get(RecruitmentRound, round_id).formation_change
    if formation:
        approve_by_mail(rt, smtp, GS_MAIL, "formatiewijziging")
        approve_by_mail(rt, smtp, OR_MAIL, "formatiewijziging")
        run(rt, day, stages.advance_round, round_id)
    run(
        rt,
        day,
        vacancy.draft_vacancy,
        round_id,
        "Wij zoeken een beleidsadviseur wonen met hart voor de kernen van onze gemeente.",
        by=PO,
    )
    send(rt)
    approve_by_mail(rt, smtp, PO_MAIL, "Vacaturetekst")
    approve_by_mail(rt, smtp, MT_MAIL, "Vacaturetekst")
    run(rt, day, stages.advance_round, round_id)
    send(rt)


# REC-4: the staff register's person behind an internal tier in these tests, and their standing.
REGISTER = {
    1: ("HB-0010", Standing.BOVENFORMATIEF),
    2: ("HB-0009", None),
    3: ("HB-0011", Standing.INLEEN),
}


def apply(rt: Any, round_id: str, name: str, tier: int, day: date, **kw: Any) -> str:
    """Register an application (fictional person under example.org); an internal tier comes
    with a staff register person of that standing (REC-4)."""
    if tier in REGISTER and "employee_id" not in kw:
        person, standing = REGISTER[tier]
        if standing is not None:
            run(rt, day, register.set_standing, person, standing, by=PO)
        kw["employee_id"] = person
    cand = run(
        rt,
        day,
        candidates.add_candidate,
        round_id,
        given_name=name,
        family_name="Testpersoon",
        email=f"{name.lower()}@example.org",
        tier=tier,
        **kw,
    )
    send(rt)
    return cand.id


def round_at_terms(rt: Any, smtp: Any, **kw: Any) -> tuple[str, str]:
    """A round whose chosen candidate waits for the four-eyes terms talk (REC-9)."""
    rid = open_round(rt, formation_change=False, **kw)
    publish(rt, smtp, rid)
    cand = apply(rt, rid, "Lisa", 2, D0)
    select_confirmed(rt, D0, rid, 1, [cand])
    select_confirmed(rt, D0, rid, 2, [cand])
    run(rt, D0, appointment.propose_offer, rid, cand, by=PO)
    send(rt)
    for who in (PO_MAIL, MT_MAIL, COL_MAIL):
        approve_by_mail(rt, smtp, who, "aanbod aan Lisa")
    run(rt, D0, stages.advance_round, rid)
    run(
        rt,
        D0,
        appointment.record_terms,
        rid,
        by=PO,
        start_date=date(2027, 5, 3),
        contract_type="tijdelijk",
        contract_months=12,
        work_email="lisa@hardenberg.example.nl",
    )
    send(rt)
    with rt.factory() as s:
        assert s.get(RecruitmentRound, rid).state.value == "terms"
    return rid, cand


def published_with(
    rt: Any, mails: Any, people: list[tuple[str, int]], **kw: Any
) -> tuple[str, list[str]]:
    """A published, externally open round with these applicants (name, tier)."""
    rid = open_round(rt, formation_change=False, **kw)
    publish(rt, mails, rid)
    run_day(rt, date(2027, 3, 8), municipality=SLUG)
    return rid, [apply(rt, rid, name, tier, date(2027, 3, 8)) for name, tier in people]


def starts(msg: Any) -> datetime:
    """DTSTART of the invitation attached to a received message."""
    for part in msg.walk():
        if part.get_content_type() == "text/calendar":
            cal = icalendar.Calendar.from_ical(part.get_content())
            return next(iter(cal.walk("VEVENT")))["DTSTART"].dt
    raise AssertionError("no invitation in the message")


def contract_by_mail(rt: Any, smtp: Any) -> Any:
    """P&O opens the mail with the concept contract and reports it drawn up (REC-10)."""
    msg = mail_to(smtp, PO_MAIL, "Arbeidsovereenkomst opstellen")
    return click(rt, tokens(msg)[0])
