"""Action kinds and link actions of the conversation cycle (one place, so keys stay stable)."""

from __future__ import annotations

__all__ = [
    "ARCHIVE",
    "DECISION",
    "ESCALATE",
    "FORM",
    "FORM_REMIND",
    "INTRO",
    "INVITE",
    "LINK_FORM",
    "LINK_POP",
    "LINK_RICHT",
    "POP_REMIND",
    "POP_REQUEST",
    "RECORD",
    "REMIND",
    "SHARE",
]

INTRO = "ges.intro"  # is the startontwikkelgesprek held? then start the cycle
INVITE = "ges.invite"  # invitation with .ics to employee and leidinggevende
REMIND = "ges.remind"  # reminder shortly before a talk
POP_REQUEST = "ges.pop_request"  # GES-2: ask the employee for the POP form
POP_REMIND = "ges.pop_remind"  # GES-2: remind when it is not in yet
RECORD = "ges.record"  # ask the leidinggevende to confirm the richtgesprek took place
FORM = "ges.form"  # GES-3: the appraisal form link for the leidinggevende
FORM_REMIND = "ges.form_remind"  # GES-3: reminder when the form is not recorded after the talk
ESCALATE = "ges.escalate"  # tell P&O a talk is still not recorded
SHARE = "ges.share"  # GES-3: share the recorded form with the employee
DECISION = "ges.decision"  # GES-4/5: the raise decision to P&O, onvoldoende to the secretaris
ARCHIVE = "ges.archive"  # GES-6: the completed form to P&O for the personnel file

LINK_POP = "ges.pop"  # the employee confirms the POP form is in
LINK_RICHT = "ges.richtgesprek"  # the leidinggevende confirms the richtgesprek took place
LINK_FORM = "ges.beoordeling"  # the leidinggevende fills in the appraisal form
