"""`e` in the news queue: the draft's proposal as TOML in an editor; `ctrl+s` checks it and
accepts it (in a worker)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.message import Message
from textual.screen import ModalScreen
from textual.widgets import Footer, Static, TextArea

from riskmon.i18n import N_, _
from riskmon.paths import ConfigLocation
from riskmon.textsafe import clean
from riskmon.tui.lang import Translated
from riskmon.tui.screens.news_messages import problem_lines

if TYPE_CHECKING:
    from riskmon.usecases.news import Accepted


@dataclass
class EditDone(Message):
    accepted: Accepted | None
    error: Exception | None = None


class DraftEditor(Translated, ModalScreen["Accepted | None"]):
    """The proposal as TOML: `ctrl+s` checks it and accepts it (in a worker), listing the
    problems when it would not be valid; `escape` leaves without accepting."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+s", "save", N_("Accept"), priority=True),
        Binding("escape", "cancel", N_("Cancel")),
    ]

    DEFAULT_CSS = """
    DraftEditor { align: center middle; }
    DraftEditor #draft-box { width: 110; max-width: 100%; height: 90%; border: round $primary;
                             background: $surface; }
    DraftEditor #draft-text { height: 1fr; }
    DraftEditor #draft-problems { height: auto; max-height: 10; color: $error; padding: 0 1; }
    """

    def __init__(self, location: ConfigLocation, entry_id: str, text: str) -> None:
        super().__init__(id="news-edit")
        self.location = location
        self.entry_id = entry_id
        self.text = text
        self.saving = False

    def compose(self) -> ComposeResult:
        from textual.containers import Vertical

        with Vertical(id="draft-box"):
            yield TextArea.code_editor(self.text, language="toml", tab_behavior="focus", id="draft-text")
            yield Static(Text(_("ctrl+s: check and accept · escape: cancel")), id="draft-problems")
            yield Footer()

    def on_mount(self) -> None:
        self.query_one("#draft-box").border_title = _("Draft {id}").format(id=clean(self.entry_id))
        self.query_one("#draft-text", TextArea).focus()

    def action_cancel(self) -> None:
        if not self.saving:
            self.dismiss(None)

    def action_save(self) -> None:
        if self.saving:
            return
        self.saving = True
        self.query_one("#draft-problems", Static).update(Text(_("Checking…")))
        self._save(self.query_one("#draft-text", TextArea).text)

    @work(thread=True, exclusive=True, group="news-edit", exit_on_error=False)
    def _save(self, text: str) -> None:
        from riskmon.usecases.news import accept, proposal_from_text

        try:
            proposal = proposal_from_text(text, f"draft {self.entry_id}")
            done = accept(self.location, self.entry_id, datetime.now(UTC), proposal=proposal)
        except Exception as exc:
            self.post_message(EditDone(None, exc))
            return
        self.post_message(EditDone(done))

    @on(EditDone)
    def _done(self, message: EditDone) -> None:
        self.saving = False
        if message.error is None:
            self.dismiss(message.accepted)
            return
        lines = problem_lines(message.error)
        self.query_one("#draft-problems", Static).update(
            Text(_("Not accepted, nothing written:") + "\n" + "\n".join(f"  {x}" for x in lines))
        )
