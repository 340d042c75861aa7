"""The coach's records through the link forms (LBC-1..3): categories, goals, consent, audit."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from sqlalchemy import select

from poflow._exceptions import CoachingRefused
from poflow.coaching.links import REGISTER, UPDATE, register_link, update_link
from poflow.coaching.models import CoachingRegistration
from poflow.coaching.states import GoalState, TrajectoryState
from poflow.db.models import AuditEntry, Person, PersonRole
from poflow.engine import Context
from poflow.kernel.vocabulary import CaseType
from poflow.link_tokens import claim_link, verify_token
from poflow.links import link_url
from poflow.mail.sending import SmtpTarget, send_queued

DAY = date(2027, 3, 1)
COACH, MANAGER = "HB-0008", "HB-0004"
MANAGER_EMAIL = "dirk.mulder@hardenberg.example.nl"
NAME = "Fenna Fictiefsma"
FORM = {
    "employee_name": NAME,
    "registered_on": "2027-02-15",
    "domain": "Ruimtelijk domein",
    "reason": "1",
    "source": "mond-op-mondreclame",
    "goal1_text": "Ontdekken wat ik wil",
    "manager_id": MANAGER,
    "manager_consent": "nee",
    "note": "Vertrouwelijke notitie",
}


@pytest.fixture
def db_url(sqlite_url: str) -> str:
    """SQLite only: the importer's seed test runs both databases; here mail and links matter."""
    return sqlite_url


def _ctx(session: Any, rt: Any, actor: str = COACH) -> Context:
    return rt.context(session, "hardenberg", DAY, actor=actor)


def _link(rt: Any, url: str) -> Any:
    """Open a link as the web app does: verify the token and claim it."""
    with rt.factory() as session, session.begin():
        row = verify_token(
            session,
            secret=rt.settings.signing_keys(),
            token=url.rsplit("/", 1)[-1],
            reusable=rt.registry.reusable_links,
        )
        claim_link(session, row, reusable=rt.registry.reusable_links)
        session.expunge(row)
    return row


def _register(rt: Any, form: dict[str, str] | None = None, coach: str = COACH) -> int:
    with rt.factory() as session, session.begin():
        url = register_link(_ctx(session, rt), coach)
    link = _link(rt, url)
    with rt.factory() as session, session.begin():
        message = REGISTER.perform(_ctx(session, rt, link.subject_id), link, form or FORM)
        assert message.startswith("Aanmelding 2027-")
        return session.scalars(
            select(CoachingRegistration.id).order_by(CoachingRegistration.id.desc())
        ).first()


def _update(rt: Any, reg_id: int, form: dict[str, str]) -> str:
    with rt.factory() as session, session.begin():
        url = update_link(_ctx(session, rt), session.get(CoachingRegistration, reg_id))
    link = _link(rt, url)
    with rt.factory() as session, session.begin():
        return UPDATE.perform(_ctx(session, rt, link.subject_id), link, form)


def _send(rt: Any) -> None:
    send_queued(rt.factory, SmtpTarget.from_settings(rt.settings))


def test_lbc_3_no_mail_reaches_the_manager_without_consent(example_data: Any, smtp: Any) -> None:
    """Without consent the leidinggevende gets nothing; after consent exactly one mail, once."""
    rt = example_data
    reg_id = _register(rt)
    _send(rt)
    assert smtp.to(MANAGER_EMAIL) == []
    assert _update(rt, reg_id, {"manager_consent": "ja"}).endswith("in traject.")
    _send(rt)
    _update(rt, reg_id, {"manager_consent": "ja"})
    _send(rt)
    mails = smtp.to(MANAGER_EMAIL)
    assert [str(m["Subject"]) for m in mails] == [f"{NAME} is gestart bij de loopbaancoach"]
    body = mails[0].get_body(("plain",)).get_content()
    assert "vertrouwelijk" in body
    assert "Vertrouwelijke notitie" not in body
    assert "Ontdekken wat ik wil" not in body


def test_lbc_3_withdrawn_consent_withdraws_the_unsent_mail(example_data: Any, smtp: Any) -> None:
    """Consent withdrawn before the mail went out means the manager is still never told."""
    rt = example_data
    reg_id = _register(rt, {**FORM, "manager_consent": "ja"})
    _update(rt, reg_id, {"manager_consent": "nee"})
    _send(rt)
    assert smtp.to(MANAGER_EMAIL) == []


def test_lbc_3_another_coach_can_neither_see_nor_change_a_record(example_data: Any) -> None:
    """A link bound to a second coach is refused on the first coach's record, and a link
    bound to someone who is not a coach cannot register."""
    rt = example_data
    reg_id = _register(rt)
    with rt.factory() as session, session.begin():
        other = Person(
            id="HB-0099",
            municipality="hardenberg",
            given_name="Olga",
            family_name="Ander",
            email="olga.ander@hardenberg.example.nl",
            team="P&O",
        )
        other.roles = [PersonRole(role="loopbaancoach", municipality="hardenberg")]
        session.add(other)
    with rt.factory() as session, session.begin():
        url = link_url(
            _ctx(session, rt),
            action=UPDATE.name,
            subject_id="HB-0099",
            case_type=CaseType.COACHING,
            case_id=str(reg_id),
        )
    link = _link(rt, url)
    with (
        rt.factory() as session,
        session.begin(),
        pytest.raises(CoachingRefused, match="andere loopbaancoach"),
    ):
        UPDATE.describe(_ctx(session, rt, "HB-0099"), link)
    with (
        rt.factory() as session,
        session.begin(),
        pytest.raises(CoachingRefused, match="andere loopbaancoach"),
    ):
        UPDATE.perform(_ctx(session, rt, "HB-0099"), link, {"goal1": "achieved"})
    with rt.factory() as session, session.begin():
        url = register_link(_ctx(session, rt), MANAGER)
    link = _link(rt, url)
    with (
        rt.factory() as session,
        session.begin(),
        pytest.raises(CoachingRefused, match="rol loopbaancoach"),
    ):
        REGISTER.perform(_ctx(session, rt, MANAGER), link, FORM)


def test_lbc_1_form_takes_categories_by_label_or_number_and_refuses_unknown(
    example_data: Any,
) -> None:
    """The form stores configured keys for a label or number; an unknown domain lists options."""
    rt = example_data
    reg_id = _register(rt, {**FORM, "domain": "3", "source": "Hardenberg Academie (opgave TMA)"})
    with rt.factory() as session:
        reg = session.get(CoachingRegistration, reg_id)
        assert (reg.domain, reg.reason, reg.source, reg.goal1) == (
            "openbaar_gebied",
            "wat_wil_ik",
            "academie",
            GoalState.OPEN,
        )
    with pytest.raises(CoachingRefused, match=r"Kies uit: 1\. Bedrijfsvoering en concern"):
        _register(rt, {**FORM, "domain": "Sterrenkunde"})


def test_lbc_2_goals_and_an_early_end_with_a_reason(example_data: Any) -> None:
    """Goal 2 needs goal 1; stopping needs a reason; a stopped trajectory can resume."""
    rt = example_data
    reg_id = _register(rt, {**FORM, "goal1_text": ""})
    with pytest.raises(CoachingRefused, match="Doel 2 kan pas na doel 1"):
        _update(rt, reg_id, {"goal2": "open"})
    _update(rt, reg_id, {"goal1": "achieved", "goal2": "open"})
    with pytest.raises(CoachingRefused, match="reden van stoppen"):
        _update(rt, reg_id, {"status": "ended_early"})
    _update(rt, reg_id, {"status": "ended_early", "end_reason": "Ziekte", "ended_on": "2027-02-20"})
    with rt.factory() as session:
        reg = session.get(CoachingRegistration, reg_id)
        assert (reg.state, reg.end_reason, reg.ended_on, reg.goal2) == (
            TrajectoryState.ENDED_EARLY,
            "ziekte",
            date(2027, 2, 20),
            GoalState.OPEN,
        )
    _update(rt, reg_id, {"status": "active"})
    _update(rt, reg_id, {"goal2": "achieved", "status": "completed"})
    with rt.factory() as session:
        reg = session.get(CoachingRegistration, reg_id)
        assert (reg.state, reg.end_reason, reg.goal2) == (
            TrajectoryState.COMPLETED,
            None,
            GoalState.ACHIEVED,
        )
    with pytest.raises(
        CoachingRefused,
        match=r"traject 2027-\d+ \(afgerond; doel 1: behaald, "
        r"doel 2: behaald\)",
    ):
        _update(rt, reg_id, {"status": "active"})
    assert UPDATE.extra["validate"]({"status": "ended_early"}) == {
        "end_reason": "Vul de reden van stoppen in."
    }


def test_lbc_3_audit_rows_hold_ids_and_categories_but_no_names(example_data: Any) -> None:
    """Every change is audited (X-4) by the coach, and no audit row holds a name or a note."""
    rt = example_data
    reg_id = _register(rt, {**FORM, "manager_consent": "ja"})
    _update(rt, reg_id, {"goal1": "achieved", "status": "completed"})
    with rt.factory() as session:
        rows = session.scalars(
            select(AuditEntry).where(
                AuditEntry.entity_type == CaseType.COACHING, AuditEntry.entity_id == str(reg_id)
            )
        ).all()
        assert [r.action for r in rows] == [
            "coaching.registered",
            "coaching.manager_informed",
            "coaching.goal",
            "coaching.ended",
        ]
        assert {r.actor for r in rows} == {COACH}
        text = " ".join(str(r.detail) for r in rows)
        assert NAME not in text
        assert "Vertrouwelijk" not in text
        assert "Ontdekken" not in text
