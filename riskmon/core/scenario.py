"""What-if: override event and channel numbers, stress every event, compare two assessments.

Pure: no I/O, no clock. A shell parses `--set TARGET=VALUE` with `parse_set`, applies the
overrides to the loaded profile and events with `apply` (validated copies: an override that breaks
a rule, such as order shares adding up to more than 1, is a `ScenarioError`), assesses both sides
with `engine.assess` and shows `compare(baseline, scenario)`. Scenario files (`scenarios/NAME.toml`)
are read and written by `riskmon/scenario_files.py`; this module turns their data into a
`Scenario` and back.

A target is `ID.FIELD`: the field says what the id names (the field sets do not overlap), and the
id may itself contain dots (`us-ban.2025.probability` is event `us-ban.2025`).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, time
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Literal, TypeVar

from riskmon.core.dates import to_utc
from riskmon.core.model import STATUSES, Business, Channel, Event, Profile
from riskmon.errors import Level, RiskmonError, did_you_mean

if TYPE_CHECKING:
    from riskmon.core.engine import Assessment

T = TypeVar("T")
Validate = Callable[[T], T]
"""Re-checks a changed object against every rule of the config files and returns it as checked
(raising ValueError saying why not); the edge (`riskmon.sources.config.schema.revalidate`)
supplies it, so this module stays free of the validation library."""

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


# ---------------------------------------------------------------------------------------------
# Applying


def _updates(overrides: Sequence[Override]) -> dict[tuple[TargetKind, str], dict[str, Any]]:
    """Target -> {field: value}; a later override of the same field wins."""
    out: dict[tuple[TargetKind, str], dict[str, Any]] = {}
    for o in overrides:
        out.setdefault((o.target_kind, o.id), {})[o.field] = o.value
    return out


def _check_ids(profile: Profile, events: Sequence[Event], overrides: Sequence[Override]) -> None:
    channel_ids = [c.id for c in profile.channels]
    event_ids = {e.id for e in events}
    for o in overrides:
        if o.target_kind == "channel" and o.id not in channel_ids:
            if o.id in event_ids:
                hint = f" ({o.id!r} is an event; events take {', '.join(EVENT_FIELDS)})"
            else:
                hint = did_you_mean(o.id, channel_ids) or f" (channels: {', '.join(channel_ids) or 'none'})"
            raise ScenarioError(f"{o.target}: no channel {o.id!r}{hint}")
        if o.target_kind == "event" and o.id not in event_ids:
            if o.id in channel_ids:
                hint = f" ({o.id!r} is a channel; channels take {', '.join(CHANNEL_FIELDS)})"
            else:
                hint = did_you_mean(o.id, sorted(event_ids)) or "; `riskmon events list` shows the ids"
            raise ScenarioError(f"{o.target}: no event {o.id!r}{hint}")


def _with_moved_ends(event: Event, updates: dict[str, Any]) -> dict[str, Any]:
    """Setting `effective` moves `ends` along with it (the window keeps its length), unless
    `ends` is set too."""
    if "effective" in updates and "ends" not in updates and event.ends is not None:
        return {**updates, "ends": updates["effective"] + (event.ends - event.effective)}
    return updates


def stressed(event: Event, now: datetime) -> Event:
    """The event happening now, for certain: in effect, probability 1, effective now, its `ends`
    window (if any) keeping its length. Valid by construction, so no re-validation."""
    ends = now + (event.ends - event.effective) if event.ends is not None else None
    # Its timeline is what was known before: stress says what if it happened now.
    return replace(event, status="in_effect", probability=1.0, effective=now, ends=ends, timeline=())


def _revalidate(obj: T, updates: Mapping[str, Any], label: str, validate: Validate[T]) -> T:
    """A copy of `obj` with `updates`, validated like the config file (every rule re-checked)."""
    try:
        return validate(replace(obj, **dict(updates)))  # type: ignore[type-var]
    except ValueError as exc:
        raise ScenarioError(f"{label}: {exc}") from None


def _label(target: tuple[TargetKind, str], updates: Mapping[str, Any]) -> str:
    return ", ".join(f"{target[1]}.{k}={format_value(v)}" for k, v in updates.items())


def apply(
    profile: Profile,
    events: Sequence[Event],
    overrides: Sequence[Override],
    stress: bool = False,
    now: datetime | None = None,
    *,
    validate: Validate[Any],
) -> tuple[Profile, list[Event]]:
    """Validated copies of `profile` and `events` with the overrides applied (after stress, so an
    override can take one event out of a stress test: `--stress --set x.probability=0`).

    Raises ScenarioError for an unknown id or a value the config would reject (`validate`)."""
    if stress and (now is None or now.tzinfo is None):
        raise ValueError("stress needs an aware `now`")
    _check_ids(profile, events, overrides)
    updates = _updates(overrides)

    out_events = list(events)
    index = {e.id: i for i, e in enumerate(out_events)}
    if stress:
        assert now is not None
        out_events = [stressed(e, now) for e in out_events]
    for (kind, ident), upd in updates.items():
        if kind != "event":
            continue
        i = index[ident]
        upd = _with_moved_ends(events[i], upd)
        out_events[i] = _revalidate(out_events[i], upd, _label((kind, ident), upd), validate)

    business = profile.business
    biz_upd = updates.get(("business", BUSINESS_ID))
    if biz_upd:
        business = _revalidate(business, biz_upd, _label(("business", BUSINESS_ID), biz_upd), validate)
    channels = list(profile.channels)
    changed: list[str] = []
    for i, channel in enumerate(channels):
        ch_upd = updates.get(("channel", channel.id))
        if ch_upd:
            channels[i] = _revalidate(channel, ch_upd, _label(("channel", channel.id), ch_upd), validate)
            changed.append(_label(("channel", channel.id), ch_upd))
    if biz_upd is None and not changed:
        return profile, out_events
    try:
        new_profile = validate(Profile(business, tuple(channels)))
    except ValueError as exc:
        raise ScenarioError(f"{'; '.join(changed) or 'business'}: {exc}") from None
    return new_profile, out_events


def changes(profile: Profile, events: Sequence[Event], overrides: Sequence[Override]) -> list[Change]:
    """What the overrides change, field by field, against the baseline (not stress: stress is
    not a change to the config). Includes `ends` moved along with `effective`. Validates ids."""
    _check_ids(profile, events, overrides)
    by_event = {e.id: e for e in events}
    by_channel = {c.id: c for c in profile.channels}
    out: list[Change] = []
    for (kind, ident), upd in _updates(overrides).items():
        obj: Event | Channel | Business
        if kind == "event":
            obj = by_event[ident]
            full = _with_moved_ends(obj, upd)
        else:
            obj = by_channel[ident] if kind == "channel" else profile.business
            full = upd
        for name, new in full.items():
            old = getattr(obj, name)
            if old != new:
                out.append(Change(kind, ident, name, old, new, implied=name not in upd))
    return out


# ---------------------------------------------------------------------------------------------
# Comparing


@dataclass(frozen=True)
class EventDelta:
    id: str
    title: str
    baseline: float | None
    """Expected loss in the baseline; None when the event does not count there (expired)."""
    scenario: float | None
    baseline_score: float | None
    scenario_score: float | None

    @property
    def change(self) -> float:
        return (self.scenario or 0.0) - (self.baseline or 0.0)


@dataclass(frozen=True)
class Delta:
    baseline_level: Level
    scenario_level: Level
    baseline_score: float
    scenario_score: float
    baseline_runway: float | None
    scenario_runway: float | None
    baseline_expected_loss: float
    scenario_expected_loss: float
    events: tuple[EventDelta, ...] = field(default=())
    """Every event that counts on either side, the largest change first."""
    # The forecast and the loss distribution (model 2), after `events` so that positional
    # construction by older callers keeps working.
    baseline_cash_low: float = 0.0
    scenario_cash_low: float = 0.0
    baseline_cash_low_week: int = 0
    scenario_cash_low_week: int = 0
    baseline_shortfall: float = 0.0
    """cash_shortfall_probability on each side."""
    scenario_shortfall: float = 0.0
    baseline_loss_p50: float = 0.0
    scenario_loss_p50: float = 0.0
    baseline_loss_p95: float = 0.0
    scenario_loss_p95: float = 0.0

    @property
    def level_change(self) -> int:
        """+1 per level worse (OK -> WARNING -> CRITICAL), negative when better."""
        return int(self.scenario_level) - int(self.baseline_level)

    @property
    def score(self) -> float:
        return self.scenario_score - self.baseline_score

    @property
    def runway_weeks(self) -> float | None:
        """Change in runway; None when either side does not burn cash (no runway to compare)."""
        if self.baseline_runway is None or self.scenario_runway is None:
            return None
        return self.scenario_runway - self.baseline_runway

    @property
    def expected_loss(self) -> float:
        return self.scenario_expected_loss - self.baseline_expected_loss

    @property
    def cash_low(self) -> float:
        return self.scenario_cash_low - self.baseline_cash_low

    @property
    def cash_shortfall_probability(self) -> float:
        return self.scenario_shortfall - self.baseline_shortfall

    @property
    def loss_p50(self) -> float:
        return self.scenario_loss_p50 - self.baseline_loss_p50

    @property
    def loss_p95(self) -> float:
        return self.scenario_loss_p95 - self.baseline_loss_p95

    def to_dict(self) -> dict[str, Any]:
        return {
            "level": {
                "baseline": self.baseline_level.name,
                "scenario": self.scenario_level.name,
                "change": self.level_change,
            },
            "score": _sides(self.baseline_score, self.scenario_score),
            "runway_weeks": {
                "baseline": self.baseline_runway,
                "scenario": self.scenario_runway,
                "change": self.runway_weeks,
            },
            "expected_loss": _sides(self.baseline_expected_loss, self.scenario_expected_loss),
            "cash_low": _sides(self.baseline_cash_low, self.scenario_cash_low),
            # A week index: which week, on each side; a difference of indexes would mean nothing.
            "cash_low_week": {"baseline": self.baseline_cash_low_week, "scenario": self.scenario_cash_low_week},
            "cash_shortfall_probability": _sides(self.baseline_shortfall, self.scenario_shortfall),
            "loss_p50": _sides(self.baseline_loss_p50, self.scenario_loss_p50),
            "loss_p95": _sides(self.baseline_loss_p95, self.scenario_loss_p95),
            "events": [
                {
                    "id": e.id,
                    "title": e.title,
                    "baseline": e.baseline,
                    "scenario": e.scenario,
                    "change": e.change,
                    "baseline_score": e.baseline_score,
                    "scenario_score": e.scenario_score,
                }
                for e in self.events
            ],
        }


def _sides(baseline: float, scenario: float) -> dict[str, float]:
    return {"baseline": baseline, "scenario": scenario, "change": scenario - baseline}


def compare(baseline: Assessment, scenario: Assessment) -> Delta:
    from riskmon.textsafe import clean

    base = {e.id: e for e in baseline.events}
    scen = {e.id: e for e in scenario.events}
    order = list(base) + [i for i in scen if i not in base]
    rows = []
    for ident in order:
        b, s = base.get(ident), scen.get(ident)
        either = s or b
        title = clean(either.event.title) if either is not None else ident
        rows.append(
            EventDelta(
                ident,
                title,
                b.expected_loss if b else None,
                s.expected_loss if s else None,
                b.score if b else None,
                s.score if s else None,
            )
        )
    rows.sort(key=lambda r: (-abs(r.change), -(r.scenario or 0.0), r.id))
    return Delta(
        baseline_level=baseline.level,
        scenario_level=scenario.level,
        baseline_score=baseline.score,
        scenario_score=scenario.score,
        baseline_runway=baseline.runway_weeks,
        scenario_runway=scenario.runway_weeks,
        baseline_expected_loss=baseline.expected_loss,
        scenario_expected_loss=scenario.expected_loss,
        events=tuple(rows),
        baseline_cash_low=baseline.cash_low,
        scenario_cash_low=scenario.cash_low,
        baseline_cash_low_week=baseline.cash_low_week,
        scenario_cash_low_week=scenario.cash_low_week,
        baseline_shortfall=baseline.cash_shortfall_probability,
        scenario_shortfall=scenario.cash_shortfall_probability,
        baseline_loss_p50=baseline.loss_p50,
        scenario_loss_p50=scenario.loss_p50,
        baseline_loss_p95=baseline.loss_p95,
        scenario_loss_p95=scenario.loss_p95,
    )


# ---------------------------------------------------------------------------------------------
# Scenario files: data <-> Scenario (the file I/O is in scenario_files.py)

_SCENARIO_KEYS = ("name", "created", "stress", "description")


def scenario_from_data(data: Mapping[str, Any], source: str, default_name: str = "") -> Scenario:
    """Read the parsed TOML of a scenario file; errors name `source` and the [[set]] entry."""
    unknown = [k for k in data if k not in ("scenario", "set")]
    if unknown:
        raise ScenarioError(f"{source}: unknown table {unknown[0]!r}{did_you_mean(unknown[0], ['scenario', 'set'])}")
    head = data.get("scenario", {})
    if not isinstance(head, Mapping):
        raise ScenarioError(f"{source}: [scenario] must be a table")
    for key in head:
        if key not in _SCENARIO_KEYS:
            raise ScenarioError(f"{source}: scenario.{key}: unknown key{did_you_mean(key, _SCENARIO_KEYS)}")
    stress = head.get("stress", False)
    if not isinstance(stress, bool):
        raise ScenarioError(f"{source}: scenario.stress must be true or false")
    created = head.get("created")
    if created is not None:
        try:
            created = to_utc(created)
        except ValueError as exc:
            raise ScenarioError(f"{source}: scenario.created: {exc}") from None
        if not isinstance(created, datetime):
            raise ScenarioError(f"{source}: scenario.created must be a date-time")
    sets = data.get("set", [])
    if not isinstance(sets, list):
        raise ScenarioError(f"{source}: set must be a list of [[set]] tables")
    overrides: list[Override] = []
    for n, entry in enumerate(sets, start=1):
        where = f"{source}: [[set]] #{n}"
        if not isinstance(entry, Mapping):
            raise ScenarioError(f"{where}: must be a table with target and value")
        extra = [k for k in entry if k not in ("target", "value")]
        if extra:
            raise ScenarioError(f"{where}: unknown key {extra[0]!r}{did_you_mean(extra[0], ['target', 'value'])}")
        target, value = entry.get("target"), entry.get("value")
        if not isinstance(target, str) or value is None:
            raise ScenarioError(f'{where}: needs target = "ID.FIELD" and value = ...')
        try:
            overrides.append(make_override(target, value))
        except ScenarioError as exc:
            raise ScenarioError(f"{where}: {exc.message}") from None
    name = head.get("name", default_name)
    description = head.get("description", "")
    return Scenario(
        name=str(name) or default_name,
        overrides=tuple(overrides),
        stress=stress,
        created=created,
        description=str(description),
    )


def toml_value(value: Any) -> Any:
    """An override value as TOML stores it: a date for midnight UTC, `none` as the string "none"."""
    if value is None:
        return "none"
    if isinstance(value, datetime):
        utc = value.astimezone(UTC)
        return utc.date() if utc.time() == time(0, 0) else utc
    return value


def scenario_to_data(s: Scenario) -> dict[str, Any]:
    head: dict[str, Any] = {"name": s.name}
    if s.description:
        head["description"] = s.description
    if s.created is not None:
        head["created"] = s.created.astimezone(UTC).replace(microsecond=0)
    head["stress"] = s.stress
    return {"scenario": head, "set": [{"target": o.target, "value": toml_value(o.value)} for o in s.overrides]}


def merge_overrides(*groups: Iterable[Override]) -> tuple[Override, ...]:
    """Overrides in order, a later one of the same target replacing an earlier one in place."""
    out: dict[str, Override] = {}
    for group in groups:
        for o in group:
            out.pop(o.target, None)
            out[o.target] = o
    return tuple(out.values())


__all__ = [
    "BUSINESS_FIELDS",
    "CHANNEL_FIELDS",
    "EVENT_FIELDS",
    "Change",
    "Delta",
    "EventDelta",
    "Override",
    "Scenario",
    "ScenarioError",
    "apply",
    "changes",
    "compare",
    "make_override",
    "merge_overrides",
    "parse_set",
    "scenario_from_data",
    "scenario_to_data",
    "stressed",
]
