"""Attacks by the people who run poflow on the four-eyes step (REC-9, X-4), on SQLite and
PostgreSQL: one person one mailbox, approval roles confirmed by a second person, a non-asked
role holder, old terms' links, a removed role, an asked person's changed address."""

from __future__ import annotations

import csv
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select
from typer.testing import CliRunner

from poflow._exceptions import ApprovalRefused, GrantRefused, ImportRejected
from poflow.approvals.decisions import record_decision, roles_of
from poflow.approvals.models import Approval
from poflow.audit_verify import check_facts
from poflow.auth.accounts import add_login
from poflow.cli import app
from poflow.db.models import AuditEntry, Person
from poflow.importer import import_staff
from poflow.recruitment import appointment
from poflow.recruitment.gates import TERMS, terms_subject
from poflow.recruitment.models import RecruitmentRound
from poflow.recruitment.rules import TERMS_ROLES
from poflow.staff.grants import confirm_grants, pending_grants
from tests.conftest import EXAMPLES
from tests.recruitment.support import (
    D0,
    MT_MAIL,
    PO,
    PO_MAIL,
    SLUG,
    approve_by_mail,
    click,
    import_example_staff,
    mail_to,
    round_at_terms,
    run,
    send,
    tokens,
)
from tests.reliability.support import record

NOW = datetime(2027, 3, 1, 9, tzinfo=UTC)


def _rows() -> list[dict[str, str]]:
    with (EXAMPLES / "staff.csv").open(encoding="utf-8") as f:
        return list(csv.DictReader(f))


def _write(tmp: Path, rows: list[dict[str, str]]) -> Path:
    path = tmp / "staff.csv"
    with path.open("w", encoding="utf-8", newline="") as f:
        out = csv.DictWriter(f, fieldnames=list(rows[0]))
        out.writeheader()
        out.writerows(rows)
    return path


def _import(rt: Any, path: Path, actor: str = "cli:beheer") -> Any:
    with rt.factory() as s, s.begin():
        return import_staff(
            s,
            path,
            rt.configs,
            actor=actor,
            contexts=lambda slug: rt.context(s, slug, D0, actor=actor),
        )


def _people(rt: Any) -> list[tuple[str, str]]:
    with rt.factory() as s:
        return [(p.id, p.email) for p in s.scalars(select(Person).order_by(Person.id))]


def _refused_import(rt: Any, path: Path, variant: str, *expected: str) -> None:
    before = _people(rt)
    with pytest.raises(ImportRejected) as refused:
        _import(rt, path)
    unchanged = _people(rt) == before
    named = all(e in str(refused.value) for e in expected)
    record(
        "bypass", variant=variant, refused=unchanged and named, audited=None, error="ImportRejected"
    )
    assert unchanged
    assert named, str(refused.value)


def _unaudited(session: Any) -> list[str]:
    """What `poflow audit verify` finds about roles and approvals, leaving out the two people
    the recruitment support adds straight into the database (HB-0090, HB-0091)."""
    return [f.message() for f in check_facts(session).findings if "HB-009" not in f.what]


@pytest.fixture
def staff(runtime: Any) -> Any:
    """The example staff of Hardenberg, imported (bootstrap: nobody could confirm yet)."""
    import_example_staff(runtime)
    return runtime


def test_rec_9_a_leidinggevende_with_p_and_o_s_own_mailbox_is_refused(staff: Any, tmp_path: Path):
    """A new leidinggevende with a P&O adviser's address, or the P&O team mailbox, is refused."""
    rows = _rows()
    rows.append({**rows[3], "employee_id": "HB-0050", "email": rows[1]["email"].upper()})
    _refused_import(
        staff,
        _write(tmp_path, rows),
        "ops 1 leidinggevende with P&O's mailbox",
        "row 13",
        "HB-0002",
    )
    rows[-1]["email"] = "po@hardenberg.example.nl"
    _refused_import(
        staff,
        _write(tmp_path, rows),
        "ops 2 leidinggevende with the P&O team mailbox",
        "row 13",
        "shared mailbox",
    )


def test_rec_9_re_importing_a_manager_with_p_and_o_s_address_is_refused(staff: Any, tmp_path: Path):
    """An existing manager re-imported with the P&O adviser's address is refused."""
    rows = _rows()
    rows[3]["email"] = rows[1]["email"]
    _refused_import(
        staff,
        _write(tmp_path, rows),
        "ops 3 re-import a manager with P&O's address",
        "row 5",
        "row 3",
    )


def test_rec_9_two_people_with_one_email_are_refused_naming_both_rows(runtime: Any, tmp_path: Path):
    """Two people with one address (any case) are refused, naming both rows; nothing is written."""
    rows = _rows()
    rows[6]["email"] = rows[5]["email"].title()
    _refused_import(
        runtime, _write(tmp_path, rows), "ops 4 two people, one email", "row 8", "row 7", "HB-0006"
    )
    assert _people(runtime) == []


def test_rec_9_a_self_granted_approval_role_waits_for_a_second_person(staff: Any, tmp_path: Path):
    """An approval role granted by its own holder waits; neither requester nor grantee confirms."""
    rows = _rows()
    rows[1]["roles"] = "po_adviseur;leidinggevende"  # HB-0002 grants themself a role
    rows[2]["roles"] = "po_adviseur;recruiter;mt_lid"  # and HB-0003 one
    result = _import(staff, _write(tmp_path, rows), actor="HB-0002")
    assert result.waiting == 2
    with staff.factory() as s:
        assert "leidinggevende" not in roles_of(s, "HB-0002", SLUG)
        grants = {g.person_id: g.id for g in pending_grants(s, SLUG)}
    refusals = 0
    for who, ids in (
        ("HB-0002", [grants["HB-0002"]]),
        ("HB-0003", [grants["HB-0003"]]),
        ("HB-0005", list(grants.values())),
    ):
        with staff.factory() as s:
            try:
                confirm_grants(s, ids, who, NOW)
            except GrantRefused:
                refusals += 1
            s.commit()
    with staff.factory() as s:
        still = "leidinggevende" not in roles_of(s, "HB-0002", SLUG)
        audited = (
            s.scalar(
                select(func.count())
                .select_from(AuditEntry)
                .where(AuditEntry.action == "role_grant.confirm_refused")
            )
            == 3
        )
    record(
        "bypass",
        variant="ops 5 self-granted approval role confirmed by requester or grantee",
        refused=refusals == 3 and still,
        audited=audited,
        error="GrantRefused",
    )
    assert refusals == 3
    assert still
    assert audited
    with staff.factory() as s, s.begin():
        confirm_grants(s, [grants["HB-0002"]], "HB-0003", NOW)
        confirm_grants(s, [grants["HB-0003"]], "HB-0001", NOW)
    with staff.factory() as s:
        assert "leidinggevende" in roles_of(s, "HB-0002", SLUG)
        assert "mt_lid" in roles_of(s, "HB-0003", SLUG)
        assert _unaudited(s) == []


def test_rec_9_a_role_holder_who_was_not_asked_is_refused(runtime: Any, smtp: Any):
    """A registered leidinggevende who was not asked is refused; the asked ones still decide."""
    import_example_staff(runtime)
    rid, _ = round_at_terms(runtime, smtp)
    with runtime.factory() as s:
        subject = terms_subject(s.get(RecruitmentRound, rid))
    with runtime.factory() as s:
        with pytest.raises(ApprovalRefused, match="was not asked"):
            record_decision(
                s,
                municipality=SLUG,
                subject_type=TERMS,
                subject_id=subject,
                required_roles=TERMS_ROLES,
                role="leidinggevende",
                person_id="HB-0006",
                approve=True,
            )
        s.commit()
    with runtime.factory() as s:
        nothing = s.scalars(select(Approval).where(Approval.subject_id == subject)).all() == []
        audited = (
            s.scalar(
                select(func.count())
                .select_from(AuditEntry)
                .where(AuditEntry.action == "approval.refused", AuditEntry.actor == "HB-0006")
            )
            == 1
        )
    approve_by_mail(runtime, smtp, MT_MAIL, "Arbeidsvoorwaardengesprek")
    approve_by_mail(runtime, smtp, PO_MAIL, "Arbeidsvoorwaardengesprek")
    with runtime.factory() as s:
        decided = len(s.scalars(select(Approval).where(Approval.subject_id == subject)).all())
    record(
        "bypass",
        variant="ops 6 a role holder who was not asked decides",
        refused=nothing and decided == 2,
        audited=audited,
        error="ApprovalRefused",
    )
    assert nothing
    assert decided == 2
    assert audited


def test_rec_9_a_v1_terms_link_after_v2_is_refused(runtime: Any, smtp: Any):
    """New terms revoke the old terms' links; the old page says they were replaced."""
    import_example_staff(runtime)
    rid, _ = round_at_terms(runtime, smtp)
    old = tokens(mail_to(smtp, MT_MAIL, "Arbeidsvoorwaardengesprek"))[0]
    run(
        runtime,
        D0,
        appointment.record_terms,
        rid,
        by=PO,
        start_date=date(2027, 6, 1),
        contract_type="tijdelijk",
        contract_months=12,
        work_email="lisa@hardenberg.example.nl",
    )
    page = click(runtime, old, besluit="akkoord")
    text = page.context.get("refusal").text if page.template == "refused.html" else ""
    refused = page.template == "refused.html" and "vervangen door nieuwe voorwaarden" in text
    with runtime.factory() as s:
        audited = (
            s.scalar(
                select(func.count())
                .select_from(AuditEntry)
                .where(AuditEntry.action == "round.terms_replaced")
            )
            == 1
        )
    record(
        "bypass",
        variant="ops 7 v1 terms link after v2",
        refused=refused,
        audited=audited,
        error="LinkRefused revoked",
    )
    assert refused, page.template
    assert audited


def test_rec_9_re_import_removing_a_role_works_and_ends_its_rights(staff: Any, tmp_path: Path):
    """A re-import that takes leidinggevende from HB-0006 works, is audited, and ends the role."""
    rows = _rows()
    rows[5]["roles"] = "mt_lid;medewerker"
    result = _import(staff, _write(tmp_path, rows))
    with staff.factory() as s:
        gone = "leidinggevende" not in roles_of(s, "HB-0006", SLUG)
        audited = (
            s.scalar(
                select(func.count())
                .select_from(AuditEntry)
                .where(
                    AuditEntry.action == "person.role_removed", AuditEntry.entity_id == "HB-0006"
                )
            )
            == 1
        )
        with pytest.raises(ApprovalRefused, match="not registered as leidinggevende"):
            record_decision(
                s,
                municipality=SLUG,
                subject_type="offer",
                subject_id="X-1",
                required_roles=TERMS_ROLES,
                role="leidinggevende",
                person_id="HB-0006",
                approve=True,
            )
        s.rollback()
        facts_ok = _unaudited(s) == []
    record(
        "bypass",
        variant="ops 8 former leidinggevende decides after a re-import",
        refused=gone and result.updated == 1,
        audited=audited and facts_ok,
        error="ApprovalRefused",
    )
    assert gone
    assert audited
    assert facts_ok
    assert result.updated == 1


def test_rec_9_an_asked_person_s_new_email_voids_links_and_asks_again(
    runtime: Any, smtp: Any, tmp_path: Path
):
    """Changing an asked leidinggevende's address voids their link, re-asks at the new address
    and tells both addresses."""
    import_example_staff(runtime)
    rid, _ = round_at_terms(runtime, smtp)
    old = tokens(mail_to(smtp, MT_MAIL, "Arbeidsvoorwaardengesprek"))[0]
    rows = _rows()
    rows[3]["email"] = "dirk.nieuw@hardenberg.example.nl"
    _import(runtime, _write(tmp_path, rows))
    send(runtime)
    page = click(runtime, old, besluit="akkoord")
    old_void = page.template == "refused.html"
    told_old = mail_to(smtp, MT_MAIL, "Je gegevens zijn gewijzigd")
    told_new = mail_to(smtp, "dirk.nieuw@", "Je gegevens zijn gewijzigd")
    assert "opnieuw" in told_new.get_body(("plain",)).get_content()
    approve_by_mail(runtime, smtp, "dirk.nieuw@", "Arbeidsvoorwaardengesprek")
    with runtime.factory() as s:
        subject = terms_subject(s.get(RecruitmentRound, rid))
        decided = s.scalar(
            select(Approval.person_id).where(
                Approval.subject_id == subject, Approval.role == "leidinggevende"
            )
        )
        audited = (
            s.scalar(
                select(func.count())
                .select_from(AuditEntry)
                .where(AuditEntry.action == "approval.reasked")
            )
            == 1
        )
    ok = old_void and told_old is not None and told_new is not None and decided == "HB-0004"
    record(
        "bypass",
        variant="ops 9 an asked person's email changed",
        refused=ok,
        audited=audited,
        error="LinkRefused revoked",
    )
    assert ok
    assert audited


def test_rec_9_an_operator_resetting_an_asked_person_s_login_cannot_decide_for_them(
    runtime: Any, smtp: Any, monkeypatch: pytest.MonkeyPatch
):
    """`poflow users reset` of an asked leidinggevende (whoever runs it now knows a password
    for them) voids the links already mailed, asks again at the person's own address and tells
    them; only that new link decides."""
    import_example_staff(runtime)
    rid, _ = round_at_terms(runtime, smtp)
    old = tokens(mail_to(smtp, MT_MAIL, "Arbeidsvoorwaardengesprek"))[0]
    with runtime.factory() as s, s.begin():
        add_login(s, "HB-0004", "een-oud-wachtwoord-van-dirk", totp=False, actor="test")
    reset = CliRunner().invoke(
        app, ["users", "reset", "HB-0004", "--password-stdin"], input="nu-weet-de-beheerder-het\n"
    )
    assert reset.exit_code == 0, reset.output
    page = click(runtime, old, besluit="akkoord")
    old_void = page.template == "refused.html"
    told = mail_to(smtp, MT_MAIL, "Je gegevens zijn gewijzigd")
    approve_by_mail(runtime, smtp, MT_MAIL, "Arbeidsvoorwaardengesprek")
    with runtime.factory() as s:
        subject = terms_subject(s.get(RecruitmentRound, rid))
        decided = s.scalar(
            select(Approval.person_id).where(
                Approval.subject_id == subject, Approval.role == "leidinggevende"
            )
        )
        audited = (
            s.scalar(
                select(func.count())
                .select_from(AuditEntry)
                .where(AuditEntry.action == "approval.reasked")
            )
            == 1
        )
    ok = old_void and told is not None and "de inlog" in told.get_body(("plain",)).get_content()
    record(
        "bypass",
        variant="ops 10 an operator resets an asked person's login",
        refused=ok and decided == "HB-0004",
        audited=audited,
        error="LinkRefused revoked",
    )
    assert ok
    assert decided == "HB-0004"
    assert audited
