"""One state-machine helper for every process: a table of allowed moves per state enum, one
check and one message format naming the object, the move and what is allowed."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from enum import StrEnum
from typing import Generic, TypeVar

from poflow._exceptions import IllegalTransition

__all__ = ["StateTable"]

S = TypeVar("S", bound=StrEnum)


class StateTable(Generic[S]):
    """The allowed moves between the states of one enum; every state has a row (final states
    an empty one), so a state added to the enum without a row is refused at import."""

    def __init__(self, states: type[S], allowed: Mapping[S, Iterable[S]]) -> None:
        missing = [s.value for s in states if s not in allowed]
        if missing:
            raise ValueError(f"{states.__name__}: no row for {', '.join(missing)}")
        self.states = states
        self._allowed: dict[S, frozenset[S]] = {s: frozenset(allowed[s]) for s in states}

    def allowed(self, current: S) -> frozenset[S]:
        """The states `current` may move to."""
        return self._allowed[current]

    def is_final(self, state: S) -> bool:
        """Whether nothing may follow `state`."""
        return not self._allowed[state]

    def check(self, what: str, current: S, target: S) -> None:
        """Raise IllegalTransition unless `current` may move to `target`; `what` names the
        object ("hire NH-2027-001", "round R-2027-003")."""
        allowed = self._allowed[current]
        if target not in allowed:
            options = ", ".join(sorted(s.value for s in allowed)) or "none (final state)"
            raise IllegalTransition(
                f"Cannot move {what} from {current.value!r} to {target.value!r}; "
                f"allowed from {current.value!r}: {options}."
            )
