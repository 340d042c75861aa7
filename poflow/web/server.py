"""Run the web app with uvicorn: in the foreground (`poflow web`, one or several worker
processes), in worker processes beside poflow's own (`poflow serve`), or in a background
thread (the demo and the tests). Access logs stay off: URLs carry link tokens.

Several workers: uvicorn binds the socket once and starts each worker process (spawned), which
builds the app with `web_app()` from the environment's settings: its own runtime and database
pool. On SQLite they share the file as poflow's other processes do (WAL, busy timeout)."""

from __future__ import annotations

import contextvars
import http.client
import os
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from typing import Any

import uvicorn
from fastapi import FastAPI

from poflow.settings import Settings, get_settings
from poflow.web.app import create_app
from poflow.web.limits import MAX_HEAD

__all__ = [
    "WebProcesses",
    "WebServer",
    "default_workers",
    "run_web",
    "serve_web_in_processes",
    "serve_web_in_thread",
    "web_app",
]

APP = f"{__name__}:web_app"  # what each worker process imports and calls


def default_workers() -> int:
    """The worker processes `poflow web` and `poflow serve` start unless told: one per CPU."""
    return os.cpu_count() or 1


def web_app() -> FastAPI:
    """The app of one worker process, for the settings in its environment (uvicorn's factory)."""
    return create_app(get_settings())


def _options(settings: Settings, host: str | None, port: int | None) -> dict[str, Any]:
    """uvicorn's options; `host` overrides POFLOW_WEB_HOST and is what the secrets are judged
    against (InsecureSecret off loopback with a key anyone may know)."""
    settings.refuse_insecure_secrets(host)
    return {
        "host": host or settings.web_host,
        "port": settings.web_port if port is None else port,
        "access_log": False,
        "log_level": "warning",
        "lifespan": "on",  # each worker's start-up: poflow.web.app._lifespan
        "server_header": False,
        "http": "h11",
        "h11_max_incomplete_event_size": MAX_HEAD,
    }


def _config(settings: Settings, host: str | None, port: int | None) -> uvicorn.Config:
    """The server for the app in this process."""
    return uvicorn.Config(create_app(settings), **_options(settings, host, port))


def run_web(
    settings: Settings | None = None,
    *,
    host: str | None = None,
    port: int | None = None,
    workers: int = 1,
) -> None:
    """Serve until interrupted (Ctrl-C or SIGTERM), in this process (`workers` 1) or in
    `workers` processes. The workers read their settings from the environment: `settings`
    must be those (ValueError otherwise); `host` and `port` are passed on to them in it."""
    settings = settings or get_settings()
    if workers <= 1:
        uvicorn.Server(_config(settings, host, port)).run()
        return
    options = _options(settings, host, port)  # InsecureSecret here, before anything listens
    if settings != get_settings():
        raise ValueError("Several web workers read their settings from the environment only.")
    os.environ["POFLOW_WEB_HOST"] = options["host"]  # the workers judge secrets as we did
    os.environ["POFLOW_WEB_PORT"] = str(options["port"])
    uvicorn.run(APP, factory=True, workers=workers, **options)


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


@dataclass
class WebProcesses:
    """The web app in worker processes beside this one (`poflow serve`); `stop()` ends them."""

    process: subprocess.Popen[bytes]
    host: str
    port: int
    workers: int

    @property
    def url(self) -> str:
        """The address it listens on, e.g. http://127.0.0.1:8765."""
        return f"http://{self.host}:{self.port}"

    def stop(self, timeout: float = 20.0) -> None:
        """Ask the workers to finish their requests and stop (SIGTERM); wait for them."""
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def _answers(host: str, port: int) -> bool:
    conn = http.client.HTTPConnection(host, port, timeout=2)
    try:
        conn.request("GET", "/healthz")
        return conn.getresponse().status == 200
    except OSError:
        return False
    finally:
        conn.close()


def serve_web_in_processes(
    settings: Settings | None = None,
    *,
    workers: int,
    host: str | None = None,
    port: int | None = None,
    startup_timeout: float = 60.0,
) -> WebProcesses:
    """Start the web app in `workers` processes (run_web in a child process of this one, with
    this environment) and return once it answers /healthz. RuntimeError when it cannot start."""
    settings = settings or get_settings()
    options = _options(settings, host, port)  # InsecureSecret here, before anything starts
    bound_host, bound_port = options["host"], options["port"]
    code = (
        "from poflow.web.server import run_web; "
        f"run_web(host={bound_host!r}, port={bound_port!r}, workers={workers!r})"
    )
    process = subprocess.Popen([sys.executable, "-c", code], env=os.environ.copy())  # noqa: S603  (our own interpreter and module)
    deadline = time.monotonic() + startup_timeout
    while not _answers(bound_host, bound_port):
        if process.poll() is not None or time.monotonic() > deadline:
            WebProcesses(process, bound_host, bound_port, workers).stop()
            raise RuntimeError(f"The poflow web app could not start on {bound_host}:{bound_port}.")
        time.sleep(0.2)
    return WebProcesses(process, bound_host, bound_port, workers)
