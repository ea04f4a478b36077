"""`riskmon config edit [FILE]`: edit a config file in your editor, saved only if it validates.

The editor works on a temporary copy. When it closes, the copy is validated exactly as
`riskmon check` will read it (the file, then the directory with it). Valid: it replaces the file
atomically. Invalid: the problems are shown; on a terminal you can edit again (or give up); without
one the command exits 1, the original untouched and the rejected copy kept as FILE.rejected.

FILE: exposure (default), events, playbooks, riskmon, or their file names. A file that does not
exist yet starts from the commented starter template. The bundled demo is refused: run
`riskmon config init` first. The editor is $VISUAL, else $EDITOR (both may carry arguments, e.g.
`code --wait`; they are split like a shell would, but no shell runs), else vi on a terminal.

Stopped while the editor runs (SIGTERM, SIGHUP, or a SIGINT sent to riskmon): the editor gets the
signal too and a moment to close, the temporary copy is removed, nothing is saved, and the command
exits 128 + the signal's number. A Ctrl-C typed at the terminal is the editor's (see `run_editor`).

Exit: 0 saved (or nothing changed), 1 invalid, refused or abandoned, 3 riskmon could not do it.
"""

from __future__ import annotations

import argparse
import os
import shlex
import shutil
import signal
import subprocess
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

from riskmon.cli.args import bad_arguments
from riskmon.errors import ConfigError, ExitCode, RiskmonError, did_you_mean
from riskmon.i18n import _, ngettext
from riskmon.paths import CONFIG_FILES, resolve_config_dir

STOP_SIGNALS = frozenset({signal.SIGTERM, signal.SIGHUP, signal.SIGINT})
GRACE = 2.0  # seconds the editor gets to close after each signal, before a stronger one

ALIASES = {
    "exposure": "exposure.toml",
    "events": "events.toml",
    "playbooks": "playbooks.toml",
    "riskmon": "riskmon.toml",
    "settings": "riskmon.toml",
}


def _out(text: str = "") -> None:
    from riskmon.cli.config import _out as out

    out(text)


def _err(text: str) -> None:
    from riskmon.cli.config import _err as err

    err(text)


def file_name(name: str) -> str:
    """'events' or 'events.toml' -> 'events.toml'; anything else is a RiskmonError with a hint."""
    key = name.strip()
    if key in CONFIG_FILES:
        return key
    if key.lower() in ALIASES:
        return ALIASES[key.lower()]
    hint = did_you_mean(key, [*ALIASES, *CONFIG_FILES], cutoff=0.5)
    raise RiskmonError(
        bad_arguments(
            _("config edit: unknown file {name}{hint} (one of: exposure, events, playbooks, riskmon)").format(
                name=repr(name), hint=hint
            )
        )
    )


def editor_command(env: dict[str, str] | None = None, *, tty: bool) -> list[str]:
    """$VISUAL, else $EDITOR, split like a shell would (no shell runs); vi on a terminal."""
    env = dict(os.environ) if env is None else env
    for var in ("VISUAL", "EDITOR"):
        value = env.get(var, "").strip()
        if value:
            try:
                argv = shlex.split(value)
            except ValueError as exc:
                raise RiskmonError(
                    _("{variable} cannot be split into a command: {reason}").format(variable=f"${var}", reason=exc)
                ) from None
            if argv:
                return argv
    if tty and shutil.which("vi"):
        return ["vi"]
    raise RiskmonError(_("no editor: set $VISUAL or $EDITOR (e.g. {command})").format(command="export EDITOR=nano"))


def run(args: argparse.Namespace) -> int:
    return edit(getattr(args, "config", None), getattr(args, "file", None) or "exposure")


def _refusal(directory: Path, *, demo: bool) -> str | None:
    """Why this config directory cannot be edited (the bundled demo, or none there), or None."""
    if demo:
        return _("{path} is the bundled demo config, which is read-only. Write your own first with: {command}").format(
            path=directory, command="riskmon config init"
        ) + _(" (then edit that)")
    if not directory.is_dir():
        return _("config directory {path} does not exist; write one with: {command}").format(
            path=directory, command=f"riskmon config init {directory}"
        )
    return None


def edit(
    config_dir: str | None,
    name: str,
    *,
    tty: bool | None = None,
    ask: Callable[[str], str] = input,
    env: dict[str, str] | None = None,
) -> int:
    """The whole command; `tty`, `ask` and `env` are there for tests."""
    from riskmon.sources.config import edit as configedit

    if "/" in name or os.sep in name:  # a path: its directory is the config dir
        given = Path(name).expanduser()
        config_dir, name = str(given.parent), given.name
    fname = file_name(name)
    loc = resolve_config_dir(config_dir)
    refused = _refusal(loc.path, demo=loc.is_demo)
    if refused:
        _err(f"riskmon config edit: {refused}")
        return 1
    path = loc.path / fname
    original = configedit.read_text(path)
    if original is None:
        from riskmon.sources.config.starter import starter_files

        text = starter_files()[fname]
        _out(_("{path} does not exist yet: starting from the starter template").format(path=path))
    else:
        text = original
    draft = configedit.draft_path(path)
    if draft.exists():
        _out(
            _("note: {draft} holds unsaved edits from the dashboard; this edit starts from {name}").format(
                draft=draft, name=path.name
            )
        )

    interactive = sys.stdin.isatty() if tty is None else tty
    argv = editor_command(env, tty=interactive)
    return in_work_copy(
        fname,  # same name, so the editor highlights TOML
        text,
        lambda work: _loop(path, work, original, argv, interactive, ask),
        "riskmon config edit: " + stopped_text(_("the editor was closed and {path} was not changed"), path=path),
    )


def in_work_copy(name: str, text: str, session: Callable[[Path], int], stopped: str) -> int:
    """Run `session` on a temporary copy `name` holding `text`; the copy is removed after.
    Stopped while the editor runs (EditorStopped): `stopped` is said, its `{signal}` replaced by
    the signal's name, and the exit is 128 + the signal's number."""
    mask = signal.pthread_sigmask(signal.SIG_BLOCK, ())  # as it is now, to restore at the end
    workdir = Path(tempfile.mkdtemp(prefix="riskmon-edit-"))
    try:
        work = workdir / name
        work.write_text(text, encoding="utf-8", newline="")
        return session(work)
    except EditorStopped as stop:
        _err(stopped.replace("{signal}", str(stop)))
        return 128 + stop.signum
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
        # After a stop the signals were left blocked, so a second one cannot cut the clean-up
        # short; one that came meanwhile is delivered now.
        signal.pthread_sigmask(signal.SIG_SETMASK, mask)


def open_editor(argv: list[str], work: Path) -> int:
    """The editor's exit status on `work` (see `run_editor`); RiskmonError when it cannot start."""
    try:
        return run_editor([*argv, str(work)])
    except OSError as exc:
        raise RiskmonError(
            _("cannot run the editor {editor}: {reason}; check $VISUAL / $EDITOR").format(
                editor=repr(argv[0]), reason=exc.strerror or type(exc).__name__
            )
        ) from None


def edit_again(ask: Callable[[str], str]) -> bool:
    """Asked after an invalid edit: yes (the default, Enter) opens the editor again."""
    try:
        answer = ask(_("Edit again? [Y/n] ")).strip().lower()
    except EOFError:
        return False
    return answer in ("", "y", "yes")


def stopped_text(outcome: str, **values: object) -> str:
    """What `in_work_copy` says when a signal stopped the editor; `{signal}` is left for it to fill."""
    return _("stopped by {signal}; {outcome}").format(signal="{signal}", outcome=outcome.format(**values))


def editor_failed(status: int, outcome: str) -> str:
    return _("the editor exited with status {status}; {outcome}").format(status=status, outcome=outcome)


class EditorStopped(Exception):
    """riskmon was told to stop while the editor ran; the editor has exited."""

    def __init__(self, signum: int) -> None:
        super().__init__(signal.Signals(signum).name)
        self.signum = signum


def run_editor(command: list[str]) -> int:
    """Run the editor in the foreground; its exit status (negative: the signal that ended it).

    SIGTERM, SIGHUP or SIGINT sent to riskmon meanwhile is passed on to the editor, which gets
    GRACE seconds to exit, then SIGTERM, then SIGKILL; then EditorStopped is raised with those
    signals still blocked (`edit` restores them once its copy is removed). A SIGINT the kernel
    sent (a Ctrl-C typed at the terminal) is not ours: the terminal sends it to the editor as
    well, which handles it as it does (vim ignores it), as git does. Where the platform has no
    sigtimedwait (macOS), the editor is simply waited for."""
    proc = subprocess.Popen(command)  # started before blocking: the editor gets the usual mask
    if not hasattr(signal, "sigtimedwait"):
        return proc.wait()
    wake = {*STOP_SIGNALS, signal.SIGCHLD}
    before = signal.pthread_sigmask(signal.SIG_BLOCK, wake)
    status = None
    while status is None:
        stop = _stop_signal(wake, 0.5)
        if stop is not None:
            _stop(proc, stop)
            raise EditorStopped(stop)
        status = proc.poll()
    stop = _stop_signal(wake, 0)  # one that came as the editor exited still stops (nothing saved)
    if stop is not None:
        raise EditorStopped(stop)
    signal.pthread_sigmask(signal.SIG_SETMASK, before)
    return status


def _stop_signal(wake: set[signal.Signals], timeout: float) -> int | None:
    """Wait up to `timeout` for a blocked signal in `wake`; the stop signal that came, if any.
    Every pending one is taken, so that none is delivered when the mask is restored: SIGCHLD
    (only a wake-up) and a SIGINT the kernel sent (a Ctrl-C typed at the terminal) are dropped."""
    while (info := signal.sigtimedwait(wake, timeout)) is not None:
        typed = info.si_signo == signal.SIGINT and info.si_code > 0  # kernel-sent: from the tty
        if info.si_signo != signal.SIGCHLD and not typed:
            return info.si_signo
        timeout = 0
    return None


def _stop(proc: subprocess.Popen[bytes], signum: int) -> None:
    """Pass `signum` on to the editor, then insist: SIGTERM, then SIGKILL; wait for it to exit."""
    for sig in dict.fromkeys((signum, signal.SIGTERM, signal.SIGKILL)):
        proc.send_signal(sig)
        try:
            proc.wait(GRACE)
            return
        except subprocess.TimeoutExpired:
            continue
    proc.wait()


def _save(path: Path, new: str, original: str | None) -> int:
    """Save the checked edit unless the file changed on disk meanwhile (then the edit is kept as
    `<file>.rejected`); the command's exit status."""
    from riskmon.sources.config import edit as configedit

    try:
        configedit.save_text(path, new, base_text=original, base_missing=original is None)
    except configedit.ConflictError:
        kept = configedit.save_rejected(path, new)
        _err(
            "riskmon config edit: "
            + _("{path} changed on disk while you edited it; it was not overwritten.").format(path=path)
        )
        _err("  " + _("your version is kept in {path}").format(path=kept))
        return 1
    except ConfigError as exc:  # e.g. cannot write
        for p in exc.problems:
            _err(str(p))
        return int(ExitCode.UNKNOWN)
    _out(_("saved {path}").format(path=path))
    return 0


def _loop(
    path: Path,
    work: Path,
    original: str | None,
    argv: list[str],
    interactive: bool,
    ask: Callable[[str], str],
) -> int:
    from riskmon.sources.config import edit as configedit

    while True:
        status = open_editor(argv, work)
        if status != 0:
            _err("riskmon config edit: " + editor_failed(status, _("{path} was not changed").format(path=path)))
            return 1
        new = configedit.read_text(work)
        if new is None:
            _err("riskmon config edit: " + _("the edited copy is gone; {path} was not changed").format(path=path))
            return 1
        if original is not None and new == original:
            _out(_("no changes; {path} was not touched").format(path=path))
            return 0
        problems = configedit.check_text(path, new)
        if not problems:
            return _save(path, new, original)
        count = len(problems)
        _err(
            ngettext(
                "{count} problem in your edit of {path} (line numbers are in your copy):",
                "{count} problems in your edit of {path} (line numbers are in your copy):",
                count,
            ).format(count=count, path=path)
        )
        for p in problems:
            _err(f"  {p}")
        if interactive and edit_again(ask):
            continue
        kept = configedit.save_rejected(path, new)
        _err(_("{path} was not changed; your edit is kept in {kept}").format(path=path, kept=kept))
        return 1
