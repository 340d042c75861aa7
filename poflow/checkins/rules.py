"""The check-ins' rules (CHK-1..3), pure: when each talk is, when its reminder, the request to
record it and the escalation to P&O fall due, and who may record it as held, from which day."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from poflow._exceptions import CheckinRefused
from poflow.kernel.calendar import WorkCalendar, add_months
from poflow.kernel.vocabulary import Role
from poflow.kernel.wording import date_nl

__all__ = [
    "ESCALATE",
    "INVITE",
    "INVITE_HIRE",
    "MAX_REASON_LENGTH",
    "RECORD",
    "REMIND",
    "FollowUps",
    "check_held",
    "check_held_on_behalf",
    "checkin_dates",
    "follow_ups",
    "hire_invitation_date",
    "within_contract",
]

# The action kinds of a talk: the invitation of the leidinggevende and of the new employee, the
# reminder before, the request to record it after, and the escalation to P&O when it is still
# not recorded.
INVITE, INVITE_HIRE = "chk.invite", "chk.invite_hire"
REMIND, RECORD, ESCALATE = "chk.remind", "chk.record", "chk.escalate"


def checkin_dates(calendar: WorkCalendar, first_working_day: date, months: list[int]) -> list[date]:
    """The working day of each check-in: N calendar months after the first working day (CHK-1)."""
    return [calendar.months_after(first_working_day, m) for m in months]


@dataclass(frozen=True)
class FollowUps:
    """How many working days before or after a talk its follow-ups fall due (checkins.yaml)."""

    remind_before: int
    record_after: int
    escalate_after: int


def follow_ups(calendar: WorkCalendar, talk: date, days: FollowUps) -> dict[str, date]:
    """The due date of each follow-up of a talk on `talk`, by action kind: the reminder before
    it (CHK-2), the request to record it and the escalation to P&O after it (CHK-3)."""
    return {
        REMIND: calendar.add_working_days(talk, -days.remind_before),
        RECORD: calendar.add_working_days(talk, days.record_after),
        ESCALATE: calendar.add_working_days(talk, days.escalate_after),
    }


def within_contract(start_date: date, contract_months: int | None, talk: date) -> bool:
    """CHK-1: whether a talk on `talk` falls within the contract (one without a length always);
    a contract of N months ends the day before the same date N calendar months later."""
    return contract_months is None or talk < add_months(start_date, contract_months)


def hire_invitation_date(first_working_day: date, planned_on: date) -> date:
    """CHK-2: the new employee is invited at the work address, from the first working day on
    (after the welcome at work), never before; a hire planned later is invited at once."""
    return max(first_working_day, planned_on)


MAX_REASON_LENGTH = 1000  # the reason P&O gives for recording a talk on behalf (CHK-3)


def _not_before(talk_on: date, day: date) -> None:
    if day < talk_on:
        raise CheckinRefused(
            f"Dit gesprek is gepland op {date_nl(talk_on)}. Je kunt het pas vanaf die dag "
            "vastleggen als gehouden. Er is niets gewijzigd."
        )


def check_held(*, by: str, manager_id: str | None, talk_on: date, day: date) -> None:
    """Refuse (CheckinRefused) unless `by` is the hire's leidinggevende and the talk's date
    `talk_on` has come on `day` (CHK-2)."""
    if manager_id is None or by != manager_id:
        raise CheckinRefused(
            "Alleen de leidinggevende van de nieuwe medewerker legt dit gesprek vast als "
            "gehouden. Er is niets gewijzigd."
        )
    _not_before(talk_on, day)


def check_held_on_behalf(
    *, roles: frozenset[str], same_municipality: bool, reason: str, talk_on: date, day: date
) -> None:
    """Refuse (CheckinRefused) unless a P&O adviser of the hire's municipality records the talk
    with a reason of at most MAX_REASON_LENGTH characters, not before its date (CHK-3)."""
    if not same_municipality or Role.PO_ADVISEUR not in roles:
        raise CheckinRefused(
            "Alleen een P&O-adviseur van de gemeente van de nieuwe medewerker legt een gesprek "
            "vast namens de leidinggevende. Er is niets gewijzigd."
        )
    if not reason.strip():
        raise CheckinRefused("Vul de reden in waarom je dit namens de leidinggevende vastlegt.")
    if len(reason) > MAX_REASON_LENGTH:
        raise CheckinRefused(
            f"De reden is langer dan {MAX_REASON_LENGTH} tekens ({len(reason)}). Maak hem korter."
        )
    _not_before(talk_on, day)
