"""`poflow db`: create or upgrade the tables, copy the database to another."""

from __future__ import annotations

import typer

from poflow.cli_support import cli_runtime
from poflow.dbcopy import copy_command

__all__ = ["db_app"]

db_app = typer.Typer(help="The database: create or upgrade its tables.", no_args_is_help=True)
db_app.command("copy")(copy_command)


@db_app.command("upgrade")
def db_upgrade() -> None:
    """Create the tables or bring them to the newest version (Alembic migrations)."""
    rt = cli_runtime()
    typer.echo(f"Database is up to date: {rt.settings.resolved_database_url().split('@')[-1]}")
