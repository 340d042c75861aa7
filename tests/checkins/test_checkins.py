"""Tests of the check-ins end to end: invitations, reminders, recording and escalation
(CHK-1..3), each mail once on the right working day."""

from __future__ import annotations

from datetime import date
from typing import Any

from poflow.checkins.links import record_checkin_held
from poflow.runtime import run_day
from poflow.states import StepState
from tests.conftest import SmtpRecorder
from tests.support import ics_of, mails, simulate

DIRK = "dirk.mulder@hardenberg.example.nl"
LOTTE_PRIVATE = "lotte.hendriks@example.org"
LOTTE_WORK = "lotte.hendriks@hardenberg.example.nl"
PO = "po@hardenberg.example.nl"


def test_chk_1_2_3_a_simulated_year_sends_each_mail_once_on_the_right_working_day(
    example_data: Any, smtp: SmtpRecorder
):
    """Invitations (the leidinggevende when planned, the new employee at work on day one),
    reminders, the record request and the escalation come once."""
    rt = example_data
    per_day = simulate(rt, smtp, date(2027, 1, 4), date(2027, 3, 1))
    # CHK-1/2: the leidinggevende is invited to all three talks on the first tick; the new
    # employee on her first working day, at her work address, never at the private one
    assert mails(
        per_day, to=DIRK, subject="Uitnodiging: bijpraatmoment na een maand met Lotte"
    ) == [date(2027, 1, 4)]
    assert (
        mails(per_day, to=LOTTE_WORK, subject="Uitnodiging: bijpraatmoment")
        == [date(2027, 2, 1)] * 3
    )
    assert mails(per_day, to=LOTTE_PRIVATE, subject="Uitnodiging") == []
    invite = next(
        m
        for m in per_day[date(2027, 2, 1)]
        if LOTTE_WORK in str(m["To"]) and "na een maand" in str(m["Subject"])
    )
    event = next(iter(ics_of(invite).walk("VEVENT")))
    assert event["DTSTART"].dt.date() == date(2027, 3, 1)
    # CHK-2: reminder two working days before the talk, at the work address after day one
    assert mails(per_day, to=LOTTE_WORK, subject="Herinnering") == [date(2027, 2, 25)]
    assert mails(
        per_day, to=DIRK, subject="Herinnering: bijpraatmoment na een maand op maandag 1 maart"
    ) == [date(2027, 2, 25)]

    with rt.factory() as session, session.begin():
        ctx = rt.context(session, "hardenberg", date(2027, 3, 1))
        record_checkin_held(ctx, "NH-2027-001", 1, by="HB-0004", note="Gaat goed.")
    per_day.update(simulate(rt, smtp, date(2027, 3, 2), date(2027, 12, 31)))

    # CHK-3: the held talk asks nothing more; Milan's (15 Mar, not recorded) is chased
    assert mails(per_day, to=DIRK, subject="Heeft het bijpraatmoment met Lotte") == [
        date(2027, 5, 4),
        date(2027, 10, 4),
    ]
    assert mails(
        per_day,
        to="femke.bos@hardenberg.example.nl",
        subject="Heeft het bijpraatmoment met Milan",
    )[0] == date(2027, 3, 16)
    assert mails(per_day, to=PO, subject="niet vastgelegd: Lotte Hendriks (na een maand)") == []
    assert mails(per_day, to=PO, subject="niet vastgelegd: Milan Dekker (na een maand)") == [
        date(2027, 3, 22)
    ]
    # every message arrived once, and no two say the same thing to the same person
    received = [
        m
        for msgs in per_day.values()
        for m in msgs
        if "praat moment" in m["Subject"] or "bijpraatmoment" in m["Subject"]
    ]
    assert len({m["Message-ID"] for m in received}) == len(received)
    seen = [(str(m["To"]), str(m["Subject"])) for m in received]
    assert len(seen) == len(set(seen))


def test_chk_2_the_held_note_is_stored_and_the_step_is_closed(example_data: Any):
    """Recording a talk closes its step with who and the note; a second record is refused."""
    import pytest

    from poflow._exceptions import IllegalTransition

    rt = example_data
    run_day(rt, date(2027, 1, 4), send=False)
    with rt.factory() as session, session.begin():
        ctx = rt.context(session, "hardenberg", date(2027, 3, 1))
        step = record_checkin_held(ctx, "NH-2027-001", 1, by="HB-0004", note="Prima start.")
        assert (step.state, step.done_by, step.note) == (StepState.DONE, "HB-0004", "Prima start.")
    with pytest.raises(IllegalTransition, match="from 'done'"), rt.factory() as s, s.begin():
        record_checkin_held(
            rt.context(s, "hardenberg", date(2027, 3, 2)),
            "NH-2027-001",
            1,
            by="HB-0004",
        )


def test_a_second_run_of_the_same_day_sends_nothing(example_data: Any, smtp: SmtpRecorder):
    """Running the dispatcher day twice sends every message once (X-1)."""
    rt = example_data
    first = run_day(rt, date(2027, 1, 4))
    again = run_day(rt, date(2027, 1, 4))
    assert again == {"planned": 0, "performed": 0, "skipped": 0, "failed": 0, "sent": 0}
    assert len(smtp.messages) == first["sent"]
    # eleven talks (Noor's internship of five months has none at eight), each leidinggevende
    # invited at once; the new employees follow on their first working day
    assert len([m for m in smtp.messages if "Uitnodiging: bijpraat" in m["Subject"]]) == 11
