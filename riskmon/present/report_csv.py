"""The weekly report as CSV, for a spreadsheet: one block per section (a title row, a header row,
the rows, a blank row), every row as wide as the widest so that the file is rectangular. Numbers
are numbers; text that a spreadsheet would run as a formula (=, +, -, @) is quoted with a leading
apostrophe. The weekly cash table and the late money rows are shared with the JSON report."""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from riskmon.core.engine import Assessment
from riskmon.core.playbooks import Item, Plan
from riskmon.i18n import _
from riskmon.present.cash import WeekRow, cash_moves, week_rows
from riskmon.present.text import reasons
from riskmon.textsafe import clean

Block = tuple[str, list[str], Sequence[Sequence[object]]]
"""One CSV section: its title, its header row and its rows."""


def _state(i: Item) -> str:
    return "done" if i.step.done else "overdue" if i.step.overdue else "open"


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
    blocks: list[Block] = [
        _csv_summary(a, demo=demo),
        _csv_channels(a),
        (
            _("Platform dependence"),
            ["platform", "dependence"],
            [[pl, d] for pl, d in a.concentration.dependence.items()],
        ),
        (
            _("Cash forecast"),
            list(CASH_WEEK_KEYS),
            [list(_cash_week(w).values()) for w in week_rows(a)],
        ),
        _csv_events(a),
        (
            _("Late money"),
            list(LATE_MONEY_KEYS),
            [list(d.values()) for d in _late_money(a)],
        ),
        _csv_checklist(p),
    ]
    return _csv_write(blocks)


def _csv_write(blocks: Sequence[Block]) -> str:
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


def _csv_summary(a: Assessment, *, demo: bool) -> Block:
    conc = a.concentration
    return (
        _("Summary"),
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
            *([("reason", r) for r in reasons(a)]),
        ],
    )


def _csv_channels(a: Assessment) -> Block:
    return (
        _("Channels"),
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
    )


def _csv_events(a: Assessment) -> Block:
    return (
        _("Events"),
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
    )


def _csv_checklist(p: Plan) -> Block:
    return (
        _("Checklist"),
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
    )
