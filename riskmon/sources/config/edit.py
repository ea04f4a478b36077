"""Validated, comment-preserving, atomic edits of the config files.

The layer the TUI's forms and editor, `riskmon config edit` and `riskmon what-if --apply` call.
Every write goes the same way:

1. read the file and change it with tomlkit, so comments, key order and formatting survive;
2. validate the new *text* exactly as `riskmon check` will read it (`config.find_problems_in_text`),
   then the directory as a whole: a temporary copy with the new text goes through `load_config`,
   and any problem the edit adds (one that the directory did not have before) rejects it;
3. only then replace the file atomically (temporary file, fsync, `os.replace`; a symlinked file
   is written through to its target).

An edit that fails raises `ConfigError` (every problem, located as `file:line: field: message`)
and the file is left as it was, byte for byte. A file that changed on disk since it was read
raises `ConflictError` instead of overwriting someone else's edit. The bundled demo config is
read-only: editing it raises ConfigError with a hint to run `riskmon config init`.

tomlkit is imported inside the functions: this module must stay off `riskmon check`'s path.
"""

from __future__ import annotations

import contextlib
import tempfile
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from pathlib import Path
from typing import TYPE_CHECKING, Any, get_args, get_origin

from riskmon.errors import ConfigError, Problem, did_you_mean
from riskmon.paths import CONFIG_FILES, ConfigLocation, bundled_config_dir

if TYPE_CHECKING:
    from pydantic import BaseModel

    from riskmon.core.scenario import Change

DRAFT_SUFFIX = ".draft"
REJECTED_SUFFIX = ".rejected"

# Which table of which file holds what, and the model that validates one entry of it.
_TABLES: dict[str, tuple[str, str, bool]] = {
    # table -> (file, model class name in riskmon.sources.config.schema, is an array of tables keyed by id)
    "business": ("exposure.toml", "Business", False),
    "channels": ("exposure.toml", "Channel", True),
    "events": ("events.toml", "Event", True),
    "thresholds": ("riskmon.toml", "Thresholds", False),
    "model": ("riskmon.toml", "ModelSettings", False),
    "history": ("riskmon.toml", "HistorySettings", False),
    "export": ("riskmon.toml", "ExportSettings", False),
}


class ConflictError(ConfigError):
    """The file changed on disk after it was read; nothing was written."""


@dataclass(frozen=True)
class FieldEdit:
    """Set one field of one table (or of one item of an array of tables, by id); None removes it."""

    table: str
    """business, channels, events, thresholds, model, history or export."""
    item_id: str | None
    """The `id` of the channel or event; None for a plain table."""
    field: str
    value: Any

    @property
    def file(self) -> str:
        return _TABLES[self.table][0] if self.table in _TABLES else "?"

    @property
    def where(self) -> str:
        item = f"[{self.item_id}]" if self.item_id is not None else ""
        return f"{self.table}{item}.{self.field}"


@dataclass(frozen=True)
class AppendEdit(FieldEdit):
    """Append `value` to the list field of an item of an array of tables (by id), unless an equal
    value is there already; the list is created when the item has none. A value is compared as
    TOML reads it (a date and the same date written differently are equal)."""


TIMELINE_START = date(1900, 1, 1)
"""The date of the first entry of a timeline started from an event's plain `status`: "since
always", so that a replay before the new entry shows exactly what the event said before."""


@dataclass(frozen=True)
class TimelineEdit:
    """A new entry in an event's `timeline`: from `date` on, the event has `status`.

    Kept as the schema reads a timeline (dates strictly ascending; `status`, when given, equal to
    the last entry's; the event's `probability` belonging to the last entry):
    - an event without a timeline gets one: its current status (and probability) from
      TIMELINE_START, then the new entry; the event's `probability` moves into the first entry;
    - a later entry is appended; the event's `probability`, if any, moves into the entry that was
      last (where it applied);
    - an entry on a date the timeline has replaces that entry's status; an earlier one is inserted
      in date order;
    - the event's `status`, when the file gives one, becomes the last entry's."""

    item_id: str
    date: datetime
    status: str
    probability: float | None = None
    table: str = "events"
    field: str = "timeline"

    @property
    def file(self) -> str:
        return "events.toml"

    @property
    def where(self) -> str:
        return f"events[{self.item_id}].timeline"


Edit = FieldEdit | AppendEdit | TimelineEdit


def channel_edit(channel_id: str, field: str, value: Any) -> FieldEdit:
    return FieldEdit("channels", channel_id, field, value)


def event_edit(event_id: str, field: str, value: Any) -> FieldEdit:
    return FieldEdit("events", event_id, field, value)


def business_edit(field: str, value: Any) -> FieldEdit:
    return FieldEdit("business", None, field, value)


# ---------------------------------------------------------------------------------------------
# The public edits


def set_channel_field(config_dir: ConfigLocation | Path | str, channel_id: str, field: str, value: Any) -> Path:
    """Set (None: remove) one field of a channel in exposure.toml; return the file's path."""
    return apply_edits(config_dir, [channel_edit(channel_id, field, value)])[0]


def set_event_field(config_dir: ConfigLocation | Path | str, event_id: str, field: str, value: Any) -> Path:
    """Set (None: remove) one field of an event in events.toml; return the file's path."""
    return apply_edits(config_dir, [event_edit(event_id, field, value)])[0]


def set_business_field(config_dir: ConfigLocation | Path | str, field: str, value: Any) -> Path:
    """Set (None: remove) one field of [business] in exposure.toml; return the file's path."""
    return apply_edits(config_dir, [business_edit(field, value)])[0]


def set_setting(config_dir: ConfigLocation | Path | str, section: str, field: str, value: Any) -> Path:
    """Set (None: remove) one field of a riskmon.toml section: thresholds, model, history, export."""
    return apply_edits(config_dir, [FieldEdit(section, None, field, value)])[0]


def apply_edits(config_dir: ConfigLocation | Path | str, edits: Sequence[Edit]) -> list[Path]:
    """Apply several edits at once, across files: all are validated before any file is written.

    Returns the path of every file the edits touch (written, or already holding those values)."""
    base = config_dir_of(config_dir)
    groups: dict[str, list[Edit]] = {}
    for e in edits:
        _check_edit(e, base)
        groups.setdefault(e.file, []).append(e)
    originals: dict[str, str | None] = {}
    texts: dict[str, str] = {}
    for name, group in groups.items():
        path = base / name
        original = read_text(path)
        text = original or ""
        _parse(path, text)
        for e in group:
            text = _apply_edit(text, e, path)
        originals[name] = original
        texts[name] = text
    _commit(base, texts, originals)
    return [base / name for name in groups]


def add_event(config_dir: ConfigLocation | Path | str, event: Mapping[str, Any]) -> Path:
    """Append an event (a mapping of Event fields, e.g. from a form) to events.toml as a new
    [[events]] table, creating the file if needed; validated like every edit (a duplicate id or a
    missing required field is a ConfigError)."""
    base = config_dir_of(config_dir)
    path = base / "events.toml"
    original = read_text(path)
    text = original or ""
    doc = _parse(path, text)
    _append_event(doc, text, event)
    _commit(base, {"events.toml": doc.as_string()}, {"events.toml": original})
    return path


def events_text(events: Sequence[Mapping[str, Any]], header: str = "") -> str:
    """The text of an events.toml that holds `header` (comments) and these events, written as
    `add_event` writes them (for a draft shown in an editor before it is added)."""
    doc = _parse(Path("events.toml"), header)
    for event in events:
        _append_event(doc, doc.as_string(), event)
    return str(doc.as_string())


def toml_value(value: Any) -> Any:
    """A Python value as the TOML item the edits write: a 00:00 UTC time as a date, other times
    in UTC, mappings as inline tables."""
    return _item(value)


def remove_event(config_dir: ConfigLocation | Path | str, event_id: str) -> Path:
    """Remove the event with this id from events.toml (its comments inside the table go with it)."""
    base = config_dir_of(config_dir)
    path = base / "events.toml"
    original = read_text(path)
    doc = _parse(path, original or "")
    items = doc.get("events")
    found = _find(items, event_id, path, "events")
    del items[next(i for i, t in enumerate(items) if t is found)]
    _commit(base, {"events.toml": doc.as_string()}, {"events.toml": original})
    return path


def edits_from_changes(changes: Iterable[Change]) -> list[FieldEdit]:
    """What-if changes (riskmon.core.scenario.Change) as edits of exposure.toml and events.toml."""
    table = {"event": "events", "channel": "channels", "business": "business"}
    return [
        FieldEdit(table[c.target_kind], None if c.target_kind == "business" else c.id, c.field, c.new) for c in changes
    ]


# ---------------------------------------------------------------------------------------------
# Whole-text saves (the TUI editor, `riskmon config edit`) and drafts


def check_text(path: Path | str, text: str) -> list[Problem]:
    """Every problem `text` would have as the file at `path` (by its name: exposure.toml, ...),
    in itself and in its directory; an empty list means `save_text` would accept it."""
    path = Path(path)
    try:
        _validate(path.parent, {_config_name(path): text})
    except ConfigError as exc:
        return list(exc.problems)
    return []


def save_text(path: Path | str, text: str, *, base_text: str | None = None, base_missing: bool = False) -> Path:
    """Validate `text` as the config file at `path` and write it atomically; else raise ConfigError.

    `base_text` (the text the user started from) or `base_missing=True` (the file did not exist)
    turn on the conflict check: if the file on disk is no longer that, raise ConflictError and
    write nothing. After a successful save the file's draft (`<file>.draft`) is removed."""
    path = Path(path)
    name = _config_name(path)
    base = config_dir_of(path.parent)
    original: str | None = None if base_missing else base_text
    checked = base_missing or base_text is not None
    _commit(base, {name: text}, {name: original}, check_base=checked)
    discard_draft(path)
    return path


def draft_path(path: Path | str) -> Path:
    path = Path(path)
    return path.with_name(path.name + DRAFT_SUFFIX)


def rejected_path(path: Path | str) -> Path:
    path = Path(path)
    return path.with_name(path.name + REJECTED_SUFFIX)


def save_draft(path: Path | str, text: str) -> Path:
    """Keep unsaved (possibly invalid) text beside the file as `<file>.draft`; never validated,
    never read by riskmon's loaders. Returns the draft's path."""
    draft = draft_path(path)
    config_dir_of(draft.parent)
    write_atomic(draft, text, mode=copy_mode(path))
    return draft


def save_rejected(path: Path | str, text: str) -> Path:
    """Keep an edit that was not saved (invalid, or the file changed meanwhile) beside the file as
    `<file>.rejected`, so that nothing the user typed is lost. Returns its path."""
    rejected = rejected_path(path)
    write_atomic(rejected, text, mode=copy_mode(path))
    return rejected


def copy_mode(path: Path | str) -> int:
    """The permissions of a copy of the config file at `path` (draft, rejected edit): the file's
    own, so that a config made private (0600) does not leak through its copies; 0600 when the
    file does not exist yet."""
    import stat

    try:
        return stat.S_IMODE(Path(path).stat().st_mode)
    except OSError:
        return 0o600


def load_draft(path: Path | str) -> str | None:
    """The draft's text, or None when there is none."""
    return read_text(draft_path(path))


def discard_draft(path: Path | str) -> None:
    with contextlib.suppress(FileNotFoundError):
        draft_path(path).unlink()


# ---------------------------------------------------------------------------------------------
# Form values


def form_value(table: str, field: str, text: str) -> Any:
    """What a form's text means for a field: "" -> None (remove: the default applies); text fields
    stay text; lists of text accept `US, CA`; anything else is read as a TOML value (0.35, 120000,
    2025-01-19, true, ["US"]). The result still goes through validation when saved."""
    raw = text.strip()
    if raw == "":
        return None
    model = _model_for(table)
    info = model.model_fields.get(field) if model is not None else None
    kind = _shape(info.annotation) if info is not None else "value"
    if kind == "text":
        return raw
    if kind == "text_list" and not raw.startswith("["):
        return [part.strip() for part in raw.split(",") if part.strip()]
    import tomllib

    try:
        return tomllib.loads(f"v = {raw}")["v"]
    except tomllib.TOMLDecodeError:
        return raw  # validation will say what is wrong with it


def _shape(annotation: Any) -> str:
    """'text', 'text_list' or 'value' for a pydantic field annotation."""
    from typing import Literal

    from riskmon.sources.config.load import unwrap_annotation

    tp = unwrap_annotation(annotation)  # a Union of several types stays a Union: 'value'
    if tp is str or get_origin(tp) is Literal:
        return "text"
    if get_origin(tp) is list:
        return "text_list" if _shape(get_args(tp)[0]) == "text" else "value"
    return "value"


# ---------------------------------------------------------------------------------------------
# Reading and writing


def config_dir_of(config_dir: ConfigLocation | Path | str) -> Path:
    """The directory to edit; the bundled demo is refused (it ships with riskmon)."""
    if isinstance(config_dir, ConfigLocation):
        if config_dir.is_demo:
            raise _demo_error(config_dir.path)
        path = config_dir.path
    else:
        path = Path(config_dir).expanduser()
    if _same(path, bundled_config_dir()):
        raise _demo_error(path)
    return path


def _demo_error(path: Path) -> ConfigError:
    return ConfigError(
        [
            Problem(
                str(path),
                None,
                "",
                "this is the bundled demo config, which is read-only; write your own with "
                "`riskmon config init`, then edit that",
            )
        ]
    )


def _same(a: Path, b: Path) -> bool:
    try:
        return a.resolve() == b.resolve()
    except OSError:
        return False


def read_text(path: Path) -> str | None:
    """A config file's text (a UTF-8 BOM dropped), or None when there is no file at all.

    Read as riskmon.userfile reads: a regular file of at most CONFIG_MAX_BYTES; a dangling
    symlink, a FIFO or a device is a ConfigError naming the file, never "no file"."""
    from riskmon.userfile import CONFIG_MAX_BYTES, read_bytes

    try:
        data, _ = read_bytes(path, CONFIG_MAX_BYTES)
    except FileNotFoundError:
        return None
    except OSError as exc:
        why = exc.strerror or type(exc).__name__
        raise ConfigError([Problem(str(path), None, "", f"cannot read: {why}")]) from None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise ConfigError([Problem(str(path), line, "", "not UTF-8 text; save the file as UTF-8")]) from None


def write_atomic(path: Path, text: str, *, mode: int | None = None) -> None:
    """Temporary file + fsync + os.replace, then fsync the directory. A symlink is written
    through to its target (replacing the link itself would break a dotfiles setup). `mode`: the
    new file's permissions; None keeps those of the file replaced (0644 for a new one)."""
    from riskmon.fileio import atomic_write_bytes

    target = path.resolve() if path.is_symlink() else path
    try:
        atomic_write_bytes(target, text.encode("utf-8"), mode=mode)
    except OSError as exc:
        why = exc.strerror or type(exc).__name__
        raise ConfigError([Problem(str(path), None, "", f"cannot write: {why}; nothing was changed")]) from None


def _config_name(path: Path) -> str:
    if path.name not in CONFIG_FILES:
        known = ", ".join(CONFIG_FILES)
        raise ConfigError([Problem(str(path), None, "", f"not a riskmon config file; expected one of: {known}")])
    return path.name


def _parse(path: Path, text: str) -> Any:
    import tomlkit
    from tomlkit.exceptions import TOMLKitError

    try:
        return tomlkit.parse(text)
    except TOMLKitError as exc:
        from riskmon.sources.config.load import find_problems_in_text

        problems = find_problems_in_text(str(path), text) or [
            Problem(str(path), getattr(exc, "line", None), "", f"invalid TOML: {exc}")
        ]
        raise ConfigError(problems) from None


def _commit(
    base: Path, texts: Mapping[str, str], originals: Mapping[str, str | None], *, check_base: bool = True
) -> None:
    """Validate, check nobody changed the files meanwhile, write the ones that change."""
    _validate(base, texts)
    if check_base:
        for name in texts:
            if read_text(base / name) != originals[name]:
                raise ConflictError(
                    [
                        Problem(
                            str(base / name),
                            None,
                            "",
                            "changed on disk since it was read (another editor or riskmon); nothing was "
                            "written: reload it and make the change again",
                        )
                    ]
                )
    for name, text in texts.items():
        if text != originals.get(name):
            write_atomic(base / name, text)


def _validate(base: Path, texts: Mapping[str, str]) -> None:
    """Raise ConfigError unless every new text is valid and the directory stays valid with them."""
    from riskmon.sources.config.load import find_problems_in_text

    problems: list[Problem] = []
    for name, text in texts.items():
        problems.extend(find_problems_in_text(str(base / name), text))
    if problems:
        raise ConfigError(problems)
    added = _dir_problems(base, texts)
    if added:
        raise ConfigError(added)


def _dir_problems(base: Path, texts: Mapping[str, str]) -> list[Problem]:
    """Problems a temporary copy of the directory, holding the new texts, has and `base` has not
    (so a file that was already broken does not block an edit of another one)."""
    from riskmon.sources.config.load import validate_dir
    from riskmon.userfile import CONFIG_MAX_BYTES, read_bytes

    with tempfile.TemporaryDirectory(prefix="riskmon-check-") as tmp:
        for name in CONFIG_FILES:
            if name in texts:
                (Path(tmp) / name).write_text(texts[name], encoding="utf-8", newline="")
                continue
            with contextlib.suppress(OSError):  # an unreadable file is a problem of `before` too
                (Path(tmp) / name).write_bytes(read_bytes(base / name, CONFIG_MAX_BYTES)[0])
        after = validate_dir(ConfigLocation(Path(tmp), "--config"))

        def home(p: Problem) -> Problem:
            return Problem(p.file.replace(tmp, str(base)), p.line, p.field, p.message.replace(tmp, str(base)))

        after = [home(p) for p in after]
    if not after:
        return []
    before = {(p.file, p.field, p.message) for p in validate_dir(ConfigLocation(base, "--config"))}
    return [p for p in after if (p.file, p.field, p.message) not in before]


# ---------------------------------------------------------------------------------------------
# Changing a tomlkit document


def _model_for(table: str) -> type[BaseModel] | None:
    import riskmon.sources.config.schema as model_module

    spec = _TABLES.get(table)
    return getattr(model_module, spec[1]) if spec else None


def _check_edit(e: Edit, base: Path) -> None:
    spec = _TABLES.get(e.table)
    if spec is None:
        hint = did_you_mean(e.table, _TABLES, " — ")
        message = f"unknown table {e.table!r}{hint}; known: {', '.join(_TABLES)}"
        raise ConfigError([Problem(str(base), None, "", message)])
    path = str(base / spec[0])
    if spec[2] != (e.item_id is not None):
        what = "needs the id of a channel or event" if spec[2] else "is a plain table: give no id"
        raise ConfigError([Problem(path, None, e.table, what)])
    model = _model_for(e.table)
    assert model is not None
    if e.field not in model.model_fields:
        hint = did_you_mean(e.field, model.model_fields, " — ")
        raise ConfigError([Problem(path, None, e.where, f"unknown field {e.field!r}{hint}")])


def _find(items: Any, item_id: str, path: Path, table: str) -> Any:
    entries = list(items) if isinstance(items, list) else []
    ids = [str(t.get("id", "")).strip() for t in entries if isinstance(t, dict)]
    for t in entries:
        if isinstance(t, dict) and str(t.get("id", "")).strip() == item_id:
            return t
    what = "channel" if table == "channels" else "event"
    hint = did_you_mean(item_id, ids, " — ") or (f"; {what}s in the file: {', '.join(ids)}" if ids else "")
    raise ConfigError([Problem(str(path), None, f"{table}[{item_id}]", f"no {what} with id {item_id!r}{hint}")])


def _table(doc: Any, e: FieldEdit, path: Path) -> Any:
    import tomlkit

    if e.item_id is not None:
        return _find(doc.get(e.table), e.item_id, path, e.table)
    table = doc.get(e.table)
    if table is None:
        if e.value is None:
            return {}
        table = tomlkit.table()
        doc.append(e.table, table)
        return doc[e.table]
    if not isinstance(table, dict):
        raise ConfigError([Problem(str(path), None, e.table, "is not a table")])
    return table


def _apply_edit(text: str, e: Edit, path: Path) -> str:
    """`text` with one edit made: through tomlkit where it can keep the layout, as a new line
    below the right key where tomlkit would put it below the next table's comment."""
    if isinstance(e, AppendEdit):
        return _apply_append(text, e, path)
    if isinstance(e, TimelineEdit):
        return _apply_timeline(text, e, path)
    doc = _parse(path, text)
    table = _table(doc, e, path)
    if e.value is None:
        if e.field in table:
            del table[e.field]
        return str(doc.as_string())
    old = table.get(e.field) if hasattr(table, "get") else None
    item = _item(e.value, old)
    if e.field in table:
        table[e.field] = item  # tomlkit keeps the line's comment
        return str(doc.as_string())
    from tomlkit.items import Table

    if isinstance(table, Table):  # a `[header]` table; an inline one takes the key in its braces
        inserted = _insert_line(text, _table_path(doc, e, table), e.field, item, _model_for(e.table))
        if inserted is not None:
            return inserted
    table[e.field] = item
    return str(doc.as_string())


def _plain(value: Any) -> Any:
    """A value as TOML reads it back, for comparing: a date-time in UTC, a date as such."""
    import tomllib

    import tomlkit

    return tomllib.loads(tomlkit.dumps({"v": _item(value)}))["v"]


def _list_field(table: Any, e: AppendEdit | TimelineEdit, path: Path) -> Any:
    """The list at `e.field` of `table` (None when the table has none)."""
    found = table.get(e.field)
    if found is not None and not isinstance(found, list):
        raise ConfigError([Problem(str(path), None, e.where, "is not a list")])
    return found


def _apply_append(text: str, e: AppendEdit, path: Path) -> str:
    doc = _parse(path, text)
    table = _find(doc.get(e.table), e.item_id or "", path, e.table)
    found = _list_field(table, e, path)
    if found is None:
        return _apply_edit(text, FieldEdit(e.table, e.item_id, e.field, [e.value]), path)
    value = _plain(e.value)
    if any(_plain(x) == value for x in found.unwrap()):
        return text
    found.append(_item(e.value))
    return str(doc.as_string())


def _apply_timeline(text: str, e: TimelineEdit, path: Path) -> str:
    doc = _parse(path, text)
    table = _find(doc.get("events"), e.item_id, path, "events")
    found = _list_field(table, e, path)
    new = {"date": e.date, "status": e.status} | ({"probability": e.probability} if e.probability is not None else {})
    if not found:
        current = table.get("status")
        if not isinstance(current, str):
            raise ConfigError(
                [Problem(str(path), None, f"events[{e.item_id}].status", "missing: nothing to start a timeline from")]
            )
        first: dict[str, Any] = {"date": TIMELINE_START, "status": current}
        if "probability" in table:
            first["probability"] = table["probability"].unwrap()
            del table["probability"]
        table["status"] = e.status
        text = str(doc.as_string())
        return _apply_edit(text, FieldEdit("events", e.item_id, "timeline", [first, new]), path)
    dates = [_plain(x.get("date")) if isinstance(x, dict) else None for x in found]
    if not all(isinstance(d, datetime | date) for d in dates):
        raise ConfigError([Problem(str(path), None, e.where, "an entry without a date: fix the timeline first")])
    at = _utc_key(_plain(e.date))
    keys = [_utc_key(d) for d in dates]  # type: ignore[arg-type]
    if at in keys:  # that day's entry says something else now
        entry = found[keys.index(at)]
        entry["status"] = e.status
        if "probability" in entry and e.probability is None:
            del entry["probability"]
    elif all(k < at for k in keys):
        if "probability" in table:  # it belonged to the entry that was last
            if "probability" not in found[-1]:
                found[-1]["probability"] = table["probability"].unwrap()
            del table["probability"]
        found.append(_item(new))
    else:
        found.insert(next(i for i, k in enumerate(keys) if k > at), _item(new))
    if "status" in table:  # a plain str: assigning the entry's item would carry its trivia along
        table["status"] = str(found[-1]["status"])
    return str(doc.as_string())


def _utc_key(value: date | datetime) -> datetime:
    if isinstance(value, datetime):
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
    return datetime(value.year, value.month, value.day, tzinfo=UTC)


def _table_path(doc: Any, e: FieldEdit, table: Any) -> tuple[str | int, ...]:
    """Where `table` sits in the document's data: ("business",) or ("channels", 2)."""
    if e.item_id is None:
        return (e.table,)
    return (e.table, next(i for i, t in enumerate(doc[e.table]) if t is table))


def _insert_line(
    text: str, where: tuple[str | int, ...], key: str, item: Any, model: type[BaseModel] | None
) -> str | None:
    """`text` with `key = item` on a new line where a person would put it: below the field that
    comes before it in the model, else below the table's last value, so it never lands below a
    comment that belongs to the next table. None when the table is not in this text yet (the
    edit just created it): tomlkit's own placement is right there.

    tomlkit has no public "insert after"; editing the text at a line the scanner located keeps
    every other byte of the file as it was."""
    import tomlkit

    from riskmon.sources.config.positions import key_lines, value_end_lines

    starts = key_lines(text)
    if where not in starts:
        return None
    ends = value_end_lines(text)
    present = [path[-1] for path in ends if len(path) == len(where) + 1 and path[:-1] == where]
    after: str | int | None = None
    if model is not None and key in model.model_fields:
        order = list(model.model_fields)
        earlier = [k for k in present if k in order and order.index(str(k)) < order.index(key)]
        if earlier:
            after = max(earlier, key=lambda k: order.index(str(k)))
    if after is None and present:
        after = present[-1]
    lines = text.splitlines(keepends=True)
    if after is None:
        at, indent = starts[where], ""  # an empty table: right below its header
    else:
        at = ends[(*where, after)]
        first = lines[starts[(*where, after)] - 1]
        indent = first[: len(first) - len(first.lstrip(" \t"))]
    rendered = tomlkit.dumps({key: item}).strip()
    newline = "\r\n" if lines[at - 1].endswith("\r\n") else "\n"
    if not lines[at - 1].endswith(("\n", "\r")):
        lines[at - 1] += newline
    lines.insert(at, f"{indent}{rendered}{newline}")
    return "".join(lines)


def _item(value: Any, old: Any = None) -> Any:
    """A Python value as a tomlkit item, written the way the file already writes it."""
    import tomlkit
    from tomlkit.items import Date, Float

    if isinstance(value, bool):
        return tomlkit.item(value)
    if isinstance(value, float) and value.is_integer() and abs(value) < 2**53 and not isinstance(old, Float):
        return tomlkit.item(int(value))
    if isinstance(value, datetime):
        if value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        old_tz = old.tzinfo if isinstance(old, datetime) and old.tzinfo is not None else None
        if old_tz is not None:
            return tomlkit.item(value.astimezone(old_tz))
        utc = value.astimezone(UTC)
        if utc.time() == time(0, 0) and (old is None or isinstance(old, Date)):
            return tomlkit.item(utc.date())
        return tomlkit.item(utc)
    if isinstance(value, date):
        return tomlkit.item(value)
    if isinstance(value, Mapping):
        table = tomlkit.inline_table()
        for k, v in value.items():
            if v is not None:
                table.append(k, _item(v))
        return table
    if isinstance(value, list | tuple):
        array = tomlkit.array()
        for v in value:
            array.append(_item(v))
        return array
    return tomlkit.item(value)


def _append_event(doc: Any, text: str, event: Mapping[str, Any]) -> None:
    import tomlkit
    from tomlkit.items import AoT

    from riskmon.sources.config.schema import Event

    if not isinstance(event, Mapping):
        raise ConfigError([Problem("events.toml", None, "events", "a new event must be a table of fields")])
    order = list(Event.model_fields)
    keys = sorted(event, key=lambda k: (order.index(k) if k in order else len(order), str(k)))
    table = tomlkit.table()
    subtables = []
    for key in keys:
        value = event[key]
        if value is None:
            continue
        if key == "impact" and isinstance(value, Mapping):
            sub = tomlkit.table()
            for k, v in value.items():
                if v is not None:
                    sub.append(k, _item(v))
            subtables.append((key, sub))
            continue
        # A time the caller gave in a local offset (an article's "17:00 WIB") stays in it.
        table.append(key, _item(value, value if isinstance(value, datetime) and value.utcoffset() else None))
    for key, sub in subtables:
        table.append(key, sub)

    existing = doc.get("events")
    if existing is None:
        table.trivia.indent = "" if not text.strip() else ("\n" if text.endswith("\n") else "\n\n")
        aot = tomlkit.aot()
        aot.append(table)
        doc.append("events", aot)
    elif isinstance(existing, AoT):
        table.trivia.indent = "" if text.endswith("\n\n") else ("\n" if text.endswith("\n") else "\n\n")
        existing.append(table)
    elif isinstance(existing, list):  # events = [{...}, ...] written inline
        existing.append(_item({k: event[k] for k in keys}))
    else:
        raise ConfigError([Problem("events.toml", None, "events", "is not a list of [[events]] tables")])
