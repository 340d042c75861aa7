"""The peer baseline: the day done the naive way, one Prefect task per employee.

Each task looks up the employee's due actions, performs them with poflow's own handlers, and
sends that employee's mail over a connection of its own. It runs on a sample inside a real
(temporary) Prefect API; the caller extrapolates to the whole population.
"""

from __future__ import annotations

import smtplib
import time
from datetime import date

from prefect import flow, task
from sqlalchemy import select

from poflow.db.base import utcnow
from poflow.db.models import Action, Outbox
from poflow.mail.sending import compose
from poflow.runtime import get_runtime
from poflow.states import ActionState, MailState

__all__ = ["naive_day"]


@task(name="naive-employee", task_run_name="naive-{employee_id}")
def handle_employee(employee_id: str, municipality: str, day: date) -> int:
    """Everything due for one employee: perform the actions, then send its queued mail."""
    rt = get_runtime()
    handlers = rt.registry.handlers
    with rt.factory() as session, session.begin():
        due = session.scalars(
            select(Action).where(
                Action.case_id == employee_id,
                Action.state == ActionState.PENDING,
                Action.due_date <= day,
            )
        ).all()
        ctx = rt.context(session, municipality, day)
        for action in due:
            fn = handlers.get(action.kind)
            action.state = ActionState.DONE if fn and fn(ctx, action) else ActionState.SKIPPED
            action.done_at = utcnow()
    with rt.factory() as session, session.begin():
        rows = session.scalars(
            select(Outbox).where(Outbox.case_id == employee_id, Outbox.state == MailState.QUEUED)
        ).all()
        if rows:
            with smtplib.SMTP(rt.settings.smtp_host, rt.settings.smtp_port) as smtp:
                for row in rows:
                    smtp.send_message(
                        compose(row), from_addr=row.sender_email, to_addrs=[row.recipient_email]
                    )
                    row.state, row.sent_at = MailState.SENT, utcnow()
    return len(due)


@flow(name="naive-day", flow_run_name="naive-{day}")
def naive_day(employees: list[tuple[str, str]], day: date) -> float:
    """One task per (employee id, municipality), one after the other; returns the seconds."""
    began = time.perf_counter()
    for employee_id, municipality in employees:
        handle_employee(employee_id, municipality, day)
    return time.perf_counter() - began
