"""`riskmon check`: one assessment, one exit code, for cron and monitoring systems.

Must stay free of Textual, plotext and APScheduler imports (a test enforces it): it is started
every few minutes by cron and its cold start is measured in benchmarks/.
"""

from __future__ import annotations

import argparse
import signal
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from riskmon.errors import RiskmonError, reason_of

if TYPE_CHECKING:
    from riskmon.core.playbooks import Progress


class CheckTimeout(RiskmonError):
    pass


@contextmanager
def deadline(seconds: float) -> Iterator[None]:
    """Abort the check after `seconds` of wall time, wherever it is (a hung read, a slow disk)."""
    if seconds <= 0:
        raise RiskmonError(f"bad arguments: -t must be positive, got {seconds:g}")
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def expire(signum: int, frame: object) -> None:
        raise CheckTimeout(f"timed out after {seconds:g} s", "raise -t, or look for a hanging feed with -vvv")

    old = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, old)


def run(args: argparse.Namespace) -> int:
    from riskmon.cli.main import parse_now

    started = time.monotonic()
    with deadline(args.timeout):
        now = parse_now(args.now)
        from riskmon.usecases.evaluate import evaluate

        # Feeds get what is left of -t after a margin for assessing, history, output and the
        # interpreter's exit (a fifth of -t, at least 0.7 s), so that the answer comes within -t.
        ev = evaluate(
            args.config,
            now,
            offline=args.offline,
            budget=max(0.1, args.timeout - max(0.2 * args.timeout, 0.7) - (time.monotonic() - started)),
            replay=bool(args.now),
        )
        if ev.feed_failure:
            raise RiskmonError(ev.feed_failure, "\n".join(f"feed {f['name']}: {f.get('error')}" for f in ev.feeds))
        ev = _with_ranges(ev, args)
        extras = _extras(ev, args, now)
        output = _render(ev, args, extras, started)
    if ev.config.location.is_demo:
        from riskmon.present.text import DEMO_NOTE

        print(f"riskmon: {DEMO_NOTE}", file=sys.stderr, flush=True)
    sys.stdout.write(output if output.endswith("\n") else output + "\n")
    sys.stdout.flush()
    return int(ev.assessment.level.exit_code)


def _with_ranges(ev: Any, args: argparse.Namespace) -> Any:
    """The evaluation with the command line's Nagios ranges applied (riskmon.cli.check_ranges):
    everything after this (history, every format, the exit code) sees the same level."""
    import dataclasses

    from riskmon.cli.check_ranges import apply_ranges, asked_ranges, unsupported

    asked = asked_ranges(args)
    why = unsupported(ev.assessment, asked)
    if why:
        raise RiskmonError(f"bad arguments: {why}")
    return dataclasses.replace(ev, assessment=apply_ranges(ev.assessment, asked))


def _extras(ev: Any, args: argparse.Namespace, now: Any) -> dict[str, Any]:
    """Playbook actions and history changes: one visit to the history file records the check and
    reads which steps are done. A replay (--now) records nothing, as --no-history."""
    if getattr(args, "no_history", False) or args.now:
        changes, progress = None, _progress(args)
    else:
        changes, progress = _history(ev, args)
    return {**_playbook(ev, args, progress), "changes": changes}


def _progress(args: argparse.Namespace) -> Progress:
    """Done steps, read without recording (--no-history); unreadable means none is ticked."""
    from riskmon.cli.playbook import load_progress

    try:
        # A busy history may hold its lock a while: the checklist gets a small share of -t.
        return load_progress(getattr(args, "db", None), lock_timeout=max(0.1, args.timeout * 0.1))
    except CheckTimeout:
        raise
    except Exception as exc:
        print(f"riskmon: playbook progress not read: {reason_of(exc)}", file=sys.stderr, flush=True)
        return {}


def _playbook(ev: Any, args: argparse.Namespace, progress: Progress) -> dict[str, Any]:
    """The playbook per event and for the business as it stands (JSON only), and the most urgent
    open steps as one-line actions (-v lists them, nagios names the first).

    Done steps come from history; an unreadable history means none is ticked, not a failed check."""
    from riskmon.cli.playbook import build_plan

    p = build_plan(ev, progress)
    as_json = args.format == "json"
    return {
        "playbooks": p.playbooks_json() if as_json else None,
        "standing": p.standing_json() if as_json else [],
        "actions": p.action_lines(),
    }


def _history(ev: Any, args: argparse.Namespace) -> tuple[list[dict[str, Any]] | None, Progress]:
    """Record this check in history: the event changes since the previous one (None: not
    recorded) and the done steps.

    History is a record, not the check: a store failure is reported on stderr and the check goes
    on, with no step ticked.
    """
    from riskmon.paths import resolve_db_path
    from riskmon.store.history import LOCK_TIMEOUT, HistoryStore
    from riskmon.store.snapshots import change_summaries, event_records, snapshot_of

    a = ev.assessment
    try:
        path = resolve_db_path(getattr(args, "db", None))
        first_run = not path.exists()
        # Waiting for the lock is bounded by a share of -t, so a busy history cannot time the check out.
        wait = max(0.1, min(LOCK_TIMEOUT, args.timeout * 0.15))
        store = HistoryStore(path, ev.config.settings.history, lock_timeout=wait)
        entries, progress = store.record_check_with_steps(snapshot_of(a), event_records(a))
    except CheckTimeout:
        raise
    except Exception as exc:
        print(f"riskmon: history not recorded: {reason_of(exc)}", file=sys.stderr, flush=True)
        return None, {}
    for moved in store.recovered:
        print(f"riskmon: history file was unreadable; moved aside to {moved}", file=sys.stderr, flush=True)
    return change_summaries(entries, first_run=first_run), progress


def _render(ev: Any, args: argparse.Namespace, extras: dict[str, Any], started: float) -> str:
    from riskmon.present import formats

    a = ev.assessment
    where = ev.config.location
    demo = where.is_demo
    if args.format == "json":
        doc = formats.assessment_to_dict(
            a,
            feeds=ev.feeds,
            playbooks=extras["playbooks"],
            standing=extras["standing"],
            changes=extras["changes"],
            extra={
                "config_dir": str(where.path),
                "config_source": where.source,
                "demo": demo,
                "conflicts": ev.conflicts,
            },
        )
        return formats.to_json(doc)
    if args.format == "nagios":
        from riskmon.present.text import events_table, feed_problems

        detail = events_table(a.events[:5], a.profile.business.currency) if args.verbose >= 1 else []
        detail = [*feed_problems(ev.feeds), *detail]
        actions = extras["actions"]
        from riskmon.cli.check_ranges import asked_ranges, perf_ranges

        ranges = perf_ranges(a, asked_ranges(args))
        return formats.nagios(
            a, action=actions[0] if actions else None, detail_lines=detail, demo=demo, perf_ranges=ranges
        )
    if args.format == "prometheus":
        return formats.prometheus(a, feeds=ev.feeds, demo=demo)
    from riskmon.present.text import render_check, use_colour

    debug = [
        f"config {ev.config.location.path} ({ev.config.location.source})",
        *(f"{name}: {path or 'missing, defaults'}" for name, path in ev.config.files.items()),
        f"{len(ev.events)} events assessed, {len(a.expired)} expired",
        *(f"feed {f['name']}: ok={f.get('ok')} stale={f.get('stale')} error={f.get('error')}" for f in ev.feeds),
        *(f"conflict {c}" for c in ev.conflicts),
        f"took {(time.monotonic() - started) * 1000:.0f} ms",
    ]
    return render_check(
        a,
        verbosity=args.verbose,
        colour=use_colour(sys.stdout),
        actions=extras["actions"],
        changes=extras["changes"] or [],
        feeds=ev.feeds,
        debug=debug,
        demo=demo,
    )
