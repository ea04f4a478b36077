"""`riskmon events [list|show ID]`: the events that count, most urgent first."""

from __future__ import annotations

import argparse
import sys

from riskmon.errors import RiskmonError, did_you_mean


def configure(p: argparse.ArgumentParser) -> None:
    from riskmon.cli.args import actions, nested, offline

    sub = actions(p, "events_command")
    listing = nested(sub, "list", "events sorted by urgency")
    show = nested(sub, "show", "one event with its loss breakdown")
    show.add_argument("event_id", metavar="ID")
    # The options go before or after the action: `events -f json list`, `events list -f json`.
    for ep in (p, listing, show):
        ep.add_argument("--format", "-f", choices=("table", "json"), default=argparse.SUPPRESS)
        ep.add_argument("--all", action="store_true", default=argparse.SUPPRESS, help="include expired events")
        offline(ep, default=argparse.SUPPRESS)


def run(args: argparse.Namespace) -> int:
    from datetime import UTC, datetime

    from riskmon.present import formats
    from riskmon.present.text import events_table
    from riskmon.usecases.evaluate import evaluate

    fmt = getattr(args, "format", "table")
    now = args.now or datetime.now(UTC)
    ev = evaluate(args.config, now, offline=getattr(args, "offline", False), budget=20.0, replay=bool(args.now))
    a = ev.assessment
    cur = a.profile.business.currency
    demo = ev.config.location.is_demo
    if demo and fmt != "json":
        from riskmon.present.text import DEMO_NOTE, DEMO_TAG

        print(f"{DEMO_TAG} {DEMO_NOTE}")
    if args.events_command == "show":
        found = a.event(args.event_id)
        if found is None:
            raise RiskmonError(_unknown(args.event_id, [e.id for e in ev.events], [e.id for e in a.expired]))
        if fmt == "json":
            print(formats.to_json({**formats.event_to_dict(found), "demo": demo}))
        else:
            from riskmon.textsafe import clean

            explained = ev.explain(found.id)
            lines = explained.lines() if explained is not None else []
            lines += [f"  deadline {d:%Y-%m-%d %H:%M} UTC: {clean(w)}" for d, w in found.deadlines]
            lines += [f"  source: {clean(s)}" for s in found.event.sources]
            print("\n".join(lines))
        return 0
    # Most urgent first: what comes soonest among what is not over, then by score.
    ranked = sorted(a.events, key=lambda e: (-e.urgency, max(e.days_until, 0), -e.score, e.id))
    if fmt == "json":
        docs = [formats.event_to_dict(e) for e in ranked]
        if getattr(args, "all", False):
            docs += [
                {
                    "id": e.id,
                    "title": e.title,
                    "kind": e.kind,
                    "status": e.status,
                    "expired": True,
                    "effective": formats.iso(e.effective),
                    "ends": formats.iso(e.ends),
                }
                for e in a.expired
            ]
        print(formats.to_json({"now": formats.iso(now), "demo": demo, "events": docs}))
        return 0
    print("\n".join(events_table(ranked, cur)))
    if getattr(args, "all", False) and a.expired:
        print(f"\nexpired ({len(a.expired)}): " + ", ".join(e.id for e in a.expired))
    elif a.expired:
        print(f"\n{len(a.expired)} expired events not shown (--all lists them)", file=sys.stderr)
    return 0


def _unknown(event_id: str, known: list[str], expired: list[str]) -> str:

    if event_id in expired:
        return f"event {event_id!r} has expired (its window has passed)"
    hint = did_you_mean(event_id, known) or "; `riskmon events list` shows them"
    return f"no event {event_id!r}{hint}"
