"""Seed many running hires fast for the workspace bench (issue 21): plan a few hires with the real
importer and planner (and run their day), then clone each one's rows for the others.

Planning 2,000 hires through the importer and planner takes about twenty minutes; the pages only
read the rows, so, like the peak-day bench (bench/world.py), the bulk of the hires are inserted
directly. A clone copies its template's hire, steps, actions, mails and audit rows with its own
hire id, name, addresses, row ids, keys and message ids, so every table holds what a running
municipality's holds (about 32 steps, 100 actions, 10 mails and 100 audit rows a hire).
"""

from __future__ import annotations

import secrets
import uuid
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any

from sqlalchemy import Table, func, insert, or_, select, text
from sqlalchemy.orm import Session

from poflow.db.models import Action, AuditEntry, Hire, Outbox, Step

if TYPE_CHECKING:
    from poflow.runtime import Runtime

__all__ = ["bench_id", "clone_hires", "settle", "templates_for"]

CHUNK = 2_000


def bench_id(i: int) -> str:
    """The hire id of bench hire number `i`."""
    return f"NH-B-{i:05d}"


def templates_for(count: int, planned: int) -> dict[int, list[int]]:
    """Hire numbers 0..count-1 in `planned` runs of consecutive start dates: the first of each
    run is planned for real (the template), the rest are its clones. Template -> clones."""
    planned = max(1, min(count, planned))
    out: dict[int, list[int]] = {}
    for i in range(count):
        out.setdefault(out_key(i, count, planned), []).append(i)
    return {first: rest[1:] for first, rest in out.items()}


def out_key(i: int, count: int, planned: int) -> int:
    """The template of hire number `i`: the first number of its run."""
    run = i * planned // count
    return -(-run * count // planned)


def _rows(session: Session, table: Table, *where: Any) -> list[dict[str, Any]]:
    return [dict(r) for r in session.execute(select(table).where(*where)).mappings()]


def _swap(pairs: list[tuple[str, str]]) -> Callable[[str | None], str | None]:
    def swap(value: str | None) -> str | None:
        if value is None:
            return None
        for old, new in pairs:
            value = value.replace(old, new)
        return value

    return swap


def _next_ids(session: Session) -> dict[str, int]:
    return {
        t.name: (session.scalar(select(func.max(t.c.id))) or 0) + 1
        for t in (Step.__table__, Action.__table__, Outbox.__table__, AuditEntry.__table__)
    }


def _clone_one(
    tpl: dict[str, list[dict[str, Any]]], t: int, i: int, ids: dict[str, int]
) -> Iterator[tuple[str, dict[str, Any]]]:
    """(table name, row) of hire number `i` cloned from template number `t`'s rows `tpl`."""
    old, new = bench_id(t), bench_id(i)
    swap = _swap([(old, new), (f"Bench{t} ", f"Bench{i} "), (f"bench{t}@", f"bench{i}@")])
    hire = dict(tpl["hire"][0])
    hire.update(
        id=new,
        given_name=f"Bench{i}",
        private_email=swap(hire["private_email"]),
        work_email=swap(hire["work_email"]),
    )
    yield "hire", hire
    maps: dict[str, dict[int, int]] = {"step": {}, "action": {}}
    for table in ("step", "action", "outbox", "audit"):
        for row in tpl[table]:
            row = dict(row)
            if table in maps:
                maps[table][row["id"]] = ids[table]
            row["id"], ids[table] = ids[table], ids[table] + 1
            if table == "step":
                row.update(case_id=new, uid=f"poflow-step-{uuid.uuid4()}")
            elif table == "action":
                row.update(case_id=new, key=_own(swap, row["key"], new))
                row["step_id"] = _map(maps, "step", row)
            elif table == "outbox":
                row.update(
                    {k: swap(row[k]) for k in ("case_id", "recipient_email", "recipient_name")}
                )
                row.update(key=_own(swap, row["key"], new), subject=swap(row["subject"]))
                row.update(
                    body_text=swap(row["body_text"]),
                    body_html=swap(row["body_html"]),
                    ics=swap(row["ics"]),
                    message_id=f"<{secrets.token_hex(16)}@bench.example.nl>",
                    action_id=maps["action"].get(row["action_id"] or 0),
                )
            else:
                kind = row["entity_type"]
                row.update(seq=None, hash=None)
                row["entity_id"] = new if kind == "hire" else str(maps[kind][int(row["entity_id"])])
            yield table, row


def _own(swap: Callable[[str | None], str | None], key: str, hire_id: str) -> str:
    """The clone's unique key: the template's with the hire id swapped (or added when absent)."""
    swapped = swap(key) or key
    return swapped if swapped != key else f"{key}:{hire_id}"


def _map(maps: dict[str, dict[int, int]], table: str, row: dict[str, Any]) -> int | None:
    value = row.get(f"{table}_id")
    return None if value is None else maps[table][value]


def _template(session: Session, hire_id: str) -> dict[str, list[dict[str, Any]]]:
    """Every row of the template hire that the clones copy."""
    steps = _rows(session, Step.__table__, Step.case_type == "hire", Step.case_id == hire_id)
    action = Action.__table__.c
    actions = _rows(
        session, Action.__table__, action.case_type == "hire", action.case_id == hire_id
    )
    step_ids = [str(s["id"]) for s in steps] or [""]
    action_ids = [str(a["id"]) for a in actions] or [""]
    audit = AuditEntry.__table__.c
    return {
        "hire": _rows(session, Hire.__table__, Hire.id == hire_id),
        "step": steps,
        "action": actions,
        "outbox": _rows(
            session, Outbox.__table__, Outbox.case_type == "hire", Outbox.case_id == hire_id
        ),
        "audit": _rows(
            session,
            AuditEntry.__table__,
            or_(
                (audit.entity_type == "hire") & (audit.entity_id == hire_id),
                (audit.entity_type == "step") & audit.entity_id.in_(step_ids),
                (audit.entity_type == "action") & audit.entity_id.in_(action_ids),
            ),
        ),
    }


def clone_hires(rt: Runtime, plan: dict[int, list[int]]) -> int:
    """Insert the clones of `plan` (template number -> clone numbers); return rows written."""
    tables = {
        "hire": Hire.__table__,
        "step": Step.__table__,
        "action": Action.__table__,
        "outbox": Outbox.__table__,
        "audit": AuditEntry.__table__,
    }
    written = 0
    with rt.factory() as session, session.begin():
        ids = _next_ids(session)
        batch: dict[str, list[dict[str, Any]]] = {name: [] for name in tables}
        for t, clones in plan.items():
            tpl = _template(session, bench_id(t))
            for i in clones:
                for name, row in _clone_one(tpl, t, i, ids):
                    batch[name].append(row)
            if sum(len(b) for b in batch.values()) >= CHUNK * 10:
                written += _flush(session, tables, batch)
        written += _flush(session, tables, batch)
        if session.bind is not None and session.bind.dialect.name == "postgresql":
            for name in ("step", "action", "outbox", "audit"):
                session.execute(
                    text(
                        f"SELECT setval(pg_get_serial_sequence('{name}', 'id'), "  # noqa: S608  (constants only)
                        f"(SELECT max(id) FROM {name}))"
                    )
                )
    return written


def _flush(
    session: Session, tables: dict[str, Table], batch: dict[str, list[dict[str, Any]]]
) -> int:
    """Insert the batched rows, parents first (hire, step, action, outbox, audit)."""
    written = 0
    for name, table in tables.items():
        rows = batch[name]
        for start in range(0, len(rows), CHUNK):
            session.execute(insert(table), rows[start : start + CHUNK])
        written += len(rows)
        rows.clear()
    return written


def settle(rt: Runtime) -> None:
    """PostgreSQL: VACUUM ANALYZE after the bulk load, as autovacuum does for a running
    database, so the planner has statistics and index-only scans find their pages visible."""
    engine = rt.factory.kw["bind"]
    if engine.dialect.name != "postgresql":
        return
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text("VACUUM ANALYZE"))
