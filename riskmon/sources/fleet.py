"""A fleet directory: many sellers' config directories, and what they share (`fleet.toml`).

An agency keeps one config directory per seller (a *profile*, named by its directory) inside one
fleet directory. Every subdirectory holding an `exposure.toml` is a profile; hidden directories
are not. The optional `fleet.toml` next to them holds what the profiles share:

- `[[feeds]]`: polled once for the whole fleet, their events added to every profile's;
- `[[events]]` tables, or `events = "shared-events.toml"` (a path relative to the fleet
  directory): events every profile is assessed against, as if each had them in its own
  events.toml; a profile's own event with the same id replaces the shared one;
- `[profiles.NAME] labels = { client = "...", team = "...", region = "..." }`: labels carried by
  the profile's Prometheus series and Alertmanager alerts;
- `[[routes]] match = { team = "eu" }` with `[[routes.alerts]]` channels: alert channels added to
  every profile whose labels (and `profile`, its name) match all of `match`;
- `[export] prometheus_textfile`: one textfile for the whole fleet (`fleet daemon`).

`fleet.toml` is validated with the config files' machinery (riskmon.sources.config.load), so a
problem reads `fleet.toml:12: profiles.acme.labels.Team: ...`. The result is plain data
(`Fleet`), holding feeds, events and alert channels as the types `Config` holds.
"""

from __future__ import annotations

import os
import re
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

from pydantic import AfterValidator, Field, model_validator

from riskmon.core.record import field, record, replace
from riskmon.errors import ConfigError, Problem, did_you_mean
from riskmon.i18n import _
from riskmon.sources.config.checks import check_unique_ids, check_unique_names
from riskmon.sources.config.schema import AlertSettings, Event, FeedSettings, Name, Strict

if TYPE_CHECKING:
    from riskmon.sources.config.load import Config

FLEET_FILE = "fleet.toml"
PROFILE_FILE = "exposure.toml"

RESERVED_LABELS = frozenset(
    {
        # riskmon's own: the profile, Alertmanager's, and the labels of riskmon's metrics
        "profile",
        "alertname",
        "severity",
        "event",
        "platform",
        "rule",
        "feed",
        "kind",
        "status",
        "title",
        "version",
        "business",
        "currency",
        "demo",
        # set by Prometheus on every scraped series
        "job",
        "instance",
    }
)
"""Label names a fleet label may not take: they would clash with a label riskmon or Prometheus sets."""

_LABEL_NAME = re.compile(r"^[a-zA-Z_][a-zA-Z0-9_]*$")


def _check_label_name(value: str) -> str:
    if not _LABEL_NAME.match(value):
        raise ValueError(f"{value!r} is not a label name: use letters, digits and _, not starting with a digit")
    if value.startswith("__"):
        raise ValueError(f"{value!r}: names starting with __ are reserved by Prometheus")
    if value in RESERVED_LABELS:
        raise ValueError(f"{value!r} is set by riskmon or Prometheus; choose another name")
    return value


def _check_label_value(value: str) -> str:
    if not value:
        raise ValueError("must not be empty")
    return value


LabelName = Annotated[str, AfterValidator(_check_label_name)]
LabelValue = Annotated[Name, AfterValidator(_check_label_value)]


class ProfileEntry(Strict):
    labels: dict[LabelName, LabelValue] = Field(default_factory=dict)
    """Labels of this profile's series and alerts, e.g. { client = "acme", team = "eu" }."""


def _check_selector_name(value: str) -> str:
    return value if value == "profile" else _check_label_name(value)


class RouteEntry(Strict):
    match: dict[Annotated[str, AfterValidator(_check_selector_name)], LabelValue] = Field(default_factory=dict)
    """Labels a profile must all have (with these values) for the route to apply; {} matches every profile."""
    alerts: list[AlertSettings] = Field(min_length=1)


class ExportEntry(Strict):
    prometheus_textfile: str | None = None
    """A .prom file for node_exporter's textfile collector, rewritten after each fleet cycle."""


class FleetFile(Strict):
    """fleet.toml. `events = "path"` is read before validation (see `load_fleet`)."""

    feeds: list[FeedSettings] = Field(default_factory=list)
    events: list[Event] = Field(default_factory=list)
    profiles: dict[str, ProfileEntry] = Field(default_factory=dict)
    routes: list[RouteEntry] = Field(default_factory=list)
    export: ExportEntry = Field(default_factory=ExportEntry)

    @model_validator(mode="after")
    def _unique(self) -> FleetFile:
        # The same checks as riskmon.toml's and events.toml's: problems point at the repeat.
        check_unique_names(self.feeds)
        check_unique_ids(self.events, "event")
        return self


# ---------------------------------------------------------------------------------------------
# Plain data


@record
class Route:
    match: dict[str, str]
    alerts: tuple[Any, ...]
    """Alert channels, as `Config.settings.alerts` holds them."""

    def matches(self, labels: Mapping[str, str]) -> bool:
        return all(labels.get(k) == v for k, v in self.match.items())


@record
class Fleet:
    """A validated fleet directory's shared settings (the profiles are `profile_dirs`)."""

    path: Path
    feeds: tuple[Any, ...] = ()
    """Shared feeds, as `Config.settings.feeds` holds them."""
    events: tuple[Any, ...] = ()
    """Shared events, as `Config.events` holds them."""
    labels: dict[str, dict[str, str]] = field(default_factory=dict)
    """Profile name -> its labels from fleet.toml."""
    routes: tuple[Route, ...] = ()
    textfile: Path | None = None
    events_file: str | None = None
    """`events = "path"` as written in fleet.toml."""
    mtimes: dict[str, float] = field(default_factory=dict)
    """fleet.toml's and the shared events file's modification times (reload detection)."""
    notes: tuple[str, ...] = ()
    """Things worth a warning that are not errors (labels for a profile that has no directory)."""

    def profile_labels(self, name: str) -> dict[str, str]:
        """`profile` first, then the profile's labels from fleet.toml."""
        return {"profile": name, **self.labels.get(name, {})}

    def alerts_for(self, name: str) -> tuple[Any, ...]:
        """The alert channels the routes add for this profile."""
        labels = self.profile_labels(name)
        return tuple(a for r in self.routes if r.matches(labels) for a in r.alerts)

    def with_shared_events(self, cfg: Config) -> Config:
        """The profile's config with the shared events before its own; its own replace shared ones by id."""
        if not self.events:
            return cfg
        own = {e.id for e in cfg.events}
        return replace(cfg, events=(*(e for e in self.events if e.id not in own), *cfg.events))


def _core(value: Any) -> Any:
    """A validated model as the type `Config` holds: the config loader's own conversion to plain
    data where it has one (`schema.to_core`), else the model itself."""
    from riskmon.sources.config import schema

    convert = getattr(schema, "to_core", None)
    return convert(value) if convert is not None else value


# ---------------------------------------------------------------------------------------------
# Reading


def profile_dirs(fleet_dir: Path) -> dict[str, Path]:
    """Profile name -> directory: every subdirectory holding an exposure.toml (any entry: a broken
    one is reported by that profile, not skipped), hidden ones aside; sorted by name."""
    try:
        entries = sorted(fleet_dir.iterdir(), key=lambda p: p.name)
    except OSError:
        return {}
    out: dict[str, Path] = {}
    for entry in entries:
        if entry.name.startswith("."):
            continue
        try:
            if entry.is_dir() and os.path.lexists(entry / PROFILE_FILE):
                out[entry.name] = entry
        except OSError:
            continue
    return out


def fleet_mtimes(fleet_dir: Path, events_file: str | None = None) -> dict[str, float]:
    """fleet.toml's (and the shared events file's) modification time, for those that exist."""
    out: dict[str, float] = {}
    names = [FLEET_FILE, *([events_file] if events_file else [])]
    for name in names:
        try:
            out[name] = (fleet_dir / name).stat().st_mtime
        except OSError:
            continue
    return out


def load_fleet(fleet_dir: Path | str) -> Fleet:
    """Read and validate the fleet directory's fleet.toml (none: nothing shared); raise
    ConfigError with every problem, each naming the file, line and field."""
    base = Path(fleet_dir).expanduser()
    _check_fleet_dir(base)
    from riskmon.sources.config.load import _read

    path = base / FLEET_FILE
    text, found, _mtime, problems = _read(path)
    if problems:
        raise ConfigError(problems)
    if not found or text is None:
        return Fleet(path=base, notes=_no_profiles(base))
    data, problems = _parse(str(path), text)
    events_file = data.pop("events", None) if isinstance(data.get("events"), str) else None
    model: FleetFile | None = None
    if not problems:
        model, problems = _validate(str(path), text, data)
    shared: tuple[Any, ...] = ()
    if events_file is not None:
        shared, more = _events_file(base, str(events_file), text)
        problems.extend(more)
    if problems or model is None:
        raise ConfigError(problems)
    return _fleet(base, model, shared, events_file, text)


def _check_fleet_dir(base: Path) -> None:
    if not base.is_dir():
        message = (
            _("fleet directory not found; give the directory that holds the profiles")
            if not base.exists()
            else _("fleet directory not a directory; give the directory that holds the profiles")
        )
        raise ConfigError([Problem(str(base), None, "", message)])


def _no_profiles(base: Path) -> tuple[str, ...]:
    if profile_dirs(base):
        return ()
    return (_("{base}: no profiles: a profile is a subdirectory holding an exposure.toml").format(base=base),)


def _parse(display: str, text: str) -> tuple[dict[str, Any], list[Problem]]:
    from riskmon.docparse import toml_loads
    from riskmon.sources.config.load import _syntax_problem

    try:
        return toml_loads(text), []
    except tomllib.TOMLDecodeError as exc:
        return {}, [_syntax_problem(display, text, exc)]
    except RecursionError:
        return {}, [Problem(display, None, "", "invalid TOML: arrays or tables nested too deeply")]


def _validate(display: str, text: str, data: dict[str, Any]) -> tuple[FleetFile | None, list[Problem]]:
    from pydantic import ValidationError

    from riskmon.sources.config.load import _problems_from

    try:
        return FleetFile.model_validate(data), []
    except ValidationError as exc:
        return None, _problems_from(display, text, data, FleetFile, exc.errors(include_url=False))


def _events_file(base: Path, name: str, fleet_text: str) -> tuple[tuple[Any, ...], list[Problem]]:
    """The shared events of `events = "path"`, validated as an events.toml."""
    from riskmon.sources.config.load import _read, parse_text
    from riskmon.sources.config.positions import key_lines
    from riskmon.sources.config.schema import EventCatalog

    where = Path(name).expanduser()
    path = where if where.is_absolute() else base / where
    text, found, _mtime, problems = _read(path)
    if problems:
        return (), problems
    if not found or text is None:
        line = key_lines(fleet_text).get(("events",))
        return (), [
            Problem(str(base / FLEET_FILE), line, "events", _("shared events file not found: {path}").format(path=path))
        ]
    catalog, problems = parse_text(str(path), text, name="events.toml")
    if problems or not isinstance(catalog, EventCatalog):
        return (), problems
    return tuple(_core(catalog.events)), []


def _fleet(base: Path, model: FleetFile, shared: tuple[Any, ...], events_file: str | None, text: str) -> Fleet:
    textfile = None
    if model.export.prometheus_textfile:
        where = Path(model.export.prometheus_textfile).expanduser()
        textfile = where if where.is_absolute() else base / where
    routes = tuple(Route(dict(r.match), tuple(_core(r.alerts))) for r in model.routes)
    return Fleet(
        path=base,
        feeds=tuple(_core(model.feeds)),
        events=(*shared, *_core(model.events)) if model.events else shared,
        labels={name: dict(entry.labels) for name, entry in model.profiles.items()},
        routes=routes,
        textfile=textfile,
        events_file=events_file,
        mtimes=fleet_mtimes(base, events_file),
        notes=(*_unknown_profiles(base, model, text), *_no_profiles(base)),
    )


def _unknown_profiles(base: Path, model: FleetFile, text: str) -> list[str]:
    """A warning for each `[profiles.NAME]` without a profile directory: a typo would otherwise
    silently leave a seller's series unlabelled."""
    from riskmon.sources.config.positions import key_lines, line_for

    known = list(profile_dirs(base))
    lines = key_lines(text)
    out = []
    for name in model.profiles:
        if name in known:
            continue
        line = line_for(lines, ("profiles", name))
        hint = did_you_mean(name, known, "; ")
        where = f"{base / FLEET_FILE}:{line}" if line else str(base / FLEET_FILE)
        out.append(f"{where}: profiles.{name}: no profile directory {name!r} in {base}{hint}")
    return out
