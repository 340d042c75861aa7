"""Every process poflow runs, in one ordered list: the only place that decides what the system is.

The order is the planner order: for a new or moved hire the check-ins are planned first, then
onboarding (its checklist ticks the check-in item), the conversation cycle, the introduction
programme and recruitment's referral bonus. Registries, the CLI, the deployments and the config
sections are built from this list at start-up (`poflow.runtime`, `poflow.cli`, `flows.serve`).
Adding a process: see docs/adding-a-process.md.
"""

from poflow.approvals.process import SPEC as APPROVALS
from poflow.checkins.process import SPEC as CHECKINS
from poflow.coaching.process import SPEC as COACHING
from poflow.conversations.process import SPEC as CONVERSATIONS
from poflow.engine import ProcessSpec
from poflow.hires.process import SPEC as HIRES
from poflow.introduction.process import SPEC as INTRODUCTION
from poflow.onboarding.process import SPEC as ONBOARDING
from poflow.recruitment.process import SPEC as RECRUITMENT

__all__ = ["DAILY_ORDER", "PROCESSES"]

PROCESSES: tuple[ProcessSpec, ...] = (
    CHECKINS,
    HIRES,
    ONBOARDING,
    APPROVALS,
    CONVERSATIONS,
    INTRODUCTION,
    RECRUITMENT,
    COACHING,
)

# The order of the day's work, one flow per process (`flows/<name>.py`, `poflow.runtime.run_day`):
# onboarding first, since a hire's check-in invitation waits for its welcome at work (CHK-2) and
# a move is told before its calendar items are withdrawn; then the processes that follow.
DAILY_ORDER: tuple[str, ...] = (
    "onboarding",
    "hires",
    "checkins",
    "introduction",
    "conversations",
    "recruitment",
)
