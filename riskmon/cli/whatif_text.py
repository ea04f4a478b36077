"""`riskmon what-if` as text: baseline and scenario side by side, the changes first, then the
comparison table, the weekly balances with -v, and each event's expected loss. In the active
language (the words are the what-if screen's where they say the same)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from riskmon.i18n import _, ngettext
from riskmon.present.whatif import change_value as _value
from riskmon.present.whatif import level_change, runway_change
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
    from riskmon.present.text import reasons, table

    lines = _changes_lines(baseline, changes, events, stress=stress, name=name)
    lines.append("")
    rows = _comparison_rows(baseline, scenario, delta)
    lines.extend(table(["", _("BASELINE"), _("SCENARIO"), _("CHANGE")], rows, right={1, 2, 3}))
    lines.append("")
    lines.append(_("scenario: {reasons}").format(reasons=_("; ").join(reasons(scenario))))
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
    title = (
        _("what-if {name} for {business} as of {time} UTC") if name else _("what-if for {business} as of {time} UTC")
    )
    business, time = clean(baseline.profile.business.name), f"{baseline.now:%Y-%m-%d %H:%M}"
    lines = [title.format(name=name, business=business, time=time)]
    if stress:
        lines.append("  " + _("stress: every event happens now with probability 1 (its window keeps its length)"))
    for c in changes:
        note = _(" (moved with effective)") if c.implied else ""
        lines.append(f"  {c.target}: {_value(c, c.old, by_id)} -> {_value(c, c.new, by_id)}{note}")
    if not changes and not stress:
        lines.append("  " + _("(the overrides equal the config's values: nothing changes)"))
    return lines


def _comparison_rows(baseline: Assessment, scenario: Assessment, delta: Delta) -> list[list[str]]:
    from riskmon.present.cash import lowest_week_start
    from riskmon.present.text import chance, day, money, runway_text

    cur = baseline.profile.business.currency
    m = lambda x: money(x, cur)  # noqa: E731
    return [
        [_("level"), baseline.level.name, scenario.level.name, level_change(delta)],
        [_("score"), f"{baseline.score:.1f}", f"{scenario.score:.1f}", _signed(delta.score, ".1f")],
        [
            _("runway"),
            runway_text(baseline.runway_weeks),
            runway_text(scenario.runway_weeks),
            runway_change(baseline, scenario, delta),
        ],
        [
            _("lowest cash"),
            f"{m(baseline.cash_low)} ({day(lowest_week_start(baseline))})",
            f"{m(scenario.cash_low)} ({day(lowest_week_start(scenario))})",
            _signed_money(delta.cash_low, cur),
        ],
        [
            _("shortfall probability"),
            chance(baseline.cash_shortfall_probability),
            chance(scenario.cash_shortfall_probability),
            _signed_points(delta.cash_shortfall_probability),
        ],
        [
            _("expected loss"),
            m(baseline.expected_loss),
            m(scenario.expected_loss),
            _signed_money(delta.expected_loss, cur),
        ],
        [_("loss P50"), m(baseline.loss_p50), m(scenario.loss_p50), _signed_money(delta.loss_p50, cur)],
        [_("loss P95"), m(baseline.loss_p95), m(scenario.loss_p95), _signed_money(delta.loss_p95, cur)],
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
        heads = [_("EVENT"), _("BASELINE EXP. LOSS"), _("SCENARIO EXP. LOSS"), _("CHANGE")]
        lines.extend(table(heads, ev_rows, right={1, 2, 3}))
        if len(shown) > MAX_EVENT_ROWS:
            n = len(shown) - MAX_EVENT_ROWS
            more = ngettext(
                "... and {n} more event (--format json lists them all)",
                "... and {n} more events (--format json lists them all)",
                n,
            )
            lines.append(more.format(n=n))
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
        _("cash at the end of each week if likely events happen:"),
        *table([_("WEEK"), _("STARTS"), _("BASELINE"), _("SCENARIO"), _("CHANGE")], rows, right={0, 2, 3, 4}),
    ]
