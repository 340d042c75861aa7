"""The rules of the buddy (BUD-1, BUD-2) as pure functions: no I/O.

Which team colleague is asked to be buddy, who may not be it, and the days of the trajectory:
the buddy informed before day one, the "vier successen" invitation, the close after six months.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Final

from poflow.kernel.calendar import WorkCalendar
from poflow.kernel.vocabulary import Role

__all__ = [
    "BuddyDates",
    "buddy_close_date",
    "buddy_dates",
    "buddy_load_since",
    "buddy_preference",
    "buddy_refusal",
]

# A colleague's buddy trajectories of hires who started up to this many days ago count as running.
_BUDDY_LOAD_DAYS: Final = 200


def buddy_load_since(day: date) -> date:
    """BUD-1: a buddy trajectory counts as running when its hire started on or after this day."""
    return day - timedelta(days=_BUDDY_LOAD_DAYS)


def buddy_preference(roles: Collection[str], running: int, person_id: str) -> tuple[bool, int, str]:
    """BUD-1: the order in which team colleagues are asked to be buddy (lowest first):
    medewerkers before other roles, then the fewest running trajectories, then the lowest id."""
    return (Role.MEDEWERKER not in roles, running, person_id)


def buddy_refusal(*, team: str | None, is_manager: bool, hire_team: str) -> str | None:
    """BUD-1: why a colleague cannot be the hire's buddy, or None: a buddy comes from the hire's
    own team and is not its leidinggevende."""
    if team != hire_team:
        return f"a buddy comes from the hire's own team ({hire_team})."
    if is_manager:
        return "the leidinggevende cannot also be the buddy."
    return None


def buddy_close_date(
    calendar: WorkCalendar, first_working_day: date, *, months: int, contract_months: int | None
) -> date:
    """BUD-2: the trajectory closes after `months`, or at the end of a shorter contract."""
    if contract_months is not None:
        months = min(months, contract_months)
    return calendar.months_after(first_working_day, months)


@dataclass(frozen=True)
class BuddyDates:
    """The working days of a buddy trajectory's mails (BUD-1, BUD-2)."""

    inform: date  # the buddy hears whom, when and what is expected
    invite: date  # buddy, new colleague and leidinggevende are invited to celebrate
    close: date  # the trajectory closes with the "vier successen" moment


def buddy_dates(
    calendar: WorkCalendar,
    first_working_day: date,
    close: date,
    *,
    planned_on: date,
    inform_working_days_before: int,
    invite_working_days_before: int,
) -> BuddyDates:
    """BUD-1/BUD-2: inform the buddy N working days before day one and invite M working days
    before the close, or at once when planned later; close on `close` (see buddy_close_date)."""
    inform = calendar.add_working_days(first_working_day, -inform_working_days_before)
    invite = calendar.add_working_days(close, -invite_working_days_before)
    return BuddyDates(inform=max(planned_on, inform), invite=max(planned_on, invite), close=close)
