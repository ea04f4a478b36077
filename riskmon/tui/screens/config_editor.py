"""`e`: edit a config file as TOML text, validated as you type; only a valid file is ever saved.

Validation runs `configedit.check_text` (the rules `riskmon check` reads the file with, in the
directory as a whole) in a thread worker, ~300 ms after the last keystroke; the problems are
listed by line under the editor and `enter` on one (or `f8`) puts the cursor there. `ctrl+s`
saves through `configedit.save_text`: validated again, written atomically, refused if the file
changed on disk since it was opened. An invalid text can be kept as a draft beside the file
(`exposure.toml.draft`, never read by riskmon), never over it. The bundled demo is read-only.

The screen is built on ConfigBuffer (config_buffer.py: the open file, checking, problems); the
workers' messages are in config_editor_messages.py, the problems' words in
config_editor_problems.py. This module has the layout, its CSS and bindings, saving, drafts and
leaving, and re-exports the names others import from here.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal
from textual.content import Content
from textual.events import Resize
from textual.widgets import Footer, OptionList, Select, Static, TextArea

from riskmon.errors import ConfigError
from riskmon.i18n import N_, _, ngettext
from riskmon.textsafe import clean
from riskmon.tui.lang import Translated
from riskmon.tui.messages import ConfigSaved
from riskmon.tui.screens.config_buffer import FILES as FILES
from riskmon.tui.screens.config_buffer import VALIDATE_DELAY as VALIDATE_DELAY
from riskmon.tui.screens.config_buffer import ConfigBuffer
from riskmon.tui.screens.config_editor_messages import Checked as Checked
from riskmon.tui.screens.config_editor_messages import DraftKept as DraftKept
from riskmon.tui.screens.config_editor_messages import Opened as Opened
from riskmon.tui.screens.config_editor_messages import Saved as Saved
from riskmon.tui.screens.config_editor_problems import problem_label as problem_label
from riskmon.tui.screens.config_editor_problems import problem_position as problem_position
from riskmon.tui.screens.forms import DEMO_HINT
from riskmon.tui.widgets.choice import Choice, ChoiceScreen


class ConfigEditorScreen(Translated, ConfigBuffer):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+s", "save", N_("Save"), priority=True),
        Binding("ctrl+d", "draft", N_("Keep draft"), priority=True),
        Binding("f8", "next_problem", N_("Next problem")),
        Binding("ctrl+o", "choose_file", N_("File")),
        Binding("ctrl+r", "reload", N_("Reload"), show=False),
        Binding("escape", "close", N_("Back")),
        Binding("q", "close", N_("Back"), show=False),
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
        self.query_one("#ed-problems").border_title = _("Problems: enter or f8 puts the cursor on one")
        if self.read_only:
            self._hint(_(DEMO_HINT))
        self._open(self.file_name)

    def on_resize(self, event: Resize) -> None:
        self.set_class(event.size.height < 30, "-short")

    # -- saving -------------------------------------------------------------------------------

    def action_save(self) -> None:
        if not self.is_open or self._saving or self._leaving:
            return  # a save in flight answers for this text too, or the editor is closing
        if self.read_only:
            self.notify(_(DEMO_HINT), title=_("Not saved"), severity="warning", markup=False, timeout=10)
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
            self.notify(
                _("Saved {path}.").format(path=self.location.path / message.name),
                title=_("Config"),
                markup=False,
                timeout=4,
            )
            self.app.post_message(ConfigSaved([self.location.path / message.name]))
            return
        if message.name != self.file_name:  # another file is open now: its questions would mislead
            self.notify(
                _("{name} not saved: {why}").format(name=message.name, why=clean(err)),
                title=_("Config"),
                severity="error",
                markup=False,
            )
        elif isinstance(err, ConflictError):
            self._conflict()
        elif isinstance(err, ConfigError):
            if self.text == message.text:
                self._show_problems(err.problems)
            self._rejected(len(err.problems))
        else:
            self.notify(_("Not saved: {why}").format(why=clean(err)), title=_("Config"), severity="error", markup=False)

    def _rejected(self, count: int) -> None:
        def chosen(choice: str | None) -> None:
            if choice == "draft":
                self.action_draft()

        problems = ngettext("{n} problem", "{n} problems", count).format(n=count)
        self.app.push_screen(
            ChoiceScreen(
                _("Not saved: {name} has {problems}").format(name=self.file_name, problems=problems),
                [
                    _(
                        "The file on disk is unchanged. Fix the problems listed under the editor (enter or f8 jumps "
                        "to each), or keep your text as a draft beside the file and come back to it later."
                    ),
                ],
                [Choice("draft", _("Keep as draft")), Choice("edit", _("Keep editing"), "primary")],
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
                _("Not saved: {name} changed on disk since it was opened").format(name=self.file_name),
                [
                    _("Another editor (or riskmon) wrote it meanwhile; nothing was written."),
                    _("Reload it (your text is kept as a draft, which the next open offers), or keep editing."),
                ],
                [Choice("reload", _("Keep mine as draft, reload")), Choice("edit", _("Keep editing"), "primary")],
                focus="edit",
            ),
            chosen,
        )

    # -- drafts -------------------------------------------------------------------------------

    def action_draft(self) -> None:
        if not self.is_open or self._leaving:
            return
        if self._saving:  # a save removes the draft when it is done: this one would go with it
            self.notify(_("Still saving: keep a draft once it is saved."), title=_("Draft"), markup=False, timeout=3)
            return
        if self.read_only:
            self.notify(_(DEMO_HINT), title=_("No draft"), severity="warning", markup=False, timeout=10)
            return
        self._keep_draft(self.path, self.text)

    @work(thread=True, group="draft", exit_on_error=False)
    def _keep_draft(self, path: Path, text: str, leave: bool = False) -> None:
        self._write_draft(path, text, leave)

    @on(DraftKept)
    def _draft_kept(self, message: DraftKept) -> None:
        if message.leave:
            self._leaving = False
        if message.error or message.path is None:
            stay = _(" The editor stays open so nothing is lost.") if message.leave else ""
            self.notify(
                _("Draft not kept: {why}.").format(why=clean(message.error)) + stay, severity="error", markup=False
            )
            return
        if message.leave and self.is_current:
            self.app.pop_screen()
        self.notify(
            _("Kept as {path}; the file itself is unchanged. Opening the file again offers the draft.").format(
                path=message.path
            ),
            title=_("Draft"),
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
                [_("{path} has changes that are not saved.").format(path=self.path)],
                [
                    Choice("draft", _("Keep as draft, {then}").format(then=then)),
                    Choice("discard", _("Discard, {then}").format(then=then), "warning"),
                    Choice("edit", _("Keep editing"), "primary"),
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
            self._unsaved(_("Open {name}?").format(name=name), _("open it"), lambda keep: self._switch(name, keep))
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
            self._unsaved(
                _("Reload {name} from disk?").format(name=name), _("reload"), lambda keep: self._open(name, keep)
            )
        else:
            self._open(self.file_name)

    def action_close(self) -> None:
        if self._leaving:
            return
        if self._saving:  # its answer (saved, or why not) must reach this screen
            self.notify(_("Still saving: leave once it is saved."), title=_("Config"), markup=False, timeout=3)
            return
        if self.modified and not self.read_only:
            self._unsaved(_("Leave the editor?"), _("leave"), self._leave)
        else:
            self._leave(None)

    def _leave(self, keep_draft: str | None) -> None:
        if keep_draft is None:
            self.app.pop_screen()
        else:
            self._leaving = True
            self._keep_draft(self.path, keep_draft, leave=True)  # leaves once the draft is on disk
