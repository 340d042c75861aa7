"""The demo's recruitment round (REC-1..9): from wervingsbehoefte to the four-eyes decision.

Its people do what they would do: P&O and the MT-lid take the domain steps (open the round, the
vacancy text, one candidate, two interview rounds, the offer, the terms); every approval (and
P&O's confirmation of each selection, REC-5) is decided by the asked person, logged in with the
demo password, on the link page of the mail they got, over real HTTP against the web app the
demo runs. Nothing bypasses a rule: the decision pages refuse anyone but the asked person,
logged in.
"""

from __future__ import annotations

import email
import email.policy
import re
from collections.abc import Callable
from datetime import date, timedelta
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import httpx

from poflow._exceptions import RecruitmentRefused
from poflow.auth.accounts import add_login
from poflow.db.models import Person
from poflow.engine import SYSTEM_ACTOR
from poflow.mail.sending import SmtpTarget, send_queued
from poflow.recruitment import appointment, candidates, interviews, rounds, stages, vacancy
from poflow.recruitment.models import RecruitmentRound
from poflow.runtime import Runtime

__all__ = ["ROUND_PEOPLE", "ROUND_SLUG", "run_round"]

ROUND_SLUG = "hardenberg"
# P&O adviser, MT-lid (also the leidinggevende) and the direct colleague of the round, and the
# internal candidate (own staff: voorkeursbeleid tier 2, REC-4), all of the example staff.
PO, MT, COLLEAGUE, CANDIDATE = "HB-0002", "HB-0004", "HB-0005", "HB-0009"
ROUND_PEOPLE = (PO, MT, COLLEAGUE)
TEAM, FUNCTION = "Ruimtelijk domein", "Beleidsadviseur wonen"
VACANCY_TEXT = (
    "Wij zoeken een beleidsadviseur wonen met hart voor de kernen van onze gemeente. Je "
    "vertaalt de woonvisie naar afspraken met corporaties en dorpen."
)
TOKEN = re.compile(r"/a/([A-Za-z0-9_\-\.]+)")
CSRF = re.compile(r'name="csrf" value="([^"]+)"')


class _Mailbox:
    """The demo's sink folder read as a person reads their mail: the last message to an
    address whose subject holds some words, and the action link in it."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def link_token(self, address: str, *subject_parts: str) -> str:
        found: EmailMessage | None = None
        for path in sorted(self.folder.glob("*.eml"), key=lambda p: p.stat().st_mtime_ns):
            msg = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
            if not isinstance(msg, EmailMessage):
                continue
            subject = str(msg["Subject"])
            if address in str(msg["To"]).lower() and all(p in subject for p in subject_parts):
                found = msg
        body = found.get_body(preferencelist=("plain",)) if found is not None else None
        tokens = TOKEN.findall(body.get_content()) if body is not None else []
        if not tokens:
            raise RecruitmentRefused(
                f"The demo found no mail with a link to {address} about {' '.join(subject_parts)}."
            )
        return str(tokens[0])


class _Browser:
    """One person's browser on the web app: logs in, opens a mailed link, presses its button."""

    def __init__(self, url: str, origin: str, person_id: str, password: str) -> None:
        self.client = httpx.Client(base_url=url, headers={"Origin": origin}, timeout=30)
        page = self.client.get("/inloggen")
        done = self.client.post(
            "/inloggen",
            data={
                "csrf": _csrf(page),
                "next": "",
                "personeelsnummer": person_id,
                "wachtwoord": password,
                "code": "",
            },
        )
        if done.status_code != 303:
            raise RecruitmentRefused(f"The demo login of {person_id} was refused.")

    def decide(self, token: str, decision: str = "akkoord") -> None:
        page = self.client.get(f"/a/{token}")
        done = self.client.post(f"/a/{token}", data={"csrf": _csrf(page), "besluit": decision})
        if done.status_code != 200 or "vastgelegd" not in done.text:
            raise RecruitmentRefused(f"The link page refused the decision ({done.status_code}).")

    def close(self) -> None:
        self.client.close()


def _csrf(page: httpx.Response) -> str:
    found = CSRF.search(page.text)
    if page.status_code != 200 or found is None:
        raise RecruitmentRefused(f"The demo got no form from the web app ({page.status_code}).")
    return found.group(1)


def run_round(
    rt: Runtime,
    day: date,
    *,
    web_url: str,
    mail_dir: Path,
    password: str,
    say: Callable[[str], None],
) -> tuple[str, str, str, str]:
    """Run one round in Hardenberg on `day` through the four-eyes terms decision; the login it
    made for the round's colleague (id, name, role, municipality), for the list of logins."""
    cfg = rt.config(ROUND_SLUG)

    target = SmtpTarget.from_settings(rt.settings)

    def step(actor: str, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        with rt.factory() as session, session.begin():
            out = fn(rt.context(session, ROUND_SLUG, day, actor=actor), *args, **kwargs)
            result = out.id if hasattr(out, "id") else out
        # The step's mails go out now, dated the simulated day.
        send_queued(rt.factory, target, municipality=ROUND_SLUG, dated=day)
        return result

    with rt.factory() as session:
        candidate = session.get(Person, CANDIDATE)
        if candidate is None:
            raise RecruitmentRefused(f"The demo's candidate {CANDIDATE} is not in the examples.")
        name = (candidate.given_name, candidate.family_name, candidate.email)
    origin = rt.settings.resolved_base_url()
    browsers: dict[str, _Browser] = {}
    mailbox = _Mailbox(mail_dir)
    emails = {p: _email(rt, p) for p in ROUND_PEOPLE}

    def decide(people: tuple[str, ...], *subject: str, decision: str = "akkoord") -> None:
        for person in people:
            if person not in browsers:
                browsers[person] = _Browser(web_url, origin, person, password)
            browsers[person].decide(mailbox.link_token(emails[person], *subject), decision)
        step(SYSTEM_ACTOR, stages.advance_round, rid)  # what the round's flow does when woken

    try:
        rid = step(
            PO,
            rounds.open_round,
            team=TEAM,
            function=FUNCTION,
            fte=0.89,
            formation_change=False,
            po_id=PO,
            mt_lid_id=MT,
            leidinggevende_id=MT,
            colleague_id=COLLEAGUE,
        )
        say(f"{day}: round {rid} ({cfg.name}): P&O ({PO}) opens a round for {FUNCTION}")
        with rt.factory() as session, session.begin():
            add_login(session, COLLEAGUE, password, totp=False, actor="demo")
        say(f"{day}: round {rid}: its colleague {COLLEAGUE} gets a demo login (for the offer)")
        step(PO, vacancy.draft_vacancy, rid, VACANCY_TEXT, by=PO)
        decide((PO, MT), "besluit gevraagd", "Vacaturetekst")
        say(f"{day}: round {rid}: vacancy text confirmed by {PO} and {MT} on their link pages")
        cid = step(
            PO,
            candidates.add_candidate,
            rid,
            given_name=name[0],
            family_name=name[1],
            email=name[2],
            tier=2,
            employee_id=CANDIDATE,
        )
        say(f"{day}: round {rid}: candidate {cid} applies (own staff {CANDIDATE}, tier 2)")
        for round_no in (1, 2):
            step(MT, interviews.select_for_round, rid, round_no, [cid], by=MT, with_po=PO)
            decide((PO,), "Selectie ter bevestiging", decision="bevestigen")  # REC-5
            say(
                f"{day}: round {rid}: {MT} selects {cid} for interview round {round_no}; "
                f"{PO} confirms it on their link page"
            )
        step(PO, appointment.propose_offer, rid, cid, by=PO)
        decide((PO, MT, COLLEAGUE), "besluit gevraagd", f"aanbod aan {name[0]}")
        say(f"{day}: round {rid}: offer to {cid} approved by {PO}, {MT} and {COLLEAGUE}")
        start = cfg.calendar.first_working_day(day + timedelta(weeks=10))
        step(
            PO,
            appointment.record_terms,
            rid,
            by=PO,
            start_date=start,
            contract_type="vast",
            contract_months=None,
            work_email=name[2],
        )
        say(f"{day}: round {rid}: terms recorded by {PO} (start {start}); four eyes asked")
        decide((MT, PO), "besluit gevraagd", "Arbeidsvoorwaardengesprek")
        with rt.factory() as session:
            rnd = session.get(RecruitmentRound, rid)
            state = rnd.state.value if rnd is not None else "?"
        say(
            f"{day}: round {rid}: four eyes (REC-9): {MT} and {PO} agree, each logged in on "
            f"their own link page; the round is at {state}"
        )
    finally:
        for browser in browsers.values():
            browser.close()
    with rt.factory() as session:
        colleague = session.get(Person, COLLEAGUE)
        shown = colleague.full_name if colleague is not None else COLLEAGUE
    return COLLEAGUE, shown, "collega in de wervingsronde", cfg.name


def _email(rt: Runtime, person_id: str) -> str:
    with rt.factory() as session:
        person = session.get(Person, person_id)
        if person is None:
            raise RecruitmentRefused(f"The demo's {person_id} is not in the examples.")
        return person.email.lower()
