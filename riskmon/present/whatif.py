"""The words of what-if, shared by `riskmon what-if` and the dashboard's what-if screen: a changed
value as text, signed changes, and why an override's text is not a value of its field."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from riskmon.core import overrides as ov
from riskmon.core import scenario as sc
from riskmon.core import scenario_data as sd
from riskmon.i18n import N_, _, money

if TYPE_CHECKING:
    from riskmon.core.model import Event
    from riskmon.core.results import Assessment
    from riskmon.core.scenario import Change, Delta, ScenarioError


def change_value(c: Change, value: Any, events: Mapping[str, Event]) -> str:
    """A value before or after a change; a cleared probability names the status default it falls
    back to."""
    from riskmon.core.model import DEFAULT_PROBABILITY
    from riskmon.core.scenario import format_value

    if c.field == "probability" and value is None:
        ev = events.get(c.id)
        if ev is None:
            return _("status default")
        return _("status default {p}").format(p=f"{DEFAULT_PROBABILITY[ev.status]:g}")
    return format_value(value)


def signed_money(x: float, currency: str) -> str:
    """'+$1,200', '-$300', or '0' under half a unit (money as the locale writes it)."""
    if abs(x) < 0.5:
        return "0"
    return ("+" if x > 0 else "") + money(x, currency)


def signed(x: float | None, fmt: str, unit: str = "") -> str:
    """`x` with its sign in format `fmt` ('—' when there is none, '0' when it rounds to nothing)."""
    if x is None:
        return "—"
    if abs(x) < 0.05:
        return "0"
    return f"{x:+{fmt}}{unit}"


def level_change(delta: Delta) -> str:
    """'same', '+1 (worse)', '-2 (better)'."""
    n = delta.level_change
    if n == 0:
        return _("same")
    return (_("{n} (worse)") if n > 0 else _("{n} (better)")).format(n=f"{n:+d}")


def runway_change(baseline: Assessment, scenario: Assessment, delta: Delta) -> str:
    """'+2.5 wk', '0', 'same' (neither side runs out of cash) or '—' (only one side does)."""
    if delta.runway_weeks is None:
        return _("same") if baseline.runway_weeks == scenario.runway_weeks else "—"
    change = signed(delta.runway_weeks, ".1f")
    return change if change in ("0", "—") else _("{n} wk").format(n=change)


def signed_points(change: float) -> str:
    """A change of probability in percentage points ('+12 pts'), '0' under half a point."""
    return "0" if abs(change) < 0.005 else _("{n} pts").format(n=f"{change * 100:+.0f}")


# ---------------------------------------------------------------------------------------------
# Why an override cannot be read (riskmon.core.overrides), in the active language

OVERRIDE_MESSAGES = {
    ov.EXPECTED_SET: N_("--set {text}: expected ID.FIELD=VALUE, e.g. us-ban.probability=0.9"),
    ov.EXPECTED_TARGET: N_("{target}: expected ID.FIELD, e.g. us-ban.probability or tiktok-us.order_share{hint}"),
    ov.UNKNOWN_FIELD: N_(
        "{target}: unknown field {name}{hint} (events: {events}; channels: {channels}; business: {business})"
    ),
    ov.BUSINESS_NUMBER: N_("{target}: {name} is a number of the business; write {business}.{name}"),
    ov.NEEDS_VALUE: N_("{target}: {name} needs a value; only {first} and {second} can be none"),
    ov.EXPECTED_STATUS: N_("{target}: expected a status, one of: {statuses}"),
    ov.UNKNOWN_STATUS: N_("{target}: unknown status {value}{hint} (one of: {statuses})"),
    ov.NOT_A_DATE: N_("{target}: not a date or date-time: {value} (use 2025-01-19 or 2025-01-19T17:00:00+07:00)"),
    ov.BAD_DATE: N_("{target}: {problem}"),
    ov.EXPECTED_DATE: N_("{target}: expected a date like 2025-03-01 or 2025-03-01T17:00:00+07:00"),
    ov.NOT_BOOL: N_("{target}: expected a number, got {value}"),
    ov.NOT_A_NUMBER: N_("{target}: not a number: {value}"),
    ov.NOT_A_SHARE: N_("{target}: not a number: {value} (a share: 0.35 or 35%)"),
    ov.EXPECTED_NUMBER: N_("{target}: expected a number"),
    ov.NOT_FINITE: N_("{target}: must be a finite number"),
}
"""The core's templates, marked for translation here (the core never translates); the English
text is the core's own, word for word (a test holds the two together)."""


SCENARIO_MESSAGES = {
    sc.NO_CHANNEL: N_("{target}: no channel {id}{hint}"),
    sc.NO_EVENT: N_("{target}: no event {id}{hint}"),
    sc.IS_AN_EVENT: N_(" ({id} is an event; events take {fields})"),
    sc.IS_A_CHANNEL: N_(" ({id} is a channel; channels take {fields})"),
    sc.CHANNELS_ARE: N_(" (channels: {ids})"),
    sc.NO_CHANNELS: N_(" (channels: none)"),
    sc.EVENT_IDS_HINT: N_("; `riskmon events list` shows the ids"),
    sd.UNKNOWN_TABLE: N_("{source}: unknown table {name}{hint}"),
    sd.HEAD_NOT_TABLE: N_("{source}: [scenario] must be a table"),
    sd.UNKNOWN_HEAD_KEY: N_("{source}: scenario.{key}: unknown key{hint}"),
    sd.STRESS_NOT_BOOL: N_("{source}: scenario.stress must be true or false"),
    sd.CREATED_PROBLEM: N_("{source}: scenario.created: {problem}"),
    sd.CREATED_NOT_TIME: N_("{source}: scenario.created must be a date-time"),
    sd.SET_NOT_LIST: N_("{source}: set must be a list of [[set]] tables"),
    sd.ENTRY_NOT_TABLE: N_("{where}: must be a table with target and value"),
    sd.ENTRY_UNKNOWN_KEY: N_("{where}: unknown key {name}{hint}"),
    sd.ENTRY_INCOMPLETE: N_('{where}: needs target = "ID.FIELD" and value = ...'),
    sd.ENTRY_PROBLEM: N_("{where}: {problem}"),
    sd.ENTRY: N_("{source}: [[set]] #{n}"),
}
"""The core's unknown-id and scenario-file templates (riskmon.core.scenario, scenario_data),
marked here as OVERRIDE_MESSAGES are."""
MESSAGES = {**OVERRIDE_MESSAGES, **SCENARIO_MESSAGES}


def said(exc: ScenarioError) -> str:
    """`exc`'s message in the active language: the core's template translated and filled in with
    the same values; any other message as it is."""
    from riskmon.present.messages import rendered

    return exc.message if exc.why is None else rendered(exc.why, MESSAGES)
