"""`poflow db copy --to URL`: move an installation's database, e.g. from SQLite to PostgreSQL.

The target is migrated with Alembic to the newest schema, must hold no rows, and must then be at
the same schema version as the source. Every table is copied in dependency order (parents before
children) in batches inside one target transaction, identity sequences are moved past the
copied ids, and each table's row count is compared before the commit: all tables or none.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated

import typer
from sqlalchemy import Connection, Engine, Table, func, insert, inspect, select, text

from poflow._exceptions import DatabaseCopyRefused, PoflowError
from poflow.db.session import make_engine, upgrade_schema
from poflow.tables import schema_metadata

__all__ = ["copy_command", "copy_database"]

Progress = Callable[[str, int], None]


def _versions(engine: Engine) -> set[str]:
    if not inspect(engine).has_table("alembic_version"):
        return set()
    with engine.connect() as conn:
        return set(conn.scalars(text("SELECT version_num FROM alembic_version")))


def _count(engine: Engine, table: Table) -> int:
    with engine.connect() as conn:
        return conn.scalar(select(func.count()).select_from(table)) or 0


def _tables(source: Engine) -> list[Table]:
    present = set(inspect(source).get_table_names())
    return [t for t in schema_metadata().sorted_tables if t.name in present]


def copy_database(
    source_url: str, target_url: str, *, batch: int = 5_000, progress: Progress | None = None
) -> dict[str, int]:
    """Copy every poflow table from `source_url` to `target_url`; rows per table.

    Raises DatabaseCopyRefused when the target holds rows, the schema versions differ or a
    count does not match afterwards (then nothing of the copy is committed).
    """
    source, target = make_engine(source_url), make_engine(target_url)
    where = target_url.split("@")[-1]
    upgrade_schema(target_url)
    if _versions(source) != _versions(target):
        raise DatabaseCopyRefused(
            f"Cannot copy to {where}: the source is at schema version(s) "
            f"{sorted(_versions(source))} and the target at {sorted(_versions(target))}; "
            "run `poflow db upgrade` on the source first."
        )
    tables = _tables(source)
    filled = [t.name for t in tables if _count(target, t)]
    if filled:
        raise DatabaseCopyRefused(
            f"Cannot copy to {where}: the target already holds rows in {', '.join(filled)}; "
            "copy only into an empty database."
        )
    copied: dict[str, int] = {}
    with target.begin() as out:
        for table in tables:
            order = list(table.primary_key.columns) or list(table.columns)
            n = 0
            with source.connect() as inp:
                result = inp.execution_options(yield_per=batch).execute(
                    select(table).order_by(*order)
                )
                for part in result.partitions(batch):
                    out.execute(insert(table), [dict(row._mapping) for row in part])
                    n += len(part)
                    if progress:
                        progress(table.name, len(part))
            copied[table.name] = n
            if target.dialect.name == "postgresql":
                _advance_identity(out, table)
        for table in tables:
            there = out.scalar(select(func.count()).select_from(table)) or 0
            if there != copied[table.name] or there != _count(source, table):
                raise DatabaseCopyRefused(
                    f"Copy to {where} stopped: table {table.name} has {there} row(s) in the "
                    f"target against {_count(source, table)} in the source; nothing was kept."
                )
    return copied


def _advance_identity(conn: Connection, table: Table) -> None:
    """Move a serial/identity column's sequence past the copied ids (PostgreSQL)."""
    for column in table.primary_key.columns:
        if not column.autoincrement or column.type.python_type is not int:
            continue
        conn.execute(
            text(
                f"SELECT setval(pg_get_serial_sequence('{table.name}', '{column.name}'), "  # noqa: S608  (names from poflow's own metadata)
                f"COALESCE((SELECT MAX({column.name}) FROM {table.name}), 0) + 1, false)"
            )
        )


def copy_command(
    to: Annotated[
        str,
        typer.Option(
            "--to", help="Target SQLAlchemy URL, e.g. postgresql+psycopg://user:pw@host:5432/poflow"
        ),
    ],
    batch: Annotated[int, typer.Option(help="Rows per insert batch.")] = 5_000,
) -> None:
    """Copy this installation's database (POFLOW_DATABASE_URL) into an empty target database."""
    from poflow.settings import get_settings

    source = get_settings().resolved_database_url()
    try:
        copied = copy_database(source, to, batch=batch)
    except PoflowError as exc:
        typer.echo(f"Error: {exc}", err=True)
        raise typer.Exit(1) from None
    for name, n in copied.items():
        typer.echo(f"{name}: {n} row(s)")
    typer.echo(
        f"Copied {sum(copied.values())} row(s) in {len(copied)} table(s) to "
        f"{to.split('@')[-1]}; point POFLOW_DATABASE_URL at it."
    )
