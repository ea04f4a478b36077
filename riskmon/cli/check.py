"""`riskmon check`: one assessment, one exit code, for cron and monitoring systems.

Must stay free of Textual, plotext and APScheduler imports (a test enforces it): it is started
every few minutes by cron and its cold start is measured in benchmarks/.
"""

from __future__ import annotations

import argparse
import signal
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from riskmon.cli.args import bad_arguments, offline, seconds
from riskmon.cli.pipe import answer
from riskmon.core.hints import TYPE_CHECKING
from riskmon.errors import RiskmonError, reason_of
from riskmon.i18n import _

if TYPE_CHECKING:
    from typing import Any

    from riskmon.core.playbooks import Progress
    from riskmon.usecases.evaluate import Evaluation


def configure(p: argparse.ArgumentParser) -> None:
    from riskmon.cli.args import version_option
    from riskmon.cli.range_options import add_range_options
    from riskmon.cli.reference import check_epilog
    from riskmon.i18n import _

    p.epilog = check_epilog()
    version_option(p)
    p.add_argument("--format", "-f", choices=("text", "json", "nagios", "prometheus"), default="text")
    add_range_options(p)
    p.add_argument(
        "-t",
        "--timeout",
        type=seconds,
        default=30.0,
        metavar=_("SECONDS"),
        help=_("give up after (default 30, at most 86400)"),
    )
    p.add_argument("-v", "--verbose", action="count", default=0, help=_("more detail; repeat up to -vvv"))
    p.add_argument("--no-history", action="store_true", help=_("do not record this check in history"))
    offline(p)


class CheckTimeout(RiskmonError):
    pass


@contextmanager
def deadline(seconds: float) -> Iterator[None]:
    """Abort the check after `seconds` of wall time, wherever it is (a hung read, a slow disk)."""
    if seconds <= 0:
        raise RiskmonError(bad_arguments(_("-t must be positive, got {value}").format(value=f"{seconds:g}")))

    def expire(signum: int, frame: object) -> None:
        raise CheckTimeout(
            _("timed out after {n} s").format(n=f"{seconds:g}"), _("raise -t, or look for a hanging feed with -vvv")
        )

    try:
        old = signal.signal(signal.SIGALRM, expire)
    except ValueError:  # not the main thread (a worker, a test): no alarm can be set there
        yield
        return
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, old)


def reserve_after_feeds(timeout: float) -> float:
    """The part of -t kept for what follows the feeds: 30% of it, at least 1 s. A busy machine
    (cron, a CI runner) can take a second to assess, record and print; a fifth of -t was not
    always enough, and then a hanging feed cost the answer instead of only its freshness."""
    return max(0.3 * timeout, 1.0)


def run(args: argparse.Namespace) -> int:
    from datetime import UTC, datetime

    started = time.monotonic()
    with deadline(args.timeout):
        now = args.now or datetime.now(UTC)
        from riskmon.usecases.evaluate import evaluate

        # Feeds get what is left of -t after a margin for assessing, history, output and the
        # interpreter's exit, so that the answer comes within -t.
        ev = evaluate(
            args.config,
            now,
            offline=args.offline,
            budget=max(0.1, args.timeout - reserve_after_feeds(args.timeout) - (time.monotonic() - started)),
            replay=bool(args.now),
        )
        from riskmon import i18n

        i18n.follow_config(ev.config.settings.ui.language)
        if ev.feed_failure:
            raise RiskmonError(ev.feed_failure, feed_errors(ev.feeds))
        ev, changes = _with_history(_with_ranges(ev, args), args)
        output = _render(ev, args, changes, started)
    if ev.config.location.is_demo:
        from riskmon.present.text import demo_note

        print(f"riskmon: {demo_note()}", file=sys.stderr, flush=True)
    answer(output)
    return int(ev.assessment.level.exit_code)


def _with_ranges(ev: Evaluation, args: argparse.Namespace) -> Evaluation:
    """The evaluation with the command line's Nagios ranges applied (riskmon.cli.check_ranges):
    everything after this (history, the plan, every format, the exit code) sees the same level."""
    from riskmon.cli.range_options import asked_ranges

    asked = asked_ranges(args)
    if not asked:
        return ev
    from riskmon.cli.check_ranges import apply_ranges, unsupported
    from riskmon.core.record import replace

    why = unsupported(ev.assessment, asked)
    if why:
        raise RiskmonError(bad_arguments(why))
    return replace(ev, assessment=apply_ranges(ev.assessment, asked))


def _with_history(ev: Evaluation, args: argparse.Namespace) -> tuple[Evaluation, list[dict[str, Any]] | None]:
    """Record this check in history and tick the playbook's done steps: one visit to the history
    file. A replay (--now) records nothing, as --no-history; then the done steps are read only when
    the output shows the playbook. Returns the evaluation with its progress and the event changes
    since the previous check (None: not recorded)."""
    if getattr(args, "no_history", False) or args.now:
        return ev.with_progress(_progress(args, ev) if _shows_playbook(args) else {}), None
    changes, progress = _history(ev, args)
    return ev.with_progress(progress), changes


def _shows_playbook(args: argparse.Namespace) -> bool:
    """JSON carries the playbooks, nagios names the first action, -v lists the next actions."""
    return args.format in ("json", "nagios") or (args.format == "text" and args.verbose >= 1)


def _progress(args: argparse.Namespace, ev: Evaluation) -> Progress:
    """Done steps, read without recording (--no-history); unreadable means none is ticked, not a
    failed check."""
    from riskmon.usecases.plan import load_progress

    try:
        # A busy history may hold its lock a while: the checklist gets a small share of -t.
        return load_progress(getattr(args, "db", None), ev.config.location, lock_timeout=max(0.1, args.timeout * 0.1))
    except CheckTimeout:
        raise
    except Exception as exc:
        say = _("playbook progress not read: {reason}").format(reason=reason_of(exc))
        print(f"riskmon: {say}", file=sys.stderr, flush=True)
        return {}


def _history(ev: Evaluation, args: argparse.Namespace) -> tuple[list[dict[str, Any]] | None, Progress]:
    """Record this check in history: the event changes since the previous one (None: not
    recorded) and the done steps.

    History is a record, not the check: a store failure is reported on stderr and the check goes
    on, with no step ticked.
    """
    from riskmon.paths import resolve_db_path
    from riskmon.store.history import LOCK_TIMEOUT

    try:
        path = resolve_db_path(getattr(args, "db", None), ev.config.location)  # the demo's is its own
    except Exception as exc:
        print(f"riskmon: history not recorded: {reason_of(exc)}", file=sys.stderr, flush=True)
        return None, {}
    # Waiting for the lock is bounded by a share of -t, so a busy history cannot time the check out.
    return record_history(ev, path, wait=max(0.1, min(LOCK_TIMEOUT, args.timeout * 0.15)))


def record_history(ev: Any, path: Path, *, wait: float, who: str = "") -> tuple[list[dict[str, Any]] | None, Progress]:
    """`_history` for a history file at `path` (`fleet check`: one per profile, `who`)."""
    from riskmon.store.history import HistoryStore
    from riskmon.store.snapshots import change_summaries, event_records, snapshot_of

    say = f"riskmon: {who}: " if who else "riskmon: "
    a = ev.assessment
    try:
        first_run = not path.exists()
        store = HistoryStore(path, ev.config.settings.history, lock_timeout=wait)
        entries, progress = store.record_check_with_steps(snapshot_of(a), event_records(a))
    except CheckTimeout:
        raise
    except Exception as exc:
        print(say + _("history not recorded: {reason}").format(reason=reason_of(exc)), file=sys.stderr, flush=True)
        return None, {}
    for moved in store.recovered:
        print(
            say + _("history file was unreadable; moved aside to {path}").format(path=moved),
            file=sys.stderr,
            flush=True,
        )
    return change_summaries(entries, first_run=first_run), progress


def json_document(ev: Evaluation, extras: dict[str, Any]) -> dict[str, Any]:
    """The `check --format json` document of an evaluation and its extras: `changes` since the
    last check, the `playbooks` and `standing` JSON of its plan (`fleet check` has one per
    profile)."""
    from riskmon.present import formats

    where = ev.config.location
    return formats.assessment_to_dict(
        ev.assessment,
        feeds=ev.feeds,
        playbooks=extras["playbooks"],
        standing=extras["standing"],
        changes=extras["changes"],
        extra={
            "config_dir": str(where.path),
            "config_source": where.source,
            "demo": where.is_demo,
            "conflicts": ev.conflicts,
        },
    )


def _render(ev: Evaluation, args: argparse.Namespace, changes: list[dict[str, Any]] | None, started: float) -> str:
    if args.format == "text":  # the usual one: it needs neither json nor the other formats
        return _render_text(ev, args, changes, started)
    from riskmon.present import formats

    a = ev.assessment
    demo = ev.config.location.is_demo
    if args.format == "json":
        plan = {"playbooks": ev.plan.playbooks_json(), "standing": ev.plan.standing_json()}
        return formats.to_json(json_document(ev, {**plan, "changes": changes}))
    if args.format == "nagios":
        from riskmon.present.text import events_table, feed_problems

        detail = events_table(a.events[:5], a.profile.business.currency) if args.verbose >= 1 else []
        detail = [*feed_problems(ev.feeds), *detail]
        actions = ev.plan.action_lines(limit=1)
        from riskmon.cli.range_options import asked_ranges

        asked = asked_ranges(args)
        ranges = {}
        if asked:
            from riskmon.cli.check_ranges import perf_ranges

            ranges = perf_ranges(a, asked)
        return formats.nagios(
            a, action=actions[0] if actions else None, detail_lines=detail, demo=demo, perf_ranges=ranges
        )
    from riskmon.present.prometheus import profile_name, prometheus

    return prometheus(a, feeds=ev.feeds, demo=demo, labels={"profile": profile_name(ev.config)})


def _render_text(ev: Evaluation, args: argparse.Namespace, changes: list[dict[str, Any]] | None, started: float) -> str:
    from riskmon.present.text import render_check, use_colour
    from riskmon.present.words import action_lines

    a = ev.assessment
    missing = _("missing, defaults")
    debug = [
        _("config {path} ({source})").format(path=ev.config.location.path, source=ev.config.location.source),
        *(f"{name}: {path or missing}" for name, path in ev.config.files.items()),
        _("{events} events assessed, {expired} expired").format(events=len(ev.events), expired=len(a.expired)),
        *(_("feed {name}: {state}").format(name=f["name"], state=_feed_state(f)) for f in ev.feeds),
        *(_("conflict {what}").format(what=c) for c in ev.conflicts),
        _("took {n} ms").format(n=f"{(time.monotonic() - started) * 1000:.0f}"),
    ]
    return render_check(
        a,
        verbosity=args.verbose,
        colour=use_colour(sys.stdout),
        actions=action_lines(ev.plan) if args.verbose >= 1 else (),
        changes=changes or [],
        feeds=ev.feeds,
        debug=debug,
        demo=ev.config.location.is_demo,
        explanations=ev.explanations if args.verbose >= 2 else None,
    )


def feed_errors(feeds: list[dict[str, Any]]) -> str:
    """Each feed's error, one line each: the details of a feed failure (check, daemon --once)."""
    return "\n".join(_("feed {name}: {error}").format(name=f["name"], error=f.get("error")) for f in feeds)


def _feed_state(f: dict[str, Any]) -> str:
    # The keys stay: they are the names of the JSON fields a reader may compare with.
    return f"ok={f.get('ok')} stale={f.get('stale')} error={f.get('error')}"
