"""Every message fails alone (X-1, X-2): a message that cannot be composed or is refused alone
is recorded, backed off, parked after its attempts with P&O told, and the others keep going.

Real SMTP relays on loopback (tests/mail/relays.py), on SQLite and PostgreSQL.
"""

from __future__ import annotations

import logging
from typing import Any

import pytest
from alembic import command
from sqlalchemy import create_engine, func, select, text

from poflow._exceptions import MailDeliveryError
from poflow.db.models import Outbox
from poflow.db.session import alembic_config
from poflow.mail.parking import NOTICE_TEMPLATE
from poflow.mail.sending import SmtpTarget, send_queued
from poflow.states import MailState
from tests.mail.poison import PO_MAILBOX, outbox, queue, states
from tests.mail.relays import Relay
from tests.recruitment.support import body
from tests.support import insert_old_outbox_row

# (poison address, name, what the relay does, the kind recorded in last_error)
POISONS = {
    "crlf-in-name": ("anne@example.org", "Anne\r\nBcc: evil@evil.example", None, "address"),
    "two-addresses": ("anne@example.org, evil@evil.example", "Anne", None, "address"),
    "not-an-email": ("not-an-email", "Anne", None, "address"),
    "non-ascii-local-part": ("éva@example.org", "Éva", None, "smtputf8"),
    "idn-domain": ("anne@exämple.nl", "Anne", None, "smtputf8"),
    "recipient-4xx": ("full@example.org", "Anne", "450 4.2.2 mailbox full", "temporary"),
    "recipient-5xx": ("gone@example.org", "Anne", "550 5.1.1 unknown mailbox", "refused"),
}


def _target(relay: Relay, **kw: Any) -> SmtpTarget:
    return SmtpTarget("127.0.0.1", relay.port, **kw)


def _notices(rt: Any) -> int:
    with rt.factory() as session:
        return int(
            session.scalar(
                select(func.count()).select_from(Outbox).where(Outbox.template == NOTICE_TEMPLATE)
            )
            or 0
        )


@pytest.mark.parametrize("poison", list(POISONS))
def test_x_2_a_poison_message_at_the_lowest_id_does_not_stop_the_others(runtime: Any, poison: str):
    """With the poison row first in the queue, every other message goes out in the same pass
    and the poison's attempt, error and backoff are recorded (or it is parked, P&O told)."""
    address, name, refusal, kind = POISONS[poison]
    bad = queue(runtime, "poison", address, name=name)
    good = [queue(runtime, f"ok{i}", f"ok{i}@example.org") for i in range(3)]
    with Relay() as relay:
        if refusal:
            relay.refuse_rcpt[address] = refusal
        report = send_queued(runtime.factory, _target(relay))
    assert report.sent[:3] == good
    assert [str(m["To"]) for m in relay.messages[:3]] == [
        f"Anne Test <ok{i}@example.org>" for i in range(3)
    ]
    row = outbox(runtime, bad)
    assert row.attempts == 1
    assert (row.last_error or "").startswith(f"{kind}: ")
    assert "@" not in (row.last_error or "")
    if kind == "refused":  # refused for good: parked at once, and P&O's notice went out too
        assert row.state is MailState.PARKED
        assert row.next_attempt_at is None
        assert [str(m["To"]) for m in relay.messages[3:]] == [
            f"P&O Gemeente Hardenberg <{PO_MAILBOX}>"
        ]
    else:
        assert row.state is MailState.QUEUED
        assert row.next_attempt_at is not None
        assert len(relay.messages) == 3


def test_x_2_a_poison_message_is_parked_after_its_attempts_and_p_and_o_is_told(runtime: Any):
    """After N failed passes the poison row is parked and P&O's Dutch notice names the
    message, the person, the case and the fix; new mail keeps flowing meanwhile."""
    bad = queue(runtime, "poison", "anne@example.org", name="Anne\r\nJansen", case_id="NH-7")
    with Relay() as relay:
        target = _target(relay, max_attempts=3, retry_after_s=0)
        for n in range(3):
            queue(runtime, f"ok{n}", f"ok{n}@example.org")
            send_queued(runtime.factory, target)
            assert outbox(runtime, bad).attempts == n + 1
    row = outbox(runtime, bad)
    assert row.state is MailState.PARKED
    assert states(runtime) == {"parked": 1, "sent": 4}
    notice = relay.to(PO_MAILBOX)
    assert len(notice) == 1
    assert str(notice[0]["Subject"]) == (
        f"poflow: bericht {bad} kon niet worden verstuurd (hire NH-7)"
    )
    text = body(notice[0])
    for part in (
        "Anne\ufffd\ufffdJansen",  # the person by name, its CR/LF shown, not obeyed
        "onboarding/welkom_prive",
        "hire NH-7",
        "Pogingen: 3",
        "address: ValueError: CR or LF in an address or a name",
        "/mails/uitgaand",  # the page that lists it and sends it again (issue 22, item 6)
    ):
        assert part in text, part
    assert "poflow mail" not in text


def test_x_1_a_parked_message_brings_one_notice_and_a_notice_none(runtime: Any):
    """A parked message gives P&O one notice however often the outbox is sent; when the P&O
    mailbox itself refuses, the parked notice brings no notice of its own."""
    queue(runtime, "poison", "gone@example.org")
    with Relay() as relay:
        relay.refuse_rcpt["gone@"] = "550 5.1.1 unknown"
        relay.refuse_rcpt["po@hardenberg"] = "550 5.1.1 unknown"
        for _ in range(3):
            send_queued(runtime.factory, _target(relay, retry_after_s=0))
    assert states(runtime) == {"parked": 2}
    assert _notices(runtime) == 1


def test_x_2_a_message_waiting_out_its_backoff_is_not_tried_again_early(runtime: Any):
    """A message refused for now is not offered to the server again before its backoff ends;
    then it is, and goes out."""
    bad = queue(runtime, "full", "full@example.org")
    with Relay() as relay:
        relay.refuse_rcpt["full@"] = "450 4.2.2 mailbox full"
        send_queued(runtime.factory, _target(relay))
        send_queued(runtime.factory, _target(relay))
        assert relay.rcpt_refused == ["full@example.org"]
        assert outbox(runtime, bad).attempts == 1
        with runtime.factory() as session, session.begin():
            row = session.get(Outbox, bad)
            assert row is not None
            assert row.next_attempt_at is not None
            row.next_attempt_at = row.created_at  # the backoff has passed
        del relay.refuse_rcpt["full@"]
        assert send_queued(runtime.factory, _target(relay)).sent == [bad]
    assert outbox(runtime, bad).next_attempt_at is None


@pytest.mark.parametrize(
    "refusal",
    [("421 4.3.2 shutting down", 1), ("450 4.3.0 try later", 3)],
    ids=["421-closing", "three-4xx-in-a-row"],
)
def test_x_2_a_server_failure_still_stops_the_pass_and_keeps_the_rest_queued(
    runtime: Any, refusal: tuple[str, int]
):
    """A 421, or recipients refused for now three times in a row, is the server's trouble:
    the pass stops loudly and the messages after it stay queued, untried."""
    reply, refused = refusal
    ids = [queue(runtime, f"m{i}", f"m{i}@example.org") for i in range(5)]
    with Relay() as relay:
        relay.refuse_rcpt["@example.org"] = reply
        with pytest.raises(MailDeliveryError, match="stay queued"):
            send_queued(runtime.factory, _target(relay))
    assert len(relay.rcpt_refused) == refused
    assert states(runtime) == {"queued": 5}
    for row_id in ids[refused:]:
        assert outbox(runtime, row_id).attempts == 0


def test_x_2_a_relay_that_denies_every_recipient_parks_two_and_stops_the_pass(runtime: Any):
    """Three refusals for good in a row are the relay's trouble (e.g. relaying denied): two
    messages are parked, then the pass stops loudly and the rest stays queued, untried."""
    ids = [queue(runtime, f"m{i}", f"m{i}@example.org") for i in range(5)]
    with Relay() as relay:
        relay.refuse_rcpt["@"] = "554 5.7.1 relay access denied"
        with pytest.raises(MailDeliveryError, match="stay queued"):
            send_queued(runtime.factory, _target(relay))
    assert [outbox(runtime, i).state for i in ids] == [MailState.PARKED] * 2 + [
        MailState.QUEUED
    ] * 3
    assert [outbox(runtime, i).attempts for i in ids[2:]] == [1, 0, 0]


def test_x_2_a_relay_with_smtputf8_delivers_a_non_ascii_local_part(runtime: Any):
    """An address with non-ASCII before the @ (allowed by POFLOW_SMTPUTF8) is delivered by a
    relay that offers SMTPUTF8."""
    row = queue(runtime, "utf8", "éva@example.org", name="Éva Bakker")
    with Relay(smtputf8=True) as relay:
        assert send_queued(runtime.factory, _target(relay)).sent == [row]
    assert str(relay.messages[0]["To"]) == "Éva Bakker <éva@example.org>"


def test_x_3_a_failing_message_is_logged_by_ids_only(
    runtime: Any, caplog: pytest.LogCaptureFixture
):
    """The log lines of a failing and a parked message carry outbox and case ids, no address
    and no name."""
    queue(runtime, "poison", "anne@example.org, evil@evil.example", name="Anne Jansen")
    with caplog.at_level(logging.INFO, logger="poflow.mail"), Relay() as relay:
        for _ in range(2):
            send_queued(runtime.factory, _target(relay, max_attempts=2, retry_after_s=0))
    lines = [r.getMessage() for r in caplog.records if r.name == "poflow.mail"]
    assert any("parked after 2 attempt(s)" in line and "hire NH-1" in line for line in lines)
    assert not [line for line in lines if "@" in line or "Jansen" in line or "Anne" in line]


def test_x_2_migration_0013_parks_the_mail_refused_for_good_before_it(db_url: str):
    """A row the server refused for good before 0013 ('failed') is parked after the upgrade,
    so `poflow mail failed` lists it and `mail retry` takes it; the downgrade gives it back."""
    cfg = alembic_config(db_url)
    command.downgrade(cfg, "0012")
    engine = create_engine(db_url)
    try:
        with engine.begin() as conn:
            for key, state in (("a", "failed"), ("b", "sent")):
                insert_old_outbox_row(conn, key=key, state=state)
        command.upgrade(cfg, "heads")
        with engine.connect() as conn:
            after = conn.execute(text("SELECT key, state, next_attempt_at FROM outbox")).all()
        command.downgrade(cfg, "0012")
        with engine.connect() as conn:
            back = dict(conn.execute(text("SELECT key, state FROM outbox")).all())
    finally:
        engine.dispose()
    assert sorted(tuple(r) for r in after) == [("a", "parked", None), ("b", "sent", None)]
    assert back == {"a": "failed", "b": "sent"}
