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
from pathlib import Path
from typing import TYPE_CHECKING, Any, get_args, get_origin

from riskmon.errors import ConfigError, Problem, did_you_mean
from riskmon.i18n import _
from riskmon.paths import CONFIG_FILES, ConfigLocation
from riskmon.sources.config.document import _append_event, _apply_edit, _find, _model_for, _parse
from riskmon.sources.config.document import toml_value as toml_value
from riskmon.sources.config.drafts import copy_mode
from riskmon.sources.config.drafts import discard_draft as discard_draft
from riskmon.sources.config.drafts import draft_path as draft_path
from riskmon.sources.config.drafts import load_draft as load_draft
from riskmon.sources.config.drafts import save_rejected as save_rejected
from riskmon.sources.config.edit_files import _config_name
from riskmon.sources.config.edit_files import config_dir_of as config_dir_of
from riskmon.sources.config.edit_files import read_text as read_text
from riskmon.sources.config.edit_files import write_atomic as write_atomic
from riskmon.sources.config.edit_types import _TABLES, business_edit
from riskmon.sources.config.edit_types import TIMELINE_START as TIMELINE_START
from riskmon.sources.config.edit_types import AppendEdit as AppendEdit
from riskmon.sources.config.edit_types import ConflictError as ConflictError
from riskmon.sources.config.edit_types import Edit as Edit
from riskmon.sources.config.edit_types import FieldEdit as FieldEdit
from riskmon.sources.config.edit_types import TimelineEdit as TimelineEdit
from riskmon.sources.config.edit_types import channel_edit as channel_edit
from riskmon.sources.config.edit_types import event_edit as event_edit

if TYPE_CHECKING:
    from riskmon.core.scenario import Change


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


def save_draft(path: Path | str, text: str) -> Path:
    """Keep unsaved (possibly invalid) text beside the file as `<file>.draft`; never validated,
    never read by riskmon's loaders. Returns the draft's path."""
    draft = draft_path(path)
    config_dir_of(draft.parent)
    write_atomic(draft, text, mode=copy_mode(path))
    return draft


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
                            _(
                                "changed on disk since it was read (another editor or riskmon); nothing was "
                                "written: reload it and make the change again"
                            ),
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


def _check_edit(e: Edit, base: Path) -> None:
    spec = _TABLES.get(e.table)
    if spec is None:
        hint = did_you_mean(e.table, _TABLES, " — ")
        message = _("unknown table {table}{hint}; known: {known}").format(
            table=repr(e.table), hint=hint, known=", ".join(_TABLES)
        )
        raise ConfigError([Problem(str(base), None, "", message)])
    path = str(base / spec[0])
    if spec[2] != (e.item_id is not None):
        what = _("needs the id of a channel or event") if spec[2] else _("is a plain table: give no id")
        raise ConfigError([Problem(path, None, e.table, what)])
    model = _model_for(e.table)
    assert model is not None
    if e.field not in model.model_fields:
        hint = did_you_mean(e.field, model.model_fields, " — ")
        raise ConfigError(
            [Problem(path, None, e.where, _("unknown field {field}{hint}").format(field=repr(e.field), hint=hint))]
        )
