"""The weekly report as Markdown: to read and forward. Untrusted text is made inert (`md`)."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

from riskmon.core.engine import Assessment, EventAssessment
from riskmon.core.playbooks import Item, Plan, Suggestion, display, exposed
from riskmon.present.cash import cash_moves, notes_by_week, week_rows
from riskmon.present.report_week import RECENT, WEEK, this_week
from riskmon.present.text import (
    DEMO_NOTE,
    cash_phrase,
    chance,
    loss_spread,
    money,
    when,
)
from riskmon.textsafe import clean

EVENT_LIMIT = 25
"""Events the Markdown report lists (with their checklists); CSV and JSON list them all."""

_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>|~#])")


def md(text: object) -> str:
    """Untrusted text as inert Markdown: one line, no control characters, no markup, no links."""
    return _MD_SPECIAL.sub(r"\\\1", clean(text))


def _md_table(headers: Sequence[str], rows: Sequence[Sequence[str]], right: set[int] | None = None) -> list[str]:
    sep = ["---:" if i in (right or ()) else "---" for i in range(len(headers))]
    return ["| " + " | ".join(r) + " |" for r in [list(headers), sep, *rows]]


def _md_step(i: Item, *, with_key: bool) -> str:
    s = i.step
    box = "[x]" if s.done else "[ ]"
    if s.done:
        state = f"done{f' {s.done_at:%Y-%m-%d}' if s.done_at else ''}, was due {s.due:%Y-%m-%d}"
        text = f"~~{md(s.text)}~~"
    else:
        state = f"**overdue since {s.due:%Y-%m-%d}**" if s.overdue else f"by **{s.due:%Y-%m-%d}**"
        text = md(s.text)
    where = f"`{i.suggestion.label}` · " if with_key else ""
    return f"- {box} {state}: {text} ({where}`{s.id}`)"


def _event_title(e: EventAssessment) -> str:
    return f"{md(e.event.title)} (`{e.id}`)"


def markdown(a: Assessment, p: Plan, *, limit: int = EVENT_LIMIT, demo: bool = False) -> str:
    reaching = [e for e in a.events if exposed(e)]
    shown = reaching[:limit]
    out = _md_summary(a, demo=demo)
    out += _md_this_week(a, p)
    out += ["", f"## Cash, next {len(a.forecast.week_starts)} weeks", ""]
    out += _md_forecast(a)
    out += _md_exposure(a)
    out += _md_events(a, reaching, shown, limit)
    out += _md_checklist(p, shown)
    return "\n".join(out).rstrip() + "\n"


def _md_summary(a: Assessment, *, demo: bool) -> list[str]:
    biz = a.profile.business
    conc = a.concentration
    top = f", {md(display(conc.top_platform))} carries {conc.top_dependence:.0%} of orders" if conc.top_platform else ""
    return [
        f"# Risk review: {md(biz.name)}",
        "",
        *([f"> **Demo:** {DEMO_NOTE}.", ""] if demo else []),
        f"As of {a.now:%Y-%m-%d %H:%M} UTC. Next review: {a.now + WEEK:%Y-%m-%d}.",
        "",
        "## Summary",
        "",
        f"**{a.level.name}**: score {a.score:.0f}/100, {md(cash_phrase(a))} if likely events happen, "
        f"shortfall probability {md(chance(a.cash_shortfall_probability))}, {md(loss_spread(a))}{top}.",
        "",
        *(f"- {md(r)}" for r in a.reasons),
    ]


def _md_this_week(a: Assessment, p: Plan) -> list[str]:
    out = ["", "## This week", ""]
    week, older = this_week(p)
    if week:
        out.append(f"Open steps due by {a.now + WEEK:%Y-%m-%d}, or overdue since {a.now - RECENT:%Y-%m-%d}:")
        out.append("")
        out.extend(_md_step(i, with_key=True) for i in week)
    else:
        out.append(f"Nothing due by {a.now + WEEK:%Y-%m-%d}.")
    if older:
        out += ["", f"{older} older step{'s are' if older != 1 else ' is'} still open: see the checklist below."]
    return out


def _md_exposure(a: Assessment) -> list[str]:
    conc = a.concentration
    m = lambda x: money(x, a.profile.business.currency)  # noqa: E731
    out = ["", "## Exposure", ""]
    if a.channels:
        rows = [
            [
                f"`{c.channel.id}`",
                md(display(c.channel.platform)),
                c.channel.kind,
                f"{c.channel.order_share:.0%}",
                m(c.revenue_monthly),
                "own" if c.dependence is None else f"{c.dependence:.0%}",
                m(c.expected_loss),
                f"{c.risk_share:.0%}",
            ]
            for c in a.channels
        ]
        out += _md_table(
            [
                "Channel",
                "Platform",
                "Kind",
                "Orders",
                "Revenue / month",
                "Platform dependence",
                "Expected loss",
                "Share of risk",
            ],
            rows,
            right={3, 4, 5, 6, 7},
        )
    else:
        out.append("No channels configured.")
    if conc.dependence:
        out += ["", "Orders that depend on each third-party platform (its own channels plus traffic links):", ""]
        out += _md_table(
            ["Platform", "Dependence"],
            [[md(display(pl)), f"{share:.0%}"] for pl, share in conc.dependence.items()],
            right={1},
        )
        out += ["", f"Concentration (HHI of order shares): {conc.hhi:.2f}."]
    return out


def _md_events(
    a: Assessment, reaching: Sequence[EventAssessment], shown: Sequence[EventAssessment], limit: int
) -> list[str]:
    out = ["", "## Events, ranked by score", ""]
    if shown:
        out += _md_event_table(a, shown)
        out += [
            "",
            "Lost: money gone for good if the event happens (contribution not earned over its damage window, "
            "extra fees and duties, stranded stock, deposits); expected loss weighs it by the probability. "
            "Late: payouts frozen and held longer, cash that comes back later and is never part of a loss.",
        ]
        out += _md_late(a, shown)
        if len(reaching) > limit:
            out += ["", f"{len(reaching) - limit} more events with lower scores are in the CSV and JSON reports."]
    else:
        out.append("No event that counts now reaches your channels.")
    others = [e.id for e in a.events if not exposed(e)]
    if others:
        out += [
            "",
            f"Not reaching your channels ({len(others)}): "
            + ", ".join(f"`{x}`" for x in others[:limit])
            + (f" and {len(others) - limit} more." if len(others) > limit else "."),
        ]
    return out


def _md_event_table(a: Assessment, shown: Sequence[EventAssessment]) -> list[str]:
    m = lambda x: money(x, a.profile.business.currency)  # noqa: E731
    rows = [
        [
            str(n),
            _event_title(e),
            e.event.kind,
            e.status,
            f"{e.effective:%Y-%m-%d} ({when(e.days_until)})",
            f"{e.probability:.0%}",
            f"{e.score:.0f}",
            m(e.loss),
            m(e.expected_loss),
            m(e.cash_frozen),
            f"{e.shock:.0%}",
        ]
        for n, e in enumerate(shown, 1)
    ]
    return _md_table(
        [
            "#",
            "Event",
            "Kind",
            "Status",
            "Effective",
            "P",
            "Score",
            "Lost if it happens",
            "Expected loss",
            "Late if it happens",
            "Orders lost",
        ],
        rows,
        right={0, 5, 6, 7, 8, 9, 10},
    )


def _md_checklist(p: Plan, shown: Sequence[EventAssessment]) -> list[str]:
    out = ["", "## Checklist", ""]
    any_steps = False
    for n, e in enumerate(shown, 1):
        suggestions = p.for_event(e.id)
        if not suggestions:
            continue
        any_steps = True
        out += [f"### {n}. {_event_title(e)}: effective {e.effective:%Y-%m-%d}, score {e.score:.0f}", ""]
        for s in suggestions:
            out += _md_suggestion(s)
    if p.standing:
        any_steps = True
        out += ["### Your business as it stands", ""]
        for s in p.standing:
            out += _md_suggestion(s)
    if any_steps:
        out.append("Mark a step done with `riskmon playbook done EVENT STEP`.")
    else:
        out.append("No playbook rule matches your events or your business.")
    return out


def _md_forecast(a: Assessment) -> list[str]:
    """The weekly cash table: three scenarios, and what moves each week besides trading."""
    m = lambda x: money(x, a.profile.business.currency)  # noqa: E731
    out = [
        "Balance at the end of each week. Baseline: no event happens; likely: every event with p ≥ 50% "
        f"happens; stress: every event with p > 0 happens. If likely events happen: {md(cash_phrase(a))}; "
        f"the chance cash goes below zero in some week is {md(chance(a.cash_shortfall_probability))}.",
        "",
    ]
    notes = notes_by_week(a)
    rows = [
        [
            str(w.week),
            f"{w.starts:%Y-%m-%d}",
            m(w.baseline),
            m(w.likely),
            m(w.stress),
            m(w.commitments) if w.commitments else "",
            _signed(w.one_offs_likely, m),
            _signed(w.one_offs_stress, m),
            md("; ".join(notes[w.week])),
        ]
        for w in week_rows(a)
    ]
    out += _md_table(
        ["Week", "Starts", "Baseline", "Likely", "Stress", "Commitments", "Late, likely", "Late, stress", "Note"],
        rows,
        right={0, 2, 3, 4, 5, 6, 7},
    )
    out += [
        "",
        "Commitments: payments already promised, paid in every scenario. Late: payouts frozen or held "
        "longer leave (−) and come back (+); that money is late, not lost.",
    ]
    return out


def _signed(x: float, m: Callable[[float], str]) -> str:
    if abs(x) < 0.5:
        return ""
    return ("+" if x > 0 else "") + m(x)


def _md_late(a: Assessment, shown: Sequence[EventAssessment]) -> list[str]:
    """When each event's late money leaves and comes back, one line per move."""
    cur = a.profile.business.currency
    lines = []
    for e in shown:
        for move in cash_moves(e):
            if move.leaves is None:
                timing = "already in effect (part of your pending payouts)"
            else:
                back = (
                    f"comes back {move.back:%Y-%m-%d}" if move.back else "comes back when the event ends (no end date)"
                )
                timing = f"leaves {move.leaves:%Y-%m-%d}, {back}"
            lines.append(f"- `{e.id}`: {money(move.amount, cur)} {move.what}, late: {timing}.")
    return ["", "Late money, if each event happens:", "", *lines] if lines else []


def _md_suggestion(s: Suggestion) -> list[str]:
    lines = [f"**{md(s.title)}**" + (f": {md(s.why)}" if s.why else "")]
    if s.standing:
        lines[0] += f" ({md('; '.join(s.because))})"
    lines.append("")
    lines.extend(_md_step(Item(s, step, s.weight), with_key=s.standing) for step in s.steps)
    lines.append("")
    return lines
