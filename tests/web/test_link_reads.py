"""A link page is read without SQLite's write lock: showing it neither waits for a writer nor
holds up one (poflow.db.session.reading), and its heading and description read the item once."""

from __future__ import annotations

import sqlite3
import threading
from datetime import date
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import event

from poflow.web.app import create_app
from tests.onboarding.support import KB, add_kb_hire, add_kb_staff, link_for, run

FACILITAIR = "ilse.koster@kaag.example.nl"


def _item_link(rt: Any, smtp: Any) -> str:
    """The path of a digest's done link for the item "bureau-stoel" (no login needed)."""
    add_kb_staff(rt)
    add_kb_hire(rt)
    mails = run(rt, smtp, date(2027, 2, 1), date(2027, 2, 15), municipality=KB)
    digest = next(m for _, t, to, m in mails if t == "onboarding/digest" and to == FACILITAIR)
    return "/a/" + link_for(digest, "bureau-stoel").rsplit("/a/", 1)[1]


def test_a_link_page_is_shown_while_another_process_writes(sqlite_runtime: Any, smtp: Any):
    """While another connection holds SQLite's write lock, a link page is still shown at once,
    with the item and the hire it is for, in three statements."""
    rt = sqlite_runtime
    path = _item_link(rt, smtp)
    client = TestClient(create_app(rt.settings))
    statements: list[str] = []
    engine = rt.factory.kw["bind"]

    def count(*args: Any) -> None:
        statements.append(args[2])

    event.listen(engine, "before_cursor_execute", count)
    writer = sqlite3.connect(rt.settings.resolved_database_url().split("///", 1)[1])
    writer.isolation_level = None
    writer.execute("BEGIN IMMEDIATE")  # e.g. the dispatcher sending mail
    answered: list[Any] = []
    try:
        shown = threading.Thread(target=lambda: answered.append(client.get(path)), daemon=True)
        shown.start()
        shown.join(10)  # a page waiting for the lock would wait the busy timeout (30 s)
    finally:
        writer.execute("ROLLBACK")
        writer.close()
    event.remove(engine, "before_cursor_execute", count)
    assert answered, "the link page waited for the write lock"
    page = answered[0]
    assert page.status_code == 200
    assert "Punt afvinken" in page.text
    assert page.text.count("voor Fenna de Graaf") >= 2  # heading and description name her
    assert len(statements) == 3, statements  # BEGIN, the link, the item with its hire's name
