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

from riskmon.core.engine import Assessment, EventAssessment
from riskmon.core.hints import TYPE_CHECKING
from riskmon.core.model import DEFAULT_PROBABILITY, Event, TimelineEntry
from riskmon.core.timing import status_at
from riskmon.errors import Level
from riskmon.i18n import N_, _, ngettext
from riskmon.i18n import data as data_text
from riskmon.i18n import day as day
from riskmon.i18n import money as money
from riskmon.present.cash import CashMove, cash_moves, lowest_week_start, notes_by_week, runway_date, week_of_date
from riskmon.present.cells import cell_width as cell_width
from riskmon.present.cells import ljust as ljust
from riskmon.present.cells import rjust as rjust
from riskmon.present.cells import table as table
from riskmon.present.changes import summary_line
from riskmon.present.words import rule_reason, rule_word, status_word
from riskmon.textsafe import clean

if TYPE_CHECKING:
    from typing import Any, TextIO

    from riskmon.present.explain import Explanation

_COLOURS = {Level.OK: "32", Level.WARNING: "33", Level.CRITICAL: "31"}

DEMO_TAG = N_("[demo config]")
"""Marks every output made from the bundled demo config, right after the level: its numbers are a
fictional seller's, however plausible."""
DEMO_NOTE = N_(
    "this is the bundled demo config (a fictional seller), not yours: write your own with "
    "`riskmon config init`, or pass --config DIR"
)
"""English; `demo_note()` in the active language."""


def demo_note() -> str:
    return _(DEMO_NOTE)


def demo_tag() -> str:
    return _(DEMO_TAG)


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
        return _("in effect")
    if days_until < 1:
        return _("in {n} h").format(n=f"{days_until * 24:.0f}")
    return _("in {n} d").format(n=f"{days_until:.0f}")


def runway_text(weeks: float | None) -> str:
    if weeks is None or not math.isfinite(weeks):
        return _("does not run out")
    if weeks > RUNWAY_SHOWN_WEEKS:
        return _("over {n} wk").format(n=f"{RUNWAY_SHOWN_WEEKS:,}")
    return _("{n} wk").format(n=f"{weeks:.1f}")


def chance(p: float) -> str:
    """A probability as a percentage that never rounds a possibility away: '<1%', '>99%'."""
    if not math.isfinite(p):
        return "n/a"
    if p <= 0.0 or p >= 1.0:
        return f"{min(max(p, 0.0), 1.0):.0%}"
    if p < 0.005:
        return "<1%"
    return ">99%" if p > 0.995 else f"{p:.0%}"


def week_text(k: int | None) -> str:
    return _("after the forecast") if k is None else _("week {n}").format(n=k)


def cash_low_text(a: Assessment) -> str:
    """'lowest -$20,615 in the week of 2025-05-26': the likely forecast's lowest balance."""
    return _("lowest {amount} in the week of {date}").format(
        amount=money(a.cash_low, a.profile.business.currency), date=day(lowest_week_start(a))
    )


def runway_phrase(a: Assessment) -> str:
    """'runway 4.9 wk', or 'cash does not run out in 13 weeks' (the forecast's length)."""
    if a.runway_weeks is None:
        return _("cash does not run out in {n} weeks").format(n=len(a.forecast.week_starts))
    return _("runway {runway}").format(runway=runway_text(a.runway_weeks))


def cash_phrase(a: Assessment) -> str:
    """The runway with the forecast's lowest point: 'runway 4.9 wk (lowest ...)', or 'cash does
    not run out in 13 weeks (lowest ...)'."""
    return _("{runway} ({low})").format(runway=runway_phrase(a), low=cash_low_text(a))


def loss_spread(a: Assessment) -> str:
    """'expected loss $61,830 (P50 $66,000, P95 $75,467)'."""
    cur = a.profile.business.currency
    return _("expected loss {expected} (P50 {p50}, P95 {p95})").format(
        expected=money(a.expected_loss, cur), p50=money(a.loss_p50, cur), p95=money(a.loss_p95, cur)
    )


def reasons(a: Assessment) -> list[str]:
    """`a.reasons` in the active language (riskmon.present.words.rule_reason)."""
    raised = sorted((r for r in a.rules if r.level > Level.OK), key=lambda r: -r.level)
    return [rule_reason(a, r) for r in raised or [r for r in a.rules if r.rule == "score"]]


def headline(a: Assessment, colour: bool = False, *, demo: bool = False) -> str:
    conc = a.concentration
    top = ""
    if conc.top_platform:
        top = _(", {platform} {share} of orders").format(platform=conc.top_platform, share=f"{conc.top_dependence:.0%}")
    tag = f" {demo_tag()}" if demo else ""
    return _("{level}{tag} score {score}/100, {cash}, shortfall probability {chance}{top}, {loss} — {reasons}").format(
        level=paint(a.level.name, a.level, colour),
        tag=tag,
        score=f"{a.score:.0f}",
        cash=cash_phrase(a),
        chance=chance(a.cash_shortfall_probability),
        top=top,
        loss=loss_spread(a),
        reasons=_("; ").join(reasons(a)),
    )


def events_table(events: Sequence[EventAssessment], currency: str, limit: int | None = None) -> list[str]:
    """One row per event: its status and probability as of now, score, expected loss and the
    cash it would make late."""
    rows = [
        [
            clean(e.id),
            when(e.days_until),
            status_word(e.status),
            f"{e.probability:.0%}",
            f"{e.score:.1f}",
            money(e.expected_loss, currency),
            money(e.cash_frozen, currency),
            clean(data_text(e.event.title))[:60],
        ]
        for e in list(events)[:limit]
    ]
    headers = [_("EVENT"), _("WHEN"), _("STATUS"), "P", _("SCORE"), _("EXP. LOSS"), _("LATE"), _("TITLE")]
    return table(headers, rows, right={3, 4, 5, 6})


def late_header(e: EventAssessment, currency: str) -> str:
    """The line that opens an event's cash effect, never part of its loss."""
    if e.cash_frozen <= 0:
        return "  " + _("late if it happens (cash timing): nothing")
    return "  " + _("late if it happens (cash timing, never part of the loss): {amount}").format(
        amount=money(e.cash_frozen, currency)
    )


def late_moves(e: EventAssessment, a: Assessment | None = None) -> list[tuple[str, float, str]]:
    """The event's late money by part (payouts frozen, extra hold): what, how much, and when it
    leaves and comes back (dates; forecast weeks when `a` is given)."""
    return [(move_word(m.what), m.amount, _timing(m, a)) for m in cash_moves(e)]


def move_word(what: str) -> str:
    """'payouts frozen' / 'extra hold' (riskmon.present.cash.CashMove.what) in the active language."""
    return {"payouts frozen": _("payouts frozen"), "extra hold": _("extra hold")}.get(what, what)


def _timing(move: CashMove, a: Assessment | None) -> str:
    def at(dt: datetime | None) -> str:
        if dt is None:
            return ""
        return f"{day(dt)} ({week_text(week_of_date(a, dt))})" if a else day(dt)

    if move.leaves is None:
        return _("already in effect: part of your pending payouts, not moved again in the forecast")
    back = (
        _("back {when}").format(when=at(move.back)) if move.back else _("back when the event ends: it has no end date")
    )
    return _("leaves {when}, {back}").format(when=at(move.leaves), back=back)


def timeline_lines(e: EventAssessment, now: datetime) -> list[str]:
    """The event's dated statuses, the one in force at `now` marked with '>'."""
    ev = e.event
    if not ev.timeline:
        return [
            "  "
            + _("timeline: none; {status} ({p}) at every date").format(
                status=status_word(e.status), p=f"{e.probability:.0%}"
            )
        ]
    rows = []
    for entry in ev.timeline:
        mark = ">" if entry is e.timeline_entry else ""
        rows.append([mark, day(entry.date), status_word(entry.status), f"{timeline_probability(ev, entry):.0%}"])
    lines = ["  " + _("timeline ('>' is in force on {date}):").format(date=day(now))]
    lines.extend(f"    {line}" for line in table(["", _("DATE"), _("STATUS"), "P"], rows, right={3}))
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
        stale = _("stale, ") if f.get("stale") else ""
        line = _("feed {name}: {stale}{error}").format(
            name=clean(f["name"]), stale=stale, error=clean(f.get("error") or "ok")
        )
        last = f.get("last_success")
        if last:
            line += _(" (last good copy {when} UTC)").format(when=clean(last)[:16].replace("T", " "))
        out.append(line)
    return out


def cash_and_loss(a: Assessment) -> list[str]:
    """-v: the forecast's lowest point and its week, when cash runs out, the shortfall
    probability, and the loss distribution (money gone for good)."""
    cur = a.profile.business.currency
    weeks = len(a.forecast.week_starts)
    out = runway_date(a)
    if out is None:
        runs_out = _("does not run out")
    else:
        past = _(" (past the forecast, at the last 4 weeks' burn)") if a.runway_weeks and a.runway_weeks > weeks else ""
        runs_out = _("runs out in {runway}, around {date}{past}").format(
            runway=runway_text(a.runway_weeks), date=day(out), past=past
        )
    draws = _("exact") if a.distribution == "exact" else _("Monte Carlo, {n} draws").format(n=a.settings.model.draws)
    return [
        _("cash, {n}-week forecast if likely events happen: {low}; {runs_out}").format(
            n=weeks, low=cash_low_text(a), runs_out=runs_out
        ),
        "  "
        + _("shortfall probability {chance}: the chance cash goes below zero in some week").format(
            chance=chance(a.cash_shortfall_probability)
        ),
        _("loss, money gone for good: expected {expected}, P50 {p50}, P95 {p95} ({draws})").format(
            expected=money(a.expected_loss, cur), p50=money(a.loss_p50, cur), p95=money(a.loss_p95, cur), draws=draws
        ),
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
            _("; ").join(notes[k]),
        ]
        for k in range(len(f.week_starts))
    ]
    headers = [_("WEEK"), _("STARTS"), _("BASELINE"), _("LIKELY"), _("STRESS"), _("NOTE")]
    return [
        _(
            "cash forecast, balance at the end of each week (baseline: no event; likely: events with p >= 50%; "
            "stress: every event with p > 0)"
        ),
        *table(headers, rows, right={0, 2, 3, 4}),
    ]


def _explained(a: Assessment, explanations: Mapping[str, Explanation] | None) -> list[str]:
    """-vv: the 13-week forecast, and every event that costs or holds money explained term by term
    (`explanations` worked out here when not given)."""
    lines = ["", *forecast_table(a)]
    if explanations is None:
        from riskmon.present.explain import explain_all

        explanations = explain_all(a)
    for e in a.events:
        if (e.loss > 0 or e.cash_frozen > 0 or e.channels) and e.id in explanations:
            lines.append("")
            lines.extend(explanations[e.id].lines())
    return lines


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
    lines.extend(_changes_lines(changes, verbosity))
    if verbosity >= 1:
        lines.append("")
        lines.append(
            _("{business} as of {when} UTC").format(
                business=clean(a.profile.business.name), when=f"{a.now:%Y-%m-%d %H:%M}"
            )
        )
        lines.extend(_rule_lines(a, colour))
        lines.append("")
        lines.extend(cash_and_loss(a))
        shown = [e for e in a.events if e.score > 0 or e.expected_loss > 0 or (e.probability > 0 and e.cash_frozen)]
        if shown:
            lines.append("")
            lines.extend(events_table(shown[:10], cur))
        if actions:
            lines.append("")
            lines.append(_("next actions:"))
            lines.extend(f"  - {clean(x)}" for x in actions)
    # A feed problem is shown at every verbosity: the assessment rests on its last good copy.
    lines.extend(feed_problems(feeds))
    if verbosity >= 2:
        lines.extend(_explained(a, explanations))
    if verbosity >= 3 and debug:
        lines.append("")
        lines.extend(_("debug: {line}").format(line=d) for d in debug)
    return "\n".join(lines)


def _changes_lines(changes: Sequence[Mapping[str, Any]], verbosity: int) -> list[str]:
    """How many events changed since the previous check (-v: which)."""
    if not changes:
        return []
    n = len(changes)
    since = ngettext("since the previous check: {n} change", "since the previous check: {n} changes", n)
    out = [since.format(n=n)]
    if verbosity >= 1:
        out.extend(f"  {summary_line(c)}" for c in changes)
    return out


def _rule_lines(a: Assessment, colour: bool) -> list[str]:
    """-v: each rule's level, name and reason, the names in one column (padded by cells)."""
    width = max([cell_width(rule_word(r.rule)) for r in a.rules] + [13])
    return [
        f"  {paint(r.level.name, r.level, colour):<8} {ljust(rule_word(r.rule), width)} {rule_reason(a, r)}"
        for r in a.rules
    ]


def write(text: str, stream: TextIO | None = None) -> None:
    stream = stream or sys.stdout
    stream.write(text if text.endswith("\n") else text + "\n")
