"""`poflow audit`: seal the audit log onto its hash chains and verify it (X-4)."""

from __future__ import annotations

from typing import Annotated

import typer
from sqlalchemy.exc import SQLAlchemyError

from poflow._exceptions import PoflowError
from poflow.audit_chain import heads, seal
from poflow.audit_verify import ChainReport, verify_log
from poflow.cli_support import cli_runtime, fail
from poflow.kernel.auditchain import chain_name, parse_anchor
from poflow.runtime import get_runtime, runtime_in_use

__all__ = ["audit_app", "seal_after_command"]

audit_app = typer.Typer(
    help="The audit log (X-4): each municipality's rows form a hash chain; verify finds any "
    "sealed row that was changed, deleted or inserted back-dated, and any approval or role "
    "without its audit row.",
    no_args_is_help=True,
)
SHOWN = 20  # findings printed; the first one names the first row that does not fit


@audit_app.command("verify")
def verify(
    municipality: Annotated[
        str | None, typer.Option(help="Only this municipality's chain, approvals and roles.")
    ] = None,
    anchor: Annotated[
        list[str] | None,
        typer.Option(
            help="A head published earlier (Prefect artifact `auditlog-<slug>` or the P&O "
            "mail's 'Controlegetal auditlog'), as SLUG:REGEL:HEX; repeatable."
        ),
    ] = None,
) -> None:
    """Seal the rows not yet sealed, then check every chain row by row (hash, sequence, head)
    and every approval and role assignment against its audit row.

    Prints one line per chain and names each row that does not fit; exit status 1 if any.
    """
    rt = cli_runtime()
    try:
        if municipality is not None:
            rt.config(municipality)
        anchors = [parse_anchor(a) for a in anchor or []]
    except PoflowError as exc:
        fail(str(exc))
    verdict = verify_log(rt.factory, municipality, anchors=anchors)
    for chain in verdict.chains:
        typer.echo(_chain_line(chain))
    facts = verdict.facts
    typer.echo(
        f"approvals: {facts.approvals} checked, roles: {facts.people} people checked"
        + (f": {len(facts.findings)} without their audit row" if facts.findings else ": OK")
    )
    problems = verdict.problems
    if not problems:
        typer.echo("The audit log is intact.")
        return
    for line in problems[:SHOWN]:
        typer.secho(line, fg=typer.colors.RED, err=True)
    if len(problems) > SHOWN:
        typer.secho(f"... and {len(problems) - SHOWN} more", fg=typer.colors.RED, err=True)
    fail(f"The audit log does not fit: {len(problems)} finding(s); the first is named above.")


def _chain_line(chain: ChainReport) -> str:
    head = chain.head
    where = f"head regel {head.seq} {head.hash[:16]}" if head is not None else "no head"
    verdict = f"{len(chain.findings)} finding(s)" if chain.findings else "OK"
    return f"{chain_name(chain.municipality)}: {chain.rows} sealed row(s), {where}: {verdict}"


@audit_app.command("heads")
def show_heads() -> None:
    """Seal the rows not yet sealed and print each chain's head (SLUG:REGEL:HEX), the value
    to keep outside poflow and give to `verify --anchor` later."""
    rt = cli_runtime()
    seal(rt.factory)
    with rt.factory() as session:
        for municipality, head in heads(session).items():
            typer.echo(
                f"{chain_name(municipality)}:{head.seq}:{head.hash}  (audit-id {head.audit_id})"
            )


def seal_after_command() -> None:
    """Seal what a command wrote, when it used the database (a `poflow` command's close).

    Best effort: the next dispatcher run seals whatever is left, so a failure only warns.
    """
    if not runtime_in_use():
        return
    try:
        seal(get_runtime().factory)
    except (SQLAlchemyError, PoflowError) as exc:
        typer.secho(f"Audit rows not sealed now ({exc}); the next tick seals them.", err=True)
