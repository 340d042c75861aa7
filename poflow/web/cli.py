"""`poflow web`: serve the pages behind the action links (loopback by default)."""

from __future__ import annotations

from typing import Annotated

import typer

__all__ = ["app"]

app = typer.Typer(help="Serve the Dutch pages behind the links in poflow's mails.")


@app.callback(invoke_without_command=True)
def web(
    host: Annotated[
        str | None, typer.Option(help="Address to bind; default POFLOW_WEB_HOST (127.0.0.1)")
    ] = None,
    port: Annotated[int | None, typer.Option(help="Port; default POFLOW_WEB_PORT (8765)")] = None,
    workers: Annotated[
        int | None,
        typer.Option(
            min=1, help="Worker processes, each its own database pool; default one per CPU"
        ),
    ] = None,
) -> None:
    """Serve the link pages until Ctrl-C; links in mails point at POFLOW_BASE_URL."""
    from poflow.db.session import upgrade_schema
    from poflow.runtime import prepare_environment
    from poflow.settings import get_settings
    from poflow.web.server import default_workers, run_web

    settings = get_settings()
    settings.refuse_insecure_secrets(host)  # before anything starts: InsecureSecret, exit 1
    prepare_environment(settings)
    upgrade_schema(settings.resolved_database_url())
    count = default_workers() if workers is None else workers
    bound = f"{host or settings.web_host}:{settings.web_port if port is None else port}"
    typer.echo(
        f"poflow web on http://{bound} ({count} worker processes); links point at "
        f"{settings.resolved_base_url()}. Ctrl-C stops."
    )
    run_web(settings, host=host, port=port, workers=count)
