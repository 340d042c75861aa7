"""The request body limit of the web app, held on the bytes actually read.

A Content-Length over the limit is refused before a byte is read; a body without one (chunked
transfer encoding) is read only up to the limit and refused as soon as it goes past it, so the
rest is never read. A link form is small: 64 KiB is far more than any page of poflow sends.
The workspace's import uploads (`UPLOAD_PATHS`: staff or hires, candidates, e-learning
completions) may send a file of up to 2 MiB (some 10,000 rows of CSV): larger, still bounded.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from starlette.datastructures import Headers
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

__all__ = ["MAX_BODY", "MAX_HEAD", "MAX_UPLOAD", "UPLOAD_PATHS", "BodyLimit"]

MAX_BODY = 64 * 1024
MAX_UPLOAD = 2 * 1024 * 1024  # an import file uploaded in the workspace, with its form
# The paths that may send MAX_UPLOAD: the staff/hires, candidates and e-learning imports.
UPLOAD_PATHS = frozenset(
    {"/medewerkers/importeren", "/werving/importeren", "/introductie/elearning"}
)
# The request line and headers h11 buffers before it must have them whole. Without a limit of
# our own it is h11's 16 KiB, applied only when a request arrives in more than one read: a long
# URL was then parsed or cut off with a reset depending on how the network split it. With this,
# any head up to 128 KiB reaches the app (which refuses an over-long token at bounded cost) and
# a longer one is refused by h11, however it arrives.
MAX_HEAD = 128 * 1024


class BodyLimit:
    """ASGI middleware: read each request's body (up to `limit` bytes) before the app runs, and
    answer `refuse()` instead as soon as it is longer. The app gets the body read as one
    message, so nothing after this middleware can read more than `limit` bytes. `larger` gives
    some paths a larger limit of their own."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        limit: int,
        refuse: Callable[[], Response],
        larger: Mapping[str, int] | None = None,
    ) -> None:
        self.app = app
        self.limit = limit
        self.refuse = refuse
        self.larger = dict(larger or {})

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Pass the request on with its body read, or refuse it."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.larger.get(scope.get("path", ""), self.limit)
        declared = Headers(scope=scope).get("content-length")
        if declared is not None and (not declared.isdigit() or int(declared) > limit):
            await self.refuse()(scope, receive, send)
            return
        chunks: list[bytes] = []
        size, more = 0, True
        while more:
            message = await receive()
            if message["type"] != "http.request":  # the client went away: nobody to answer
                return
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > limit:  # stop reading here: the rest of the body stays unread
                await self.refuse()(scope, receive, send)
                return
            chunks.append(chunk)
            more = bool(message.get("more_body", False))
        body = b"".join(chunks)
        delivered = False

        async def replay() -> Message:
            nonlocal delivered
            if delivered:
                return await receive()  # only a disconnect can come after the body
            delivered = True
            return {"type": "http.request", "body": body, "more_body": False}

        await self.app(scope, replay, send)
