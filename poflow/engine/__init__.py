"""The process engine: what processes declare, the Context they work in, and the dispatcher's
two passes (plan new hires, perform due actions).

- `process`: `ProcessSpec`, one process's declaration, and the `Registry` built from all of them.
- `context`: `Context`, one session, one municipality, one day, for planners and handlers.
- `cases`: a session's picture of a case's steps and actions (read once per session).
- `agenda`: which municipalities have work, planning, and performing due actions in batches.
- `casework`: helpers for process code about a hire's case (live, cancel, close a step).
"""

from poflow.engine.agenda import (
    MUNICIPALITIES_PER_PASS,
    DayReport,
    DayWork,
    municipalities_with_work,
    perform_due,
    perform_due_in,
    perform_groups,
    plan_hire,
    plan_hires,
)
from poflow.engine.cases import note_actions_added, track_cases
from poflow.engine.casework import (
    cancel_pending_actions,
    cancel_queued_mail,
    days,
    invited_addresses,
    invited_recipients,
    last_invitation,
    live_hire,
    live_hire_step,
    step_close,
)
from poflow.engine.context import SYSTEM_ACTOR, TZ, Context, local_datetime
from poflow.engine.process import (
    BatchHandler,
    Handler,
    Planner,
    ProcessSpec,
    Registry,
    StatusColumn,
)

__all__ = [
    "MUNICIPALITIES_PER_PASS",
    "SYSTEM_ACTOR",
    "TZ",
    "BatchHandler",
    "Context",
    "DayReport",
    "DayWork",
    "Handler",
    "Planner",
    "ProcessSpec",
    "Registry",
    "StatusColumn",
    "cancel_pending_actions",
    "cancel_queued_mail",
    "days",
    "invited_addresses",
    "invited_recipients",
    "last_invitation",
    "live_hire",
    "live_hire_step",
    "local_datetime",
    "municipalities_with_work",
    "note_actions_added",
    "perform_due",
    "perform_due_in",
    "perform_groups",
    "plan_hire",
    "plan_hires",
    "step_close",
    "track_cases",
]
