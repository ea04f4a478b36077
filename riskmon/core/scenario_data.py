"""Scenario files: their parsed TOML data <-> `Scenario` (the file I/O is in
riskmon/sources/scenarios.py). Pure."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime, time
from typing import Any

from riskmon.core.dates import to_utc
from riskmon.core.overrides import Override, Scenario, ScenarioError, make_override
from riskmon.errors import did_you_mean

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
