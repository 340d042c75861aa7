"""Poison mail (X-1, X-2): each way a message that cannot be composed or delivered came in,
on SQLite and PostgreSQL, on a relay with and without SMTPUTF8.

Either the entry refuses it, naming the field, and writes nothing; or it reaches the outbox
(a row from before the checks, or allowed by POFLOW_SMTPUTF8) and fails alone: every other
message is delivered in the same pass, the poison is parked after its attempts and P&O's
notice is delivered, although the poison sits at the lowest queued id. Each scenario is
recorded as kind "poison" for docs/reliability.md (summary: poison_isolated=N/N).
"""

from __future__ import annotations

import csv
import dataclasses
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select
from typer.testing import CliRunner

from poflow._exceptions import MailDeliveryError, PoflowError
from poflow.cli import app
from poflow.db.models import Hire, Outbox
from poflow.importer import import_hires, import_staff
from poflow.mail.parking import NOTICE_TEMPLATE
from poflow.mail.sending import SmtpTarget, send_queued
from poflow.recruitment.models import Candidate
from poflow.runtime import _runtime, get_runtime, run_day
from poflow.settings import get_settings
from poflow.states import MailState
from tests.conftest import EXAMPLES
from tests.mail.poison import PO_MAILBOX, queue
from tests.mail.relays import Relay
from tests.recruitment.support import import_example_staff, open_round, publish
from tests.recruitment.support import round_at_terms as terms_round
from tests.reliability.support import record

ATTEMPTS = 3
PASSES = ATTEMPTS  # each pass: three more good messages, then the send


@pytest.fixture
def poison_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """Three attempts, no wait between them (each pass is a later run)."""
    monkeypatch.setenv("POFLOW_MAIL_MAX_ATTEMPTS", str(ATTEMPTS))
    monkeypatch.setenv("POFLOW_MAIL_RETRY_AFTER_S", "0")


@pytest.fixture
def rt(poison_env: None, runtime: Any) -> Any:
    """The runtime (both databases) with the poison settings."""
    return runtime


def _db(rt: Any) -> str:
    return str(rt.factory.kw["bind"].dialect.name)


def _outbox(rt: Any) -> list[Outbox]:
    with rt.factory() as session:
        return list(session.scalars(select(Outbox).order_by(Outbox.id)))


def _record_send(
    rt: Any,
    scenario: str,
    messages: list[Any],
    relay: str,
    poison: set[int],
    stopped: int,
    where: str = "the first at the lowest id",
) -> bool:
    """Count what the relay accepted (`messages`) against the outbox, record the scenario, and
    say whether the poison was isolated: every other message delivered, no pass stopped, the
    poison parked with P&O told (or delivered, by a relay that can take it)."""
    rows = _outbox(rt)
    others = [r for r in rows if r.id not in poison and r.template != NOTICE_TEMPLATE]
    got = {str(m["Message-ID"]) for m in messages}
    delivered = sum(1 for r in others if r.message_id in got)
    parked = [r for r in rows if r.id in poison and r.state is MailState.PARKED]
    sent = [r for r in rows if r.id in poison and r.state is MailState.SENT]
    notices = [str(m["Subject"]) for m in messages if PO_MAILBOX in str(m["To"])]
    po_told = bool(parked) and all(
        any(f"bericht {row.id} kon niet" in s for s in notices) for row in parked
    )
    isolated = (
        delivered == len(others)
        and not stopped
        and len(parked) + len(sent) == len(poison)
        and (po_told or not parked)
    )
    record(
        "poison",
        scenario=scenario,
        db=_db(rt),
        way="outbox",
        relay=relay,
        others=len(others),
        delivered_others=delivered,
        parked=len(parked),
        po_told=po_told,
        isolated=isolated,
        note=f"{len(poison)} poison row(s), {where}; {len(sent)} delivered by the relay; "
        f"passes stopped: {stopped}",
    )
    return isolated


def _passes(rt: Any, relay: Relay) -> int:
    """Send PASSES times as the dispatcher does, three new good messages before each pass;
    how many passes stopped with a server failure."""
    target = dataclasses.replace(SmtpTarget.from_settings(rt.settings), port=relay.port)
    stopped = 0
    for n in range(PASSES):
        for i in range(3):
            queue(rt, f"good-{n}-{i}", f"goed{n}{i}@example.org", name=f"Collega {n}{i}")
        try:
            send_queued(rt.factory, target)
        except MailDeliveryError:
            stopped += 1
    return stopped


# (address, name, relay refusal) of a row already in the outbox: written before the entry
# checks, or allowed by POFLOW_SMTPUTF8.
OUTBOX_POISONS = {
    "CR/LF in a name part": ("anne@example.org", "Anne\r\nBcc: evil@evil.example", None),
    "two addresses in one field": ("a@example.org, evil@evil.example", "Anne", None),
    "not an address": ("not-an-email", "Anne", None),
    "non-ASCII local part": ("éva@example.org", "Éva", None),
    "IDN look-alike domain": ("anne@gemeente-hardenbеrg.nl", "Anne", None),
    "unknown mailbox (550)": ("gone@example.org", "Anne", "550 5.1.1 unknown mailbox"),
    "mailbox full every time (452)": ("full@example.org", "Anne", "452 4.2.2 mailbox full"),
}


@pytest.mark.parametrize(
    "smtputf8", [False, True], ids=["relay-without-smtputf8", "relay-smtputf8"]
)
@pytest.mark.parametrize("poison", list(OUTBOX_POISONS))
def test_x_2_a_poison_row_at_the_lowest_id_fails_alone_and_p_and_o_is_told(
    rt: Any, poison: str, smtputf8: bool
):
    """The others of every pass are delivered, the poison is parked (or, on a relay that can
    take it, delivered) and P&O's notice arrives, though the poison is first in the queue."""
    address, name, refusal = OUTBOX_POISONS[poison]
    bad = queue(rt, "poison", address, name=name)
    with Relay(smtputf8=smtputf8) as relay:
        if refusal:
            relay.refuse_rcpt[address] = refusal
        stopped = _passes(rt, relay)
    label = "SMTPUTF8" if smtputf8 else "no SMTPUTF8"
    assert _record_send(rt, poison, relay.messages, label, {bad}, stopped)


@pytest.mark.parametrize(
    "smtputf8", [False, True], ids=["relay-without-smtputf8", "relay-smtputf8"]
)
def test_x_2_a_hire_with_a_non_ascii_address_under_smtputf8_fails_alone_in_the_dispatcher(
    rt: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, smtputf8: bool
):
    """POFLOW_SMTPUTF8 on: the example hires' first planning day and the three days from their
    welcome mails at the private address go out; the mails to lötte.hendriks@ are parked after
    their attempts with P&O told by a relay without SMTPUTF8, and delivered by one with it."""
    rows = list(csv.DictReader((EXAMPLES / "hires.csv").open(encoding="utf-8")))
    rows[0]["private_email"] = "lötte.hendriks@example.org"
    hires = tmp_path / "hires.csv"
    with hires.open("w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    with Relay(smtputf8=smtputf8) as relay:
        monkeypatch.setenv("POFLOW_SMTPUTF8", "true")
        monkeypatch.setenv("POFLOW_SMTP_PORT", str(relay.port))
        get_settings.cache_clear()
        _runtime.cache_clear()
        site = get_runtime()  # the test's database, this relay
        with site.factory() as session, session.begin():
            import_staff(session, EXAMPLES / "staff.csv", site.configs)
            import_hires(session, hires, site.configs)
        # Planning, then the welcome at the private address (five working days before 1
        # February): the hire's own invitations go to her work address from day one.
        for day in (date(2027, 1, 4), date(2027, 1, 25), date(2027, 1, 26), date(2027, 1, 27)):
            run_day(site, day)  # the dispatcher's steps
    poison = {r.id for r in _outbox(site) if r.recipient_email.startswith("lötte")}
    assert poison
    scenario = "hire import with a non-ASCII local part (SMTPUTF8 on), four dispatcher days"
    label = "SMTPUTF8" if smtputf8 else "no SMTPUTF8"
    where = "the welcome mail at the private address"
    assert _record_send(site, scenario, relay.messages, label, poison, 0, where)


def _entry(rt: Any, scenario: str, attempt: Callable[[], Any], field: str) -> None:
    """Try an entry; it must be refused naming `field`, with nothing written."""

    def counts() -> tuple[int, int, int]:
        with rt.factory() as session:
            return tuple(  # type: ignore[return-value]
                session.scalar(select(func.count()).select_from(m))
                for m in (Hire, Candidate, Outbox)
            )

    before = counts()
    try:
        attempt()
    except PoflowError as exc:
        says, refused = str(exc), True
    else:
        says, refused = "accepted", False
    named = field in says
    unchanged = counts() == before
    record(
        "poison",
        scenario=scenario,
        db=_db(rt),
        way="entry",
        relay="-",
        others=0,
        delivered_others=0,
        parked=0,
        po_told=False,
        isolated=refused and named and unchanged,
        note=f"refused at entry: {says.splitlines()[-1][:120]}",
    )
    assert refused, scenario
    assert named, says
    assert unchanged


def _hires_with(rt: Any, tmp_path: Path, **change: str) -> Callable[[], Any]:
    def attempt() -> None:
        rows = list(csv.DictReader((EXAMPLES / "hires.csv").open(encoding="utf-8")))
        rows[1].update(change)
        path = tmp_path / "hires.csv"
        with path.open("w", encoding="utf-8", newline="") as f:
            writer = csv.DictWriter(f, fieldnames=list(rows[0]))
            writer.writeheader()
            writer.writerows(rows)
        with rt.factory() as session, session.begin():
            import_hires(session, path, rt.configs)

    return attempt


@pytest.mark.parametrize(
    ("scenario", "change", "field"),
    [
        (
            "hire import, non-ASCII local part",
            {"private_email": "éva@example.org"},
            "private_email",
        ),
        (
            "hire import, look-alike domain",
            {"work_email": "m@gemeente-hardenbеrg.nl"},
            "work_email",
        ),
        (
            "hire import, CR/LF in a name",
            {"given_name": "Milan\r\nBcc: x@evil.example"},
            "given_name",
        ),
        ("hire import, RTL override in a name", {"family_name": "Dekker\u202etxt"}, "family_name"),
    ],
)
def test_x_2_a_poison_address_or_name_is_refused_at_the_import(
    rt: Any, tmp_path: Path, scenario: str, change: dict[str, str], field: str
):
    """The hires import (POFLOW_SMTPUTF8 off) refuses it by row and column, nothing written."""
    with rt.factory() as session, session.begin():
        import_staff(session, EXAMPLES / "staff.csv", rt.configs)
    _entry(rt, scenario, _hires_with(rt, tmp_path, **change), f"column '{field}'")


def test_x_2_a_candidates_file_with_poison_rows_is_refused(rt: Any, smtp: Any, tmp_path: Path):
    """CR/LF, '<script>', 5,000 characters and 'not-an-email' in a candidates file: refused
    by row and column, no candidate added."""
    import_example_staff(rt)
    rid = open_round(rt, formation_change=False)
    publish(rt, smtp, rid)
    path = tmp_path / "kandidaten.csv"
    path.write_text(
        "given_name,family_name,email,tier,consent_partners,consent_retention,referred_by\n"
        '"Omar\nBcc: x@evil.example",Testpersoon,omar@example.org,2,ja,nee,\n'
        "Pien,Testpersoon,<script>@example.org,2,nee,ja,\n"
        f"Sam,Testpersoon,{'s' * 5000}@example.org,2,nee,nee,\n"
        "Kim,Testpersoon,not-an-email,2,nee,nee,\n",
        encoding="utf-8",
    )

    def attempt() -> None:
        result = CliRunner().invoke(app, ["recruitment", "candidates", rid, "--file", str(path)])
        if result.exception:
            raise result.exception

    _entry(rt, "candidates file: CR/LF, <script>, 5,000 characters, not-an-email", attempt, "row 5")


def test_x_2_the_terms_talk_refuses_a_second_address_in_work_email(rt: Any, smtp: Any):
    """`recruitment terms --work-email 'a@x.nl, evil@evil.example'` is refused by option."""
    import_example_staff(rt)
    rid, _cand = terms_round(rt, smtp)
    args = ["recruitment", "terms", rid, "--start-date", "2027-05-03"]
    args += ["--contract", "tijdelijk", "--months", "12"]

    def attempt() -> None:
        result = CliRunner().invoke(app, [*args, "--work-email", "a@x.nl, evil@evil.example"])
        if result.exception:
            raise result.exception

    _entry(rt, "terms --work-email 'a@x.nl, evil@evil.example'", attempt, "--work-email")
