"""The audit log's hash chain in the database (X-4): seal new rows onto their chains.

Audit rows are written unsealed on the hot path (`poflow.audit`; bulk INSERTs, INSERT ...
SELECT, COPY), by several dispatchers at once. `seal` then gives them, per municipality and in
id order, their place ("regel") and hash (`poflow.kernel.auditchain`) in a short transaction of
its own, holding that municipality's head row (`audit_chain`) locked: `SELECT ... FOR UPDATE`
on PostgreSQL, the database's write lock (BEGIN IMMEDIATE) on SQLite. Writers never wait for
it. It runs at the end of every dispatcher day, after CLI commands and in `poflow audit verify`.
A row sealed with a time well before the chain's latest time is named as back-dated (logged,
returned, and found again by every verify); it is sealed all the same.
"""

from __future__ import annotations

import itertools
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, Row, Select, bindparam, or_, select, text, update
from sqlalchemy.orm import Session, sessionmaker

from poflow._exceptions import AuditTamperError
from poflow.db.base import insert_for, one_of, table_of, utcnow
from poflow.db.models import AuditChainHead, AuditEntry
from poflow.kernel.auditchain import (
    GENESIS,
    AuditRow,
    Head,
    chain_name,
)
from poflow.kernel.auditchain import seal as seal_rows

__all__ = [
    "AUDIT",
    "COLUMNS",
    "SealReport",
    "chain_of",
    "chains_to_seal",
    "head_of",
    "heads",
    "key_of",
    "row_of",
    "seal",
]

log = logging.getLogger("poflow.audit")
CHUNK = 20_000  # rows per sealing transaction: a peak day (12,000) in one, an old log in several
AUDIT = table_of(AuditEntry)
HEADS = table_of(AuditChainHead)
COLUMNS = (
    AUDIT.c.id,
    AUDIT.c.at,
    AUDIT.c.municipality,
    AUDIT.c.actor,
    AUDIT.c.action,
    AUDIT.c.entity_type,
    AUDIT.c.entity_id,
    AUDIT.c.detail,
    AUDIT.c.seq,
    AUDIT.c.hash,
)


@dataclass(frozen=True, slots=True)
class SealReport:
    """One chain after sealing: how many rows were sealed, its head, back-dated row ids."""

    municipality: str | None
    sealed: int
    head: Head
    backdated: tuple[int, ...] = ()


def key_of(municipality: str | None) -> str:
    """A chain's key in the head table: its municipality, or "" for the rows without one."""
    return municipality or ""


def chain_of(municipality: str | None) -> Any:
    """The condition on audit rows that selects one chain."""
    return (
        AUDIT.c.municipality.is_(None)
        if municipality is None
        else (AUDIT.c.municipality == municipality)
    )


def row_of(row: Any) -> AuditRow:
    """An audit row read with COLUMNS (a result row), as the kernel sees it."""
    return AuditRow(
        id=row.id,
        at=row.at,
        municipality=row.municipality,
        actor=row.actor,
        action=row.action,
        entity_type=row.entity_type,
        entity_id=row.entity_id,
        detail=row.detail or {},
        seq=row.seq,
        hash=row.hash,
    )


def _head(row: Row[Any] | None) -> Head | None:
    return None if row is None else Head(row.seq, row.hash, row.audit_id, row.at)


def head_of(session: Session, municipality: str | None) -> Head | None:
    """The chain's head as last sealed, or None before its first seal."""
    return _head(
        session.execute(select(HEADS).where(HEADS.c.municipality == key_of(municipality))).first()
    )


def heads(session: Session) -> dict[str | None, Head]:
    """Every chain's head, by municipality (None: the rows without one)."""
    return {
        row.municipality or None: Head(row.seq, row.hash, row.audit_id, row.at)
        for row in session.execute(select(HEADS).order_by(HEADS.c.municipality))
    }


def chains_to_seal(session: Session, only: str | None = None) -> list[str | None]:
    """The chains with unsealed rows (every chain, or municipality `only`'s)."""
    query = select(AUDIT.c.municipality).where(AUDIT.c.seq.is_(None)).distinct()
    if only is not None:
        query = query.where(AUDIT.c.municipality == only)
    return sorted(session.scalars(query), key=key_of)


def seal(factory: sessionmaker[Session], municipality: str | None = None) -> list[SealReport]:
    """Seal the unsealed rows of every chain (or of `municipality`'s); a report per chain that
    had any. One short transaction per CHUNK rows, holding the heads of those chains locked
    (taken in name order, so two sealers never wait for each other in a circle)."""
    with factory() as session:
        chains = chains_to_seal(session, municipality)
    if not chains:
        return []
    sealed: dict[str | None, int] = {}
    moved: dict[str | None, Head] = {}
    backdated: dict[str | None, list[int]] = {}
    while True:
        with factory() as session, session.begin():
            current = _locked_heads(session, chains)
            rows = [row_of(r) for r in session.execute(_unsealed(session, chains).limit(CHUNK))]
            if not rows:
                break
            seals: list[tuple[int, int, str]] = []
            # Rows by chain, each chain's in id order: the oldest CHUNK rows hold, per chain,
            # the start of its unsealed rows.
            for chain, group in itertools.groupby(
                sorted(rows, key=lambda r: (key_of(r.municipality), r.id)), lambda r: r.municipality
            ):
                outcome = seal_rows(current[chain], group)
                seals += outcome.seals
                moved[chain] = outcome.head
                sealed[chain] = sealed.get(chain, 0) + len(outcome.seals)
                backdated.setdefault(chain, []).extend(
                    f.audit_id for f in outcome.backdated if f.audit_id is not None
                )
            _write(session, seals)
            _move(session, {chain: moved[chain] for chain in current if chain in moved})
        if len(rows) < CHUNK:
            break
    for chain, ids in backdated.items():
        if ids:
            log.warning(
                "audit chain %s: %d back-dated row(s) sealed, audit ids %s",
                chain_name(chain),
                len(ids),
                ids[:20],
            )
    return [
        SealReport(chain, sealed[chain], moved[chain], tuple(backdated.get(chain, [])))
        for chain in chains
        if chain in sealed
    ]


def _unsealed(session: Session, chains: list[str | None]) -> Select[Any]:
    named = [c for c in chains if c is not None]
    where: ColumnElement[bool] = one_of(session, AUDIT.c.municipality, named)
    if None in chains:
        where = or_(where, AUDIT.c.municipality.is_(None))
    return select(*COLUMNS).where(where, AUDIT.c.seq.is_(None)).order_by(AUDIT.c.id)


def _locked_heads(session: Session, chains: list[str | None]) -> dict[str | None, Head]:
    """The chains' head rows, created when missing, locked until the transaction ends."""
    keys = [key_of(c) for c in chains]
    these = one_of(session, HEADS.c.municipality, keys)
    have = set(session.scalars(select(HEADS.c.municipality).where(these)))
    if missing := [k for k in keys if k not in have]:
        now = utcnow()
        session.execute(
            insert_for(session, HEADS)
            .values(
                [{"municipality": k, "seq": 0, "hash": GENESIS, "sealed_at": now} for k in missing]
            )
            .on_conflict_do_nothing(index_elements=["municipality"])
        )
    rows = session.execute(
        select(HEADS).where(these).order_by(HEADS.c.municipality).with_for_update()
    )
    return {row.municipality or None: Head(row.seq, row.hash, row.audit_id, row.at) for row in rows}


def _move(session: Session, moved: dict[str | None, Head]) -> None:
    now = utcnow()
    session.execute(
        update(HEADS)
        .where(HEADS.c.municipality == bindparam("chain"))
        .values(
            seq=bindparam("new_seq"),
            hash=bindparam("new_hash"),
            audit_id=bindparam("new_id"),
            at=bindparam("new_at"),
            sealed_at=now,
        ),
        [
            {
                "chain": key_of(chain),
                "new_seq": head.seq,
                "new_hash": head.hash,
                "new_id": head.audit_id,
                "new_at": head.at,
            }
            for chain, head in moved.items()
        ],
    )


def _write(session: Session, seals: Sequence[tuple[int, int, str]]) -> None:
    """Give each row its seq and hash; only rows still unsealed (the trigger allows no more)."""
    if session.get_bind().dialect.name == "postgresql":
        done = (
            session.connection()
            .execute(
                text(
                    "UPDATE audit SET seq = v.seq, hash = v.hash FROM (SELECT "
                    "unnest(CAST(:ids AS integer[])) AS id, "
                    "unnest(CAST(:seqs AS integer[])) AS seq, "
                    "unnest(CAST(:hashes AS varchar[])) AS hash) AS v "
                    "WHERE audit.id = v.id AND audit.seq IS NULL"
                ),
                {
                    "ids": [s[0] for s in seals],
                    "seqs": [s[1] for s in seals],
                    "hashes": [s[2] for s in seals],
                },
            )
            .rowcount
        )
    else:
        statement = (
            update(AUDIT)
            .where(AUDIT.c.id == bindparam("row_id"), AUDIT.c.seq.is_(None))
            .values(seq=bindparam("row_seq"), hash=bindparam("row_hash"))
        )
        session.execute(
            statement, [{"row_id": i, "row_seq": q, "row_hash": h} for i, q, h in seals]
        )
        done = len(seals)
    if done != len(seals):
        raise AuditTamperError(
            f"Sealing the audit log: {len(seals) - done} of {len(seals)} rows were sealed by "
            "someone else meanwhile; nothing was sealed."
        )
