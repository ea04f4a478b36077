"""What-if overrides: the fields a scenario can set, an override and a change, a scenario, and
`--set ID.FIELD=VALUE` parsed into a typed override. Pure: no I/O, no clock.

A target is `ID.FIELD`: the field says what the id names (the field sets do not overlap), and the
id may itself contain dots (`us-ban.2025.probability` is event `us-ban.2025`).
"""

from __future__ import annotations

import math
from datetime import UTC, date, datetime, time
from typing import Any, Literal

from riskmon.core.dates import NotADate, to_utc
from riskmon.core.model import STATUSES
from riskmon.core.record import record
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


# The messages of `parse_set` and `coerce_value`, as templates: an error carries its template and
# values (`Why`), so a presenter can show it in the reader's language (riskmon.present.whatif
# marks these for translation); the core itself only ever fills them in English.
EXPECTED_SET = "--set {text}: expected ID.FIELD=VALUE, e.g. us-ban.probability=0.9"
EXPECTED_TARGET = "{target}: expected ID.FIELD, e.g. us-ban.probability or tiktok-us.order_share{hint}"
UNKNOWN_FIELD = "{target}: unknown field {name}{hint} (events: {events}; channels: {channels}; business: {business})"
BUSINESS_NUMBER = "{target}: {name} is a number of the business; write {business}.{name}"
NEEDS_VALUE = "{target}: {name} needs a value; only {first} and {second} can be none"
EXPECTED_STATUS = "{target}: expected a status, one of: {statuses}"
UNKNOWN_STATUS = "{target}: unknown status {value}{hint} (one of: {statuses})"
NOT_A_DATE = "{target}: not a date or date-time: {value} (use 2025-01-19 or 2025-01-19T17:00:00+07:00)"
BAD_DATE = "{target}: {problem}"
EXPECTED_DATE = "{target}: expected a date like 2025-03-01 or 2025-03-01T17:00:00+07:00"
NOT_BOOL = "{target}: expected a number, got {value}"
NOT_A_NUMBER = "{target}: not a number: {value}"
NOT_A_SHARE = "{target}: not a number: {value} (a share: 0.35 or 35%)"
EXPECTED_NUMBER = "{target}: expected a number"
NOT_FINITE = "{target}: must be a finite number"
TEMPLATES = (
    EXPECTED_SET, EXPECTED_TARGET, UNKNOWN_FIELD, BUSINESS_NUMBER, NEEDS_VALUE, EXPECTED_STATUS, UNKNOWN_STATUS,
    NOT_A_DATE, BAD_DATE, EXPECTED_DATE, NOT_BOOL, NOT_A_NUMBER, NOT_A_SHARE, EXPECTED_NUMBER, NOT_FINITE,
)  # fmt: skip


@record
class Why:
    """A message as data: one of the templates above and the values it is filled with."""

    template: str
    values: tuple[tuple[str, str | Why], ...] = ()
    """A value may itself be a message (a scenario file's entry wraps the override's problem)."""

    def text(self, template: str | None = None) -> str:
        """The message: the English template filled in, or `template` (its translation)."""
        values = {k: v.text() if isinstance(v, Why) else v for k, v in self.values}
        return (template or self.template).format(**values)


def why(template: str, **values: str | Why) -> Why:
    return Why(template, tuple(values.items()))


class ScenarioError(RiskmonError):
    """A what-if override or scenario that cannot be applied; the message says why (in English;
    `why` holds it as a template and values when it is one of this module's)."""

    def __init__(self, message: str | Why, details: str = "") -> None:
        self.why = message if isinstance(message, Why) else None
        super().__init__(message.text() if isinstance(message, Why) else message, details)


@record
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


@record
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


@record
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
        raise ScenarioError(why(EXPECTED_SET, text=repr(text)))
    return make_override(target, raw)


def make_override(target: str, value: Any) -> Override:
    """An override from a target (`ID.FIELD`) and a value (text, or a TOML number/date/string)."""
    ident, dot, name = target.rpartition(".")
    if not dot or not ident:
        hint = did_you_mean(target, FIELDS)
        raise ScenarioError(why(EXPECTED_TARGET, target=repr(target), hint=hint))
    kind = FIELDS.get(name)
    if kind is None:
        fields = {"events": EVENT_FIELDS, "channels": CHANNEL_FIELDS, "business": BUSINESS_FIELDS}
        names = {k: ", ".join(v) for k, v in fields.items()}
        raise ScenarioError(
            why(UNKNOWN_FIELD, target=target, name=repr(name), hint=did_you_mean(name, FIELDS), **names)
        )
    if kind == "business" and ident != BUSINESS_ID:
        raise ScenarioError(why(BUSINESS_NUMBER, target=target, name=name, business=BUSINESS_ID))
    return Override(kind, ident, name, coerce_value(target, name, value))


def coerce_value(target: str, name: str, value: Any) -> Any:
    """Turn text or a TOML value into the field's type; ranges are checked later, by the model."""
    if isinstance(value, str) and value.strip().lower() in NONE_WORDS:
        if name in _CLEARABLE:
            return None
        first, second = sorted(_CLEARABLE)
        raise ScenarioError(why(NEEDS_VALUE, target=target, name=name, first=first, second=second))
    if name == "status":
        if not isinstance(value, str):
            raise ScenarioError(why(EXPECTED_STATUS, target=target, statuses=", ".join(STATUSES)))
        status = value.strip().lower()
        if status not in STATUSES:
            hint = did_you_mean(status, STATUSES)
            raise ScenarioError(
                why(UNKNOWN_STATUS, target=target, value=repr(value), hint=hint, statuses=", ".join(STATUSES))
            )
        return status
    if name in ("effective", "ends"):
        if isinstance(value, (date, str)):
            try:
                out = to_utc(value)
            except NotADate:
                raise ScenarioError(why(NOT_A_DATE, target=target, value=repr(value))) from None
            except ValueError as exc:
                raise ScenarioError(why(BAD_DATE, target=target, problem=str(exc))) from None
            if isinstance(out, datetime):
                return out
        raise ScenarioError(why(EXPECTED_DATE, target=target))
    return _number(target, name, value)


def _number(target: str, name: str, value: Any) -> float:
    if isinstance(value, bool):
        raise ScenarioError(why(NOT_BOOL, target=target, value=str(value).lower()))
    if isinstance(value, int | float):
        number = float(value)
    elif isinstance(value, str):
        text = value.strip().replace("_", "").replace(",", "")
        percent = text.endswith("%") and name in _SHARES
        if percent:
            text = text[:-1].strip()
        # Here, not at the top: `check` imports this module, and decimal costs it ~4 ms.
        from decimal import Decimal

        try:
            number = float(Decimal(text) / 100) if percent else float(text)
        except (ValueError, ArithmeticError):
            template = NOT_A_SHARE if name in _SHARES else NOT_A_NUMBER
            raise ScenarioError(why(template, target=target, value=repr(value))) from None
    else:
        raise ScenarioError(why(EXPECTED_NUMBER, target=target))
    if not math.isfinite(number):
        raise ScenarioError(why(NOT_FINITE, target=target))
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
