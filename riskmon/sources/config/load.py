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
import re
import stat
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

from riskmon.core.model import Event, Profile
from riskmon.core.playbook_rules import PlaybookFile, PlaybookRule
from riskmon.core.settings import Settings
from riskmon.errors import ConfigError, Problem, did_you_mean
from riskmon.paths import CONFIG_FILES, ConfigLocation, resolve_config_dir
from riskmon.textsafe import clean
from riskmon.userfile import CONFIG_MAX_BYTES, read_bytes

if TYPE_CHECKING:
    import tomllib

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
    "riskmon.toml": "default settings: thresholds, model constants, no feeds, no alerts",
    "exposure.toml": "required: riskmon cannot assess without your business and channels",
    "events.toml": "no local events (feeds may still add some)",
    "playbooks.toml": "the bundled playbooks only",
}


@dataclass(frozen=True)
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


def os_reason(exc: OSError) -> str:
    """A one-line reason for an OSError, without the file name (callers name the file)."""
    return exc.strerror or exc.__class__.__name__


def load_config(location: ConfigLocation | Path | str | None = None) -> Config:
    """Read and validate the config directory; raise ConfigError with every problem found.

    `location`: a resolved ConfigLocation, or a directory (as --config would give it), or None
    for the lookup order (--config, $RISKMON_CONFIG, user config dir, bundled demo).

    Files read exactly as they were validated before come from the validated-config cache
    (riskmon.sources.config.cache) without parsing or pydantic; anything else is validated.
    """
    loc = _location(location)
    base = loc.path
    _check_dir(loc)
    reads = {name: read_file(base / name) for name in CONFIG_FILES}
    files = {name: base / name if r.found else None for name, r in reads.items()}
    mtimes = {name: r.st.st_mtime for name, r in reads.items() if r.st is not None}
    slot, fingerprint = _cache_key(base, reads)
    found = _from_cache(slot, fingerprint) if fingerprint else None
    if found is None:
        found = _validate(base, reads)
        if fingerprint:
            from riskmon.sources.config import cache

            cache.store(slot, fingerprint, found)
    settings, profile, events, playbooks = found
    return Config(loc, files, settings, profile, events, playbooks, mtimes)


Validated = tuple[Settings, Profile, tuple[Event, ...], PlaybookFile]


def _validate(base: Path, reads: dict[str, Read]) -> Validated:
    """Parse and validate what was read: the core's objects, or ConfigError with every problem."""
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
                    f"file not found in {base}: a config directory needs at least exposure.toml "
                    f"(write a starter set with: riskmon config init {base})",
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

    from riskmon.sources.config.schema import to_core

    catalog = parsed.get("events.toml")
    settings = parsed.get("riskmon.toml")
    playbooks = parsed.get("playbooks.toml")
    return (
        to_core(settings) if settings is not None else Settings(),
        to_core(parsed["exposure.toml"]),
        to_core(catalog.events) if catalog is not None else (),
        to_core(playbooks) if playbooks is not None else PlaybookFile(),
    )


def _cache_key(base: Path, reads: dict[str, Read]) -> tuple[str, str | None]:
    """(The cache entry for `base`, the fingerprint of what was read); no fingerprint when a file
    could not be read or exposure.toml is missing: that is reported, never cached."""
    from riskmon.sources.config import cache

    directory = os.path.abspath(base)
    slot = cache.slot_for("config", directory)
    if any(r.problems for r in reads.values()) or not reads[REQUIRED_FILE].found:
        return slot, None
    fp = cache.Fingerprint()
    for name, r in reads.items():
        fp.file(Path(directory, name), r.data, r.st)
    return slot, fp.digest()


def _from_cache(slot: str, fingerprint: str) -> Validated | None:
    """The cached objects, if the entry holds exactly the four kinds a config validates to."""
    from riskmon.sources.config import cache

    found = cache.load(slot, fingerprint)
    if not (isinstance(found, tuple) and len(found) == 4):
        return None
    settings, profile, events, playbooks = found
    ok = isinstance(settings, Settings) and isinstance(profile, Profile) and isinstance(playbooks, PlaybookFile)
    if ok and isinstance(events, tuple) and all(isinstance(e, Event) for e in events):
        return settings, profile, events, playbooks
    return None


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
        return None, [Problem(filename, None, "", f"not a riskmon config file; expected one of: {known}")]
    import tomllib

    from riskmon.docparse import toml_loads

    try:
        data = toml_loads(text)
    except tomllib.TOMLDecodeError as exc:
        return None, [_syntax_problem(filename, text, exc)]
    except RecursionError:
        return None, [Problem(filename, None, "", "invalid TOML: arrays or tables nested too deeply")]

    from pydantic import ValidationError

    import riskmon.sources.config.schema as model_module

    model: type[BaseModel] = getattr(model_module, model_name)
    try:
        return model.model_validate(data), []
    except ValidationError as exc:
        return None, _problems_from(filename, text, data, model, exc.errors(include_url=False))


# ---------------------------------------------------------------------------------------------
# Reading


def _check_dir(loc: ConfigLocation) -> None:
    base = loc.path
    try:
        st = base.stat()
    except FileNotFoundError:
        why = {
            "--config": "given with --config",
            "$RISKMON_CONFIG": "from $RISKMON_CONFIG",
            "bundled demo": "the bundled demo config; reinstall riskmon",
        }.get(loc.source, loc.source)
        raise ConfigError(
            [
                Problem(
                    str(base),
                    None,
                    "",
                    f"config directory not found ({why}); write a starter set with: riskmon config init {base}",
                )
            ]
        ) from None
    except OSError as exc:
        raise ConfigError([Problem(str(base), None, "", f"cannot open config directory: {os_reason(exc)}")]) from None
    if not stat.S_ISDIR(st.st_mode):
        message = "not a directory; give the directory that holds exposure.toml"
        raise ConfigError([Problem(str(base), None, "", message)])


class Read(NamedTuple):
    """One config file as read: its text (None: absent or unreadable), whether it exists, its
    bytes and stat (for the cache's fingerprint) and the problems reading it."""

    text: str | None
    found: bool
    data: bytes | None = None
    st: os.stat_result | None = None
    problems: tuple[Problem, ...] = ()


def _read(path: Path) -> tuple[str | None, bool, float | None, list[Problem]]:
    """(text or None, whether the file exists, mtime, problems) for one file read as a config file
    is (`read_file`); riskmon.sources.fleet reads fleet.toml with it."""
    r = read_file(path)
    return r.text, r.found, None if r.st is None else r.st.st_mtime, list(r.problems)


def read_file(path: Path) -> Read:
    """One config file. Only a file with no directory entry at all is missing (its defaults
    apply); a dangling symlink, a FIFO, a device or a directory there is a problem naming the
    file (riskmon.userfile)."""
    display = str(path)
    try:
        data, st = read_bytes(path, CONFIG_MAX_BYTES)
    except FileNotFoundError:
        return Read(None, False)
    except OSError as exc:
        return Read(None, True, problems=(Problem(display, None, "", f"cannot read: {os_reason(exc)}"),))
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        problem = Problem(display, line, "", f"not UTF-8 text (byte {exc.start}); save the file as UTF-8")
        return Read(None, True, data, st, (problem,))
    return Read(text, True, data, st)


_AT = r"\s*\(at line (\d+), column (\d+)\)\s*$"
_HINTS = {
    "Invalid value": 'text needs double quotes, e.g. platform = "tiktok"',
    "Cannot overwrite a value": "a key is set twice",
    "Invalid statement": "expected key = value, [table] or [[array]]",
}


def _syntax_problem(filename: str, text: str, exc: tomllib.TOMLDecodeError) -> Problem:
    raw = str(exc)
    line: int | None = getattr(exc, "lineno", None)
    column: int | None = getattr(exc, "colno", None)
    what = getattr(exc, "msg", None) or raw
    m = re.search(_AT, raw)
    if m:
        what = raw[: m.start()]
        line, column = int(m.group(1)), int(m.group(2))
    elif "(at end of document)" in raw:
        what = raw.replace("(at end of document)", "").strip()
    what = clean(what)
    if what.startswith("Cannot overwrite a value") or what.startswith("Cannot declare"):
        # tomllib may place these at the end of the document; find the repeated key ourselves.
        from riskmon.sources.config.positions import duplicate_lines

        dups = duplicate_lines(text)
        if dups and (line is None or "Cannot overwrite" in what):
            line, column = dups[0], None
    if line is None:
        line = max(1, text.count("\n") + (0 if text.endswith("\n") else 1))
        where = "at the end of the file"
    else:
        where = f"at line {line}" + (f", column {column}" if column else "")
    hint = next((h for prefix, h in _HINTS.items() if what.startswith(prefix)), "")
    message = f"invalid TOML {where}: {what[:1].lower()}{what[1:]}" + (f" ({hint})" if hint else "")
    return Problem(filename, line, "", message)


# ---------------------------------------------------------------------------------------------
# Pydantic errors -> problems in the user's terms

Loc = tuple[str | int, ...]

# Model-level validators report at the model's location; move each to the field it is about.
# (pattern, what to append to the location; "dup:<list>:<key>" = the repeated item's key)
_MODEL_CHECKS: tuple[tuple[str, str], ...] = (
    (r"ends must be after effective", "ends"),
    (r"traffic shares add up", "traffic"),
    (r"channel id .* is used twice", "dup:channels:id"),
    (r"order_share over all channels", "channels"),
    (r"event id .* is used twice", "dup:events:id"),
    (r"crit must be at least warn", "crit"),
    (r"runway_crit_weeks must be", "runway_crit_weeks"),
    (r"shock_crit must be", "shock_crit"),
    (r"feed name .* is used twice", "dup:feeds:name"),
    (r"a file feed needs path", "path"),
    (r"an? \w+ feed needs url", "url"),
    (r"an? \w+ alert needs url", "url"),
    (r"a command alert needs argv", "argv"),
    (r"step id .* is used twice", "dup:steps:id"),
    (r"rule id .* is used twice", "dup:rules:id"),
)

_DATE_HELP = "not a date or date-time (use 2025-01-19 or 2025-01-19T17:00:00+07:00)"
_LABEL = r"[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}"
_BARE_KEY = r"[A-Za-z0-9_-]+"


def _problems_from(filename: str, text: str, data: Any, model: type[BaseModel], errors: list[Any]) -> list[Problem]:
    from riskmon.sources.config.positions import key_lines, line_for

    lines = key_lines(text)
    out: list[Problem] = []
    seen: set[tuple[int | None, str, str]] = set()

    def add(loc: Loc, message: str) -> None:
        problem = Problem(filename, line_for(lines, loc), field_name(loc, data), message)
        key = (problem.line, problem.field, problem.message)
        if key not in seen:
            seen.add(key)
            out.append(problem)

    for err in errors:
        loc: Loc = tuple(err.get("loc", ()))
        if loc[-1:] == ("[key]",):  # pydantic's marker for "the key itself, not its value"
            loc = loc[:-1]
        long_at = _long_number_at(loc, data)
        if long_at is not None:
            loc, message = long_at
        elif err.get("type") == "value_error":
            message = _value_error_text(err)
            loc = _refine(loc, message, data)
        else:
            message = _message(model, loc, err)
        add(loc, message)
    for loc, message in _cross_checks(model.__name__, data):
        add(loc, message)
    out.sort(key=lambda p: p.line if p.line is not None else 0)
    return out


def _long_number_at(loc: Loc, data: Any) -> tuple[Loc, str] | None:
    """An integer too long to read (see docparse) at `loc`, or at the table holding `loc` (a
    marker where a table was expected reads as one with an unknown key): where, and why."""
    from riskmon.docparse import DIGITS_KEY, digits_of_marker

    for where in (loc, loc[:-1] if loc and loc[-1] == DIGITS_KEY else None):
        digits = digits_of_marker(_get(data, where)) if where is not None else None
        if digits is not None and where is not None:
            return where, f"a number of {digits} digits is too long to be an amount, a share or a count"
    return None


def _value_error_text(err: dict[str, Any]) -> str:
    msg = str(err.get("msg", ""))
    return clean(msg.removeprefix("Value error, "))


def _refine(loc: Loc, message: str, data: Any) -> Loc:
    for pattern, target in _MODEL_CHECKS:
        if not re.match(pattern, message):
            continue
        if target.startswith("dup:"):
            _, list_key, item_key = target.split(":")
            index = _second_occurrence(_get(data, (*loc, list_key)), item_key)
            return (*loc, list_key, index, item_key) if index is not None else (*loc, list_key)
        return (*loc, target)
    return loc


def _get(data: Any, loc: Loc) -> Any:
    node = data
    for comp in loc:
        if isinstance(comp, int) and isinstance(node, list) and 0 <= comp < len(node):
            node = node[comp]
        elif isinstance(comp, str) and isinstance(node, dict):
            node = node.get(comp)
        else:
            return None
    return node


def _key_of(item: Any, key: str) -> str | None:
    value = item.get(key) if isinstance(item, dict) else None
    return value.strip() if isinstance(value, str) else None


def _repeats(items: Any, key: str) -> Iterator[tuple[int, str]]:
    """(index, value) of every item whose `key` value an earlier item already has."""
    if not isinstance(items, list):
        return
    seen: set[str] = set()
    for index, item in enumerate(items):
        value = _key_of(item, key)
        if value is None:
            continue
        if value in seen:
            yield index, value
        seen.add(value)


def _second_occurrence(items: Any, key: str) -> int | None:
    return next((index for index, _ in _repeats(items, key)), None)


def _cross_checks(model_name: str, data: Any) -> list[tuple[Loc, str]]:
    """Container checks on the raw data, so they are reported even when pydantic stopped at
    field errors first (it skips a model's own validators when a field fails). Messages match
    the models' own, so a check pydantic did run is not reported twice."""
    out: list[tuple[Loc, str]] = []
    if not isinstance(data, dict):
        return out

    def duplicates(list_key: str, item_key: str, what: str) -> None:
        for index, value in _repeats(data.get(list_key), item_key):
            out.append(((list_key, index, item_key), f"{what} {value!r} is used twice; ids must be unique"))

    if model_name == "Profile":
        duplicates("channels", "id", "channel id")
        channels = data.get("channels")
        if isinstance(channels, list):
            shares = [c.get("order_share") for c in channels if isinstance(c, dict)]
            numbers = [float(v) for v in shares if isinstance(v, int | float) and not isinstance(v, bool)]
            if all(0 <= v <= 1 for v in numbers) and sum(numbers) > 1.0 + 1e-9:
                total = f"{sum(numbers):.3f}"
                out.append((("channels",), f"order_share over all channels adds up to {total}; it must be at most 1"))
    elif model_name == "PlaybookFile":
        duplicates("rules", "id", "rule id")
    elif model_name == "EventCatalog":
        duplicates("events", "id", "event id")
        events = data.get("events")
        if isinstance(events, list):
            from riskmon.sources.config.schema import to_utc

            for index, event in enumerate(events):
                if not isinstance(event, dict):
                    continue
                try:
                    effective, ends = to_utc(event.get("effective")), to_utc(event.get("ends"))
                    if ends is not None and effective is not None and ends <= effective:
                        out.append((("events", index, "ends"), "ends must be after effective"))
                except (ValueError, TypeError):
                    continue
    return out


def field_name(loc: Loc, data: Any) -> str:
    """('channels', 1, 'order_share') -> 'channels[tiktok-us].order_share' (the item's id or
    name when it has a unique one, else its index)."""
    out = ""
    node = data
    for comp in loc:
        if isinstance(comp, int):
            label = str(comp)
            if isinstance(node, list) and 0 <= comp < len(node):
                label = _item_label(node, comp) or label
                node = node[comp]
            else:
                node = None
            out += f"[{label}]"
        else:
            key = clean(str(comp))[:64]
            if not re.fullmatch(_BARE_KEY, key):
                key = '"' + key.replace('"', '\\"') + '"'
            out += ("." if out else "") + key
            node = node.get(comp) if isinstance(node, dict) else None
    return out


def _item_label(items: list[Any], index: int) -> str | None:
    for key in ("id", "name"):
        value = _key_of(items[index], key)
        if value and re.fullmatch(_LABEL, value) and sum(_key_of(i, key) == value for i in items) == 1:
            return value
    return None


def _got(value: Any) -> str:
    if isinstance(value, bool):
        text = "true" if value else "false"
    elif isinstance(value, str):
        text = repr(clean(value)[:60])
    elif isinstance(value, int | float):
        text = repr(value) if len(repr(value)) <= 30 else "a number that large"
    elif isinstance(value, dict):
        return " (got a table)"
    elif isinstance(value, list):
        return " (got a list)"
    else:
        text = clean(str(value))[:60]
    return f" (got {text})"


def _num(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        return f"{int(value):,}" if abs(value) >= 1e6 else str(int(value))
    return f"{value:g}" if isinstance(value, float) else str(value)


def _message(model: type[BaseModel], loc: Loc, err: dict[str, Any]) -> str:
    kind = str(err.get("type", ""))
    ctx: dict[str, Any] = err.get("ctx") or {}
    value = err.get("input")
    if kind == "missing":
        return "missing: required field"
    if kind == "extra_forbidden":
        return _unknown_key(model, loc)
    if kind in ("greater_than", "greater_than_equal", "less_than", "less_than_equal"):
        return _range(model, loc, ctx, kind) + _got(value)
    if kind == "finite_number":
        return "must be a finite number, not inf or nan"
    if kind in ("float_type", "float_parsing", "int_parsing_size"):
        return "not a number" + _got(value)
    if kind in ("int_type", "int_parsing"):
        return "not a whole number" + _got(value)
    if kind == "int_from_float":
        return "must be a whole number" + _got(value)
    if kind in ("bool_type", "bool_parsing"):
        return "must be true or false" + _got(value)
    if kind == "string_type":
        return 'must be text in double quotes, e.g. "..."' + _got(value)
    if kind == "string_too_short" or (kind == "too_short" and isinstance(value, str)):
        return "must not be empty"
    if kind == "string_too_long":
        return f"must be at most {ctx.get('max_length')} characters"
    if kind == "string_pattern_mismatch":
        if "(s|m|h|d|w)" in str(ctx.get("pattern", "")):
            return "not a duration: a number and a unit s, m, h, d or w, e.g. 30s, 15m, 2h, 1d" + _got(value)
        return f"does not have the expected form {ctx.get('pattern')}" + _got(value)
    if kind == "too_short":
        n = ctx.get("min_length", 1)
        return f"must have at least {n} item{'s' if n != 1 else ''}"
    if kind == "too_long":
        return f"must have at most {ctx.get('max_length')} items"
    if kind in ("list_type", "tuple_type", "set_type"):
        return 'must be a list in brackets, e.g. ["US"]' + _got(value)
    if kind in ("dict_type", "model_type", "model_attributes_type"):
        return "must be a table: a [section] or { key = value, ... }" + _got(value)
    if kind == "literal_error":
        return _literal(ctx, value)
    if kind.startswith(("datetime_", "date_", "time_")):
        return _DATE_HELP + _got(value)
    return clean(str(err.get("msg", "invalid value")))


def _literal(ctx: dict[str, Any], value: Any) -> str:
    options = re.findall(r"'([^']*)'", str(ctx.get("expected", "")))
    message = f"must be one of: {', '.join(options)}" + _got(value)
    if isinstance(value, str):
        message += did_you_mean(value.strip().lower(), options, " — ")
    return message


def _unknown_key(model: type[BaseModel], loc: Loc) -> str:
    key = clean(str(loc[-1]))[:64] if loc else "?"
    known = _field_names(model, loc[:-1])
    close = did_you_mean(key, known, " — ") or did_you_mean(key.lower(), known, " — ")
    if close:
        return f"unknown key {key!r}{close}"
    if known:
        return f"unknown key {key!r}; known keys here: {', '.join(known)}"
    return f"unknown key {key!r}"


def unwrap_annotation(tp: Any) -> Any:
    """Strip Annotated[...] and Optional[...] from a type."""
    import types
    from typing import Annotated, Union, get_args, get_origin

    while True:
        origin = get_origin(tp)
        if origin is Annotated:
            tp = get_args(tp)[0]
        elif origin in (Union, types.UnionType):
            args = [a for a in get_args(tp) if a is not type(None)]
            if len(args) != 1:
                return tp
            tp = args[0]
        else:
            return tp


def _type_at(model: type[BaseModel], loc: Loc) -> Any:
    """The declared type at a location inside `model`, or None when unknown."""
    from typing import get_args, get_origin

    from pydantic import BaseModel

    current: Any = model
    for comp in loc:
        current = unwrap_annotation(current)
        origin = get_origin(current)
        if isinstance(comp, int) and origin in (list, tuple):
            current = get_args(current)[0]
        elif isinstance(comp, str) and origin is dict:
            current = get_args(current)[1]
        elif isinstance(comp, str) and isinstance(current, type) and issubclass(current, BaseModel):
            info = current.model_fields.get(comp)
            if info is None:
                return None
            current = info.annotation
        else:
            return None
    return current


def _field_names(model: type[BaseModel], loc: Loc) -> list[str]:
    from pydantic import BaseModel

    target = unwrap_annotation(_type_at(model, loc))
    if isinstance(target, type) and issubclass(target, BaseModel):
        return list(target.model_fields)
    return []


def _bounds(model: type[BaseModel], loc: Loc) -> dict[str, Any]:
    """ge/gt/le/lt declared on the field at `loc` (or on its type)."""
    from typing import Annotated, get_args, get_origin

    from pydantic import BaseModel

    found: dict[str, Any] = {}

    def collect(meta: Any) -> None:
        for name in ("ge", "gt", "le", "lt"):
            value = getattr(meta, name, None)
            if isinstance(value, int | float) and not isinstance(value, bool):
                found.setdefault(name, value)
        for inner in getattr(meta, "metadata", None) or ():
            collect(inner)

    def walk(tp: Any) -> None:
        if get_origin(tp) is Annotated:
            args = get_args(tp)
            for meta in args[1:]:
                collect(meta)
            walk(args[0])
        else:
            for arg in get_args(tp):
                if get_origin(arg) is Annotated:
                    walk(arg)

    if loc and isinstance(loc[-1], str):
        parent = unwrap_annotation(_type_at(model, loc[:-1]))
        if isinstance(parent, type) and issubclass(parent, BaseModel):
            info = parent.model_fields.get(loc[-1])
            if info is not None:
                for meta in info.metadata:
                    collect(meta)
                walk(info.annotation)
    else:
        walk(_type_at(model, loc))
    return found


_CAP = 10_000
"""An upper bound from this up is a sanity cap (money, days), not a scale like a share's 0-1."""


def _range(model: type[BaseModel], loc: Loc, ctx: dict[str, Any], kind: str) -> str:
    b = _bounds(model, loc) or dict(ctx)
    lo, lo_strict = (b["gt"], True) if "gt" in b else (b.get("ge"), False)
    hi, hi_strict = (b["lt"], True) if "lt" in b else (b.get("le"), False)
    if lo is not None and hi is not None and hi >= _CAP:
        # Name only the bound broken: "must be 0 or more", not "between 0 and a quadrillion".
        lo, hi = (lo, None) if kind.startswith("greater") else (None, hi)
    if lo is not None and hi is not None:
        if not lo_strict and not hi_strict:
            return f"must be between {_num(lo)} and {_num(hi)}"
        low = f"more than {_num(lo)}" if lo_strict else f"at least {_num(lo)}"
        high = f"less than {_num(hi)}" if hi_strict else f"at most {_num(hi)}"
        return f"must be {low} and {high}"
    if lo is not None:
        return f"must be more than {_num(lo)}" if lo_strict else f"must be {_num(lo)} or more"
    if hi is not None:
        return f"must be less than {_num(hi)}" if hi_strict else f"must be {_num(hi)} or less"
    return "out of range"


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
    slot, fp = cache.slot_for("bundled playbooks", os.path.abspath(path)), cache.Fingerprint()
    fp.file(Path(os.path.abspath(path)), r.data, r.st)
    found = cache.load(slot, fp.digest())
    if isinstance(found, tuple) and all(isinstance(rule, PlaybookRule) for rule in found):
        return found
    rules = _validate_bundled(path, r.text)
    cache.store(slot, fp.digest(), rules)
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
