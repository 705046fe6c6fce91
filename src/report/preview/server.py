"""The web side of `report preview`: the book page, its files, and a Server-Sent Events stream."""
from __future__ import annotations

import asyncio
import json
import signal
import socket

import uvicorn
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.trustedhost import TrustedHostMiddleware
from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from .builder import Preview
from .page import EVENTS_PATH, PATCH_PATH, inject, placeholder

KEEPALIVE_SECONDS = 15.0


def make_app(preview: Preview, stop: asyncio.Event, hosts: list[str] | None = None) -> Starlette:
    """`hosts`: the names a request's Host header may carry (default: loopback names only)."""
    async def index(request: Request) -> Response:
        page = preview.html if preview.html is not None else placeholder(str(preview.root))
        # Never cached: after a reload the browser must ask for the new build.
        return Response(inject(page, preview.built), media_type="text/html; charset=utf-8",
                        headers={"Cache-Control": "no-store"})

    async def events(request: Request) -> Response:
        async def stream():
            # Retry quickly after a server restart; then the current state at once, so a page
            # opened while a build is failing shows the error straight away.
            yield "retry: 1000\n\n"
            last = None
            while not stop.is_set():
                state = json.dumps(preview.state())
                if state != last:
                    yield f"event: state\ndata: {state}\n\n"
                    last = state
                else:
                    yield ": keepalive\n\n"
                waiter = asyncio.create_task(preview.wait_for_change(KEEPALIVE_SECONDS))
                stopper = asyncio.create_task(stop.wait())
                await asyncio.wait({waiter, stopper}, return_when=asyncio.FIRST_COMPLETED)
                waiter.cancel()
                stopper.cancel()

        return StreamingResponse(stream(), media_type="text/event-stream",
                                 headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"})

    async def state(request: Request) -> Response:
        return JSONResponse(preview.state(), headers={"Cache-Control": "no-store"})

    async def patch(request: Request) -> Response:
        # The sections that changed since the page the browser shows; 409 when it must reload.
        found = preview.patch_from(request.query_params.get("from", ""))
        if found is None:
            return JSONResponse({"reload": True}, status_code=409, headers={"Cache-Control": "no-store"})
        return JSONResponse(found, headers={"Cache-Control": "no-store"})

    routes = [
        Route("/", index),
        Route("/index.html", index),
        Route(EVENTS_PATH, events),
        Route("/_preview/state", state),
        Route(PATCH_PATH, patch),
        # The PDF and build manifest from the last full build, should a link point at them.
        Mount("/", app=_BookFiles(preview.root / "_book")),
    ]
    # A page on another site can point its own name at 127.0.0.1 (DNS rebinding) and then read
    # this server as same-origin; its requests still carry that name in Host, so only our names pass.
    middleware = [Middleware(TrustedHostMiddleware, allowed_hosts=hosts or list(LOOPBACK_NAMES))]
    return Starlette(routes=routes, middleware=middleware)


LOOPBACK_NAMES = ("localhost", "127.0.0.1", "[::1]")


def allowed_hosts(host: str, extra: tuple[str, ...] | list[str] = ()) -> list[str]:
    """Host header values to accept when listening on `host`: the loopback names, the address
    itself, and for a wildcard address this machine's own names and addresses; plus `extra`."""
    names = list(LOOPBACK_NAMES)
    if host in ("0.0.0.0", "::", ""):
        hostname = socket.gethostname()
        names += [hostname, socket.getfqdn()]
        try:
            names += [info[4][0] for info in socket.getaddrinfo(hostname, None)]
        except OSError:
            pass
    elif host:
        names.append(host)
    names += list(extra)
    # Host headers carry IPv6 addresses in brackets, and that is how the middleware compares them.
    names = [f"[{n}]" if ":" in n and not n.startswith("[") else n for n in names if n]
    return list(dict.fromkeys(names))


def bind(host: str, port: int) -> socket.socket:
    """Bind before starting anything, so a busy port is a clear error rather than a log line."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError as exc:
        sock.close()
        raise OSError(f"cannot listen on {host}:{port}: {exc.strerror or exc}; pick another with --port") from None
    sock.listen(128)
    sock.setblocking(False)
    return sock


class _BookFiles:
    """Static files from _book/, which a failed first build may not have created yet."""

    def __init__(self, directory):
        self.directory = directory
        self.files = StaticFiles(directory=directory, check_dir=False)

    async def __call__(self, scope, receive, send) -> None:
        if not self.directory.is_dir():
            await Response("no build yet", status_code=404)(scope, receive, send)
            return
        await self.files(scope, receive, send)


class _Server(uvicorn.Server):
    """uvicorn's server, told to also stop the rebuild loop and the open event streams on Ctrl-C.

    uvicorn re-raises a captured signal after shutting down; we have already stopped cleanly by
    then, so the signal is not recorded and `report preview` exits 0 without a traceback.
    """

    def __init__(self, config: uvicorn.Config, stop: asyncio.Event):
        super().__init__(config)
        self._stop = stop
        self._loop = asyncio.get_running_loop()

    def handle_exit(self, sig: int, frame) -> None:
        if self.should_exit and sig == signal.SIGINT:
            self.force_exit = True
        else:
            self.should_exit = True
        self._loop.call_soon_threadsafe(self._stop.set)


async def serve(preview: Preview, sock: socket.socket, on_ready, hosts: list[str] | None = None) -> None:
    stop = asyncio.Event()
    config = uvicorn.Config(make_app(preview, stop, hosts), log_level="warning", lifespan="off",
                            timeout_graceful_shutdown=3)
    server = _Server(config, stop)
    loop_task = asyncio.create_task(preview.run(stop))

    def loop_done(task: asyncio.Task) -> None:
        # The rebuild loop must not die quietly while the page keeps being served.
        if not task.cancelled() and task.exception() is not None:
            server.handle_exit(signal.SIGTERM, None)

    loop_task.add_done_callback(loop_done)

    async def announce() -> None:
        # "serving" only once uvicorn has its signal handlers (it installs them as it starts):
        # a Ctrl-C the moment the line appears must stop the server. Before them it would go to
        # Python's handler, or nowhere in a process started with Ctrl-C ignored (a background job).
        while not server.started:
            await asyncio.sleep(0.01)
        on_ready()

    announcing = asyncio.create_task(announce())
    try:
        await server.serve(sockets=[sock])
    finally:
        announcing.cancel()
        stop.set()
        await asyncio.gather(loop_task, return_exceptions=False)
