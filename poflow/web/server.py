"""Run the web app with uvicorn: in the foreground (`poflow web`) or in a background thread
(`poflow serve`, the demo and the tests). Access logs stay off: URLs carry link tokens."""

from __future__ import annotations

import contextvars
import threading
import time
from dataclasses import dataclass

import uvicorn

from poflow.settings import Settings, get_settings
from poflow.web.app import create_app
from poflow.web.limits import MAX_HEAD

__all__ = ["WebServer", "run_web", "serve_web_in_thread"]


def _config(settings: Settings, host: str | None, port: int | None) -> uvicorn.Config:
    """The server for the app; `host` overrides POFLOW_WEB_HOST and is what the secrets are
    judged against (InsecureSecret off loopback with a key anyone may know)."""
    settings.refuse_insecure_secrets(host)
    return uvicorn.Config(
        create_app(settings),
        host=host or settings.web_host,
        port=settings.web_port if port is None else port,
        access_log=False,
        log_level="warning",
        lifespan="off",
        server_header=False,
        http="h11",
        h11_max_incomplete_event_size=MAX_HEAD,
    )


def run_web(
    settings: Settings | None = None, *, host: str | None = None, port: int | None = None
) -> None:
    """Serve until interrupted (Ctrl-C)."""
    uvicorn.Server(_config(settings or get_settings(), host, port)).run()


@dataclass
class WebServer:
    """A web app running in a background thread; `stop()` ends it."""

    server: uvicorn.Server
    thread: threading.Thread
    host: str
    port: int

    @property
    def url(self) -> str:
        """The address it listens on, e.g. http://127.0.0.1:8765."""
        return f"http://{self.host}:{self.port}"

    def stop(self, timeout: float = 10.0) -> None:
        """Ask the server to finish its requests and stop; wait for the thread."""
        self.server.should_exit = True
        self.thread.join(timeout)


def serve_web_in_thread(
    settings: Settings | None = None,
    *,
    host: str | None = None,
    port: int | None = None,
    startup_timeout: float = 15.0,
) -> WebServer:
    """Start the web app in a daemon thread and return once it accepts connections.

    Port 0 picks a free port (see `WebServer.port`). RuntimeError when it cannot start,
    e.g. because the port is taken.
    """
    settings = settings or get_settings()
    server = uvicorn.Server(_config(settings, host, port))
    context = contextvars.copy_context()  # e.g. the Prefect API settings of the caller
    thread = threading.Thread(
        target=context.run, args=(server.run,), name="poflow-web", daemon=True
    )
    thread.start()
    deadline = time.monotonic() + startup_timeout
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            server.should_exit = True
            raise RuntimeError(
                f"The poflow web app could not start on "
                f"{host or settings.web_host}:{port or settings.web_port}."
            )
        time.sleep(0.02)
    bound = server.servers[0].sockets[0].getsockname()
    return WebServer(server, thread, bound[0], bound[1])
