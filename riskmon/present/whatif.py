"""The words of what-if, shared by `riskmon what-if` and the dashboard's what-if screen: a changed
value as text, and signed changes."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from riskmon.core.money import money

if TYPE_CHECKING:
    from riskmon.core.model import Event
    from riskmon.core.scenario import Change


def change_value(c: Change, value: Any, events: Mapping[str, Event]) -> str:
    """A value before or after a change; a cleared probability names the status default it falls
    back to."""
    from riskmon.core.model import DEFAULT_PROBABILITY
    from riskmon.core.scenario import format_value

    if c.field == "probability" and value is None:
        ev = events.get(c.id)
        return f"status default {DEFAULT_PROBABILITY[ev.status]:g}" if ev else "status default"
    return format_value(value)


def signed_money(x: float, currency: str) -> str:
    """'+$1,200', '-$300', or '0' under half a unit."""
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
