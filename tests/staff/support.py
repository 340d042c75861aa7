"""Helpers of the role-grant review tests: an import that leaves a grant waiting, and the mail
that tells P&O about it."""

from __future__ import annotations

import csv
import hashlib
import re
from pathlib import Path
from typing import Any

from sqlalchemy import select

from poflow.db.models import Outbox
from poflow.importer import import_staff
from poflow.kernel.calendar import today
from poflow.staff.notify import TEMPLATE
from poflow.web.guard import csrf_token
from poflow.web.identity import SESSION_COOKIE
from tests.conftest import EXAMPLES

PO_MAILBOX = "po@hardenberg.example.nl"
REVIEW = re.compile(r"https?://[^\s\"<>]+/rollen/([0-9a-f]{32})")


def import_examples(rt: Any) -> None:
    """The example staff of Hardenberg (bootstrap: nobody could confirm yet, so roles hold)."""
    with rt.factory() as session, session.begin():
        import_staff(session, EXAMPLES / "staff.csv", rt.configs)


def grant_by_import(
    rt: Any, tmp: Path, changes: dict[str, str], actor: str = "cli:beheer"
) -> tuple[str, Outbox]:
    """Re-import the example staff with `changes` (person id -> roles) as `actor`, the way
    `poflow import staff` does; return the review page's batch and the mail to P&O."""
    with (EXAMPLES / "staff.csv").open(encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    for row in rows:
        row["roles"] = changes.get(row["employee_id"], row["roles"])
    path = tmp / "staff.csv"
    with path.open("w", encoding="utf-8", newline="") as f:
        out = csv.DictWriter(f, fieldnames=list(rows[0]))
        out.writeheader()
        out.writerows(rows)
    with rt.factory() as session, session.begin():
        result = import_staff(
            session,
            path,
            rt.configs,
            actor=actor,
            contexts=lambda slug: rt.context(session, slug, today(), actor=actor),
        )
    assert result.waiting == len(changes), result
    with rt.factory() as session:
        mail = session.scalars(select(Outbox).where(Outbox.template == TEMPLATE)).all()[-1]
        session.expunge(mail)
    found = REVIEW.search(mail.body_text)
    assert found, mail.body_text
    return found.group(1), mail


def page_csrf(client: Any, rt: Any, batch: str) -> str:
    """The CSRF value the review page carries for the client's session: what a crafted POST by
    a logged-in person to whom the page shows no buttons would need."""
    bound = hashlib.sha256(client.cookies[SESSION_COOKIE].encode()).hexdigest()[:32]
    return csrf_token(rt.settings.secret_key.get_secret_value(), f"rollen:{batch}:{bound}", "-")
