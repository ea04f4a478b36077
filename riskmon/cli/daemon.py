"""`riskmon daemon [--once]`: the Monitor without a screen.

Polls feeds on their schedules, reassesses every minute and on every change, records history,
sends alerts and writes the Prometheus textfile (see riskmon.live.monitor). Log lines go to stderr
with timestamps (a cron mail keeps them); under systemd with journald priorities instead of
timestamps (riskmon.live.journald). Under `Type=notify` it says READY=1 after the first assessment,
STATUS= with the level line, STOPPING=1 on a stop and WATCHDOG=1 at half of `WatchdogSec=`
(riskmon.live.sd_notify). SIGTERM and SIGINT stop it cleanly with exit 0; SIGHUP re-reads the
config and polls every feed now.

`--once` runs every job once (config, every feed, assess, history, textfile, alerts) and exits
with `check`'s code: 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN (with a one-line reason on stdout).

`--now` makes it a replay: it assesses as of that instant and records nothing (no history, feed
cache or textfile) and sends nothing (no alert, no heartbeat). Without an alert channel, the
daemon says so once at start, at WARNING: level changes then reach nobody.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import signal
import sys
from collections.abc import Callable
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from riskmon.cli import collector
from riskmon.errors import ExitCode, RiskmonError
from riskmon.i18n import _

if TYPE_CHECKING:
    from riskmon.live.monitor import Monitor, MonitorUpdate
    from riskmon.live.sd_notify import Notifier as SystemdNotifier
    from riskmon.sources.config.load import Config

log = logging.getLogger("riskmon.daemon")

LEVELS = {"debug": logging.DEBUG, "info": logging.INFO, "warning": logging.WARNING, "error": logging.ERROR}


def configure_logging(level_name: str) -> None:
    """riskmon's loggers to stderr, one timestamped line each — or, when stderr is systemd's journal
    stream, with the priority prefix journald reads and no timestamp (riskmon.live.journald);
    chatty libraries only when debugging."""
    from riskmon.live.journald import JournaldFormatter, stream_is_journal

    level = LEVELS.get(level_name, logging.INFO)
    handler = logging.StreamHandler(sys.stderr)
    if stream_is_journal(sys.stderr, os.environ):
        handler.setFormatter(JournaldFormatter())
    else:
        handler.setFormatter(
            logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s", datefmt="%Y-%m-%dT%H:%M:%S%z")
        )
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level)
    # APScheduler logs every job run at INFO (the config check runs every 2 s), httpx every request
    # and riskmon.sources.feeds.feeds every failed poll; the monitor logs each feed's changes of state instead.
    quiet = logging.DEBUG if level <= logging.DEBUG else logging.WARNING
    for name in ("apscheduler", "httpx", "httpcore", "riskmon.sources.feeds.feeds"):
        logging.getLogger(name).setLevel(quiet)
    if level > logging.DEBUG:
        # apprise warns of each failed send, which the alert channel logs with its retries anyway
        # (riskmon.live.alert_channels captures apprise's words for that line).
        handler.addFilter(lambda r: not (r.name.startswith("apprise") and r.levelno < logging.ERROR))


def configure(p: argparse.ArgumentParser) -> None:
    from riskmon.cli.args import offline
    from riskmon.i18n import _

    p.add_argument("--once", action="store_true", help=_("run every job once and exit with check's exit code"))
    offline(p)
    p.add_argument("--log-level", choices=tuple(LEVELS), default="info", help=_("stderr log level"))


def run(args: argparse.Namespace) -> int:
    configure_logging(getattr(args, "log_level", "info"))
    fixed: datetime | None = getattr(args, "now", None)
    now_fn: Callable[[], datetime] = (lambda: fixed) if fixed is not None else (lambda: datetime.now(UTC))
    if args.once:
        return asyncio.run(_once(args, now_fn))
    collector.restore()  # a long-running process: the usual collector from here
    return asyncio.run(_serve(args, now_fn))


def _monitor(args: argparse.Namespace, now_fn: Callable[[], datetime]) -> Monitor:
    from riskmon.live.monitor import Monitor

    replay = bool(getattr(args, "now", None))
    return Monitor(
        getattr(args, "config", None), getattr(args, "db", None), now_fn, offline=bool(args.offline), replay=replay
    )


def _say_what_is_off(monitor: Monitor, cfg: Config) -> None:
    """Once per start: what this daemon will not do that a user would expect it to."""
    if monitor.replay:
        log.warning(
            "%s",
            _(
                "replaying as of {when} (--now): nothing is recorded (history, feed cache, textfile) "
                "and no alert is sent"
            ).format(when=monitor.now_fn().isoformat()),
        )
    elif not any(a.type != "healthchecks" for a in cfg.settings.alerts):
        log.warning(
            "%s",
            _(
                "no alert channel in {path}: level changes, critical events and overdue steps are only logged; "
                "add an [[alerts]] webhook, apprise, command or desktop channel to be told"
            ).format(path=cfg.path / "riskmon.toml"),
        )


async def _once(args: argparse.Namespace, now_fn: Callable[[], datetime]) -> int:
    from riskmon.present import formats

    monitor = _monitor(args, now_fn)
    try:
        cfg = await monitor.load()
        _say_what_is_off(monitor, cfg)
        ev = await monitor.run_once()
    except RiskmonError as exc:
        return _unknown(exc.message, exc.details)
    finally:
        await monitor.aclose()
    if ev.feed_failure:
        from riskmon.cli.check import feed_errors

        return _unknown(ev.feed_failure, feed_errors(ev.feeds))
    from riskmon.i18n import english

    with english():  # the status line monitoring systems read, as `check --format nagios` has it
        line = formats.nagios(ev.assessment, demo=ev.config.location.is_demo).splitlines()[0]
    print(line, flush=True)
    return int(ev.assessment.level.exit_code)


def _unknown(message: str, details: str = "") -> int:
    """Like `check`: one line on stdout for whoever runs us, details on stderr."""
    line = message.splitlines()[0] if message else _("unknown error")
    print(f"RISKMON UNKNOWN - {line}", flush=True)
    log.error("%s", line)  # stdout may go to /dev/null under cron; the log line is mailed
    if details:
        print(details.rstrip(), file=sys.stderr, flush=True)
    return int(ExitCode.UNKNOWN)


class SystemdStatus:
    """The Monitor's `on_update` under systemd: READY=1 with the first assessment, then STATUS=
    with the level line whenever it changes (riskmon.live.sd_notify)."""

    def __init__(self, systemd: SystemdNotifier) -> None:
        self.systemd = systemd
        self.ready = False
        self.last: str | None = None

    def __call__(self, update: MonitorUpdate) -> None:
        line = status_line(update)
        if not self.ready and update.evaluation is not None:
            self.ready = True
            self.systemd.send(READY="1", STATUS=line)
        elif line != self.last:
            self.systemd.send(STATUS=line)
        self.last = line


def status_line(update: MonitorUpdate) -> str:
    """What `systemctl status` shows: the level and its summary, as check's nagios line has them."""
    ev = update.evaluation
    if ev is None:
        return f"UNKNOWN: config invalid: {update.config_error or 'not loaded yet'}"
    from riskmon.i18n import english
    from riskmon.present.formats import nagios_summary

    if ev.feed_failure:
        line = f"UNKNOWN: {ev.feed_failure}"
    else:
        with english():  # the nagios line's summary, word for word
            summary = nagios_summary(ev.assessment, demo=ev.config.location.is_demo)
        line = f"{ev.assessment.level.name}: {summary}"
    return line + (" (config on disk invalid: the last good one is in use)" if update.config_error else "")


async def _watchdog(systemd: SystemdNotifier, every: float) -> None:
    """WATCHDOG=1 every `every` seconds from the event loop: a loop that hangs stops the pings and
    systemd restarts the service."""
    while True:
        systemd.send(WATCHDOG="1")
        await asyncio.sleep(every)


async def _serve(args: argparse.Namespace, now_fn: Callable[[], datetime]) -> int:
    from riskmon.live.sd_notify import Notifier, watchdog_interval

    systemd = Notifier()
    every = watchdog_interval(os.environ, os.getpid()) if systemd.enabled else None
    pinger = asyncio.get_running_loop().create_task(_watchdog(systemd, every)) if every else None
    try:
        return await _serve_notifying(args, now_fn, systemd)
    finally:
        if pinger is not None:
            pinger.cancel()


async def _serve_notifying(args: argparse.Namespace, now_fn: Callable[[], datetime], systemd: SystemdNotifier) -> int:
    monitor = _monitor(args, now_fn)
    if systemd.enabled:
        monitor.on_update = SystemdStatus(systemd)
    cfg = await monitor.load()  # an invalid config at start is an error (exit 3), not a silent wait
    _say_what_is_off(monitor, cfg)
    loop = asyncio.get_running_loop()
    stop = stop_signals(
        loop, log, monitor.refresh_now, on_stopping=lambda name: systemd.send(STOPPING="1", STATUS=f"stopping ({name})")
    )
    monitor.start()
    log.info("%s", _started(cfg, monitor))
    try:
        await stop.wait()
    finally:
        await monitor.aclose()
        remove_signals(loop)
    log.info("%s", _("stopped"))
    return 0


def _started(cfg: Config, monitor: Monitor) -> str:
    """The start line: what this daemon reads, writes and sends."""
    s = cfg.settings
    textfile = s.export.prometheus_textfile
    return _("riskmon daemon started (pid {pid}): config {config}, history {history}, {feeds}, {alerts}{extra}").format(
        pid=os.getpid(),
        config=cfg.path,
        history=monitor.db_path,
        feeds=_("{n} feed(s)").format(n=len(s.feeds)),
        alerts=_("{n} alert channel(s)").format(n=len(s.alerts)),
        extra=(_(", textfile {path}").format(path=textfile) if textfile else "")
        + (_(", offline") if monitor.offline else ""),
    )


def stop_signals(
    loop: asyncio.AbstractEventLoop,
    logger: logging.Logger,
    refresh: Callable[[], object],
    on_stopping: Callable[[str], object] | None = None,
) -> asyncio.Event:
    """SIGTERM and SIGINT set the event returned (a second one exits at once; `on_stopping` hears
    the first, e.g. to tell systemd); SIGHUP calls `refresh` (re-read the config, poll every feed)."""
    stop = asyncio.Event()

    def on_stop(name: str) -> None:
        if stop.is_set():
            logger.warning("%s", _("{signal} again: exiting without waiting").format(signal=name))
            os._exit(0)
        logger.info("%s", _("{signal} received: stopping").format(signal=name))
        if on_stopping is not None:
            on_stopping(name)
        stop.set()

    def on_hup() -> None:
        logger.info("%s", _("{signal} received: re-reading config and polling every feed").format(signal="SIGHUP"))
        refresh()

    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, on_stop, sig.name)
    if hasattr(signal, "SIGHUP"):
        loop.add_signal_handler(signal.SIGHUP, on_hup)
    return stop


def remove_signals(loop: asyncio.AbstractEventLoop) -> None:
    for name in ("SIGTERM", "SIGINT", "SIGHUP"):
        if hasattr(signal, name):
            loop.remove_signal_handler(getattr(signal, name))
