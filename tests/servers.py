"""Local HTTP servers for feed and alert tests: 127.0.0.1 on an ephemeral port, in a thread.

Each test gets a `LocalServer` with a route table (path -> handler function). Handlers get the
`BaseHTTPRequestHandler` and the server's stop event, so hanging/dripping handlers end promptly
when the test is over. Every request is recorded (method, path, headers, body).
"""

from __future__ import annotations

import ssl
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

HOST = "127.0.0.1"  # never any other address

Handler = Callable[[BaseHTTPRequestHandler, threading.Event], None]


@dataclass
class Request:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes


@dataclass
class LocalServer:
    httpd: ThreadingHTTPServer
    stop: threading.Event
    routes: dict[str, Handler] = field(default_factory=dict)
    requests: list[Request] = field(default_factory=list)
    scheme: str = "http"

    def url(self, path: str = "/") -> str:
        return f"{self.scheme}://{HOST}:{self.httpd.server_address[1]}{path}"

    def route(self, path: str, handler: Handler) -> str:
        self.routes[path] = handler
        return self.url(path)

    def hits(self, path: str) -> list[Request]:
        return [r for r in self.requests if r.path == path]


def respond(
    h: BaseHTTPRequestHandler,
    status: int = 200,
    body: bytes | str = b"",
    content_type: str = "application/json",
    headers: dict[str, str] | None = None,
) -> None:
    data = body.encode("utf-8") if isinstance(body, str) else body
    h.send_response(status)
    h.send_header("Content-Type", content_type)
    h.send_header("Content-Length", str(len(data)))
    h.send_header("Connection", "close")
    for k, v in (headers or {}).items():
        h.send_header(k, v)
    h.end_headers()
    if h.command != "HEAD":
        h.wfile.write(data)


def static(
    body: bytes | str, status: int = 200, content_type: str = "application/json", headers: dict[str, str] | None = None
) -> Handler:
    return lambda h, _stop: respond(h, status, body, content_type, headers)


def hang(h: BaseHTTPRequestHandler, stop: threading.Event) -> None:
    """Accept the request and never answer."""
    stop.wait(30)


def drip_body(interval: float = 0.2, size: int = 1000) -> Handler:
    """Valid headers, then the body one byte per `interval`."""

    def handler(h: BaseHTTPRequestHandler, stop: threading.Event) -> None:
        h.send_response(200)
        h.send_header("Content-Type", "application/json")
        h.send_header("Content-Length", str(size))
        h.end_headers()
        h.wfile.flush()
        for _ in range(size):
            if stop.wait(interval):
                return
            try:
                h.wfile.write(b" ")
                h.wfile.flush()
            except OSError:
                return

    return handler


def drip_headers(interval: float = 0.05) -> Handler:
    """The status line and headers one byte per `interval`: per-read timeouts never fire."""

    def handler(h: BaseHTTPRequestHandler, stop: threading.Event) -> None:
        raw = b"HTTP/1.1 200 OK\r\n" + b"X-Padding: " + b"a" * 2000 + b"\r\n\r\n"
        for byte in raw:
            if stop.wait(interval):
                return
            try:
                h.wfile.write(bytes([byte]))
                h.wfile.flush()
            except OSError:
                return

    return handler


def chunked(body: bytes, chunk: int = 4096) -> Handler:
    """A chunked body without Content-Length (the size cap must hold while streaming)."""

    def handler(h: BaseHTTPRequestHandler, stop: threading.Event) -> None:
        h.send_response(200)
        h.send_header("Content-Type", "application/json")
        h.send_header("Transfer-Encoding", "chunked")
        h.end_headers()
        try:
            for i in range(0, len(body), chunk):
                part = body[i : i + chunk]
                h.wfile.write(f"{len(part):x}\r\n".encode() + part + b"\r\n")
            h.wfile.write(b"0\r\n\r\n")
        except OSError:
            return

    return handler


def redirect(to: str, status: int = 302) -> Handler:
    return lambda h, _stop: respond(h, status, b"", "text/plain", {"Location": to})


def sequence(*handlers: Handler) -> Handler:
    """The n-th request gets the n-th handler (the last one repeats)."""
    count = [0]

    def handler(h: BaseHTTPRequestHandler, stop: threading.Event) -> None:
        i = min(count[0], len(handlers) - 1)
        count[0] += 1
        handlers[i](h, stop)

    return handler


@contextmanager
def local_server(tls: ssl.SSLContext | None = None) -> Iterator[LocalServer]:
    """A server on an ephemeral port; with `tls` (a server-side context), an https one."""
    stop = threading.Event()
    holder: list[LocalServer] = []

    class _Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: object) -> None:
            pass

        def _serve(self) -> None:
            server = holder[0]
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            server.requests.append(Request(self.command, self.path, dict(self.headers.items()), body))
            handler = server.routes.get(self.path.split("?", 1)[0])
            if handler is None:
                respond(self, 404, b"not found", "text/plain")
            else:
                handler(self, stop)
            self.close_connection = True

        do_GET = do_POST = do_HEAD = _serve

    httpd = ThreadingHTTPServer((HOST, 0), _Handler)
    httpd.daemon_threads = True
    if tls is not None:
        httpd.socket = tls.wrap_socket(httpd.socket, server_side=True)
    server = LocalServer(httpd, stop, scheme="http" if tls is None else "https")
    holder.append(server)
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        stop.set()
        httpd.shutdown()
        httpd.server_close()
        thread.join(5)


def wait_for(predicate: Callable[[], bool], timeout: float = 3.0) -> bool:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if predicate():
            return True
        time.sleep(0.01)
    return predicate()
