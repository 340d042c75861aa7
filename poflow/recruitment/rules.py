"""Pure rules of a recruitment round (REC): stages, voorkeursbeleid, panels, slots, retention.

No I/O: everything here is tested in milliseconds and used by the services and the flow.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from enum import IntEnum, StrEnum
from typing import TypeVar
from zoneinfo import ZoneInfo

from poflow._exceptions import IllegalTransition, RecruitmentRefused
from poflow.kernel.calendar import TIMEZONE, WorkCalendar, add_months

__all__ = [
    "DECISION_ROLES",
    "FORMATION_ROLES",
    "TERMS_ROLES",
    "VACANCY_ROLES",
    "CandidateState",
    "RoundState",
    "Tier",
    "check_candidate_move",
    "check_may_apply",
    "check_round_move",
    "gate_outcome",
    "interview_order",
    "interview_slots",
    "panel_roles",
    "referral_notice_day",
    "retention_day",
]

T = TypeVar("T")

FORMATION_ROLES = ("gemeentesecretaris", "or_lid")  # REC-2
VACANCY_ROLES = ("po_adviseur", "mt_lid")  # REC-3
DECISION_ROLES = ("po_adviseur", "mt_lid", "medewerker")  # REC-8: P&O, MT-lid, direct colleague
TERMS_ROLES = ("leidinggevende", "po_adviseur")  # REC-9: the four-eyes terms talk


class RoundState(StrEnum):
    """Where a recruitment round stands; `check_round_move` holds the allowed moves."""

    FORMATION_REVIEW = "formation"  # REC-2: waits for gemeentesecretaris and OR
    DRAFTING = "drafting"  # REC-3: P&O drafts the vacancy text
    TEXT_REVIEW = "text_review"  # REC-3: P&O and MT-lid confirm the text
    INTERNAL = "internal"  # REC-4: published internally only
    EXTERNAL = "external"  # REC-4: published externally too
    ROUND_ONE = "round_one"  # REC-5, REC-6
    ROUND_TWO = "round_two"  # REC-7
    DECISION = "decision"  # REC-8: P&O, MT-lid and colleague decide on the offer
    TERMS = "terms"  # REC-9: four-eyes terms-of-employment talk
    ADVICE = "advice"  # REC-10: aanstellingsadvies sent to the college B&W
    FILLED = "filled"  # REC-10: the hire exists, onboarding runs
    CANCELLED = "cancelled"  # REC-2 rejection, or withdrawn by P&O

    @property
    def final(self) -> bool:
        """True when nothing more happens in the round."""
        return self in (RoundState.FILLED, RoundState.CANCELLED)


_C = RoundState.CANCELLED
_ROUND_MOVES: dict[RoundState, frozenset[RoundState]] = {
    RoundState.FORMATION_REVIEW: frozenset({RoundState.DRAFTING, _C}),
    RoundState.DRAFTING: frozenset({RoundState.TEXT_REVIEW, _C}),
    RoundState.TEXT_REVIEW: frozenset({RoundState.DRAFTING, RoundState.INTERNAL, _C}),
    RoundState.INTERNAL: frozenset({RoundState.EXTERNAL, RoundState.ROUND_ONE, _C}),
    RoundState.EXTERNAL: frozenset({RoundState.ROUND_ONE, _C}),
    RoundState.ROUND_ONE: frozenset({RoundState.ROUND_TWO, _C}),
    RoundState.ROUND_TWO: frozenset({RoundState.DECISION, _C}),
    RoundState.DECISION: frozenset({RoundState.ROUND_TWO, RoundState.TERMS, _C}),
    RoundState.TERMS: frozenset({RoundState.ROUND_TWO, RoundState.ADVICE, _C}),
    RoundState.ADVICE: frozenset({RoundState.FILLED}),
    RoundState.FILLED: frozenset(),
    RoundState.CANCELLED: frozenset(),
}


class CandidateState(StrEnum):
    """Where one candidate stands in the round."""

    PROSPECT = "prospect"  # REC-13: koffiemoment, has not applied yet
    APPLIED = "applied"
    ROUND_ONE = "round_one"
    ROUND_TWO = "round_two"
    OFFERED = "offered"  # REC-8 agreed; the terms talk follows
    HIRED = "hired"
    REJECTED = "rejected"
    WITHDRAWN = "withdrawn"

    @property
    def final(self) -> bool:
        """True for hired, rejected and withdrawn."""
        return self in (CandidateState.HIRED, CandidateState.REJECTED, CandidateState.WITHDRAWN)


_R, _W = CandidateState.REJECTED, CandidateState.WITHDRAWN
_CANDIDATE_MOVES: dict[CandidateState, frozenset[CandidateState]] = {
    CandidateState.PROSPECT: frozenset({CandidateState.APPLIED, _W}),
    CandidateState.APPLIED: frozenset({CandidateState.ROUND_ONE, _R, _W}),
    CandidateState.ROUND_ONE: frozenset({CandidateState.ROUND_TWO, _R, _W}),
    CandidateState.ROUND_TWO: frozenset({CandidateState.OFFERED, _R, _W}),
    CandidateState.OFFERED: frozenset({CandidateState.HIRED, _R, _W}),
    CandidateState.HIRED: frozenset(),
    CandidateState.REJECTED: frozenset(),
    CandidateState.WITHDRAWN: frozenset(),
}


def _check(moves: dict, what: str, current: StrEnum, target: StrEnum) -> None:
    allowed = moves[current]
    if target not in allowed:
        options = ", ".join(sorted(s.value for s in allowed)) or "none (final state)"
        raise IllegalTransition(
            f"Cannot move {what} from {current.value!r} to "
            f"{target.value!r}; allowed from {current.value!r}: {options}."
        )


def check_round_move(round_id: str, current: RoundState, target: RoundState) -> None:
    """Raise IllegalTransition unless the round may move from `current` to `target`."""
    _check(_ROUND_MOVES, f"round {round_id}", current, target)


def check_candidate_move(
    candidate_id: str, current: CandidateState, target: CandidateState
) -> None:
    """Raise IllegalTransition unless the candidate may move from `current` to `target`."""
    _check(_CANDIDATE_MOVES, f"candidate {candidate_id}", current, target)


class Tier(IntEnum):
    """The voorkeursbeleid (REC-4): a lower number goes first."""

    BOVENFORMATIEF = 1  # bovenformatief staff, or former staff on a UWO benefit
    EIGEN_MEDEWERKER = 2  # own employees
    DETACHERING_INLEEN = 3  # working for the municipality by secondment or hire
    EXTERN = 4  # external candidates

    @property
    def internal(self) -> bool:
        """Tiers 1 to 3 are internal candidates; only tier 4 is external."""
        return self is not Tier.EXTERN


def check_may_apply(round_id: str, state: RoundState, tier: Tier) -> None:
    """Internal candidates may apply once published; external ones only after the window."""
    open_for = (
        {RoundState.INTERNAL, RoundState.EXTERNAL} if tier.internal else {RoundState.EXTERNAL}
    )
    if state not in open_for:
        who = "an internal" if tier.internal else "an external (tier 4)"
        raise RecruitmentRefused(
            f"Cannot register {who} candidate for round {round_id}: the round is "
            f"{state.value!r}; allowed while {', '.join(sorted(s.value for s in open_for))}."
        )


def interview_order(items: Iterable[T], key: Callable[[T], tuple[int, int]]) -> list[T]:
    """Higher tiers first, internal before external, then in order of application (REC-4/6).

    `key(item)` returns (tier, application sequence).
    """
    return sorted(items, key=key)


def interview_slots(
    first: datetime, count: int, *, minutes: int, gap: int, day_end: time, calendar: WorkCalendar
) -> list[tuple[datetime, datetime]]:
    """`count` consecutive slots from `first` (local), continuing on the next working day."""
    tz = ZoneInfo(TIMEZONE)
    first = first.astimezone(tz)
    day = calendar.next_working_day(first.date())
    start = datetime.combine(day, first.timetz().replace(tzinfo=None), tzinfo=tz)
    slots: list[tuple[datetime, datetime]] = []
    length = timedelta(minutes=minutes)
    while len(slots) < count:
        end = start + length
        if (
            end.timetz().replace(tzinfo=None) > day_end
            and slots
            and slots[-1][0].date() == start.date()
        ):
            day = calendar.add_working_days(start.date(), 1)
            start = datetime.combine(day, first.timetz().replace(tzinfo=None), tzinfo=tz)
            continue
        slots.append((start, end))
        start = end + timedelta(minutes=gap)
    return slots


@dataclass(frozen=True, slots=True)
class Panel:
    """Who holds an interview: person ids by role."""

    members: dict[str, str]


def panel_roles(round_no: int, *, po_id: str, mt_lid_id: str, colleague_id: str | None) -> Panel:
    """Round 1: P&O, MT-lid, optionally a colleague (REC-6); round 2 needs the colleague (REC-7)."""
    members = {"po_adviseur": po_id, "mt_lid": mt_lid_id}
    if round_no == 2 and colleague_id is None:
        raise RecruitmentRefused(
            "Cannot plan the second interview round: it is held by the "
            "MT-lid, P&O and a colleague of the department, and the round "
            "has no colleague."
        )
    if round_no not in (1, 2):
        raise RecruitmentRefused(f"Cannot plan interview round {round_no}: there are two.")
    if colleague_id is not None:
        members["collega"] = colleague_id
    return Panel(members)


def retention_day(closed_on: date, *, consent: bool, weeks: int, consent_months: int) -> date:
    """The day a rejected candidate's personal data goes: weeks after closing, or months (X-3)."""
    return add_months(closed_on, consent_months) if consent else closed_on + timedelta(weeks=weeks)


def referral_notice_day(first_working_day: date, waiting_days: int, calendar: WorkCalendar) -> date:
    """The working day the salary administration hears of a referral bonus (REC-12)."""
    return calendar.next_working_day(first_working_day + timedelta(days=waiting_days))


def gate_outcome(asked: dict[str, str], decisions: Iterable[tuple[str, str, bool]]) -> str:
    """'approved', 'rejected' or 'pending', counting only the people asked in their role.

    `decisions` are (role, person id, approve). A decision by someone holding the role but not
    asked for this round counts for nothing: the gate stays pending (REC-2/3/8/9).
    """
    counted = [(role, ok) for role, person, ok in decisions if asked.get(role) == person]
    if any(not ok for _, ok in counted):
        return "rejected"
    return "approved" if set(asked) <= {role for role, _ in counted} else "pending"
