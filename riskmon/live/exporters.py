"""Exporters: the Prometheus textfile the monitor writes after every cycle, and `/metrics`.

node_exporter's textfile collector reads every `*.prom` file in its directory at scrape time, so
a half-written file would be scraped as garbage. The file is written with riskmon.fileio's
atomic write: a temp file in the same directory (its name does not end in `.prom`, so the
collector ignores it), fsynced and renamed over the target, so a reader sees the old file or the
new one, never a mix.

`MetricsServer` answers Prometheus' scrapes itself (`fleet daemon --listen`): the standard
library's threading HTTP server in a daemon thread, bound exactly to the address asked for,
serving `GET /metrics` from a callable that returns the rendered exposition.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from riskmon.errors import RiskmonError, reason_of
from riskmon.fileio import atomic_write_bytes
from riskmon.i18n import _
from riskmon.live.threads import in_thread

if TYPE_CHECKING:
    from http.server import BaseHTTPRequestHandler

    from riskmon.sources.config.load import Config
    from riskmon.usecases.evaluate import Evaluation

# The monitor's logger: these lines have always been the monitor's, and logs are filtered by it.
log = logging.getLogger("riskmon.live.monitor")


def write_textfile(path: Path, text: str) -> None:
    """Write a Prometheus text-format file atomically, mode 0644, creating parent dirs.

    The exposition format requires a trailing newline; one is added when missing.
    """
    if text and not text.endswith("\n"):
        text += "\n"
    atomic_write_bytes(Path(path), text.encode("utf-8"), mode=0o644)


def textfile_path(cfg: Config) -> Path | None:
    """Where `[export] prometheus_textfile` says to write (relative to the config dir); None: nowhere."""
    raw = cfg.settings.export.prometheus_textfile
    if not raw:
        return None
    path = Path(raw).expanduser()
    return path if path.is_absolute() else cfg.path / path


def prometheus_text(ev: Evaluation, *, config_ok: bool) -> str:
    """The textfile's content: `check --format prometheus` plus whether the config is valid."""
    from riskmon.present.prometheus import profile_name, prometheus

    labels = {"profile": profile_name(ev.config)}
    return prometheus(
        ev.assessment, feeds=ev.feeds, demo=ev.config.location.is_demo, labels=labels, config_ok=config_ok
    )


class TextfileExporter:
    """Writes the textfile after each cycle; a failure is logged once and kept in `error` (the
    update's `export_error`) until a write succeeds again. It never stops the loop."""

    def __init__(self) -> None:
        self.error: str | None = None

    async def export(self, ev: Evaluation, *, config_ok: bool) -> None:
        path = textfile_path(ev.config)
        if path is not None:
            await self.write(path, prometheus_text(ev, config_ok=config_ok))

    async def write(self, path: Path, text: str) -> None:
        """Write `text` to `path` (in a thread); a failure is logged once and kept in `error`."""
        try:
            await in_thread(write_textfile, path, text)
        except Exception as exc:
            error = _("textfile {path} not written: {reason}").format(path=path, reason=reason_of(exc))
            if error != self.error:
                log.warning("%s", error)
            self.error = error
            return
        if self.error:
            log.info(_("textfile {path} written again").format(path=path))
        self.error = None


# ---------------------------------------------------------------------------------------------
# /metrics over HTTP

CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"
"""The Prometheus text exposition format's media type."""


def parse_listen(text: str) -> tuple[str, int]:
    """`--listen HOST:PORT` ("127.0.0.1:9464", "[::1]:9464", "0.0.0.0:9464"; port 0: any free
    port) -> (host, port). Raises ValueError with a one-line reason."""
    host, sep, port_text = text.strip().rpartition(":")
    host = host.removeprefix("[").removesuffix("]")
    if not sep or not host or not port_text.isdigit() or not 0 <= int(port_text) <= 65535:
        raise ValueError(f"--listen {text!r}: give HOST:PORT, e.g. 127.0.0.1:9464 (0.0.0.0:9464 for every interface)")
    return host, int(port_text)


class MetricsServer:
    """A stdlib HTTP server in a daemon thread answering `GET /metrics` with `provide()`'s text.

    `provide` is called on the server's thread for each scrape; it must be thread-safe (the fleet
    monitor hands over a rendered snapshot). It binds exactly the address asked for.
    """

    def __init__(self, host: str, port: int, provide: Callable[[], str]) -> None:
        import socket
        from http.server import ThreadingHTTPServer

        self.provide = provide
        handler = _handler(self)
        family = socket.AF_INET6 if ":" in host else socket.AF_INET

        class Server(ThreadingHTTPServer):
            address_family = family
            daemon_threads = True

        try:
            self.server = Server((host, port), handler)
        except OSError as exc:
            raise RiskmonError(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from None
        self.host, self.port = host, int(self.server.server_address[1])
        self._thread = threading.Thread(target=self.server.serve_forever, name="riskmon-metrics", daemon=True)

    @property
    def url(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}/metrics"

    def start(self) -> None:
        self._thread.start()

    def close(self) -> None:
        if self._thread.is_alive():  # shutdown() waits for serve_forever: only when it runs
            self.server.shutdown()
        self.server.server_close()


def _handler(owner: MetricsServer) -> type[BaseHTTPRequestHandler]:
    from http.server import BaseHTTPRequestHandler

    class Handler(BaseHTTPRequestHandler):
        server_version = "riskmon"

        def do_GET(self) -> None:
            self._answer(body=True)

        def do_HEAD(self) -> None:
            self._answer(body=False)

        def _answer(self, *, body: bool) -> None:
            path = self.path.split("?", 1)[0]
            if path == "/metrics":
                try:
                    data, status, kind = owner.provide().encode("utf-8"), 200, CONTENT_TYPE
                except Exception as exc:  # a scrape must never kill the server thread
                    log.exception("rendering /metrics failed")
                    data, status, kind = f"riskmon: {reason_of(exc)}\n".encode(), 500, "text/plain; charset=utf-8"
            elif path == "/":
                data, status, kind = b"riskmon: metrics at /metrics\n", 200, "text/plain; charset=utf-8"
            else:
                data, status, kind = b"not found; metrics are at /metrics\n", 404, "text/plain; charset=utf-8"
            self.send_response(status)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            if body:
                self.wfile.write(data)

        def log_message(self, format: str, *args: Any) -> None:
            log.debug("metrics: " + format, *args)

    return Handler
