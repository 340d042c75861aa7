"""Tests of data migrations: mail queued and sent before the templates moved keeps working."""

from __future__ import annotations

import importlib
from pathlib import Path

from alembic import command
from sqlalchemy import create_engine, text

from poflow.db.session import alembic_config
from poflow.settings import Settings
from tests.support import insert_old_outbox_row

RENAMES = importlib.import_module("poflow.db.migrations.versions.0012_templates_per_process")


def test_every_renamed_template_exists_under_its_new_name():
    """Each (old, new) pair of migration 0012 names a template pair that is there now."""
    mail = Path(Settings().templates_dir) / "mail"
    missing = [
        new
        for _, new in RENAMES.RENAMED
        if not (mail / f"{new}.txt").is_file() or not (mail / f"{new}.html").is_file()
    ]
    assert missing == []
    assert len(RENAMES.RENAMED) >= 50


def test_x_1_outbox_rows_get_the_moved_templates_names(db_url: str):
    """A row written before the move (template onb_welkom_prive) carries the new name after the
    upgrade, and the downgrade gives the old one back; other names are left alone."""
    cfg = alembic_config(db_url)
    command.downgrade(cfg, "0011")
    engine = create_engine(db_url)
    try:
        with engine.begin() as conn:
            for key, template in (("a", "onb_welkom_prive"), ("b", "afspraak_geannuleerd")):
                insert_old_outbox_row(conn, key=key, template=template)
        command.upgrade(cfg, "heads")
        with engine.connect() as conn:
            after = dict(conn.execute(text("SELECT key, template FROM outbox")).all())
        command.downgrade(cfg, "0011")
        with engine.connect() as conn:
            back = dict(conn.execute(text("SELECT key, template FROM outbox")).all())
    finally:
        engine.dispose()
    assert after == {"a": "onboarding/welkom_prive", "b": "afspraak_geannuleerd"}
    assert back == {"a": "onb_welkom_prive", "b": "afspraak_geannuleerd"}
