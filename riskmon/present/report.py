"""The weekly review `riskmon report` writes: Markdown to read and forward, CSV for a spreadsheet,
JSON for scripts.

It holds the level and score with their reasons, the 13-week cash forecast, the exposure per
channel and the dependence on each platform, the events ranked by score with what each would cost
("lost") apart from the cash it would hold up ("late"), and the playbook checklist
with due dates (done steps ticked). Pure: it presents an Assessment and its Plan, computes no
number of its own, and reads no clock.
"""

from __future__ import annotations

import csv
import io
import math
import re
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any

from riskmon.core.engine import Assessment, EventAssessment
from riskmon.core.playbooks import Item, Plan, Suggestion, display, exposed
from riskmon.present.cash import WeekRow, cash_moves, notes_by_week, week_rows
from riskmon.present.text import (
    DEMO_NOTE,
    cash_phrase,
    chance,
    loss_spread,
    money,
    when,
)
from riskmon.textsafe import clean

FORMATS = ("md", "csv", "json")
WEEK = timedelta(days=7)
RECENT = timedelta(days=30)
""""This week" lists steps overdue by up to this much; older ones stay in the full checklist."""
EVENT_LIMIT = 25
"""Events the Markdown report lists (with their checklists); CSV and JSON list them all."""


def render(fmt: str, a: Assessment, p: Plan, *, feeds: Sequence[Mapping[str, Any]] = (), demo: bool = False) -> str:
    """The report in `fmt`; `demo` (the bundled demo config is in use) is said at the top of each."""
    if fmt == "md":
        return markdown(a, p, demo=demo)
    if fmt == "csv":
        return csv_text(a, p, demo=demo)
    if fmt == "json":
        return json_text(a, p, feeds=feeds, demo=demo)
    raise ValueError(f"unknown report format {fmt!r}; use one of {', '.join(FORMATS)}")


def this_week(p: Plan) -> tuple[list[Item], int]:
    """Open steps due within the next 7 days or overdue by up to 30, by due date; and how many
    open steps are overdue by longer (they stay in the checklist, but would bury this week's)."""
    start, end = p.now - RECENT, p.now + WEEK
    due = [i for i in p.items() if not i.step.done and i.step.due <= end]
    recent = [i for i in due if i.step.due >= start]
    return recent, len(due) - len(recent)


def _state(i: Item) -> str:
    return "done" if i.step.done else "overdue" if i.step.overdue else "open"


# ---------------------------------------------------------------------------------------------
# Markdown

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
    biz = a.profile.business
    cur = biz.currency
    conc = a.concentration
    m = lambda x: money(x, cur)  # noqa: E731
    top = f", {md(display(conc.top_platform))} carries {conc.top_dependence:.0%} of orders" if conc.top_platform else ""
    out = [
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
        "",
        "## This week",
        "",
    ]
    week, older = this_week(p)
    if week:
        out.append(f"Open steps due by {a.now + WEEK:%Y-%m-%d}, or overdue since {a.now - RECENT:%Y-%m-%d}:")
        out.append("")
        out.extend(_md_step(i, with_key=True) for i in week)
    else:
        out.append(f"Nothing due by {a.now + WEEK:%Y-%m-%d}.")
    if older:
        out += ["", f"{older} older step{'s are' if older != 1 else ' is'} still open: see the checklist below."]

    out += ["", f"## Cash, next {len(a.forecast.week_starts)} weeks", ""]
    out += _md_forecast(a)

    out += ["", "## Exposure", ""]
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

    out += ["", "## Events, ranked by score", ""]
    reaching = [e for e in a.events if exposed(e)]
    shown = reaching[:limit]
    if shown:
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
        out += _md_table(
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

    out += ["", "## Checklist", ""]
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
    return "\n".join(out).rstrip() + "\n"


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


# ---------------------------------------------------------------------------------------------
# CSV: one block per section (a title row, a header row, the rows, a blank row), every row as
# wide as the widest so that the file is rectangular. Numbers are numbers; text that a spreadsheet
# would run as a formula (=, +, -, @) is quoted with a leading apostrophe.


def _cell(value: object) -> object:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return round(value, 6) if math.isfinite(value) else ""
    if isinstance(value, int):
        return value
    text = clean(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@") else text


def _iso(dt: datetime | None) -> str | None:
    return None if dt is None else dt.isoformat()


# The weekly cash table and the late money, as CSV columns and JSON keys: one list of names, so
# the two formats cannot drift apart, and scripts can rely on them.
CASH_WEEK_KEYS = (
    "week",
    "week_start",
    "baseline",
    "likely",
    "stress",
    "commitments",
    "late_one_offs_likely",
    "late_one_offs_stress",
)
LATE_MONEY_KEYS = ("event", "what", "amount", "leaves", "back")


def _cash_week(w: WeekRow) -> dict[str, Any]:
    values = (
        w.week,
        w.starts.date().isoformat(),
        w.baseline,
        w.likely,
        w.stress,
        w.commitments,
        w.one_offs_likely,
        w.one_offs_stress,
    )
    return dict(zip(CASH_WEEK_KEYS, values, strict=True))


def _late_money(a: Assessment) -> list[dict[str, Any]]:
    return [
        dict(zip(LATE_MONEY_KEYS, (e.id, m.what, m.amount, _iso(m.leaves), _iso(m.back)), strict=True))
        for e in a.events
        for m in cash_moves(e)
    ]


def csv_text(a: Assessment, p: Plan, *, demo: bool = False) -> str:
    conc = a.concentration
    blocks: list[tuple[str, list[str], Sequence[Sequence[object]]]] = [
        (
            "Summary",
            ["field", "value"],
            [
                ["business", a.profile.business.name],
                ["demo", demo],
                ["as_of", a.now.isoformat()],
                ["currency", a.profile.business.currency],
                ["level", a.level.name],
                ["score", a.score],
                ["runway_weeks", a.runway_weeks],
                ["cash_low", a.cash_low],
                ["cash_low_week", a.cash_low_week],
                ["cash_low_week_start", a.forecast.week_starts[a.cash_low_week].date().isoformat()],
                ["cash_shortfall_probability", a.cash_shortfall_probability],
                ["expected_loss", a.expected_loss],
                ["loss_p50", a.loss_p50],
                ["loss_p95", a.loss_p95],
                ["distribution", a.distribution],
                ["capacity", a.capacity],
                ["top_platform", conc.top_platform],
                ["top_dependence", conc.top_dependence],
                ["hhi", conc.hhi],
                *([("reason", r) for r in a.reasons]),
            ],
        ),
        (
            "Channels",
            [
                "channel",
                "platform",
                "kind",
                "order_share",
                "revenue_monthly",
                "platform_dependence",
                "expected_loss",
                "risk_share",
            ],
            [
                [
                    c.channel.id,
                    c.channel.platform,
                    c.channel.kind,
                    c.channel.order_share,
                    c.revenue_monthly,
                    c.dependence,
                    c.expected_loss,
                    c.risk_share,
                ]
                for c in a.channels
            ],
        ),
        ("Platform dependence", ["platform", "dependence"], [[pl, d] for pl, d in conc.dependence.items()]),
        (
            "Cash forecast",
            list(CASH_WEEK_KEYS),
            [list(_cash_week(w).values()) for w in week_rows(a)],
        ),
        (
            "Events",
            [
                "rank",
                "event",
                "title",
                "kind",
                "status",
                "effective",
                "days_until",
                "probability",
                "score",
                "loss",
                "expected_loss",
                "cash_frozen",
                "revenue_lost_monthly",
                "shock",
            ],
            [
                [
                    n,
                    e.id,
                    e.event.title,
                    e.event.kind,
                    e.status,
                    e.effective.isoformat(),
                    e.days_until,
                    e.probability,
                    e.score,
                    e.loss,
                    e.expected_loss,
                    e.cash_frozen,
                    e.revenue_lost_monthly,
                    e.shock,
                ]
                for n, e in enumerate(a.events, 1)
            ],
        ),
        (
            "Late money",
            list(LATE_MONEY_KEYS),
            [list(d.values()) for d in _late_money(a)],
        ),
        (
            "Checklist",
            ["due", "state", "done", "done_at", "event", "rule", "step", "text", "rule_title"],
            [
                [
                    i.step.due.date().isoformat(),
                    _state(i),
                    i.step.done,
                    i.step.done_at.isoformat() if i.step.done_at else None,
                    i.key,
                    i.suggestion.rule_id,
                    i.step.id,
                    i.step.text,
                    i.suggestion.title,
                ]
                for i in p.items()
            ],
        ),
    ]
    width = max(len(header) for _, header, _ in blocks)
    buf = io.StringIO()
    w = csv.writer(buf)

    def row(cells: Sequence[object]) -> None:
        w.writerow([_cell(c) for c in cells] + [""] * (width - len(cells)))

    for n, (title, header, rows) in enumerate(blocks):
        if n:
            row([])
        row([title])
        row(header)
        for r in rows:
            row(r)
    return buf.getvalue()


# ---------------------------------------------------------------------------------------------
# JSON: the `check --format json` document with the playbooks filled in, plus the weekly cash
# table, the late money and the checklist.


def json_text(a: Assessment, p: Plan, *, feeds: Sequence[Mapping[str, Any]] = (), demo: bool = False) -> str:
    from riskmon.present import formats

    doc = formats.assessment_to_dict(
        a,
        feeds=feeds,
        playbooks=p.playbooks_json(),
        standing=p.standing_json(),
        extra={
            "demo": demo,
            "report": {"kind": "weekly", "next_review": formats.iso(a.now + WEEK)},
            "cash_weeks": [_cash_week(w) for w in week_rows(a)],
            "late_money": _late_money(a),
            "this_week": [i.to_dict() for i in this_week(p)[0]],
            "checklist": [i.to_dict() for i in p.items()],
        },
    )
    return formats.to_json(doc) + "\n"
