"""Tests of calendar UIDs (ONB-5): unique per installation, stable for a step, and unchanged for
the steps that existed before migration 0018."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import create_engine, text

from poflow.db.session import alembic_config
from tests.conftest import EXAMPLES, SmtpRecorder, runtime_on
from tests.support import ics_of


def _uids_of_one_installation(
    monkeypatch: pytest.MonkeyPatch, url: str, data_dir: Path, smtp: SmtpRecorder
) -> set[str]:
    """Import the example data into the database at `url`, run a day, return the UIDs sent."""
    from poflow.importer import import_hires, import_staff
    from poflow.runtime import get_runtime, run_day

    before = len(smtp.messages)
    with runtime_on(monkeypatch, url=url, data_dir=data_dir, smtp_port=smtp.port):
        rt = get_runtime()
        with rt.factory() as session, session.begin():
            import_staff(session, EXAMPLES / "staff.csv", rt.configs)
            import_hires(session, EXAMPLES / "hires.csv", rt.configs)
        run_day(rt, date(2027, 1, 4))
    return {
        str(event["UID"])
        for m in smtp.messages[before:]
        if (cal := ics_of(m)) is not None
        for event in cal.walk("VEVENT")
    }


def test_onb_5_two_installations_never_share_a_calendar_uid(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, db_url: str, smtp: SmtpRecorder
):
    """The same data in a rebuilt (second) database sends invitations with other UIDs, so no
    installation overwrites another's events in people's calendars."""
    from poflow.db.session import upgrade_schema

    second = f"sqlite:///{tmp_path / 'rebuilt.db'}"
    upgrade_schema(second)
    first_uids = _uids_of_one_installation(monkeypatch, db_url, tmp_path / "one", smtp)
    second_uids = _uids_of_one_installation(monkeypatch, second, tmp_path / "two", smtp)
    assert first_uids
    assert len(second_uids) == len(first_uids)
    assert first_uids.isdisjoint(second_uids)


def test_onb_5_migration_0018_keeps_the_uid_of_steps_that_were_invited_before(db_url: str):
    """A step that existed before the upgrade keeps the UID its invitations carry
    (poflow-step-<id>), so a later update or cancellation still finds the event."""
    cfg = alembic_config(db_url)
    command.downgrade(cfg, "0015")
    engine = create_engine(db_url)
    try:
        with engine.begin() as conn:
            conn.execute(
                text(
                    "INSERT INTO step (id, municipality, case_type, case_id, process, key, title, "
                    "due_date, state, sequence, data) VALUES (41, 'hardenberg', 'hire', 'NH-1', "
                    "'chk', 'checkin:1', 't', '2027-03-01', 'open', 2, '{}')"
                )
            )
        command.upgrade(cfg, "heads")
        with engine.connect() as conn:
            uid = conn.execute(text("SELECT uid FROM step WHERE id = 41")).scalar_one()
    finally:
        engine.dispose()
    assert uid == "poflow-step-41"
