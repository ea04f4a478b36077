"""`riskmon config path|validate|init|schema`: where the config is and why, is it valid, a starter
set, JSON Schemas for editors.

Each command takes parsed values, prints to stdout (errors to stderr) and returns an exit code:
0 done / valid, 1 invalid or refused, 3 riskmon could not do it (unreadable or unwritable files).
An OSError is always a one-line message, never a traceback.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from riskmon.errors import ConfigError, ExitCode
from riskmon.i18n import N_, _, data, is_english, ngettext
from riskmon.paths import (
    CONFIG_FILES,
    ConfigLocation,
    bundled_config_dir,
    resolve_config_dir,
    resolve_db_path,
    user_config_dir,
)
from riskmon.textsafe import clean

RULES = ("--config", "$RISKMON_CONFIG", "user config dir", "bundled demo")
RULE_NAMES = {"user config dir": N_("user config dir"), "bundled demo": N_("bundled demo")}
"""The lookup rules' names in words; the two options stay as typed."""


def _line(text: str) -> str:
    """One line, without control characters (paths and problems carry user text); keeps spaces."""
    return clean(text.replace("\r", " ").replace("\n", " "), single_line=False)


def _out(text: str = "") -> None:
    print(_line(text), flush=True)


def _err(text: str) -> None:
    print(_line(text), file=sys.stderr, flush=True)


def _os_error(command: str, exc: OSError) -> int:
    where = f" {exc.filename}" if exc.filename else ""
    reason = exc.strerror or exc.__class__.__name__
    _err(f"riskmon config {command}: " + _("cannot access{where}: {reason}").format(where=where, reason=reason))
    return int(ExitCode.UNKNOWN)


# ---------------------------------------------------------------------------------------------
# config path


def config_path(config_dir: str | None, db: str | None = None) -> int:
    """Which config directory is in use and why, its files, the lookup order, the history file."""
    try:
        return _config_path(config_dir, db)
    except OSError as exc:
        return _os_error("path", exc)


def _config_path(config_dir: str | None, db: str | None) -> int:
    from riskmon.present.cells import cell_width, ljust
    from riskmon.sources.config.load import MISSING_MEANS, REQUIRED_FILE
    from riskmon.userfile import problem_at

    loc = resolve_config_dir(config_dir)
    exists = loc.path.is_dir()
    _out(_("config directory: {path}").format(path=loc.path) + ("" if exists else "  " + _("(does not exist)")))
    _out("  " + _("chosen by: {why}").format(why=_why(loc)))
    _out()
    _out(_("files:"))
    width = max(map(len, CONFIG_FILES))
    for name in CONFIG_FILES:
        path = loc.path / name
        unreadable = problem_at(path)  # a dangling link or a FIFO is not a missing file
        if path.is_file():
            _out(f"  {name:<{width}}  " + _("exists"))
        elif unreadable is not None:
            _out(f"  {name:<{width}}  " + _("UNREADABLE: {reason}").format(reason=unreadable))
        else:
            state = _("MISSING: {means}") if name == REQUIRED_FILE else _("missing: {means}")
            _out(f"  {name:<{width}}  " + state.format(means=_(MISSING_MEANS[name])))
    _out()
    _out(_("lookup order (the first rule that applies wins):"))
    rules = [(rule, _(RULE_NAMES.get(rule, rule)), state) for rule, state in _rules(config_dir)]
    name_width = max(16, *(cell_width(name) for _rule, name, _state in rules))
    for number, (rule, name, state) in enumerate(rules, start=1):
        mark = "  " + _("<- in use") if rule == loc.source else ""
        _out(f"  {number}. {ljust(name, name_width)} {state}{mark}")
    _out()
    db_path = resolve_db_path(db)
    if db:
        db_why = _("from {option}").format(option="--db")
    elif os.environ.get("RISKMON_DB"):
        db_why = _("from {option}").format(option="$RISKMON_DB")
    else:
        db_why = _("default: the user data dir; --db or $RISKMON_DB change it")
    _out(_("history file: {path}  ({why})").format(path=db_path, why=db_why))
    if loc.is_demo:
        _out()
        _out(_("This is the bundled demo config. Write your own with: {command}").format(command="riskmon config init"))
    if not exists:
        return 1
    return 0 if (loc.path / REQUIRED_FILE).is_file() else 1


def _why(loc: ConfigLocation) -> str:
    why = {
        "--config": N_("--config DIR on the command line"),
        "$RISKMON_CONFIG": N_("the RISKMON_CONFIG environment variable"),
        "user config dir": N_("the user config dir, because it holds exposure.toml"),
        "bundled demo": N_(
            "nothing else applies (no --config, no $RISKMON_CONFIG, no exposure.toml in the user config dir), "
            "so the bundled demo"
        ),
    }
    return _(why[loc.source]) if loc.source in why else loc.source


def _rules(config_dir: str | None) -> list[tuple[str, str]]:
    env = os.environ.get("RISKMON_CONFIG")
    user = user_config_dir()
    if (user / "exposure.toml").is_file():
        user_state = f"{user}  " + _("(holds exposure.toml)")
    elif user.is_dir():
        user_state = f"{user}  " + _("(exists, but has no exposure.toml)")
    else:
        user_state = f"{user}  " + _("(does not exist)")
    return [
        ("--config", _("given: {value}").format(value=config_dir) if config_dir else _("not given")),
        ("$RISKMON_CONFIG", _("set: {value}").format(value=env) if env else _("not set")),
        ("user config dir", user_state),
        ("bundled demo", str(bundled_config_dir())),
    ]


# ---------------------------------------------------------------------------------------------
# config validate


def config_validate(config_dir: str | None) -> int:
    """Exit 0 and one line when the config is valid; else every problem, a count, exit 1."""
    from riskmon.sources.config.load import load_config

    try:
        loc = resolve_config_dir(config_dir)
        try:
            cfg = load_config(loc)
        except ConfigError as exc:
            for problem in exc.problems:
                _out(str(problem))
            count = len(exc.problems)
            _out(ngettext("{n} problem in {dir}", "{n} problems in {dir}", count).format(n=count, dir=loc.path))
            return 1
    except OSError as exc:
        return _os_error("validate", exc)
    channels, events = len(cfg.profile.channels), len(cfg.events)
    _out(
        _("valid: {path} ({channels} channels, {events} events)").format(
            path=cfg.location.path, channels=channels, events=events
        )
    )
    return 0


# ---------------------------------------------------------------------------------------------
# config init


def config_init(target: str | None, force: bool = False) -> int:
    """Write the commented starter set into `target` (default: the user config dir)."""
    try:
        return _config_init(target, force)
    except OSError as exc:
        return _os_error("init", exc)


def _config_init(target: str | None, force: bool) -> int:
    from riskmon.sources.config.json_schema import SCHEMA_DIR, with_directive
    from riskmon.sources.config.load import validate_dir, write_text_atomic
    from riskmon.sources.config.starter import starter_files

    directory = Path(target).expanduser() if target else user_config_dir()
    files = starter_files(None if is_english() else data)
    existing = [directory / name for name in files if (directory / name).exists()]
    if existing and not force:
        _err("riskmon config init: " + _("these files exist; nothing was written (--force replaces them):"))
        for path in existing:
            _err(f"  {path}")
        return 1
    if directory.exists() and not directory.is_dir():
        _err("riskmon config init: " + _("{path} exists and is not a directory").format(path=directory))
        return 1
    directory.mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        path = directory / name
        verb = _("replaced {path}") if path in existing else _("wrote {path}")
        write_text_atomic(path, with_directive(name, text))
        _out(verb.format(path=path))
    _out(_("wrote {path}").format(path=_write_schemas(directory / SCHEMA_DIR)))

    problems = validate_dir(ConfigLocation(directory, "--config"))
    if problems:  # the starter set is tested to be valid; say so loudly if it is not
        for problem in problems:
            _err(str(problem))
        return int(ExitCode.UNKNOWN)

    default_dir = target is None or _same(directory, user_config_dir())
    flag = "" if default_dir else f" --config {directory}"
    _out()
    _out(_("Next steps:"))
    _out(
        "  1. "
        + _("edit {path}: your business and channels (the numbers are examples)").format(
            path=directory / "exposure.toml"
        )
    )
    _out(f"  2. riskmon config validate{flag}")
    _out(f"  3. riskmon check{flag}")
    if not default_dir:
        _out("  " + _("(or {command} to use it without --config)").format(command=f"export RISKMON_CONFIG={directory}"))
    elif os.environ.get("RISKMON_CONFIG"):
        _out("  " + _("note: $RISKMON_CONFIG is set and takes precedence over the user config dir"))
    return 0


# ---------------------------------------------------------------------------------------------
# config schema


def _write_schemas(directory: Path) -> str:
    """Write the JSON Schemas; what was written, for one line of output."""
    from riskmon.sources.config.json_schema import write_schemas

    written = write_schemas(directory)
    return _("{path}: {files} (JSON Schemas for editors)").format(
        path=f"{directory}/", files=", ".join(p.name for p in written)
    )


def config_schema(config_dir: str | None, output: str | None) -> int:
    """Write the JSON Schemas into `output`, else schemas/ in the config directory in use, where
    the `#:schema ./schemas/...` lines of `config init`'s files point."""
    try:
        if output:
            directory = Path(output).expanduser()
        else:
            loc = resolve_config_dir(config_dir)
            if loc.is_demo:
                _err("riskmon config schema: " + _("the config in use is the bundled demo; give --output DIR"))
                return 1
            directory = loc.path / "schemas"
        _out(_("wrote {path}").format(path=_write_schemas(directory)))
    except OSError as exc:
        return _os_error("schema", exc)
    _out(
        _("point a config file at its schema with a first line such as: {line}").format(
            line="#:schema ./schemas/exposure.schema.json"
        )
    )
    return 0


def _same(a: Path, b: Path) -> bool:
    try:
        return a.resolve() == b.resolve()
    except OSError:
        return a == b


# ---------------------------------------------------------------------------------------------
# Dispatch from cli.py


def configure(p: argparse.ArgumentParser) -> None:
    from riskmon.cli.args import actions, nested

    sub = actions(p, "config_command", required=True)
    nested(sub, "path", _("which config directory and files are in use, and why"))
    nested(sub, "validate", _("check every config file; exit 0 valid, 1 invalid"))
    init = nested(sub, "init", _("write a commented starter set (refuses to overwrite)"))
    init.add_argument("target", nargs="?", metavar=_("DIR"))
    init.add_argument("--force", action="store_true", help=_("overwrite existing files"))
    schema = nested(sub, "schema", _("write JSON Schemas of the four files, for editors (taplo)"))
    schema.add_argument("--output", "-o", metavar=_("DIR"), help=_("where (default: schemas/ in the config directory)"))
    edit = nested(sub, "edit", _("edit a config file in $VISUAL/$EDITOR; saved only if it validates"))
    edit.add_argument(
        "file",
        nargs="?",
        default="exposure",
        metavar=_("FILE"),
        help=_("exposure (default), events, playbooks, riskmon, or a file name like events.toml"),
    )


def run(args: argparse.Namespace) -> int:
    action = getattr(args, "config_command", None)
    config_dir = getattr(args, "config", None)
    if action == "path":
        return config_path(config_dir, getattr(args, "db", None))
    if action == "validate":
        return config_validate(config_dir)
    if action == "init":
        return config_init(getattr(args, "target", None) or config_dir, force=bool(getattr(args, "force", False)))
    if action == "schema":
        return config_schema(config_dir, getattr(args, "output", None))
    if action == "edit":
        from riskmon.cli.config_edit import run as run_edit

        return run_edit(args)
    _err(
        "riskmon config: "
        + _("unknown action {action}; use path, validate, init, schema or edit").format(action=repr(action))
    )
    return int(ExitCode.UNKNOWN)
