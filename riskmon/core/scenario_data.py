"""Scenario files: their parsed TOML data <-> `Scenario` (the file I/O is in
riskmon/sources/scenarios.py). Pure."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime, time
from typing import Any

from riskmon.core.dates import to_utc
from riskmon.core.overrides import Override, Scenario, ScenarioError, Why, make_override, why
from riskmon.errors import did_you_mean

_SCENARIO_KEYS = ("name", "created", "stress", "description")

# A scenario file's problems as templates (`Why`): riskmon.present.whatif marks them for
# translation and shows them in the reader's language; the core fills them in English.
UNKNOWN_TABLE = "{source}: unknown table {name}{hint}"
HEAD_NOT_TABLE = "{source}: [scenario] must be a table"
UNKNOWN_HEAD_KEY = "{source}: scenario.{key}: unknown key{hint}"
STRESS_NOT_BOOL = "{source}: scenario.stress must be true or false"
CREATED_PROBLEM = "{source}: scenario.created: {problem}"
CREATED_NOT_TIME = "{source}: scenario.created must be a date-time"
SET_NOT_LIST = "{source}: set must be a list of [[set]] tables"
ENTRY_NOT_TABLE = "{where}: must be a table with target and value"
ENTRY_UNKNOWN_KEY = "{where}: unknown key {name}{hint}"
ENTRY_INCOMPLETE = '{where}: needs target = "ID.FIELD" and value = ...'
ENTRY_PROBLEM = "{where}: {problem}"
ENTRY = "{source}: [[set]] #{n}"
TEMPLATES = (
    UNKNOWN_TABLE, HEAD_NOT_TABLE, UNKNOWN_HEAD_KEY, STRESS_NOT_BOOL, CREATED_PROBLEM, CREATED_NOT_TIME,
    SET_NOT_LIST, ENTRY_NOT_TABLE, ENTRY_UNKNOWN_KEY, ENTRY_INCOMPLETE, ENTRY_PROBLEM, ENTRY,
)  # fmt: skip


def scenario_from_data(data: Mapping[str, Any], source: str, default_name: str = "") -> Scenario:
    """Read the parsed TOML of a scenario file; errors name `source` and the [[set]] entry."""
    unknown = [k for k in data if k not in ("scenario", "set")]
    if unknown:
        hint = did_you_mean(unknown[0], ["scenario", "set"])
        raise ScenarioError(why(UNKNOWN_TABLE, source=source, name=repr(unknown[0]), hint=hint))
    head = data.get("scenario", {})
    if not isinstance(head, Mapping):
        raise ScenarioError(why(HEAD_NOT_TABLE, source=source))
    for key in head:
        if key not in _SCENARIO_KEYS:
            raise ScenarioError(why(UNKNOWN_HEAD_KEY, source=source, key=key, hint=did_you_mean(key, _SCENARIO_KEYS)))
    stress = head.get("stress", False)
    if not isinstance(stress, bool):
        raise ScenarioError(why(STRESS_NOT_BOOL, source=source))
    created = _created(head.get("created"), source)
    sets = data.get("set", [])
    if not isinstance(sets, list):
        raise ScenarioError(why(SET_NOT_LIST, source=source))
    overrides = [_override(entry, why(ENTRY, source=source, n=str(n))) for n, entry in enumerate(sets, start=1)]
    name = head.get("name", default_name)
    description = head.get("description", "")
    return Scenario(
        name=str(name) or default_name,
        overrides=tuple(overrides),
        stress=stress,
        created=created,
        description=str(description),
    )


def _created(value: Any, source: str) -> datetime | None:
    if value is None:
        return None
    try:
        created = to_utc(value)
    except ValueError as exc:
        raise ScenarioError(why(CREATED_PROBLEM, source=source, problem=str(exc))) from None
    if not isinstance(created, datetime):
        raise ScenarioError(why(CREATED_NOT_TIME, source=source))
    return created


def _override(entry: Any, where: Why) -> Override:
    """One [[set]] entry; its problems name `where` (the file and the entry's number)."""
    if not isinstance(entry, Mapping):
        raise ScenarioError(why(ENTRY_NOT_TABLE, where=where))
    extra = [k for k in entry if k not in ("target", "value")]
    if extra:
        hint = did_you_mean(extra[0], ["target", "value"])
        raise ScenarioError(why(ENTRY_UNKNOWN_KEY, where=where, name=repr(extra[0]), hint=hint))
    target, value = entry.get("target"), entry.get("value")
    if not isinstance(target, str) or value is None:
        raise ScenarioError(why(ENTRY_INCOMPLETE, where=where))
    try:
        return make_override(target, value)
    except ScenarioError as exc:
        raise ScenarioError(why(ENTRY_PROBLEM, where=where, problem=exc.why or exc.message)) from None


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
