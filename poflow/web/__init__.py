"""poflow's web app: confirmation pages for action links (GET changes nothing, POST acts).

Kept light (the CLI imports `poflow.web.cli`): the app and the server load on first use.
"""

from __future__ import annotations

from typing import Any

__all__ = ["WebServer", "create_app", "run_web", "serve_web_in_thread"]


def __getattr__(name: str) -> Any:
    if name == "create_app":
        from poflow.web.app import create_app

        return create_app
    if name in {"WebServer", "run_web", "serve_web_in_thread"}:
        from poflow.web import server

        return getattr(server, name)
    raise AttributeError(f"module 'poflow.web' has no attribute {name!r}")
