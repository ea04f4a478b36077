"""What-if: override event and channel numbers, stress every event, compare two assessments.

Pure: no I/O, no clock. A shell parses `--set TARGET=VALUE` with `parse_set`, applies the
overrides to the loaded profile and events with `apply` (validated copies: an override that breaks
a rule, such as order shares adding up to more than 1, is a `ScenarioError`), assesses both sides
with `engine.assess` and shows `compare(baseline, scenario)`. Scenario files (`scenarios/NAME.toml`)
are read and written by `riskmon/sources/scenarios.py`; scenario_data.py turns their data into a
`Scenario` and back. The override types and parsing are in overrides.py, the comparison in
scenario_delta.py; this module applies overrides and re-exports the rest.

A target is `ID.FIELD`: the field says what the id names (the field sets do not overlap), and the
id may itself contain dots (`us-ban.2025.probability` is event `us-ban.2025`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any, TypeVar

from riskmon.core.model import Business, Channel, Event, Profile
from riskmon.core.overrides import BUSINESS_FIELDS as BUSINESS_FIELDS
from riskmon.core.overrides import BUSINESS_ID as BUSINESS_ID
from riskmon.core.overrides import CHANNEL_FIELDS as CHANNEL_FIELDS
from riskmon.core.overrides import EVENT_FIELDS as EVENT_FIELDS
from riskmon.core.overrides import FIELDS as FIELDS
from riskmon.core.overrides import NONE_WORDS as NONE_WORDS
from riskmon.core.overrides import Change as Change
from riskmon.core.overrides import Override as Override
from riskmon.core.overrides import Scenario as Scenario
from riskmon.core.overrides import ScenarioError as ScenarioError
from riskmon.core.overrides import TargetKind as TargetKind
from riskmon.core.overrides import Why, why
from riskmon.core.overrides import coerce_value as coerce_value
from riskmon.core.overrides import format_value as format_value
from riskmon.core.overrides import make_override as make_override
from riskmon.core.overrides import parse_set as parse_set
from riskmon.core.record import replace
from riskmon.core.scenario_data import scenario_from_data as scenario_from_data
from riskmon.core.scenario_data import scenario_to_data as scenario_to_data
from riskmon.core.scenario_data import toml_value as toml_value
from riskmon.core.scenario_delta import Delta as Delta
from riskmon.core.scenario_delta import EventDelta as EventDelta
from riskmon.core.scenario_delta import compare as compare
from riskmon.errors import did_you_mean

T = TypeVar("T")
Validate = Callable[[T], T]
"""Re-checks a changed object against every rule of the config files and returns it as checked
(raising ValueError saying why not); the edge (`riskmon.sources.config.schema.revalidate`)
supplies it, so this module stays free of the validation library."""

# ---------------------------------------------------------------------------------------------
# Applying


def _updates(overrides: Sequence[Override]) -> dict[tuple[TargetKind, str], dict[str, Any]]:
    """Target -> {field: value}; a later override of the same field wins."""
    out: dict[tuple[TargetKind, str], dict[str, Any]] = {}
    for o in overrides:
        out.setdefault((o.target_kind, o.id), {})[o.field] = o.value
    return out


# An unknown id as templates (`Why`), shown in the reader's language by riskmon.present.whatif.
NO_CHANNEL = "{target}: no channel {id}{hint}"
NO_EVENT = "{target}: no event {id}{hint}"
IS_AN_EVENT = " ({id} is an event; events take {fields})"
IS_A_CHANNEL = " ({id} is a channel; channels take {fields})"
CHANNELS_ARE = " (channels: {ids})"
NO_CHANNELS = " (channels: none)"
EVENT_IDS_HINT = "; `riskmon events list` shows the ids"
TEMPLATES = (NO_CHANNEL, NO_EVENT, IS_AN_EVENT, IS_A_CHANNEL, CHANNELS_ARE, NO_CHANNELS, EVENT_IDS_HINT)


def _check_ids(profile: Profile, events: Sequence[Event], overrides: Sequence[Override]) -> None:
    channel_ids = [c.id for c in profile.channels]
    event_ids = {e.id for e in events}
    for o in overrides:
        hint: str | Why
        if o.target_kind == "channel" and o.id not in channel_ids:
            if o.id in event_ids:
                hint = why(IS_AN_EVENT, id=repr(o.id), fields=", ".join(EVENT_FIELDS))
            else:
                listed = why(CHANNELS_ARE, ids=", ".join(channel_ids)) if channel_ids else why(NO_CHANNELS)
                hint = did_you_mean(o.id, channel_ids) or listed
            raise ScenarioError(why(NO_CHANNEL, target=o.target, id=repr(o.id), hint=hint))
        if o.target_kind == "event" and o.id not in event_ids:
            if o.id in channel_ids:
                hint = why(IS_A_CHANNEL, id=repr(o.id), fields=", ".join(CHANNEL_FIELDS))
            else:
                hint = did_you_mean(o.id, sorted(event_ids)) or why(EVENT_IDS_HINT)
            raise ScenarioError(why(NO_EVENT, target=o.target, id=repr(o.id), hint=hint))


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
        return validate(replace(obj, **dict(updates)))
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
