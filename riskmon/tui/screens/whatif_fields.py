"""The what-if screen's numbers, without Textual state: the form's fields and their text, an
input's text as an override, and the rows the tables and the note show."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime, time
from typing import TYPE_CHECKING, Any

from rich.text import Text

from riskmon.core.scenario import EventDelta, Override, ScenarioError
from riskmon.errors import Level
from riskmon.i18n import N_, _
from riskmon.present.whatif import change_value, level_change, runway_change, said, signed, signed_money
from riskmon.textsafe import clean
from riskmon.tui.screens.forms import date_text, differs, number_text
from riskmon.tui.viewdata import Column
from riskmon.tui.widgets.table import ListRow
from riskmon.tui.words import cut
from riskmon.usecases.whatif import Outcome

if TYPE_CHECKING:
    from riskmon.core.model import Channel, Event

DELTA_COLUMNS = (
    Column("event", N_("Event")),
    Column("baseline", N_("Baseline"), True),
    Column("scenario", N_("Scenario"), True),
    Column("change", N_("Change"), True),
)
"""Expected loss per event; shown largest change first until sorted by a column."""
EVENT_ID_CELLS = 28
"""An event's id in the per-event table is cut to this (with "…"): the catalog's longest ids (43
characters) pushed the change column out of the results pane at 140 columns."""
EVENT_INPUTS: tuple[str, ...] = ("probability", "effective")
CHANNEL_INPUTS: tuple[str, ...] = ("order_share", "inventory_value", "pending_payouts")
FORM_FIELDS = {"event": ("status", *EVENT_INPUTS), "channel": CHANNEL_INPUTS}
_SHARES = {"probability", "order_share"}
STRESS_OFF = N_("stress off (ctrl+t: every event happens now, probability 1)")
STRESS_ON = N_("STRESS ON: every event happens now, probability 1 (values below apply on top)")
"""STRESS_OFF and STRESS_ON are English ids: translate them where shown."""
LEVEL_STYLE = {Level.OK: "bold green", Level.WARNING: "bold yellow", Level.CRITICAL: "bold red"}


def field_text(obj: Event | Channel, name: str) -> str:
    """What an input shows for the config's value (empty probability: the status default)."""
    value = getattr(obj, name)
    if name in ("effective", "ends"):
        return short_date(value)
    if name == "status":
        return str(value)
    return number_text(value)


def short_date(d: datetime | None) -> str:
    """2025-01-19 (midnight UTC), 2023-10-04 10:00 (UTC), or the full ISO time with seconds."""
    if d is None:
        return ""
    utc = d.astimezone(UTC)
    if utc.time() == time(0, 0):
        return utc.date().isoformat()
    if utc.second == 0 and utc.microsecond == 0:
        return f"{utc:%Y-%m-%d %H:%M}"
    return date_text(utc)


def parse_field(kind: str, ident: str, name: str, text: str, base: Event | Channel | None) -> Override | None:
    """The override an input's text means; None when it equals the config's value.

    Raises ScenarioError (naming `ID.FIELD`) for text that is not a value of the field."""
    from riskmon.core import scenario as sc

    target = f"{ident}.{name}"
    raw = text.strip()
    try:
        value: Any = None if (name == "probability" and raw == "") else sc.coerce_value(target, name, raw)
    except ScenarioError as exc:
        raise ScenarioError(said(exc)) from None  # the core's English, in the reader's language
    if isinstance(value, float):
        if name in _SHARES and not 0.0 <= value <= 1.0:
            raise ScenarioError(_("{target}: a share between 0 and 1 (0.35 or 35%)").format(target=target))
        if value < 0:
            raise ScenarioError(_("{target}: must be 0 or more").format(target=target))
    if base is not None and not differs(getattr(base, name), value):
        return None
    return Override(kind, ident, name, value)  # type: ignore[arg-type]


def change_rows(outcome: Outcome, events: Iterable[Event]) -> list[str]:
    """'tiktok-us.order_share: 0.35 -> 0.2' (the words of `riskmon what-if`)."""
    by_id = {e.id: e for e in events}
    return [
        f"{c.target}: {change_value(c, c.old, by_id)} -> {change_value(c, c.new, by_id)}"
        + (_(" (moved with effective)") if c.implied else "")
        for c in outcome.changes
    ]


def delta_row(e: EventDelta, currency: str) -> ListRow:
    """One event's expected loss in the baseline and the scenario ("—": it does not count there)."""
    from riskmon.present.text import money

    changed = abs(e.change) >= 0.5
    cells = {
        "event": Text(cut(clean(e.id), EVENT_ID_CELLS), style="bold" if changed else ""),
        "baseline": Text("—" if e.baseline is None else money(e.baseline, currency), justify="right"),
        "scenario": Text("—" if e.scenario is None else money(e.scenario, currency), justify="right"),
        "change": Text(signed_money(e.change, currency), justify="right", style="bold" if changed else ""),
    }
    return ListRow(e.id, cells, {"baseline": e.baseline, "scenario": e.scenario, "change": e.change})


def _right(text: str, style: str = "") -> Text:
    return Text(text, justify="right", style=style)


def _change(text: str) -> Text:
    return _right(text, "" if text in (_("same"), "0", "—") else "bold")


def summary_rows(o: Outcome) -> list[tuple[str, Text, Text, Text]]:
    """Level, score, runway and expected loss: baseline, scenario and the change (each row's key is
    its English name, translated where shown)."""
    from riskmon.present.text import money, runway_text

    base, scen, d = o.baseline, o.scenario, o.delta
    cur = base.profile.business.currency
    return [
        (
            N_("level"),
            _right(base.level.name, LEVEL_STYLE[base.level]),
            _right(scen.level.name, LEVEL_STYLE[scen.level]),
            _change(level_change(d)),
        ),
        (N_("score"), _right(f"{base.score:.1f}"), _right(f"{scen.score:.1f}"), _change(signed(d.score, ".1f"))),
        (
            N_("runway"),
            _right(runway_text(base.runway_weeks)),
            _right(runway_text(scen.runway_weeks)),
            _change(runway_change(base, scen, d)),
        ),
        (
            N_("expected loss"),
            _right(money(base.expected_loss, cur)),
            _right(money(scen.expected_loss, cur)),
            _change(signed_money(d.expected_loss, cur)),
        ),
    ]


def note_lines(o: Outcome, events: Iterable[Event]) -> list[str]:
    """Stress, each change in the words of `riskmon what-if`, and whether nothing changes yet."""
    lines = []
    if o.stress:
        lines.append(_("stress: every event happens now with probability 1 (its window keeps its length)"))
    lines.extend(change_rows(o, events))
    if not o.changes and not o.stress:
        lines.append(_("no changes yet: edit a value on the left (the scenario equals the baseline)"))
    return lines


def value_text(value: Any) -> str:
    from riskmon.core.scenario import format_value

    return format_value(value)
