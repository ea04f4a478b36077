"""`e`: edit a config file as TOML text, validated as you type; only a valid file is ever saved.

Validation runs `configedit.check_text` (the rules `riskmon check` reads the file with, in the
directory as a whole) in a thread worker, ~300 ms after the last keystroke; the problems are
listed by line under the editor and `enter` on one (or `f8`) puts the cursor there. `ctrl+s`
saves through `configedit.save_text`: validated again, written atomically, refused if the file
changed on disk since it was opened. An invalid text can be kept as a draft beside the file
(`exposure.toml.draft`, never read by riskmon), never over it. The bundled demo is read-only.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal
from textual.content import Content
from textual.events import Resize
from textual.message import Message
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import Footer, OptionList, Select, Static, TextArea
from textual.widgets.option_list import Option
from textual.worker import get_current_worker

from riskmon.errors import ConfigError, Problem, reason_of
from riskmon.paths import CONFIG_FILES, ConfigLocation
from riskmon.textsafe import clean
from riskmon.tui.messages import ConfigSaved
from riskmon.tui.screens.forms import DEMO_HINT
from riskmon.tui.widgets.choice import Choice, ChoiceScreen

VALIDATE_DELAY = 0.3
"""Seconds after the last keystroke before the text is checked."""
FILES: tuple[str, ...] = ("exposure.toml", "events.toml", "playbooks.toml", "riskmon.toml")
assert set(FILES) == set(CONFIG_FILES)


# -- messages from the workers ------------------------------------------------------------------


@dataclass
class Opened(Message):
    name: str
    text: str | None
    """The file on disk; None when it does not exist (it is created on save)."""
    draft: str | None
    error: str | None = None


@dataclass
class Checked(Message):
    generation: int
    problems: list[Problem]


@dataclass
class Saved(Message):
    name: str
    text: str
    error: Exception | None = None


@dataclass
class DraftKept(Message):
    path: Path | None
    error: str | None = None
    leave: bool = False
    """Close the editor once the draft is safe (it stays open when the draft could not be kept)."""


# -- pure helpers -----------------------------------------------------------------------------


def _why(exc: Exception) -> str:
    """One line for a failed read or write: every problem of a ConfigError (a file that is not
    UTF-8, an unreadable one), else riskmon's message or the exception's type and text."""
    if isinstance(exc, ConfigError):
        return "; ".join(str(p) for p in exc.problems)
    return reason_of(exc)


def problem_label(p: Problem, name: str) -> str:
    """'line 12: business.gross_margin: must be 1 or less' (another file: 'events.toml:7: ...')."""
    other = Path(p.file).name != name
    if other:
        where = Path(p.file).name + (f":{p.line}" if p.line else "")
    else:
        where = f"line {p.line}" if p.line else "file"
    field = f"{p.field}: " if p.field else ""
    return clean(f"{where}: {field}{p.message}")


def problem_position(p: Problem, name: str, text: str) -> tuple[int, int] | None:
    """(row, column) of a problem in `text`: its line, at the field's key when the line has it."""
    if not p.line or Path(p.file).name != name:
        return None
    lines = text.split("\n")
    row = min(max(p.line - 1, 0), max(len(lines) - 1, 0))
    line = lines[row] if lines else ""
    key = p.field.rsplit(".", 1)[-1].split("[", 1)[0] if p.field else ""
    col = line.find(key) if key else -1
    if col < 0:
        col = len(line) - len(line.lstrip())
    return row, col


# -- the screen -------------------------------------------------------------------------------


class ConfigEditorScreen(Screen[None]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+s", "save", "Save", priority=True),
        Binding("ctrl+d", "draft", "Keep draft", priority=True),
        Binding("f8", "next_problem", "Next problem"),
        Binding("ctrl+o", "choose_file", "File"),
        Binding("ctrl+r", "reload", "Reload", show=False),
        Binding("escape", "close", "Back"),
        Binding("q", "close", "Back", show=False),
    ]

    DEFAULT_CSS = """
    ConfigEditorScreen { layout: vertical; }
    ConfigEditorScreen #ed-top { height: 1; background: $boost; }
    ConfigEditorScreen #ed-file { width: 22; }
    ConfigEditorScreen #ed-status { width: 1fr; padding: 0 1; }
    ConfigEditorScreen #ed-status.-bad { color: $text-error; }
    ConfigEditorScreen #ed-status.-ok { color: $text-success; }
    ConfigEditorScreen #ed-hint { height: auto; padding: 0 1; background: $warning 30%; display: none; }
    ConfigEditorScreen #ed-hint.-shown { display: block; }
    ConfigEditorScreen #ed-text { height: 1fr; min-height: 5; }
    ConfigEditorScreen #ed-problems { height: auto; max-height: 10; border: tall $error 40%; }
    ConfigEditorScreen #ed-problems:focus { border: tall $error; }
    ConfigEditorScreen #ed-problems.-empty { display: none; }
    ConfigEditorScreen.-short #ed-problems { max-height: 5; }
    """

    def __init__(self, location: ConfigLocation, name: str = "exposure.toml") -> None:
        super().__init__(id="config-editor")
        self.location = location
        self.file_name = name if name in FILES else FILES[0]
        self.base: str | None = None
        """The file's text when it was opened (None: it does not exist); the conflict check."""
        self.is_open = False
        self.problems: list[Problem] = []
        self.checked = False
        """The problem list is for the text as it is now (no check pending)."""
        self._generation = 0
        self._timer: Timer | None = None
        self._jump = -1
        self._switching = False
        self._saving = False
        """A save is on its way to disk: a second one would carry a base the first is replacing."""
        self._leaving = False
        """Leaving once the draft is on disk: nothing else may start meanwhile."""

    # -- properties ---------------------------------------------------------------------------

    @property
    def read_only(self) -> bool:
        return self.location.is_demo

    @property
    def path(self) -> Path:
        return self.location.path / self.file_name

    @property
    def editor(self) -> TextArea:
        return self.query_one("#ed-text", TextArea)

    @property
    def text(self) -> str:
        return self.editor.text

    @property
    def modified(self) -> bool:
        return self.is_open and self.text != (self.base or "")

    # -- layout -------------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        with Horizontal(id="ed-top"):
            yield Select(
                [(Content(n), n) for n in FILES], value=self.file_name, allow_blank=False, compact=True, id="ed-file"
            )
            yield Static(id="ed-status")
        yield Static(id="ed-hint")
        yield TextArea.code_editor(
            "",
            language="toml",
            tab_behavior="focus",
            read_only=self.read_only,
            theme=self._editor_theme(),
            id="ed-text",
        )
        yield OptionList(id="ed-problems", classes="-empty")
        yield Footer()

    def on_mount(self) -> None:
        self.watch(self.app, "theme", self._theme_changed, init=False)
        self.set_class(self.app.size.height < 30, "-short")
        self.query_one("#ed-problems").border_title = "Problems: enter or f8 puts the cursor on one"
        if self.read_only:
            self._hint(DEMO_HINT)
        self._open(self.file_name)

    def on_resize(self, event: Resize) -> None:
        self.set_class(event.size.height < 30, "-short")

    def _editor_theme(self) -> str:
        return "css" if self.app.current_theme.dark else "github_light"

    def _theme_changed(self) -> None:
        self.editor.theme = self._editor_theme()

    def _hint(self, text: str) -> None:
        hint = self.query_one("#ed-hint", Static)
        hint.update(Content(clean(text)))
        hint.set_class(bool(text), "-shown")

    def _status(self) -> None:
        status = self.query_one("#ed-status", Static)
        parts = [clean(str(self.path))]
        if not self.is_open:
            parts.append("opening…")
        else:
            if self.base is None:
                parts.append("new file")
            if self.read_only:
                parts.append("read-only")
            elif self.modified:
                parts.append("modified")
            if not self.checked:
                parts.append("checking…")
            elif self.problems:
                n = len(self.problems)
                parts.append(f"{n} problem{'s' if n > 1 else ''}")
            else:
                parts.append("valid")
        status.update(Content(" · ".join(parts)))
        status.set_class(self.is_open and self.checked and bool(self.problems), "-bad")
        status.set_class(self.is_open and self.checked and not self.problems, "-ok")

    # -- opening ------------------------------------------------------------------------------

    def _open(self, name: str, keep_draft: str | None = None) -> None:
        """Show `name` as it is on disk; `keep_draft` is first kept as its draft (reloading)."""
        self.file_name = name
        self.is_open = False
        self._status()
        self._read(name, keep_draft)

    @work(thread=True, exclusive=True, group="open", exit_on_error=False)
    def _read(self, name: str, keep_draft: str | None) -> None:
        from riskmon.sources.config import edit as configedit

        path = self.location.path / name
        if keep_draft is not None:
            # In this thread, before the read: a draft written meanwhile by another worker
            # would be offered straight back to the person who just set it aside.
            self._write_draft(path, keep_draft)
        try:
            text = configedit.read_text(path)
            draft = None if self.read_only or keep_draft is not None else configedit.load_draft(path)
        except Exception as exc:  # never a traceback on screen
            self.post_message(Opened(name, None, None, error=_why(exc)))
            return
        self.post_message(Opened(name, text, draft))

    @on(Opened)
    def _opened(self, message: Opened) -> None:
        if message.name != self.file_name:
            return
        if message.error:
            self.notify(clean(message.error), title="Cannot open", severity="error", markup=False)
            self._show_text(None, "")
            self.editor.read_only = True
            return
        self.editor.read_only = self.read_only
        self._show_text(message.text, message.text or "")
        if message.draft is not None and message.draft != (message.text or ""):
            self._offer_draft(message.draft)

    def _show_text(self, base: str | None, text: str) -> None:
        self.base = base
        self.is_open = True
        self.editor.load_text(text)  # posts Changed: a check follows
        self.editor.move_cursor((0, 0))
        self.editor.focus()
        self._status()

    def _offer_draft(self, draft: str) -> None:
        def chosen(choice: str | None) -> None:
            if choice == "draft":
                self.editor.load_text(draft)
                self.notify(f"Opened the draft of {self.file_name}: ctrl+s saves it once it is valid.", markup=False)
            elif choice == "discard":
                self._discard_draft(self.path)

        self.app.push_screen(
            ChoiceScreen(
                f"{self.file_name} has a draft: unsaved edits kept earlier",
                [f"{self.path}.draft", "Open the draft to go on with it, or the file as it is on disk."],
                [
                    Choice("draft", "Open the draft", "primary"),
                    Choice("file", "Open the file"),
                    Choice("discard", "Delete the draft", "warning"),
                ],
                focus="draft",
            ),
            chosen,
        )

    @work(thread=True, group="draft", exit_on_error=False)
    def _discard_draft(self, path: Path) -> None:
        from riskmon.sources.config import edit as configedit

        with contextlib.suppress(OSError):
            configedit.discard_draft(path)

    # -- validation as you type ---------------------------------------------------------------

    @on(TextArea.Changed, "#ed-text")
    def _changed(self) -> None:
        if not self.is_open:
            return
        self.checked = False
        self._status()
        if self._timer is not None:
            self._timer.stop()
        self._timer = self.set_timer(VALIDATE_DELAY, self.validate_now)

    def validate_now(self) -> None:
        """Check the text as it is now (the debounce timer calls this; tests may too)."""
        self._timer = None
        self._generation += 1
        self._check(self._generation, self.path, self.text)

    @work(thread=True, exclusive=True, group="validate", exit_on_error=False)
    def _check(self, generation: int, path: Path, text: str) -> None:
        from riskmon.sources.config import edit as configedit

        try:
            problems = configedit.check_text(path, text)
        except ConfigError as exc:
            problems = list(exc.problems)
        except Exception as exc:
            problems = [Problem(str(path), None, "", f"cannot check: {type(exc).__name__}: {exc}")]
        if not get_current_worker().is_cancelled:
            self.post_message(Checked(generation, problems))

    @on(Checked)
    def _checked(self, message: Checked) -> None:
        if message.generation != self._generation or self._timer is not None:
            return  # the text changed since: a newer check is coming
        self._show_problems(message.problems)

    def _show_problems(self, problems: list[Problem]) -> None:
        self.problems = list(problems)
        self.checked = True
        self._jump = -1
        box = self.query_one("#ed-problems", OptionList)
        box.clear_options()
        box.add_options([Option(Content(problem_label(p, self.file_name)), id=str(i)) for i, p in enumerate(problems)])
        box.set_class(not problems, "-empty")
        self._status()

    # -- jumping to a problem -----------------------------------------------------------------

    @on(OptionList.OptionSelected, "#ed-problems")
    def _problem_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.jump_to(int(event.option_id or 0))

    def jump_to(self, index: int) -> bool:
        """Put the cursor on problem `index` (its line, at its field); False if it has no place."""
        if not 0 <= index < len(self.problems):
            return False
        self._jump = index
        pos = problem_position(self.problems[index], self.file_name, self.text)
        box = self.query_one("#ed-problems", OptionList)
        box.highlighted = index
        if pos is None:
            self.notify(problem_label(self.problems[index], self.file_name), markup=False, timeout=6)
            return False
        self.editor.move_cursor(pos, center=True)
        self.editor.focus()
        return True

    def action_next_problem(self) -> None:
        if not self.problems:
            self.notify("No problems." if self.checked else "Checking…", markup=False, timeout=2)
            return
        self.jump_to((self._jump + 1) % len(self.problems))

    # -- saving -------------------------------------------------------------------------------

    def action_save(self) -> None:
        if not self.is_open or self._saving or self._leaving:
            return  # a save in flight answers for this text too, or the editor is closing
        if self.read_only:
            self.notify(DEMO_HINT, title="Not saved", severity="warning", markup=False, timeout=10)
            return
        self._saving = True
        self._save(self.file_name, self.text, self.base)

    @work(thread=True, exclusive=True, group="save", exit_on_error=False)
    def _save(self, name: str, text: str, base: str | None) -> None:
        from riskmon.sources.config import edit as configedit

        try:
            configedit.save_text(self.location.path / name, text, base_text=base, base_missing=base is None)
        except Exception as exc:
            self.post_message(Saved(name, text, exc))
            return
        self.post_message(Saved(name, text))

    @on(Saved)
    def _saved(self, message: Saved) -> None:
        from riskmon.sources.config.edit import ConflictError

        self._saving = False
        err = message.error
        if err is None:
            if message.name == self.file_name:
                self.base = message.text
                if self.text == message.text and self._timer is None:
                    self._show_problems([])
                self._status()
            self.notify(f"Saved {self.location.path / message.name}.", title="Config", markup=False, timeout=4)
            self.app.post_message(ConfigSaved([self.location.path / message.name]))
            return
        if message.name != self.file_name:  # another file is open now: its questions would mislead
            self.notify(f"{message.name} not saved: {clean(err)}", title="Config", severity="error", markup=False)
        elif isinstance(err, ConflictError):
            self._conflict()
        elif isinstance(err, ConfigError):
            if self.text == message.text:
                self._show_problems(err.problems)
            self._rejected(len(err.problems))
        else:
            self.notify(f"Not saved: {clean(err)}", title="Config", severity="error", markup=False)

    def _rejected(self, count: int) -> None:
        def chosen(choice: str | None) -> None:
            if choice == "draft":
                self.action_draft()

        problems = f"{count} problem{'s' if count != 1 else ''}"
        self.app.push_screen(
            ChoiceScreen(
                f"Not saved: {self.file_name} has {problems}",
                [
                    "The file on disk is unchanged. Fix the problems listed under the editor (enter or f8 jumps "
                    "to each), or keep your text as a draft beside the file and come back to it later.",
                ],
                [Choice("draft", "Keep as draft"), Choice("edit", "Keep editing", "primary")],
                focus="edit",
            ),
            chosen,
        )

    def _conflict(self) -> None:
        def chosen(choice: str | None) -> None:
            if choice == "reload":
                self._open(self.file_name, keep_draft=self.text)

        self.app.push_screen(
            ChoiceScreen(
                f"Not saved: {self.file_name} changed on disk since it was opened",
                [
                    "Another editor (or riskmon) wrote it meanwhile; nothing was written.",
                    "Reload it (your text is kept as a draft, which the next open offers), or keep editing.",
                ],
                [Choice("reload", "Keep mine as draft, reload"), Choice("edit", "Keep editing", "primary")],
                focus="edit",
            ),
            chosen,
        )

    # -- drafts -------------------------------------------------------------------------------

    def action_draft(self) -> None:
        if not self.is_open or self._leaving:
            return
        if self._saving:  # a save removes the draft when it is done: this one would go with it
            self.notify("Still saving: keep a draft once it is saved.", title="Draft", markup=False, timeout=3)
            return
        if self.read_only:
            self.notify(DEMO_HINT, title="No draft", severity="warning", markup=False, timeout=10)
            return
        self._keep_draft(self.path, self.text)

    @work(thread=True, group="draft", exit_on_error=False)
    def _keep_draft(self, path: Path, text: str, leave: bool = False) -> None:
        self._write_draft(path, text, leave)

    def _write_draft(self, path: Path, text: str, leave: bool = False) -> None:
        """Write the draft and report how it went (blocking: call it from a worker thread)."""
        from riskmon.sources.config import edit as configedit

        try:
            draft = configedit.save_draft(path, text)
        except Exception as exc:
            self.post_message(DraftKept(None, _why(exc), leave))
            return
        self.post_message(DraftKept(draft, leave=leave))

    @on(DraftKept)
    def _draft_kept(self, message: DraftKept) -> None:
        if message.leave:
            self._leaving = False
        if message.error or message.path is None:
            stay = " The editor stays open so nothing is lost." if message.leave else ""
            self.notify(f"Draft not kept: {clean(message.error)}.{stay}", severity="error", markup=False)
            return
        if message.leave and self.is_current:
            self.app.pop_screen()
        self.notify(
            f"Kept as {message.path}; the file itself is unchanged. Opening the file again offers the draft.",
            title="Draft",
            markup=False,
            timeout=6,
        )

    # -- switching files, reloading, leaving ---------------------------------------------------

    def _unsaved(self, title: str, then: str, go: Callable[[str | None], object]) -> None:
        """Ask what to do with unsaved changes, then call `go(text to keep as draft or None)`
        unless cancelled."""

        def chosen(choice: str | None) -> None:
            if choice is None or choice == "edit":
                if self._switching:
                    self._switching = False
                    with self.prevent(Select.Changed):
                        self.query_one("#ed-file", Select).value = self.file_name
                return
            self._switching = False
            go(self.text if choice == "draft" else None)

        self.app.push_screen(
            ChoiceScreen(
                title,
                [f"{self.path} has changes that are not saved."],
                [
                    Choice("draft", f"Keep as draft, {then}"),
                    Choice("discard", f"Discard, {then}", "warning"),
                    Choice("edit", "Keep editing", "primary"),
                ],
                focus="edit",
            ),
            chosen,
        )

    @on(Select.Changed, "#ed-file")
    def _file_chosen(self, event: Select.Changed) -> None:
        event.stop()
        name = event.value
        if not isinstance(name, str) or name == self.file_name:
            return
        self.open_file(name)

    def open_file(self, name: str) -> None:
        """Show another of the four files (asking first if this one has unsaved changes)."""
        if name not in FILES or name == self.file_name or self._leaving:
            return
        if self.modified and not self.read_only:
            self._switching = True
            self._unsaved(f"Open {name}?", "open it", lambda keep: self._switch(name, keep))
        else:
            self._switch(name)

    def _switch(self, name: str, keep_draft: str | None = None) -> None:
        if keep_draft is not None:
            self._keep_draft(self.path, keep_draft)  # of the file being left, so no race with the read
        select = self.query_one("#ed-file", Select)
        if select.value != name:
            with self.prevent(Select.Changed):
                select.value = name
        self._generation += 1  # a check of the file being left, still on its way, is stale now
        self._show_problems([])
        self.checked = False
        self._open(name)

    def action_choose_file(self) -> None:
        select = self.query_one("#ed-file", Select)
        select.focus()
        select.action_show_overlay()

    def action_reload(self) -> None:
        if self._leaving:
            return
        if self.modified and not self.read_only:
            name = self.file_name
            self._unsaved(f"Reload {name} from disk?", "reload", lambda keep: self._open(name, keep))
        else:
            self._open(self.file_name)

    def action_close(self) -> None:
        if self._leaving:
            return
        if self._saving:  # its answer (saved, or why not) must reach this screen
            self.notify("Still saving: leave once it is saved.", title="Config", markup=False, timeout=3)
            return
        if self.modified and not self.read_only:
            self._unsaved("Leave the editor?", "leave", self._leave)
        else:
            self._leave(None)

    def _leave(self, keep_draft: str | None) -> None:
        if keep_draft is None:
            self.app.pop_screen()
        else:
            self._leaving = True
            self._keep_draft(self.path, keep_draft, leave=True)  # leaves once the draft is on disk
