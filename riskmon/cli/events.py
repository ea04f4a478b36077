"""`riskmon events [list|show ID]`: the events that count, most urgent first, each with its status
as of --now; `show` adds the event's timeline (the entry in force marked), what it would cost for
good ("lost") and the cash it would hold up ("late"), apart."""

from __future__ import annotations

import argparse
import sys
from datetime import datetime
from typing import TYPE_CHECKING, Any

from riskmon.errors import RiskmonError, did_you_mean

if TYPE_CHECKING:
    from riskmon.core.engine import Assessment, EventAssessment
    from riskmon.core.model import Event
    from riskmon.usecases.evaluate import Evaluation


def configure(p: argparse.ArgumentParser) -> None:
    from riskmon.cli.args import actions, nested, offline
    from riskmon.i18n import _

    sub = actions(p, "events_command")
    listing = nested(sub, "list", _("events sorted by urgency"))
    show = nested(sub, "show", _("one event: its timeline, what it would cost (lost) and hold up (late)"))
    show.add_argument("event_id", metavar=_("ID"))
    # The options go before or after the action: `events -f json list`, `events list -f json`.
    for ep in (p, listing, show):
        ep.add_argument("--format", "-f", choices=("table", "json"), default=argparse.SUPPRESS)
        ep.add_argument("--all", action="store_true", default=argparse.SUPPRESS, help=_("include expired events"))
        offline(ep, default=argparse.SUPPRESS)


def run(args: argparse.Namespace) -> int:
    from datetime import UTC

    from riskmon.usecases.evaluate import evaluate

    fmt = getattr(args, "format", "table")
    now = args.now or datetime.now(UTC)
    ev = evaluate(args.config, now, offline=getattr(args, "offline", False), budget=20.0, replay=bool(args.now))
    from riskmon.i18n import follow_config

    follow_config(ev.config.settings.ui.language)
    demo = ev.config.location.is_demo
    if demo and fmt != "json":
        from riskmon.present.text import demo_note, demo_tag

        print(f"{demo_tag()} {demo_note()}")
    if args.events_command == "show":
        return _show(args.event_id, ev, fmt, demo)
    return _list(ev.assessment, now, fmt, demo, all_=getattr(args, "all", False))


def _show(event_id: str, ev: Evaluation, fmt: str, demo: bool) -> int:
    from riskmon.present import formats

    a, events = ev.assessment, ev.events
    found = a.event(event_id)
    if found is None:
        pending = next((e for e in events if e.id == event_id and e.public_since and e.public_since > a.now), None)
        if pending is None:
            raise RiskmonError(_unknown(event_id, [e.id for e in events], [e.id for e in a.expired]))
        return _not_public(pending, a.now, fmt, demo)
    if fmt == "json":
        print(formats.to_json({**event_json(found), "now": formats.iso(a.now), "demo": demo}))
        return 0
    from riskmon.i18n import _, data
    from riskmon.present.explain import explain
    from riskmon.present.text import timeline_lines
    from riskmon.textsafe import clean

    # The same explanation as `check -vv` and the dashboard, then the event's own facts: its
    # timeline, deadlines and sources.
    lines = [*explain(found, a).lines(), *timeline_lines(found, a.now)]
    lines += [
        "  " + _("deadline {when} UTC: {what}").format(when=f"{d:%Y-%m-%d %H:%M}", what=clean(data(w)))
        for d, w in found.deadlines
    ]
    lines += ["  " + _("source: {url}").format(url=clean(s)) for s in found.event.sources]
    print("\n".join(lines))
    return 0


def _not_public(event: Event, now: datetime, fmt: str, demo: bool) -> int:
    """An event whose timeline starts after --now: a replay leaves it out, but its timeline is
    still worth seeing."""
    from riskmon.present import formats
    from riskmon.present.text import day
    from riskmon.textsafe import clean

    first = event.timeline[0].date
    if fmt == "json":
        doc = {
            "id": event.id,
            "title": clean(event.title),
            "kind": event.kind,
            "public": False,
            "timeline": _timeline_json(event, None),
            "now": formats.iso(now),
            "demo": demo,
        }
        print(formats.to_json(doc))
        return 0
    from riskmon.i18n import _, data
    from riskmon.present.words import status_word

    lines = [
        f"{clean(event.id)}: {clean(data(event.title))}",
        "  "
        + _("not public yet on {now}: its timeline starts {first}, so this assessment leaves it out").format(
            now=day(now), first=day(first)
        ),
        "  " + _("timeline:"),
        *(f"    {day(t.date)}  {status_word(t.status)}" for t in event.timeline),
    ]
    print("\n".join(lines))
    return 0


def event_json(e: EventAssessment) -> dict[str, Any]:
    """The `check` JSON of one event, its timeline entries saying which is in force, and its late
    money split into moves with dates."""
    from riskmon.present import formats
    from riskmon.present.cash import cash_moves

    doc = formats.event_to_dict(e)
    doc["timeline"] = _timeline_json(e.event, e)
    doc["cash_moves"] = [
        {"what": m.what, "amount": m.amount, "leaves": formats.iso(m.leaves), "back": formats.iso(m.back)}
        for m in cash_moves(e)
    ]
    return doc


def _timeline_json(event: Event, e: EventAssessment | None) -> list[dict[str, Any]]:
    from riskmon.present import formats
    from riskmon.present.text import timeline_probability

    return [
        {
            "date": formats.iso(t.date),
            "status": t.status,
            "probability": t.probability,
            "probability_in_force": timeline_probability(event, t),
            "in_force": e is not None and t is e.timeline_entry,
        }
        for t in event.timeline
    ]


def _list(a: Assessment, now: datetime, fmt: str, demo: bool, *, all_: bool) -> int:
    from riskmon.present import formats
    from riskmon.present.text import events_table

    # Most urgent first: what comes soonest among what is not over, then by score.
    ranked = sorted(a.events, key=lambda e: (-e.urgency, max(e.days_until, 0), -e.score, e.id))
    if fmt == "json":
        docs: list[dict[str, Any]] = [event_json(e) for e in ranked]
        if all_:
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
    print("\n".join(events_table(ranked, a.profile.business.currency)))
    from riskmon.i18n import _

    n = len(a.expired)
    if all_ and a.expired:
        print("\n" + _("expired ({n}): {ids}").format(n=n, ids=", ".join(e.id for e in a.expired)))
    elif a.expired:
        hidden = _("{n} expired events not shown ({option} lists them)").format(n=n, option="--all")
        print("\n" + hidden, file=sys.stderr)
    return 0


def _unknown(event_id: str, known: list[str], expired: list[str]) -> str:
    from riskmon.i18n import _

    if event_id in expired:
        return _("event {id} has expired (its window has passed)").format(id=repr(event_id))
    hint = did_you_mean(event_id, known) or "; " + _("{command} shows them").format(command="`riskmon events list`")
    return _("no event {id}{hint}").format(id=repr(event_id), hint=hint)
