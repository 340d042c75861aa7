"""Tests of the whole process over a year of ticks: each notice and mail once, on its day."""

from __future__ import annotations

from collections import Counter
from datetime import date
from typing import Any

from sqlalchemy import select

from poflow.db.models import Hire, Person, PersonRole
from poflow.onboarding.buddy_rules import buddy_close_date
from poflow.onboarding.config import OnboardingSection
from poflow.onboarding.rules import Level, applies, event_dates, item_due
from tests.onboarding.support import ONB_TEMPLATES, digest_items, import_examples, run


def _expected(rt: Any, first: date) -> tuple[list[tuple], list[tuple]]:
    """(day, address, hire, item, level) of every digest line, and (day, template, address)."""
    cfg = rt.config("hardenberg")
    cal, onb = cfg.calendar, cfg.section("onboarding", OnboardingSection)
    notices: dict[tuple, Level] = {}
    other: list[tuple] = []
    with rt.factory() as session:
        hires = session.scalars(select(Hire).where(Hire.municipality == "hardenberg")).all()
        email = {p.id: p.email for p in session.scalars(select(Person))}
        roles: dict[str, list[str]] = {}
        for r in session.scalars(select(PersonRole).where(PersonRole.municipality == "hardenberg")):
            roles.setdefault(r.role, []).append(r.person_id)
        po = str(cfg.municipality.po_mailbox)
        for h in hires:
            fwd = h.first_working_day
            for item in onb.items:
                if not applies(item, h.contract_type, h.contract_months) or item.system:
                    continue
                due = item_due(cal, fwd, item.due)
                for level, day in event_dates(
                    cal, onb, due=due, owner=item.owner, planned_on=first
                ).items():
                    if level == Level.ESCALATE_PO:
                        to = [po]
                    elif level == Level.ESCALATE_MANAGER or item.owner == "leidinggevende":
                        to = [email[h.manager_id]]
                    elif item.owner == "buddy":
                        to = [email[h.buddy_id]]
                    elif item.owner == "medewerker":
                        to = [h.private_email if day < fwd else h.work_email]
                    elif item.owner == "po_adviseur":
                        to = [po]
                    else:
                        to = [email[p] for p in roles[item.owner]]
                    for address in to:
                        key = (day, address, h.id, item.key)
                        notices[key] = max(notices.get(key, level), level, key=list(Level).index)
            close = buddy_close_date(
                cal, fwd, months=onb.buddy_months, contract_months=h.contract_months
            )
            other += [
                (
                    cal.add_working_days(fwd, -onb.welcome_working_days_before),
                    "onboarding/welkom_prive",
                    h.private_email,
                ),
                (fwd, "onboarding/welkom_werk", h.work_email),
                (
                    max(first, cal.add_working_days(fwd, -onb.buddy_inform_working_days_before)),
                    "onboarding/buddy_toegewezen",
                    email[h.buddy_id],
                ),
                (close, "onboarding/buddy_afgesloten", email[h.buddy_id]),
            ]
            invite = cal.add_working_days(close, -onb.celebration.invite_working_days_before)
            other += [
                (invite, "onboarding/vier_successen", a)
                for a in (email[h.buddy_id], h.work_email, email[h.manager_id])
            ]
    return sorted((*k, v) for k, v in notices.items()), sorted(other)


def test_onb_3_a_year_of_ticks_sends_each_notice_and_mail_exactly_once_on_its_working_day(
    sqlite_runtime, smtp
):
    """Over 2027 every checklist notice, reminder and escalation arrives once, on its day."""
    import_examples(sqlite_runtime)
    first, last = date(2027, 1, 4), date(2027, 12, 31)
    mails = run(sqlite_runtime, smtp, first, last, municipality="hardenberg")
    expected_notices, expected_other = _expected(sqlite_runtime, first)
    got = [
        (d, to, hire, item, level)
        for d, t, to, m in mails
        if t == "onboarding/digest"
        for level, hire, item in digest_items(m)
    ]
    assert Counter(got).most_common(1)[0][1] == 1  # nothing twice
    assert sorted(got) == expected_notices
    digests = Counter((d, to) for d, t, to, _ in mails if t == "onboarding/digest")
    assert set(digests.values()) == {1}  # one digest per recipient per day
    assert all(sqlite_runtime.config("hardenberg").calendar.is_working_day(d) for d, _ in digests)
    other = sorted(
        (d, t, to) for d, t, to, _ in mails if t in ONB_TEMPLATES and t != "onboarding/digest"
    )
    assert other == expected_other
    levels = Counter(level for *_, level in got)
    assert levels[Level.ESCALATE_PO] > 0
    assert levels[Level.ESCALATE_MANAGER] > 0
    from poflow.runtime import run_day

    seen = len(smtp.messages)
    run_day(sqlite_runtime, date(2027, 3, 1), municipality="hardenberg")  # a re-run of a past day
    assert len(smtp.messages) == seen
