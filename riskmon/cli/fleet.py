"""`riskmon fleet check|daemon FLEET_DIR`: an agency's sellers, every one in one process.

A fleet directory holds one config directory per seller (a profile, named by its directory) and
an optional fleet.toml (riskmon.sources.fleet). `fleet check` assesses every profile once, polling
the shared feeds once, and exits with the worst state (CRITICAL > UNKNOWN > WARNING > OK); a
profile that cannot be assessed is UNKNOWN in its row and never hides the others. `fleet daemon`
keeps them all live on one scheduler (riskmon.live.fleet), with history per profile, Prometheus
`/metrics` and Alertmanager alerts. Like `check`, `fleet check` imports neither Textual nor
APScheduler.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

from riskmon.cli import collector
from riskmon.cli.pipe import answer
from riskmon.errors import ConfigError, RiskmonError, reason_of
from riskmon.i18n import _

if TYPE_CHECKING:
    from riskmon.core.playbooks import Progress
    from riskmon.sources.fleet import Fleet
    from riskmon.usecases.fleet import ProfileOutcome

FORMATS = ("text", "json", "nagios", "prometheus")
CHECK_TIMEOUT = 300.0
"""`fleet check -t` default: a thousand profiles take seconds; feeds get a share of it."""


def configure(fleet: argparse.ArgumentParser) -> None:
    """`riskmon fleet check|daemon` (riskmon.cli.parser made `fleet` itself)."""
    from riskmon.cli.args import Parser, help_lines, instant, offline, seconds
    from riskmon.i18n import _

    fleet.description = help_lines(
        _("An agency's sellers: a directory of profile directories plus an optional fleet.toml.")
    )
    actions = fleet.add_subparsers(dest="fleet_command", metavar=_("ACTION"), parser_class=Parser, required=True)
    check = actions.add_parser("check", help=help_lines(_("assess every profile once; exit with the worst state")))
    check.add_argument("--format", "-f", choices=FORMATS, default="text")
    check.add_argument(
        "-t",
        "--timeout",
        type=seconds,
        default=CHECK_TIMEOUT,
        metavar=_("SECONDS"),
        help=_("give up after (default 300)"),
    )
    check.add_argument("--no-history", action="store_true", help=_("do not record this check in the profiles' history"))
    offline(check)
    daemon = actions.add_parser("daemon", help=help_lines(_("every profile live: feeds, history, alerts, /metrics")))
    daemon.add_argument(
        "--listen",
        metavar=_("HOST:PORT"),
        help=_("serve Prometheus /metrics there, e.g. 127.0.0.1:9464 (default: off)"),
    )
    offline(daemon)
    daemon.add_argument(
        "--log-level", choices=("debug", "info", "warning", "error"), default="info", help=_("stderr log level")
    )
    for p in (check, daemon):
        p.add_argument("fleet_dir", metavar=_("FLEET_DIR"), help=_("the directory holding one directory per profile"))
        p.add_argument(
            "--now",
            metavar=_("ISO"),
            type=instant,
            help=_("assess as of this instant (a replay: records and sends nothing)"),
        )
        p.add_argument(
            "--data", metavar=_("DIR"), help=_("where history and feed caches live (default: <data dir>/fleet/<name>)")
        )


def run(args: argparse.Namespace) -> int:
    if not str(args.fleet_dir).strip():
        from riskmon.cli.args import UsageError, bad_arguments

        raise UsageError(bad_arguments(_("{what} is empty; give the fleet directory").format(what="FLEET_DIR")))
    if args.fleet_command == "daemon":
        return run_daemon(args)
    return run_check(args)


# ---------------------------------------------------------------------------------------------
# fleet check


def run_check(args: argparse.Namespace) -> int:
    from datetime import UTC, datetime

    from riskmon.cli.check import deadline

    fmt = args.format
    try:
        with deadline(args.timeout):
            started = time.monotonic()
            now = args.now or datetime.now(UTC)
            from riskmon.sources.fleet import load_fleet
            from riskmon.usecases.fleet import data_dir, evaluate_fleet

            fleet = load_fleet(args.fleet_dir)
            data = data_dir(fleet.path, args.data)
            budget = max(0.5, min(60.0, args.timeout / 4))
            outcomes = evaluate_fleet(fleet, now, data=data, offline=args.offline, budget=budget, replay=bool(args.now))
            record = not (args.no_history or args.now)
            wait = max(0.1, (args.timeout - (time.monotonic() - started)) / max(1, 4 * len(outcomes)))
            outcomes = [_with_extras(o, data, fmt, record=record, wait=wait) for o in outcomes]
            output = render(fleet, outcomes, fmt, now)
    except RiskmonError as exc:
        return _failure(fmt, exc)
    for note in fleet.notes:
        print(f"riskmon: {note}", file=sys.stderr, flush=True)
    answer(output)
    from riskmon.present.fleet import EXIT_CODES, worst

    return EXIT_CODES[worst(o.level for o in outcomes)]


def _with_extras(o: ProfileOutcome, data: Path, fmt: str, *, record: bool, wait: float) -> ProfileOutcome:
    """History (this check recorded, the changes since the last) and, for json, the playbook:
    as `check` adds them for one profile. Trouble with history is a line on stderr, not a failure."""
    from riskmon.core.record import replace

    if o.evaluation is None:
        return o
    changes, progress = _history(o, data, record=record, wait=wait)
    extras: dict[str, Any] = {"changes": changes, "playbooks": None, "standing": []}
    if fmt == "json":
        try:
            p = o.evaluation.with_progress(progress).plan
            extras.update(playbooks=p.playbooks_json(), standing=p.standing_json())
        except Exception as exc:  # a playbook problem must not hide the assessment
            say = _("playbooks: {reason}").format(reason=reason_of(exc))
            print(f"riskmon: {o.name}: {say}", file=sys.stderr, flush=True)
    return replace(o, extras=extras)


def _history(
    o: ProfileOutcome, data: Path, *, record: bool, wait: float
) -> tuple[list[dict[str, Any]] | None, Progress]:
    """(changes since the last recorded check or None, done steps) for one profile's history."""
    from riskmon.cli.check import CheckTimeout, record_history
    from riskmon.usecases.fleet import history_path

    assert o.evaluation is not None
    path = history_path(data, o.name)
    if record:
        return record_history(o.evaluation, path, wait=wait, who=o.name)
    if not path.exists():
        return None, {}
    from riskmon.store.history import HistoryStore

    try:  # a replay reads which steps are done, and records nothing
        return None, HistoryStore(path, lock_timeout=wait).steps()
    except CheckTimeout:
        raise
    except Exception as exc:
        say = _("playbook progress not read: {reason}").format(reason=reason_of(exc))
        print(f"riskmon: {o.name}: {say}", file=sys.stderr, flush=True)
        return None, {}


def render(fleet: Fleet, outcomes: list[ProfileOutcome], fmt: str, now: Any) -> str:
    from riskmon.present import fleet as table

    if fmt == "json":
        from riskmon.present.formats import to_json

        # One line: json's C encoder only serves compact output, and a fleet's document is
        # megabytes (pretty-printing it took most of a cycle's CPU); `jq .` indents it.
        return to_json(json_document(fleet, outcomes, now), indent=None)
    if fmt == "prometheus":
        return prometheus_text(outcomes)
    rows = [o.row() for o in outcomes]
    if fmt == "nagios":
        return table.nagios(rows)
    from riskmon.present.text import use_colour

    return table.text(rows, colour=use_colour(sys.stdout))


def json_document(fleet: Fleet, outcomes: list[ProfileOutcome], now: Any) -> dict[str, Any]:
    """`{"profiles": [...], "summary": {state: count}}`: each profile's `check --format json`
    document with its name and labels first; a profile that cannot be assessed has `level`
    UNKNOWN, `exit_code` 3, `error` and, for a config problem, `problems` (as `check`'s failure)."""
    from riskmon.present.fleet import EXIT_CODES, summary, worst
    from riskmon.present.formats import iso

    level = worst(o.level for o in outcomes)
    return {
        "fleet": str(fleet.path),
        "now": iso(now),
        "level": level,
        "exit_code": EXIT_CODES[level],
        "summary": summary(o.level for o in outcomes),
        "profiles": [profile_document(o) for o in outcomes],
        "notes": list(fleet.notes),
    }


def profile_document(o: ProfileOutcome) -> dict[str, Any]:
    head = {"profile": o.name, "labels": {k: v for k, v in o.labels.items() if k != "profile"}}
    if o.evaluation is None:
        return {**head, "level": "UNKNOWN", "exit_code": 3, "error": o.message, "problems": problem_docs(o.problems)}
    from riskmon.cli.check import json_document as check_document

    doc = {**head, **check_document(o.evaluation, o.extras)}
    if o.level == "UNKNOWN":  # a required feed too old: `check` says UNKNOWN with its reason
        doc.update(level="UNKNOWN", exit_code=3, error=o.message)
    return doc


def problem_docs(problems: list[Any]) -> list[dict[str, Any]]:
    """Config problems as `check`'s failure JSON lists them."""
    from riskmon.textsafe import clean

    return [{"file": p.file, "line": p.line, "field": p.field, "message": clean(p.message)} for p in problems]


def prometheus_text(outcomes: list[ProfileOutcome]) -> str:
    from riskmon.present.prometheus import profile_samples, render, unknown_samples

    blocks = []
    for o in outcomes:
        ev = o.evaluation
        if ev is None:
            blocks.append(unknown_samples(o.labels, config_ok=not isinstance(o.error, ConfigError)))
            continue
        samples = profile_samples(ev.assessment, o.labels, feeds=ev.feeds, demo=ev.config.location.is_demo)
        if o.level == "UNKNOWN":
            samples.update(unknown_samples(o.labels, config_ok=True))
        blocks.append(samples)
    return render(blocks)


def _failure(fmt: str, exc: RiskmonError) -> int:
    """The fleet itself failed (fleet.toml invalid, no such directory, timeout): UNKNOWN, in the
    format asked for, as `check` fails."""
    from riskmon.textsafe import clean

    line = clean(exc.message.splitlines()[0]) if exc.message.strip() else _("unknown error")
    if fmt == "json":
        from riskmon.present.formats import to_json

        problems = problem_docs(exc.problems if isinstance(exc, ConfigError) else [])
        doc = {"level": "UNKNOWN", "exit_code": 3, "error": line, "problems": problems}
        answer(to_json(doc, indent=None))
    else:
        answer(f"RISKMON FLEET UNKNOWN - {line}")
    if exc.details:
        print(exc.details.rstrip(), file=sys.stderr, flush=True)
    return 3


# ---------------------------------------------------------------------------------------------
# fleet daemon


def run_daemon(args: argparse.Namespace) -> int:
    import asyncio
    from collections.abc import Callable
    from datetime import UTC, datetime

    from riskmon.cli.args import UsageError, bad_arguments
    from riskmon.cli.daemon import configure_logging

    configure_logging(args.log_level)
    listen = None
    if args.listen:
        from riskmon.live.exporters import parse_listen

        try:
            listen = parse_listen(args.listen)
        except ValueError as exc:
            raise UsageError(bad_arguments(str(exc))) from None
    fixed: datetime | None = args.now
    now_fn: Callable[[], datetime] = (lambda: fixed) if fixed is not None else (lambda: datetime.now(UTC))
    collector.restore()  # a long-running process: the usual collector from here
    return asyncio.run(_serve(args, now_fn, listen))


async def _serve(args: argparse.Namespace, now_fn: Any, listen: tuple[str, int] | None) -> int:
    import asyncio
    import logging
    import os

    from riskmon.cli.daemon import remove_signals, stop_signals
    from riskmon.live.exporters import MetricsServer
    from riskmon.live.fleet import FleetMonitor
    from riskmon.usecases.fleet import data_dir

    log = logging.getLogger("riskmon.daemon")
    path = Path(args.fleet_dir).expanduser()
    monitor = FleetMonitor(path, data_dir(path, args.data), now_fn, offline=args.offline, replay=bool(args.now))
    server = None
    try:
        # Bound first (a port in use fails at once), serving once the scheduler runs.
        server = MetricsServer(*listen, monitor.metrics_text) if listen else None
        await monitor.load()  # an invalid fleet.toml at start is an error (exit 3), not a silent wait
    except RiskmonError as exc:
        await monitor.aclose()
        if server is not None:
            server.close()
        log.error("%s", exc.message)
        return _failure("text", exc)
    if monitor.replay:
        when = now_fn().isoformat()
        log.warning(
            "%s", _("replaying as of {when} (--now): nothing is recorded and no alert is sent").format(when=when)
        )
    loop = asyncio.get_running_loop()
    stop = stop_signals(loop, log, monitor.refresh_now)
    monitor.start()
    if server is not None:
        server.start()
    started = _("riskmon fleet daemon started (pid {pid}): fleet {fleet}, {n} profile(s), data {data}").format(
        pid=os.getpid(), fleet=path, n=len(monitor.members), data=monitor.data
    )
    log.info("%s", started + (_(", /metrics at {url}").format(url=server.url) if server is not None else ""))
    try:
        await stop.wait()
    finally:
        await monitor.aclose()
        remove_signals(loop)
        if server is not None:
            server.close()
    log.info("%s", _("stopped"))
    return 0
