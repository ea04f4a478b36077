"""Read and validate a config directory; report every problem as `file:line: field: message`.

A config directory holds up to four TOML files (see README, "Config reference"); only
exposure.toml is required. `load_config` reads them with the stdlib `tomllib` (this is on the
cold-start path of `riskmon check`, so nothing heavy is imported here), validates each one with
its pydantic model and either returns a `Config` or raises one `ConfigError` listing every
problem in every file. Problems name the file as the user knows it, the line (found by
`tomlpos`, since tomllib keeps no positions) and the field in the user's terms
(`channels[tiktok-us].order_share`), with pydantic's messages rewritten to read naturally.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path

from riskmon.core.hints import TYPE_CHECKING
from riskmon.core.model import Event, Profile
from riskmon.core.playbook_rules import PlaybookFile, PlaybookRule
from riskmon.core.record import record
from riskmon.core.settings import Settings
from riskmon.errors import ConfigError, Problem
from riskmon.i18n import N_, _
from riskmon.paths import CONFIG_FILES, ConfigLocation, resolve_config_dir
from riskmon.sources.config.files import Read as Read
from riskmon.sources.config.files import _check_dir, read_file
from riskmon.sources.config.files import _read as _read
from riskmon.sources.config.messages import unwrap_annotation as unwrap_annotation
from riskmon.sources.config.problems import _problems_from as _problems_from
from riskmon.sources.config.syntax import _syntax_problem as _syntax_problem

if TYPE_CHECKING:
    from typing import Any

    from pydantic import BaseModel

# Which model validates which file.
FILE_MODELS: dict[str, str] = {
    "riskmon.toml": "Settings",
    "exposure.toml": "Profile",
    "events.toml": "EventCatalog",
    "playbooks.toml": "PlaybookFile",
}
REQUIRED_FILE = "exposure.toml"

# What a missing file means, for `config path` and the docs.
MISSING_MEANS: dict[str, str] = {
    "riskmon.toml": N_("default settings: thresholds, model constants, no feeds, no alerts"),
    "exposure.toml": N_("required: riskmon cannot assess without your business and channels"),
    "events.toml": N_("no local events (feeds may still add some)"),
    "playbooks.toml": N_("the bundled playbooks only"),
}


@record
class Config:
    """A validated config directory, as the core's plain types."""

    location: ConfigLocation
    files: dict[str, Path | None]
    """Each of the four file names -> its path if it exists, else None."""
    settings: Settings
    profile: Profile
    events: tuple[Event, ...]
    playbooks: PlaybookFile
    """The user's playbooks.toml; PlaybookFile() when there is none."""
    mtimes: dict[str, float]
    """File name -> modification time, for the files that exist (reload detection)."""

    @property
    def path(self) -> Path:
        return self.location.path

    def changed(self) -> bool:
        """True when a file was edited, added or removed since this config was loaded."""
        return current_mtimes(self.location.path) != self.mtimes


def current_mtimes(directory: Path) -> dict[str, float]:
    """File name -> mtime for the config files that exist in `directory` now."""
    out: dict[str, float] = {}
    for name in CONFIG_FILES:
        try:
            out[name] = (directory / name).stat().st_mtime
        except OSError:
            continue
    return out


def _location(location: ConfigLocation | Path | str | None) -> ConfigLocation:
    if isinstance(location, ConfigLocation):
        return location
    return resolve_config_dir(location)


def load_config(location: ConfigLocation | Path | str | None = None) -> Config:
    """Read and validate the config directory; raise ConfigError with every problem found.

    `location`: a resolved ConfigLocation, or a directory (as --config would give it), or None
    for the lookup order (--config, $RISKMON_CONFIG, user config dir, bundled demo).

    Files read exactly as they were validated before come from the validated-config cache
    (riskmon.sources.config.cache) without parsing or pydantic; any other file is validated.
    """
    loc = _location(location)
    base = loc.path
    _check_dir(loc)
    reads = {name: read_file(base / name) for name in CONFIG_FILES}
    files = {name: base / name if r.found else None for name, r in reads.items()}
    mtimes = {name: r.st.st_mtime for name, r in reads.items() if r.st is not None}
    parts = {**DEFAULTS, **_validated(base, reads)}
    return Config(
        loc,
        files,
        parts["riskmon.toml"],
        parts["exposure.toml"],
        parts["events.toml"],
        parts["playbooks.toml"],
        mtimes,
    )


DEFAULTS: dict[str, Any] = {"riskmon.toml": Settings(), "events.toml": (), "playbooks.toml": PlaybookFile()}
"""What a missing optional file means, as the core's objects."""


def _validated(base: Path, reads: dict[str, Read]) -> dict[str, Any]:
    """Each file that exists, as the core's objects (Settings, Profile, the events, PlaybookFile),
    or ConfigError with every problem. A file read exactly as it was validated before comes from
    the validated-config cache (one entry per directory, one part per file), so an edit of one
    file validates that file only; the entry is rewritten when anything was validated."""
    from riskmon.sources.config import cache

    slot = cache.slot_for("config", os.path.abspath(base))
    keys = _file_keys(base, reads)
    entry = cache.load(slot, cache.code_key()) if keys is not None else None
    cached = _from_cache(entry, keys) if keys is not None else {}
    fresh = _validate(base, {name: r for name, r in reads.items() if name not in cached})
    parts = {**cached, **fresh}
    starts = _recurrences(entry, keys, parts.get("events.toml", ()))
    if keys is not None and fresh:
        stored: dict[str, Any] = {name: (keys[name], part) for name, part in parts.items()}
        if "events.toml" in keys:
            stored[STARTS] = (keys["events.toml"], starts)
        cache.store(slot, cache.code_key(), stored)
    return parts


STARTS = "events.toml starts"
"""The cache entry's part with the recurring events' starts (riskmon.core.timing.starts_of)."""


def _recurrences(entry: object, keys: dict[str, str] | None, events: tuple[Event, ...]) -> dict[Any, Any]:
    """The recurring events' starts, made known to the core (no dateutil for them): from the
    cache entry when it was made from this events.toml, else worked out."""
    from riskmon.core.timing import know_starts, starts_of

    found = entry.get(STARTS) if isinstance(entry, dict) else None
    made_from = keys.get("events.toml") if keys is not None else None
    if isinstance(found, tuple) and len(found) == 2 and isinstance(found[1], dict) and found[0] == made_from:
        know_starts(found[1])
        return found[1]
    starts = starts_of(events)
    know_starts(starts)
    return starts


def _validate(base: Path, reads: dict[str, Read]) -> dict[str, Any]:
    """Parse and validate the files of `reads` that exist: the core's objects, or ConfigError with
    every problem."""
    problems: list[Problem] = []
    parsed: dict[str, Any] = {}
    for name, r in reads.items():
        display = str(base / name)
        if not r.found and name == REQUIRED_FILE:
            problems.append(
                Problem(
                    display,
                    None,
                    "",
                    _(
                        "file not found in {dir}: a config directory needs at least exposure.toml "
                        "(write a starter set with: riskmon config init {dir})"
                    ).format(dir=base),
                )
            )
        problems.extend(r.problems)
        if r.text is None:
            continue
        obj, file_problems = parse_text(display, r.text, name=name)
        problems.extend(file_problems)
        parsed[name] = obj
    if problems:
        raise ConfigError(problems)
    if not parsed:
        return {}
    from riskmon.sources.config.schema import to_core

    return {name: to_core(obj.events if name == "events.toml" else obj) for name, obj in parsed.items()}


def _file_keys(base: Path, reads: dict[str, Read]) -> dict[str, str] | None:
    """The cache key of each file that exists, from what was just read; None when a file could not
    be read or exposure.toml is missing: that is reported, never cached."""
    from riskmon.sources.config import cache

    if any(r.problems for r in reads.values()) or not reads[REQUIRED_FILE].found:
        return None
    directory = os.path.abspath(base)
    return {name: cache.file_key(Path(directory, name), r.data, r.st) for name, r in reads.items() if r.found}


def _from_cache(entry: object, keys: dict[str, str]) -> dict[str, Any]:
    """The cached parts whose file is exactly as it was validated, each of the kind its file
    validates to (anything else in the entry is ignored)."""
    if not isinstance(entry, dict):
        return {}
    found = {}
    for name, key in keys.items():
        part = entry.get(name)
        if isinstance(part, tuple) and len(part) == 2 and part[0] == key and _is_part(name, part[1]):
            found[name] = part[1]
    return found


def _is_part(name: str, value: object) -> bool:
    if name == "events.toml":
        return isinstance(value, tuple) and all(isinstance(e, Event) for e in value)
    return isinstance(value, {"riskmon.toml": Settings, "exposure.toml": Profile, "playbooks.toml": PlaybookFile}[name])


def validate_dir(path: ConfigLocation | Path | str | None) -> list[Problem]:
    """Every problem in the config directory; an empty list means it is valid."""
    try:
        load_config(path)
    except ConfigError as exc:
        return list(exc.problems)
    return []


def find_problems_in_text(filename: str, text: str) -> list[Problem]:
    """Validate one file's text by its file name (riskmon.toml, exposure.toml, ...)."""
    return parse_text(filename, text)[1]


def parse_text(filename: str, text: str, *, name: str | None = None) -> tuple[BaseModel | None, list[Problem]]:
    """Parse and validate one file's text; return (the model or None, problems).

    The model used is chosen by `name`, else by the base name of `filename`; problems name
    `filename` as given.
    """
    name = name or Path(filename).name
    model_name = FILE_MODELS.get(name)
    if model_name is None:
        known = ", ".join(CONFIG_FILES)
        return None, [
            Problem(filename, None, "", _("not a riskmon config file; expected one of: {known}").format(known=known))
        ]
    import tomllib

    from riskmon.docparse import toml_loads

    try:
        data = toml_loads(text)
    except tomllib.TOMLDecodeError as exc:
        return None, [_syntax_problem(filename, text, exc)]
    except RecursionError:
        return None, [Problem(filename, None, "", _("invalid TOML: arrays or tables nested too deeply"))]

    from pydantic import ValidationError

    import riskmon.sources.config.schema as model_module

    model: type[BaseModel] = getattr(model_module, model_name)
    try:
        with _no_pydantic_plugins():
            return model.model_validate(data), []
    except ValidationError as exc:
        return None, _problems_from(filename, text, data, model, exc.errors(include_url=False))


@contextmanager
def _no_pydantic_plugins() -> Iterator[None]:
    """Validate without looking for pydantic plugins: a model's first validation (its validator is
    built then: defer_build) otherwise reads the entry points of every installed distribution, tens
    of ms of a check after an edit, for plugins riskmon does not use. PYDANTIC_DISABLE_PLUGINS is
    pydantic's documented switch (docs: concepts/plugins); set only around validation, so that the
    commands riskmon runs (alert hooks) do not inherit it, and left alone when the user set it."""
    if PYDANTIC_PLUGINS in os.environ:
        yield
        return
    os.environ[PYDANTIC_PLUGINS] = "__all__"
    try:
        yield
    finally:
        os.environ.pop(PYDANTIC_PLUGINS, None)


PYDANTIC_PLUGINS = "PYDANTIC_DISABLE_PLUGINS"


# ---------------------------------------------------------------------------------------------
# Writing


def write_text_atomic(path: Path, text: str) -> None:
    """Write `text` to `path` through a temporary file and os.replace (never half a file),
    keeping the file's permissions."""
    from riskmon.fileio import atomic_write_bytes

    atomic_write_bytes(path, text.encode("utf-8"), mode=None)


@lru_cache(maxsize=1)
def bundled_playbooks() -> tuple[PlaybookRule, ...]:
    """The bundled rules (`playbooks.toml` in the bundled config dir), read and validated once,
    exactly as a user's playbooks.toml is (or taken from the validated-config cache)."""
    from riskmon.paths import bundled_config_dir
    from riskmon.sources.config import cache

    path = bundled_config_dir() / "playbooks.toml"
    r = read_file(path)
    if r.text is None:
        why = r.problems[0].message if r.problems else "not found"
        raise ConfigError([Problem(str(path), None, "", f"cannot read the bundled playbooks: {why}")])
    slot = cache.slot_for("bundled playbooks", os.path.abspath(path))
    key = cache.file_key(Path(os.path.abspath(path)), r.data, r.st)
    found = cache.load(slot, cache.code_key())
    cached = found[1] if isinstance(found, tuple) and len(found) == 2 and found[0] == key else None
    if isinstance(cached, tuple) and all(isinstance(rule, PlaybookRule) for rule in cached):
        return cached
    rules = _validate_bundled(path, r.text)
    cache.store(slot, cache.code_key(), (key, rules))
    return rules


def _validate_bundled(path: Path, text: str) -> tuple[PlaybookRule, ...]:
    from riskmon.sources.config.schema import PlaybookFile as PlaybookModel
    from riskmon.sources.config.schema import to_core

    found, problems = parse_text(str(path), text, name="playbooks.toml")
    if problems or not isinstance(found, PlaybookModel):
        raise ConfigError(problems or [Problem(str(path), None, "", "not a playbooks file")])
    return tuple(to_core(found.rules))


def playbook_rules(config: Config) -> list[PlaybookRule]:
    """The playbook rules in force for `config`: the bundled ones merged with the user's."""
    from riskmon.core.playbooks import effective_rules

    return effective_rules(config.playbooks, bundled_playbooks())
