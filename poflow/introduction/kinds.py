"""The names the introduction programme's rows carry: action kinds, link actions and step keys.

One place, so the keys stored in actions, links and steps stay stable.
"""

from __future__ import annotations

__all__ = [
    "ELEARN_OVERDUE",
    "ELEARN_REMIND",
    "LINK_ABSENT",
    "LINK_ENROL",
    "LINK_ITEM_DONE",
    "LINK_NO",
    "LINK_PRESENT",
    "LINK_TALK_HELD",
    "LINK_YES",
    "OFFER",
    "PROCESS",
    "ROLE_ITEM",
    "ROLE_ITEM_PREFIX",
    "SESSION_ATTENDANCE",
    "SESSION_CLOSE",
    "SESSION_REMIND",
    "TALK_INVITE",
    "TALK_KEY",
    "TALK_REMIND",
    "TMA_KEY",
    "WELCOME",
    "elearning_key",
    "item_of_step",
    "step_key",
]

PROCESS = "int"  # the `process` of the programme's steps

# The hire's own line (planner.py, handlers.py).
WELCOME = "int.welcome"  # the welcome mail on the first working day
OFFER = "int.offer"  # INT-1/INT-6: offer the light variant to the leidinggevende
ROLE_ITEM = "int.role_item"  # INT-5: tell the employee of a role-specific item
ELEARN_REMIND = "int.elearning_remind"  # INT-4: an e-learning's deadline nears
ELEARN_OVERDUE = "int.elearning_overdue"  # INT-4: the deadline passed with e-learning open
TALK_INVITE = "int.talk_invite"  # INT-5: invite to the TMA debrief or the closing talk
TALK_REMIND = "int.talk_remind"  # INT-5: remind of that talk

# Group sessions (sessions.py, attendance.py).
SESSION_REMIND = "int.session_remind"  # remind an invitee shortly before the session
SESSION_ATTENDANCE = "int.session_attendance"  # the attendance list to P&O the day after
SESSION_CLOSE = "int.session_close"  # unrecorded attendance counts as missed

# The actions mailed links carry (links.py).
LINK_YES = "int.sessie_ja"
LINK_NO = "int.sessie_nee"
LINK_PRESENT = "int.aanwezig"
LINK_ABSENT = "int.afwezig"
LINK_ITEM_DONE = "int.item_afgerond"
LINK_TALK_HELD = "int.gesprek_gehouden"
LINK_ENROL = "int.aanmelden"

# The keys of the own line's steps.
TALK_KEY = "int:startontwikkelgesprek"  # closes the programme (INT-5) and starts GES
TMA_KEY = "int:tma"
ROLE_ITEM_PREFIX = "int:rol:"  # then 1, 2, ... per hire
_ELEARNING_PREFIX = "int:elearning:"


def elearning_key(item: str) -> str:
    """The step key of the e-learning item `item`."""
    return f"{_ELEARNING_PREFIX}{item}"


def step_key(item: str, kind: str) -> str:
    """The step key of a programme item of the own line (e-learning, TMA, closing talk)."""
    if kind == "startontwikkelgesprek":
        return TALK_KEY
    return elearning_key(item) if kind == "elearning" else f"{PROCESS}:{item}"


def item_of_step(key: str) -> str | None:
    """The e-learning item a step key names, or None for another step."""
    return key.removeprefix(_ELEARNING_PREFIX) if key.startswith(_ELEARNING_PREFIX) else None
