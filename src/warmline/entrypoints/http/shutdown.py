"""A prompt stop with event streams open: they end when the server is asked to stop.

On Ctrl+C or SIGTERM uvicorn stops accepting, then waits for every open response to
finish before it runs the app's shutdown. A Server-Sent Events stream (the web chat's,
the console's) only ends when it times out or its client leaves, so one open web chat
tab held the exit for about 22 s.

`StopStreams` is an ASGI middleware that learns of the stop from uvicorn's own signal
handlers — wrapped, in the main thread, when the app starts, and put back when it stops
— and from then on answers a finished request's next `receive()` with `http.disconnect`.
The streams already end when their client disconnects (they poll `is_disconnected()`
every fraction of a second), so they end at once, and so does the server. A request
still sending its body is left alone: its handler has not run, and nothing of it is
stored or acknowledged either way.
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Callable
from types import FrameType
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)
Handler = Callable[[int, FrameType | None], Any]


class StopStreams:
    """Ends open streams once the server's stop signal arrives (see the module's doc)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self.stopping = threading.Event()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            restore = chain_stop_signals(self.stopping.set)
            try:
                await self.app(scope, receive, send)
            finally:
                restore()
            return
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        body_done = False

        async def receive_or_stop() -> Message:
            nonlocal body_done
            if body_done and self.stopping.is_set():
                return {"type": "http.disconnect"}
            message = await receive()
            if message["type"] == "http.request" and not message.get("more_body", False):
                body_done = True
            return message

        await self.app(scope, receive_or_stop, send)


def chain_stop_signals(on_stop: Callable[[], None]) -> Callable[[], None]:
    """Call `on_stop` before the handler already installed for SIGINT and SIGTERM (the
    server's); returns what puts the handlers back. Only in the main thread (where
    signals are handled) and only over a handler that is a function: under a test
    client, or with the default handlers, nothing changes."""
    if threading.current_thread() is not threading.main_thread():
        return lambda: None
    installed: dict[int, tuple[Handler, Handler]] = {}
    for sig in STOP_SIGNALS:
        before = signal.getsignal(sig)
        if not callable(before):
            continue

        def stop(signum: int, frame: FrameType | None, before: Handler = before) -> None:
            on_stop()
            before(signum, frame)

        signal.signal(sig, stop)
        installed[sig] = (before, stop)

    def restore() -> None:
        for sig, (before, ours) in installed.items():
            if signal.getsignal(sig) is ours:  # nobody wrapped it after us
                signal.signal(sig, before)

    return restore
