"""What-if overrides: the fields a scenario can set, an override and a change, a scenario, and
`--set ID.FIELD=VALUE` parsed into a typed override. Pure: no I/O, no clock.

A target is `ID.FIELD`: the field says what the id names (the field sets do not overlap), and the
id may itself contain dots (`us-ban.2025.probability` is event `us-ban.2025`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from decimal import Decimal
from typing import Any, Literal

from riskmon.core.dates import to_utc
from riskmon.core.model import STATUSES
from riskmon.errors import RiskmonError, did_you_mean

TargetKind = Literal["event", "channel", "business"]

EVENT_FIELDS: tuple[str, ...] = ("probability", "status", "effective", "ends")
CHANNEL_FIELDS: tuple[str, ...] = ("order_share", "inventory_value", "pending_payouts", "deposit", "payout_hold_days")
BUSINESS_FIELDS: tuple[str, ...] = ("monthly_revenue", "gross_margin", "monthly_fixed_costs", "cash_on_hand")
BUSINESS_ID = "business"
"""The target id of the business's own numbers: `business.cash_on_hand=80000`."""

FIELDS: dict[str, TargetKind] = {
    **{f: "event" for f in EVENT_FIELDS},
    **{f: "channel" for f in CHANNEL_FIELDS},
    **{f: "business" for f in BUSINESS_FIELDS},
}
_SHARES = {"probability", "order_share", "gross_margin"}
_CLEARABLE = {"probability", "ends"}
"""Fields `none` removes: probability falls back to the status default, ends to no end."""
NONE_WORDS = ("none", "default")


class ScenarioError(RiskmonError):
    """A what-if override or scenario that cannot be applied; the message says why."""


@dataclass(frozen=True)
class Override:
    target_kind: TargetKind
    id: str
    field: str
    value: Any
    """Typed: float for numbers, str for status, aware UTC datetime for dates, None to clear."""

    @property
    def target(self) -> str:
        return f"{self.id}.{self.field}"

    def __str__(self) -> str:
        return f"{self.target}={format_value(self.value)}"


@dataclass(frozen=True)
class Change:
    """One field a scenario changes, with the baseline value (what `--apply` would write)."""

    target_kind: TargetKind
    id: str
    field: str
    old: Any
    new: Any
    implied: bool = False
    """True for `ends` moved along with `effective` (the window keeps its length)."""

    @property
    def target(self) -> str:
        return f"{self.id}.{self.field}"

    def __str__(self) -> str:
        note = " (moved with effective)" if self.implied else ""
        return f"{self.target}: {format_value(self.old)} -> {format_value(self.new)}{note}"


@dataclass(frozen=True)
class Scenario:
    name: str
    overrides: tuple[Override, ...] = ()
    stress: bool = False
    created: datetime | None = None
    description: str = ""


# ---------------------------------------------------------------------------------------------
# Parsing


def parse_set(text: str) -> Override:
    """'us-ban.probability=0.9' -> Override('event', 'us-ban', 'probability', 0.9)."""
    target, sep, raw = text.partition("=")
    target, raw = target.strip(), raw.strip()
    if not sep or not target:
        raise ScenarioError(f"--set {text!r}: expected ID.FIELD=VALUE, e.g. us-ban.probability=0.9")
    return make_override(target, raw)


def make_override(target: str, value: Any) -> Override:
    """An override from a target (`ID.FIELD`) and a value (text, or a TOML number/date/string)."""
    ident, dot, name = target.rpartition(".")
    if not dot or not ident:
        hint = did_you_mean(target, FIELDS)
        raise ScenarioError(f"{target!r}: expected ID.FIELD, e.g. us-ban.probability or tiktok-us.order_share{hint}")
    kind = FIELDS.get(name)
    if kind is None:
        raise ScenarioError(
            f"{target}: unknown field {name!r}{did_you_mean(name, FIELDS)} "
            f"(events: {', '.join(EVENT_FIELDS)}; channels: {', '.join(CHANNEL_FIELDS)}; "
            f"business: {', '.join(BUSINESS_FIELDS)})"
        )
    if kind == "business" and ident != BUSINESS_ID:
        raise ScenarioError(f"{target}: {name} is a number of the business; write {BUSINESS_ID}.{name}")
    return Override(kind, ident, name, coerce_value(target, name, value))


def coerce_value(target: str, name: str, value: Any) -> Any:
    """Turn text or a TOML value into the field's type; ranges are checked later, by the model."""
    if isinstance(value, str) and value.strip().lower() in NONE_WORDS:
        if name in _CLEARABLE:
            return None
        raise ScenarioError(f"{target}: {name} needs a value; only {' and '.join(sorted(_CLEARABLE))} can be none")
    if name == "status":
        if not isinstance(value, str):
            raise ScenarioError(f"{target}: expected a status, one of: {', '.join(STATUSES)}")
        status = value.strip().lower()
        if status not in STATUSES:
            hint = did_you_mean(status, STATUSES)
            raise ScenarioError(f"{target}: unknown status {value!r}{hint} (one of: {', '.join(STATUSES)})")
        return status
    if name in ("effective", "ends"):
        if isinstance(value, (date, str)):
            try:
                out = to_utc(value)
            except ValueError as exc:
                raise ScenarioError(f"{target}: {exc}") from None
            if isinstance(out, datetime):
                return out
        raise ScenarioError(f"{target}: expected a date like 2025-03-01 or 2025-03-01T17:00:00+07:00")
    return _number(target, name, value)


def _number(target: str, name: str, value: Any) -> float:
    if isinstance(value, bool):
        raise ScenarioError(f"{target}: expected a number, got {str(value).lower()}")
    if isinstance(value, int | float):
        number = float(value)
    elif isinstance(value, str):
        text = value.strip().replace("_", "").replace(",", "")
        percent = text.endswith("%") and name in _SHARES
        if percent:
            text = text[:-1].strip()
        try:
            number = float(Decimal(text) / 100) if percent else float(text)
        except (ValueError, ArithmeticError):
            share = " (a share: 0.35 or 35%)" if name in _SHARES else ""
            raise ScenarioError(f"{target}: not a number: {value!r}{share}") from None
    else:
        raise ScenarioError(f"{target}: expected a number")
    if not math.isfinite(number):
        raise ScenarioError(f"{target}: must be a finite number")
    return number


def format_value(value: Any) -> str:
    """How an override's value is shown and written back as text."""
    if value is None:
        return "none"
    if isinstance(value, datetime):
        utc = value.astimezone(UTC)
        return utc.date().isoformat() if utc.time() == time(0, 0) else utc.isoformat().replace("+00:00", "Z")
    if isinstance(value, float):
        return f"{value:g}" if abs(value) < 1e15 and float(f"{value:g}") == value else repr(value)
    return str(value)
