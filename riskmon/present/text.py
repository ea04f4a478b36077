"""Human-readable text for `riskmon check`, `events` and friends: aligned, colour only on a TTY.

Verbosity: 0 one line; 1 adds reasons, the top events and the top actions; 2 adds each event's
explanation (riskmon.present.explain); 3 adds debug facts (which config, timings) supplied by the
caller.
"""

from __future__ import annotations

import math
import os
import sys
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, TextIO

from riskmon.core.engine import Assessment, EventAssessment
from riskmon.core.money import money
from riskmon.errors import Level
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
        return "no burn"
    return f"over {RUNWAY_SHOWN_WEEKS:,} wk" if weeks > RUNWAY_SHOWN_WEEKS else f"{weeks:.1f} wk"


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
    cur = a.profile.business.currency
    top = f", {conc.top_platform} {conc.top_dependence:.0%} of orders" if conc.top_platform else ""
    tag = f" {DEMO_TAG}" if demo else ""
    return (
        f"{paint(a.level.name, a.level, colour)}{tag} score {a.score:.0f}/100, runway {runway_text(a.runway_weeks)}"
        f"{top}, expected loss {money(a.expected_loss, cur)} — {'; '.join(a.reasons)}"
    )


def events_table(events: Sequence[EventAssessment], currency: str, limit: int | None = None) -> list[str]:
    rows = [
        [
            clean(e.id),
            when(e.days_until),
            e.event.status,
            f"{e.probability:.0%}",
            f"{e.score:.1f}",
            money(e.expected_loss, currency),
            clean(e.event.title)[:60],
        ]
        for e in list(events)[:limit]
    ]
    return table(["EVENT", "WHEN", "STATUS", "P", "SCORE", "EXP. LOSS", "TITLE"], rows, right={3, 4, 5})


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
        shown = [e for e in a.events if e.score > 0 or e.expected_loss > 0][:10]
        if shown:
            lines.append("")
            lines.extend(events_table(shown, cur))
        if actions:
            lines.append("")
            lines.append("next actions:")
            lines.extend(f"  - {clean(x)}" for x in actions)
    # A feed problem is shown at every verbosity: the assessment rests on its last good copy.
    lines.extend(feed_problems(feeds))
    if verbosity >= 2:
        if explanations is None:
            from riskmon.present.explain import explain_all

            explanations = explain_all(a)
        for e in a.events:
            if (e.loss > 0 or e.channels) and e.id in explanations:
                lines.append("")
                lines.extend(explanations[e.id].lines())
    if verbosity >= 3 and debug:
        lines.append("")
        lines.extend(f"debug: {d}" for d in debug)
    return "\n".join(lines)


def write(text: str, stream: TextIO | None = None) -> None:
    stream = stream or sys.stdout
    stream.write(text if text.endswith("\n") else text + "\n")
