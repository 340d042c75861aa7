"""Tests of the outbox: one message per key (X-1), nothing lost when SMTP is down (X-2)."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import func, select

from poflow._exceptions import MailDeliveryError
from poflow.db.models import Outbox
from poflow.mail.outbox import Recipient, outbox_row, queue_mail, queue_rows
from poflow.mail.render import RenderedMail
from poflow.mail.sending import SmtpTarget, send_queued
from poflow.settings import PROJECT_ROOT
from poflow.states import MailState
from tests.conftest import SmtpRecorder, free_port
from tests.mail.relays import Relay

TEMPLATES = PROJECT_ROOT / "templates"


def _queue(session: Any, key: str, email: str = "a@example.nl") -> Outbox | None:
    return queue_mail(
        session,
        key=key,
        templates_dir=TEMPLATES,
        template="afspraak_geannuleerd",
        context={
            "gemeente": "Gemeente Test",
            "afzender": "P&O",
            "po_mailbox": "po@x.nl",
            "titel": "Gesprek",
            "start": __import__("datetime").datetime(
                2027, 3, 1, 10, tzinfo=__import__("zoneinfo").ZoneInfo("Europe/Amsterdam")
            ),
        },
        to=Recipient("P-1", "Anne Test", email),
        sender_name="P&O Test",
        sender_email="po@test.example.nl",
        municipality="hardenberg",
        case_type="hire",
        case_id="NH-1",
    )


def _states(rt: Any) -> dict[str, int]:
    with rt.factory() as session:
        rows = session.execute(select(Outbox.state, func.count()).group_by(Outbox.state)).all()
    return {state.value: n for state, n in rows}


def test_x_1_the_same_key_is_queued_only_once(runtime: Any):
    """Queueing the same key twice leaves one row."""
    with runtime.factory() as session, session.begin():
        assert _queue(session, "k1") is not None
        assert _queue(session, "k1") is None
    assert _states(runtime) == {"queued": 1}


def test_x_1_a_second_send_pass_sends_nothing(runtime: Any, smtp: SmtpRecorder):
    """Sending twice delivers each queued message exactly once, with a stable Message-ID."""
    with runtime.factory() as session, session.begin():
        for i in range(3):
            _queue(session, f"k{i}", f"p{i}@example.nl")
    target = SmtpTarget("127.0.0.1", smtp.port)
    assert len(send_queued(runtime.factory, target).sent) == 3
    assert len(send_queued(runtime.factory, target).sent) == 0
    assert len(smtp.messages) == 3
    assert len({m["Message-ID"] for m in smtp.messages}) == 3
    assert smtp.messages[0]["To"] == "Anne Test <p0@example.nl>"
    assert _states(runtime) == {"sent": 3}


def _row(key: str, subject: str) -> dict[str, Any]:
    return outbox_row(
        key=key,
        rendered=RenderedMail(subject, "tekst", "<p>html</p>"),
        to=Recipient("P-1", "Anne Test", "a@example.nl"),
        sender_name="P&O",
        sender_email="po@test.example.nl",
        municipality="hardenberg",
        case_type="hire",
        case_id="NH-1",
        template="t",
    )


def test_x_1_rows_queued_at_once_keep_a_queued_key_and_requeue_a_withdrawn_one(runtime: Any):
    """queue_rows: a new key goes in, a queued key is left, a cancelled key is queued again."""
    with runtime.factory() as session, session.begin():
        _queue(session, "kept")
        _queue(session, "withdrawn")
        session.flush()
        session.scalars(
            select(Outbox).where(Outbox.key == "withdrawn")
        ).one().state = MailState.CANCELLED
    with runtime.factory() as session, session.begin():
        queue_rows(
            session, [_row("kept", "nieuw"), _row("withdrawn", "opnieuw"), _row("new", "eerste")]
        )
    with runtime.factory() as session:
        rows = {r.key: (r.state, r.subject) for r in session.scalars(select(Outbox))}
    assert rows["withdrawn"] == (MailState.QUEUED, "opnieuw")
    assert rows["new"] == (MailState.QUEUED, "eerste")
    assert rows["kept"][0] == MailState.QUEUED
    assert rows["kept"][1] != "nieuw"
    assert len(rows) == 3


def test_x_1_the_database_refuses_a_duplicate_key(runtime: Any):
    """Even bypassing the check, the unique constraint refuses a second row for a key."""
    from sqlalchemy.exc import IntegrityError

    with runtime.factory() as session, session.begin():
        row = _queue(session, "dup")
    clone = Outbox(
        **{
            c.name: getattr(row, c.name)
            for c in Outbox.__table__.columns
            if c.name not in {"id", "message_id"}
        },
        message_id="<other@x>",
    )
    with pytest.raises(IntegrityError), runtime.factory() as session, session.begin():
        session.add(clone)


def test_x_2_smtp_down_keeps_everything_queued_and_the_next_pass_sends_it(runtime: Any):
    """With no server listening the pass fails loudly, loses nothing, and later sends all."""
    with runtime.factory() as session, session.begin():
        for i in range(2):
            _queue(session, f"down{i}")
    port = free_port()
    with pytest.raises(MailDeliveryError, match="stay queued"):
        send_queued(runtime.factory, SmtpTarget("127.0.0.1", port, timeout_s=2))
    assert _states(runtime) == {"queued": 2}
    server = SmtpRecorder()
    server.port = port
    from aiosmtpd.controller import Controller

    server.controller = Controller(server, hostname="127.0.0.1", port=port)
    server.start()
    try:
        assert len(send_queued(runtime.factory, SmtpTarget("127.0.0.1", port)).sent) == 2
    finally:
        server.stop()
    assert len(server.messages) == 2
    assert _states(runtime) == {"sent": 2}


def test_x_2_a_temporary_refusal_stops_the_pass_and_keeps_the_rest_queued(
    runtime: Any, smtp: SmtpRecorder
):
    """A 451 from the server leaves the message queued with its error noted, then it goes."""
    with runtime.factory() as session, session.begin():
        _queue(session, "t1")
    smtp.refuse = "451 4.3.0 try again later"
    with pytest.raises(MailDeliveryError):
        send_queued(runtime.factory, SmtpTarget("127.0.0.1", smtp.port))
    with runtime.factory() as session:
        row = session.scalars(select(Outbox)).one()
        assert row.state == MailState.QUEUED
        assert row.attempts == 1
        assert "SMTPDataError" in (row.last_error or "")
        assert "@" not in (row.last_error or "")
    smtp.refuse = None
    assert len(send_queued(runtime.factory, SmtpTarget("127.0.0.1", smtp.port)).sent) == 1


def test_x_2_a_permanent_refusal_parks_only_that_message_and_tells_p_and_o(runtime: Any):
    """A 550 for one recipient parks that message at once, P&O is told, the others go out."""
    with runtime.factory() as session, session.begin():
        _queue(session, "p1", "one@example.nl")
        _queue(session, "p2", "two@example.nl")
    with Relay() as relay:
        relay.refuse_rcpt["one@"] = "550 5.1.1 mailbox unknown"
        report = send_queued(runtime.factory, SmtpTarget("127.0.0.1", relay.port))
    assert report.refused == report.parked == [1]
    assert report.sent == [2, 3]
    assert _states(runtime) == {"parked": 1, "sent": 2}
    assert [str(m["Subject"]) for m in relay.to("po@hardenberg")] == [
        "poflow: bericht 1 kon niet worden verstuurd (hire NH-1)"
    ]


def _states_read_apart(rt: Any) -> dict[str, int]:
    """The outbox's states as a plain reader on its own connection sees them (on SQLite no
    BEGIN IMMEDIATE, which would wait for the sender's lock)."""
    raw = rt.factory.kw["bind"].raw_connection()
    try:
        cursor = raw.cursor()
        cursor.execute("SELECT state, count(*) FROM outbox GROUP BY state")
        return dict(cursor.fetchall())
    finally:
        raw.rollback()
        raw.close()


class _Watching(SmtpRecorder):
    """An SMTP server that notes the outbox's states, as another connection sees them, each
    time a message arrives."""

    def __init__(self, rt: Any) -> None:
        super().__init__()
        self.rt = rt
        self.seen: list[dict[str, int]] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        self.seen.append(_states_read_apart(self.rt))
        return await super().handle_DATA(server, session, envelope)


def test_x_1_each_message_is_committed_as_sent_before_the_next_is_handed_over(runtime: Any):
    """While the server takes a message, every message before it is already committed as sent."""
    with runtime.factory() as session, session.begin():
        for i in range(4):
            _queue(session, f"w{i}", f"w{i}@example.nl")
    server = _Watching(runtime).start()
    try:
        assert len(send_queued(runtime.factory, SmtpTarget("127.0.0.1", server.port)).sent) == 4
    finally:
        server.stop()
    assert server.seen == [
        {"queued": 4},
        {"queued": 3, "sent": 1},
        {"queued": 2, "sent": 2},
        {"queued": 1, "sent": 3},
    ]
    assert _states(runtime) == {"sent": 4}
