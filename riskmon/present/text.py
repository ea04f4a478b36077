"""Human-readable text for `riskmon check`, `events` and friends: aligned, colour only on a TTY.

Verbosity: 0 one line; 1 adds the rules, the cash forecast's lowest point and the loss
distribution, the top events and the top actions; 2 adds the 13-week forecast table and each
event's explanation (riskmon.present.explain), what would be lost apart from what would only be
late; 3 adds debug facts (which config, timings) supplied by the caller. Money is always labelled
"lost" (gone for good) or "late" (cash timing), never both.
"""

from __future__ import annotations

import math
import os
import sys
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any, TextIO

from riskmon.core.engine import Assessment, EventAssessment
from riskmon.core.model import DEFAULT_PROBABILITY, Event, TimelineEntry
from riskmon.core.money import money
from riskmon.core.timing import status_at
from riskmon.errors import Level
from riskmon.present.cash import CashMove, cash_moves, lowest_week_start, notes_by_week, runway_date, week_of_date
from riskmon.textsafe import clean

if TYPE_CHECKING:
    from riskmon.present.explain import Explanation

_COLOURS = {Level.OK: "32", Level.WARNING: "33", Level.CRITICAL: "31"}

DEMO_TAG = "[demo config]"
"""Marks every output made from the bundled demo config, right after the level: its numbers are a
fictional seller's, however plausible."""
DEMO_NOTE = (
    "this is the bundled demo config (a fictional seller), not yours: write your own with "
    "`riskmon config init`, or pass --config DIR"
)
RUNWAY_SHOWN_WEEKS = 10000
"""Beyond this a runway is shown as "over 10,000 wk": its digits would mean nothing."""


def use_colour(stream: TextIO) -> bool:
    """Colour only for a terminal, and never when NO_COLOR is set (https://no-color.org)."""
    if os.environ.get("NO_COLOR", "") != "":
        return False
    if os.environ.get("TERM") == "dumb":
        return False
    return hasattr(stream, "isatty") and stream.isatty()


def paint(text: str, level: Level, colour: bool) -> str:
    return f"\x1b[1;{_COLOURS[level]}m{text}\x1b[0m" if colour else text


def when(days_until: float) -> str:
    """'in 12 d', 'in 5 h', 'in effect'."""
    if days_until <= 0:
        return "in effect"
    if days_until < 1:
        return f"in {days_until * 24:.0f} h"
    return f"in {days_until:.0f} d"


def runway_text(weeks: float | None) -> str:
    if weeks is None or not math.isfinite(weeks):
        return "does not run out"
    return f"over {RUNWAY_SHOWN_WEEKS:,} wk" if weeks > RUNWAY_SHOWN_WEEKS else f"{weeks:.1f} wk"


def chance(p: float) -> str:
    """A probability as a percentage that never rounds a possibility away: '<1%', '>99%'."""
    if not math.isfinite(p):
        return "n/a"
    if p <= 0.0 or p >= 1.0:
        return f"{min(max(p, 0.0), 1.0):.0%}"
    if p < 0.005:
        return "<1%"
    return ">99%" if p > 0.995 else f"{p:.0%}"


def day(dt: datetime) -> str:
    return f"{dt:%Y-%m-%d}"


def week_text(k: int | None) -> str:
    return "after the forecast" if k is None else f"week {k}"


def cash_low_text(a: Assessment) -> str:
    """'lowest -$20,615 in the week of 2025-05-26': the likely forecast's lowest balance."""
    return f"lowest {money(a.cash_low, a.profile.business.currency)} in the week of {day(lowest_week_start(a))}"


def runway_phrase(a: Assessment) -> str:
    """'runway 4.9 wk', or 'cash does not run out in 13 weeks' (the forecast's length)."""
    if a.runway_weeks is None:
        return f"cash does not run out in {len(a.forecast.week_starts)} weeks"
    return f"runway {runway_text(a.runway_weeks)}"


def cash_phrase(a: Assessment) -> str:
    """The runway with the forecast's lowest point: 'runway 4.9 wk (lowest ...)', or 'cash does
    not run out in 13 weeks (lowest ...)'."""
    return f"{runway_phrase(a)} ({cash_low_text(a)})"


def loss_spread(a: Assessment) -> str:
    """'expected loss $61,830 (P50 $66,000, P95 $75,467)'."""
    cur = a.profile.business.currency
    return f"expected loss {money(a.expected_loss, cur)} (P50 {money(a.loss_p50, cur)}, P95 {money(a.loss_p95, cur)})"


def table(headers: Sequence[str], rows: Sequence[Sequence[str]], right: set[int] | None = None) -> list[str]:
    """Align columns; `right` holds the indexes of numeric columns."""
    right = right or set()
    widths = [len(h) for h in headers]
    for row in rows:
        widths = [max(w, len(c)) for w, c in zip(widths, row, strict=True)]

    def fmt(row: Sequence[str]) -> str:
        cells = [c.rjust(w) if i in right else c.ljust(w) for i, (c, w) in enumerate(zip(row, widths, strict=True))]
        return "  ".join(cells).rstrip()

    return [fmt(headers), *(fmt(r) for r in rows)]


def headline(a: Assessment, colour: bool = False, *, demo: bool = False) -> str:
    conc = a.concentration
    top = f", {conc.top_platform} {conc.top_dependence:.0%} of orders" if conc.top_platform else ""
    tag = f" {DEMO_TAG}" if demo else ""
    return (
        f"{paint(a.level.name, a.level, colour)}{tag} score {a.score:.0f}/100, {cash_phrase(a)}, "
        f"shortfall probability {chance(a.cash_shortfall_probability)}{top}, {loss_spread(a)}"
        f" — {'; '.join(a.reasons)}"
    )


def events_table(events: Sequence[EventAssessment], currency: str, limit: int | None = None) -> list[str]:
    """One row per event: its status and probability as of now, score, expected loss and the
    cash it would make late."""
    rows = [
        [
            clean(e.id),
            when(e.days_until),
            e.status,
            f"{e.probability:.0%}",
            f"{e.score:.1f}",
            money(e.expected_loss, currency),
            money(e.cash_frozen, currency),
            clean(e.event.title)[:60],
        ]
        for e in list(events)[:limit]
    ]
    return table(["EVENT", "WHEN", "STATUS", "P", "SCORE", "EXP. LOSS", "LATE", "TITLE"], rows, right={3, 4, 5, 6})


def late_header(e: EventAssessment, currency: str) -> str:
    """The line that opens an event's cash effect, never part of its loss."""
    if e.cash_frozen <= 0:
        return "  late if it happens (cash timing): nothing"
    return f"  late if it happens (cash timing, never part of the loss): {money(e.cash_frozen, currency)}"


def late_moves(e: EventAssessment, a: Assessment | None = None) -> list[tuple[str, float, str]]:
    """The event's late money by part (payouts frozen, extra hold): what, how much, and when it
    leaves and comes back (dates; forecast weeks when `a` is given)."""
    return [(m.what, m.amount, _timing(m, a)) for m in cash_moves(e)]


def _timing(move: CashMove, a: Assessment | None) -> str:
    def at(dt: datetime | None) -> str:
        if dt is None:
            return ""
        return f"{day(dt)} ({week_text(week_of_date(a, dt))})" if a else day(dt)

    if move.leaves is None:
        return "already in effect: part of your pending payouts, not moved again in the forecast"
    back = f"back {at(move.back)}" if move.back else "back when the event ends: it has no end date"
    return f"leaves {at(move.leaves)}, {back}"


def timeline_lines(e: EventAssessment, now: datetime) -> list[str]:
    """The event's dated statuses, the one in force at `now` marked with '>'."""
    ev = e.event
    if not ev.timeline:
        return [f"  timeline: none; {e.status} ({e.probability:.0%}) at every date"]
    rows = []
    for entry in ev.timeline:
        mark = ">" if entry is e.timeline_entry else ""
        rows.append([mark, day(entry.date), entry.status, f"{timeline_probability(ev, entry):.0%}"])
    lines = [f"  timeline ('>' is in force on {day(now)}):"]
    lines.extend(f"    {line}" for line in table(["", "DATE", "STATUS", "P"], rows, right={3}))
    return lines


def timeline_probability(ev: Event, entry: TimelineEntry) -> float:
    """The probability an entry stands for, read as riskmon.core.timing.status_at reads it (its
    own, else the event's for the last entry, else its status's default). Timeline dates are
    strictly ascending, so the entry is in force on its own date."""
    standing = status_at(ev, entry.date)
    return DEFAULT_PROBABILITY[entry.status] if standing is None else standing.probability


def feed_problems(feeds: Sequence[Mapping[str, Any]]) -> list[str]:
    """One line per feed whose last poll failed or whose copy is stale."""
    out = []
    for f in feeds:
        if f.get("ok") and not f.get("stale"):
            continue
        line = f"feed {clean(f['name'])}: {'stale, ' if f.get('stale') else ''}{clean(f.get('error') or 'ok')}"
        last = f.get("last_success")
        if last:
            line += f" (last good copy {clean(last)[:16].replace('T', ' ')} UTC)"
        out.append(line)
    return out


def cash_and_loss(a: Assessment) -> list[str]:
    """-v: the forecast's lowest point and its week, when cash runs out, the shortfall
    probability, and the loss distribution (money gone for good)."""
    cur = a.profile.business.currency
    weeks = len(a.forecast.week_starts)
    out = runway_date(a)
    if out is None:
        runs_out = "does not run out"
    else:
        past = " (past the forecast, at the last 4 weeks' burn)" if a.runway_weeks and a.runway_weeks > weeks else ""
        runs_out = f"runs out in {runway_text(a.runway_weeks)}, around {day(out)}{past}"
    draws = "exact" if a.distribution == "exact" else f"Monte Carlo, {a.settings.model.draws} draws"
    return [
        f"cash, {weeks}-week forecast if likely events happen: {cash_low_text(a)}; {runs_out}",
        f"  shortfall probability {chance(a.cash_shortfall_probability)}: the chance cash goes below zero in some week",
        f"loss, money gone for good: expected {money(a.expected_loss, cur)}, P50 {money(a.loss_p50, cur)}, "
        f"P95 {money(a.loss_p95, cur)} ({draws})",
    ]


def forecast_table(a: Assessment) -> list[str]:
    """-vv: each week's closing balance in the three scenarios, with what happens in it."""
    cur = a.profile.business.currency
    f = a.forecast
    notes = notes_by_week(a)
    rows = [
        [
            str(k),
            day(f.week_starts[k]),
            money(f.baseline[k], cur),
            money(f.likely[k], cur),
            money(f.stress[k], cur),
            "; ".join(notes[k]),
        ]
        for k in range(len(f.week_starts))
    ]
    return [
        "cash forecast, balance at the end of each week (baseline: no event; likely: events with p >= 50%; "
        "stress: every event with p > 0)",
        *table(["WEEK", "STARTS", "BASELINE", "LIKELY", "STRESS", "NOTE"], rows, right={0, 2, 3, 4}),
    ]


def render_check(
    a: Assessment,
    *,
    verbosity: int = 0,
    colour: bool = False,
    actions: Sequence[str] = (),
    changes: Sequence[Mapping[str, Any]] = (),
    feeds: Sequence[Mapping[str, Any]] = (),
    debug: Sequence[str] = (),
    demo: bool = False,
    explanations: Mapping[str, Explanation] | None = None,
) -> str:
    """`explanations`: `Evaluation.explanations` (-vv prints them); worked out here when not given."""
    cur = a.profile.business.currency
    lines = [headline(a, colour, demo=demo)]
    if changes:
        lines.append(f"since the previous check: {len(changes)} change{'s' if len(changes) != 1 else ''}")
        if verbosity >= 1:
            lines.extend(f"  {clean(c.get('summary', ''))}" for c in changes)
    if verbosity >= 1:
        lines.append("")
        lines.append(f"{clean(a.profile.business.name)} as of {a.now:%Y-%m-%d %H:%M} UTC")
        lines.extend(f"  {paint(r.level.name, r.level, colour):<8} {r.rule:<13} {r.reason}" for r in a.rules)
        lines.append("")
        lines.extend(cash_and_loss(a))
        shown = [e for e in a.events if e.score > 0 or e.expected_loss > 0 or (e.probability > 0 and e.cash_frozen)]
        if shown:
            lines.append("")
            lines.extend(events_table(shown[:10], cur))
        if actions:
            lines.append("")
            lines.append("next actions:")
            lines.extend(f"  - {clean(x)}" for x in actions)
    # A feed problem is shown at every verbosity: the assessment rests on its last good copy.
    lines.extend(feed_problems(feeds))
    if verbosity >= 2:
        lines.append("")
        lines.extend(forecast_table(a))
        if explanations is None:
            from riskmon.present.explain import explain_all

            explanations = explain_all(a)
        for e in a.events:
            if (e.loss > 0 or e.cash_frozen > 0 or e.channels) and e.id in explanations:
                lines.append("")
                lines.extend(explanations[e.id].lines())
    if verbosity >= 3 and debug:
        lines.append("")
        lines.extend(f"debug: {d}" for d in debug)
    return "\n".join(lines)


def write(text: str, stream: TextIO | None = None) -> None:
    stream = stream or sys.stdout
    stream.write(text if text.endswith("\n") else text + "\n")
