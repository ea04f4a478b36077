"""Exporters: the Prometheus textfile the monitor writes after every cycle.

node_exporter's textfile collector reads every `*.prom` file in its directory at scrape time, so
a half-written file would be scraped as garbage. The file is written with riskmon.fileio's
atomic write: a temp file in the same directory (its name does not end in `.prom`, so the
collector ignores it), fsynced and renamed over the target, so a reader sees the old file or the
new one, never a mix.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import TYPE_CHECKING

from riskmon.errors import reason_of
from riskmon.fileio import atomic_write_bytes
from riskmon.live.threads import in_thread

if TYPE_CHECKING:
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
    from riskmon.present.formats import prometheus

    return prometheus(ev.assessment, feeds=ev.feeds, demo=ev.config.location.is_demo) + (
        "# HELP riskmon_config_ok 1 when the config files on disk are valid; 0 when the monitor "
        "runs on the last good config.\n"
        "# TYPE riskmon_config_ok gauge\n"
        f"riskmon_config_ok {1 if config_ok else 0}\n"
    )


class TextfileExporter:
    """Writes the textfile after each cycle; a failure is logged once and kept in `error` (the
    update's `export_error`) until a write succeeds again. It never stops the loop."""

    def __init__(self) -> None:
        self.error: str | None = None

    async def export(self, ev: Evaluation, *, config_ok: bool) -> None:
        path = textfile_path(ev.config)
        if path is None:
            return
        text = prometheus_text(ev, config_ok=config_ok)
        try:
            await in_thread(write_textfile, path, text)
        except Exception as exc:
            error = f"textfile {path} not written: {reason_of(exc)}"
            if error != self.error:
                log.warning("%s", error)
            self.error = error
            return
        if self.error:
            log.info("textfile %s written again", path)
        self.error = None
