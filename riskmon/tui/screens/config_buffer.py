"""The config editor's buffer: the file open in it, reading it (and offering its draft), checking
the text a moment after each keystroke, and jumping to a problem. ConfigEditorScreen
(config_editor.py) builds on it with the layout, its CSS and bindings, saving, drafts and leaving."""

from __future__ import annotations

import contextlib
from pathlib import Path

from textual import on, work
from textual.content import Content
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import OptionList, Static, TextArea
from textual.widgets.option_list import Option
from textual.worker import get_current_worker

from riskmon.errors import ConfigError, Problem
from riskmon.i18n import _, ngettext
from riskmon.paths import CONFIG_FILES, ConfigLocation
from riskmon.textsafe import clean
from riskmon.tui.screens.config_editor_messages import Checked, DraftKept, Opened
from riskmon.tui.screens.config_editor_problems import problem_label, problem_position, why
from riskmon.tui.widgets.choice import Choice, ChoiceScreen

VALIDATE_DELAY = 0.3
"""Seconds after the last keystroke before the text is checked."""
FILES: tuple[str, ...] = ("exposure.toml", "events.toml", "playbooks.toml", "riskmon.toml")
assert set(FILES) == set(CONFIG_FILES)


class ConfigBuffer(Screen[None]):
    """The open file and its problems; the screen around it is ConfigEditorScreen's."""

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
            parts.append(_("opening…"))
        else:
            if self.base is None:
                parts.append(_("new file"))
            if self.read_only:
                parts.append(_("read-only"))
            elif self.modified:
                parts.append(_("modified"))
            if not self.checked:
                parts.append(_("checking…"))
            elif self.problems:
                n = len(self.problems)
                parts.append(ngettext("{n} problem", "{n} problems", n).format(n=n))
            else:
                parts.append(_("valid"))
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
            self.post_message(Opened(name, None, None, error=why(exc)))
            return
        self.post_message(Opened(name, text, draft))

    def _write_draft(self, path: Path, text: str, leave: bool = False) -> None:
        """Write the draft and report how it went (blocking: call it from a worker thread)."""
        from riskmon.sources.config import edit as configedit

        try:
            draft = configedit.save_draft(path, text)
        except Exception as exc:
            self.post_message(DraftKept(None, why(exc), leave))
            return
        self.post_message(DraftKept(draft, leave=leave))

    @on(Opened)
    def _opened(self, message: Opened) -> None:
        if message.name != self.file_name:
            return
        if message.error:
            self.notify(clean(message.error), title=_("Cannot open"), severity="error", markup=False)
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
                self.notify(
                    _("Opened the draft of {name}: ctrl+s saves it once it is valid.").format(name=self.file_name),
                    markup=False,
                )
            elif choice == "discard":
                self._discard_draft(self.path)

        self.app.push_screen(
            ChoiceScreen(
                _("{name} has a draft: unsaved edits kept earlier").format(name=self.file_name),
                [f"{self.path}.draft", _("Open the draft to go on with it, or the file as it is on disk.")],
                [
                    Choice("draft", _("Open the draft"), "primary"),
                    Choice("file", _("Open the file")),
                    Choice("discard", _("Delete the draft"), "warning"),
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
            problems = [
                Problem(str(path), None, "", _("cannot check: {why}").format(why=f"{type(exc).__name__}: {exc}"))
            ]
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
            self.notify(_("No problems.") if self.checked else _("Checking…"), markup=False, timeout=2)
            return
        self.jump_to((self._jump + 1) % len(self.problems))
