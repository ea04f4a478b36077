"""`riskmon what-if` as text: baseline and scenario side by side, the changes first, then the
comparison table, the weekly balances with -v, and each event's expected loss."""

from __future__ import annotations

from typing import TYPE_CHECKING

from riskmon.present.whatif import change_value as _value
from riskmon.present.whatif import signed as _signed
from riskmon.present.whatif import signed_money as _signed_money
from riskmon.present.whatif import signed_points as _signed_points

if TYPE_CHECKING:
    from riskmon.core.engine import Assessment
    from riskmon.core.model import Event
    from riskmon.core.scenario import Change, Delta

MAX_EVENT_ROWS = 12


def render_text(
    baseline: Assessment,
    scenario: Assessment,
    delta: Delta,
    changes: list[Change],
    events: tuple[Event, ...] | list[Event],
    *,
    stress: bool,
    name: str | None,
    verbose: bool = False,
) -> list[str]:
    """Baseline and scenario side by side: level, score, the forecast (runway, lowest cash and its
    week, shortfall probability), the loss distribution and each event's expected loss; with
    `verbose`, the weekly balances too."""
    from riskmon.present.text import table

    lines = _changes_lines(baseline, changes, events, stress=stress, name=name)
    lines.append("")
    rows = _comparison_rows(baseline, scenario, delta)
    lines.extend(table(["", "BASELINE", "SCENARIO", "CHANGE"], rows, right={1, 2, 3}))
    lines.append("")
    lines.append(f"scenario: {'; '.join(scenario.reasons)}")
    if verbose:
        lines.append("")
        lines.extend(forecast_side_by_side(baseline, scenario))
    return lines + _event_lines(baseline, delta)


def _changes_lines(
    baseline: Assessment,
    changes: list[Change],
    events: tuple[Event, ...] | list[Event],
    *,
    stress: bool,
    name: str | None,
) -> list[str]:
    """The title, and what the scenario changes (or that it changes nothing)."""
    from riskmon.textsafe import clean

    by_id = {e.id: e for e in events}
    title = f"what-if{f' {name}' if name else ''} for {clean(baseline.profile.business.name)}"
    lines = [f"{title} as of {baseline.now:%Y-%m-%d %H:%M} UTC"]
    if stress:
        lines.append("  stress: every event happens now with probability 1 (its window keeps its length)")
    for c in changes:
        note = " (moved with effective)" if c.implied else ""
        lines.append(f"  {c.target}: {_value(c, c.old, by_id)} -> {_value(c, c.new, by_id)}{note}")
    if not changes and not stress:
        lines.append("  (the overrides equal the config's values: nothing changes)")
    return lines


def _comparison_rows(baseline: Assessment, scenario: Assessment, delta: Delta) -> list[list[str]]:
    from riskmon.present.cash import lowest_week_start
    from riskmon.present.text import chance, day, money, runway_text

    cur = baseline.profile.business.currency
    change_word = {0: "same"}.get(
        delta.level_change, f"{delta.level_change:+d} (" + ("worse" if delta.level_change > 0 else "better") + ")"
    )
    m = lambda x: money(x, cur)  # noqa: E731
    return [
        ["level", baseline.level.name, scenario.level.name, change_word],
        ["score", f"{baseline.score:.1f}", f"{scenario.score:.1f}", _signed(delta.score, ".1f")],
        [
            "runway",
            runway_text(baseline.runway_weeks),
            runway_text(scenario.runway_weeks),
            _signed(delta.runway_weeks, ".1f", " wk")
            if delta.runway_weeks is not None
            else ("same" if baseline.runway_weeks == scenario.runway_weeks else "—"),
        ],
        [
            "lowest cash",
            f"{m(baseline.cash_low)} ({day(lowest_week_start(baseline))})",
            f"{m(scenario.cash_low)} ({day(lowest_week_start(scenario))})",
            _signed_money(delta.cash_low, cur),
        ],
        [
            "shortfall probability",
            chance(baseline.cash_shortfall_probability),
            chance(scenario.cash_shortfall_probability),
            _signed_points(delta.cash_shortfall_probability),
        ],
        [
            "expected loss",
            m(baseline.expected_loss),
            m(scenario.expected_loss),
            _signed_money(delta.expected_loss, cur),
        ],
        ["loss P50", m(baseline.loss_p50), m(scenario.loss_p50), _signed_money(delta.loss_p50, cur)],
        ["loss P95", m(baseline.loss_p95), m(scenario.loss_p95), _signed_money(delta.loss_p95, cur)],
    ]


def _event_lines(baseline: Assessment, delta: Delta) -> list[str]:
    """Each event whose expected loss counts on either side, with its change."""
    from riskmon.present.text import money, table
    from riskmon.textsafe import clean

    cur = baseline.profile.business.currency
    lines: list[str] = []
    shown = [e for e in delta.events if abs(e.change) >= 0.5 or (e.scenario or 0) >= 0.5 or (e.baseline or 0) >= 0.5]
    if shown:
        lines.append("")
        ev_rows = [
            [
                clean(e.id),
                "—" if e.baseline is None else money(e.baseline, cur),
                "—" if e.scenario is None else money(e.scenario, cur),
                _signed_money(e.change, cur),
            ]
            for e in shown[:MAX_EVENT_ROWS]
        ]
        lines.extend(table(["EVENT", "BASELINE EXP. LOSS", "SCENARIO EXP. LOSS", "CHANGE"], ev_rows, right={1, 2, 3}))
        if len(shown) > MAX_EVENT_ROWS:
            lines.append(f"... and {len(shown) - MAX_EVENT_ROWS} more events (--format json lists them all)")
    return lines


def forecast_side_by_side(baseline: Assessment, scenario: Assessment) -> list[str]:
    """Each week's closing balance if the likely events happen, on both sides (the weeks start
    at the same `now`, so they line up)."""
    from riskmon.present.text import day, money, table

    cur = baseline.profile.business.currency
    b, s = baseline.forecast, scenario.forecast
    rows = [
        [
            str(k),
            day(b.week_starts[k]),
            money(b.likely[k], cur),
            money(s.likely[k], cur),
            _signed_money(s.likely[k] - b.likely[k], cur),
        ]
        for k in range(min(len(b.likely), len(s.likely)))
    ]
    return [
        "cash at the end of each week if likely events happen:",
        *table(["WEEK", "STARTS", "BASELINE", "SCENARIO", "CHANGE"], rows, right={0, 2, 3, 4}),
    ]
