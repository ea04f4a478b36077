"""`N`: the news review queue. Draft events read from articles and RSS items, the article with
the sentences each field came from highlighted, and keys to accept (`a`), reject (`x`) or edit
then accept (`e`) the selected draft.

Every read and write runs in a thread worker (riskmon.usecases.news); the screen only draws. It
watches the queue file and events.toml (every WATCH_EVERY seconds, also in a thread), so drafts
that the monitor's RSS intake, `riskmon news add` or another dashboard add or decide show up by
themselves; a queue file that cannot be read leaves the last good rows on screen with the reason.

Article text and evidence come from the web: they are drawn as rich Text (never markup), made
inert first (`riskmon.core.news.text.mask`: escapes and control characters as spaces, same
length, so the evidence offsets stay right).

The screen's messages are in news_messages.py, the article view in news_article.py and the
draft editor in news_draft_editor.py; this module re-exports them.
"""

from __future__ import annotations

import os
from datetime import UTC, datetime
from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Static

from riskmon.errors import reason_of
from riskmon.i18n import N_, _, ngettext
from riskmon.paths import ConfigLocation
from riskmon.present.words import kind_word, status_word
from riskmon.textsafe import clean
from riskmon.tui.lang import Translated
from riskmon.tui.messages import ConfigSaved
from riskmon.tui.screens.news_article import HIGHLIGHT as HIGHLIGHT
from riskmon.tui.screens.news_article import article_view as article_view
from riskmon.tui.screens.news_draft_editor import DraftEditor as DraftEditor
from riskmon.tui.screens.news_draft_editor import EditDone as EditDone
from riskmon.tui.screens.news_messages import Decided as Decided
from riskmon.tui.screens.news_messages import ProposalReady as ProposalReady
from riskmon.tui.screens.news_messages import QueueLoaded as QueueLoaded
from riskmon.tui.screens.news_messages import file_stamp, state_word
from riskmon.tui.screens.news_messages import problem_lines as problem_lines
from riskmon.tui.widgets.table import TextTable

if TYPE_CHECKING:
    from riskmon.store.news_queue import Entry
    from riskmon.usecases.news import Accepted, Proposal, Review

WATCH_EVERY = 1.0
"""Seconds between looks at the queue file and events.toml."""
COLUMNS = (
    (N_("Title"), "title"),
    (N_("Kind"), "kind"),
    (N_("Platforms"), "platforms"),
    (N_("Date"), "date"),
    (N_("Status"), "status"),
    (N_("Confidence"), "confidence"),
    (N_("Matches"), "matches"),
    (N_("Review"), "review"),
)


class NewsScreen(Translated, Screen[None]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "app.pop_screen", N_("Back")),
        Binding("N", "app.pop_screen", N_("Back"), show=False),
        Binding("a", "accept", N_("Accept")),
        Binding("x", "reject", N_("Reject")),
        Binding("e", "edit", N_("Edit, then accept")),
        Binding("r", "reload", N_("Reload"), show=False),
    ]

    DEFAULT_CSS = """
    NewsScreen { layout: vertical; }
    NewsScreen #news-heading { height: 1; text-style: bold; color: $primary; padding: 0 1; }
    NewsScreen #news-queue { height: 2fr; min-height: 5; }
    NewsScreen #news-body { height: 3fr; min-height: 5; border-top: solid $primary; padding: 0 1; }
    NewsScreen #news-note { height: auto; max-height: 8; color: $text-muted; padding: 0 1; }
    NewsScreen #news-note.-error { color: $error; }
    """

    def __init__(self, location: ConfigLocation) -> None:
        super().__init__(id="news")
        self.location = location
        self.review: Review | None = None
        self.stamp: tuple[object, ...] | None = None
        self.busy = False
        """An accept, reject or edit is under way: one at a time."""
        self._watching = False
        self._seq = 0  # loads run side by side: the newest one started wins
        self._shown_seq = 0
        self._failed: dict[str, list[str]] = {}
        """Entry id -> why its last accept failed: shown with it until it is decided."""

    def compose(self) -> ComposeResult:
        yield Static(_("News review"), id="news-heading")
        yield TextTable(id="news-queue", cursor_type="row", zebra_stripes=True)
        with VerticalScroll(id="news-body"):
            yield Static("", id="news-article")
        yield Static("", id="news-note")
        yield Footer()

    def on_mount(self) -> None:
        table = self.query_one("#news-queue", TextTable)
        for label, key in COLUMNS:
            table.add_column(_(label), key=key)
        table.focus()
        self._reload(force=True)
        self.set_interval(WATCH_EVERY, self._watch)

    @property
    def table(self) -> TextTable:
        return self.query_one("#news-queue", TextTable)

    # -- loading ------------------------------------------------------------------------------

    def _paths(self) -> tuple[os.PathLike[str], ...]:
        from riskmon.usecases.news import queue_of

        return (queue_of(self.location).path, self.location.path / "events.toml")

    def _watch(self) -> None:
        if not self._watching:
            self._watching = True
            self._reload(force=False)

    def action_reload(self) -> None:
        self._reload(force=True)

    def _reload(self, *, force: bool) -> None:
        self._seq += 1
        self._load(self._seq, force)

    @work(thread=True, group="news-load", exit_on_error=False)
    def _load(self, seq: int, force: bool) -> None:
        from riskmon.usecases.news import review

        stamp = file_stamp(*self._paths())
        if not force and stamp == self.stamp:
            self.post_message(QueueLoaded(seq, None, stamp))
            return
        try:
            self.post_message(QueueLoaded(seq, review(self.location), stamp))
        except Exception as exc:  # an unreadable queue: keep the last good rows, say why
            self.post_message(QueueLoaded(seq, None, stamp, reason_of(exc)))

    @on(QueueLoaded)
    def _loaded(self, message: QueueLoaded) -> None:
        self._watching = False
        if message.seq < self._shown_seq:
            return  # a newer load has been shown already
        self._shown_seq = message.seq
        if message.error is not None:
            self.stamp = message.stamp
            self._note([_("Cannot read the news queue: {why}").format(why=clean(message.error))], error=True)
            return
        if message.review is None:
            return
        self.stamp = message.stamp
        self.review = message.review
        self._fill(message.review)

    def _ordered(self, r: Review) -> list[Entry]:
        """Pending drafts first (newest news first), then the decided ones (latest decision first)."""
        pending = sorted((e for e in r.entries if e.state == "pending"), key=lambda e: e.updated, reverse=True)
        done = [e for e in r.entries if e.state != "pending"]
        done.sort(key=lambda e: e.decided or e.updated, reverse=True)
        return pending + done

    def _fill(self, r: Review) -> None:
        table = self.table
        keep = self.selected_id()
        table.clear()
        entries = self._ordered(r)
        for e in entries:
            table.add_row(*self._cells(e, r), key=e.id)
        pending = sum(e.state == "pending" for e in entries)
        heading = ngettext("News review: {n} draft to review", "News review: {n} drafts to review", pending)
        heading = heading.format(n=pending)
        if len(entries) > pending:
            heading += _(", {n} decided").format(n=len(entries) - pending)
        self.query_one("#news-heading", Static).update(Text(heading))
        ids = [e.id for e in entries]
        if keep in ids:
            table.move_cursor(row=ids.index(keep))
        if not entries:
            self.query_one("#news-article", Static).update(
                Text(
                    _(
                        "No drafts yet. They come from `riskmon news add FILE|-|URL` and from the RSS feeds "
                        "in riskmon.toml (each new item is read for policy changes)."
                    )
                )
            )
        else:
            self._show_selected()
        if r.error:
            self._note([_("Matches against events.toml are unknown: {why}").format(why=clean(r.error))], error=True)

    def _cells(self, e: Entry, r: Review) -> list[Text]:
        d = e.draft
        found = r.matches.get(e.id)
        if e.state == "accepted":
            matches = e.event_id or ""
        elif r.error:
            matches = "?"
        else:
            matches = found.event_id if found is not None else _("new event")
        day = d.effective.astimezone(UTC).date().isoformat() if d.effective else "—"
        return [
            Text(clean(d.title or d.id)),
            Text(kind_word(d.kind)),
            Text(clean(", ".join(d.platforms))),
            Text(day),
            Text(status_word(d.status)),
            Text(f"{d.confidence:.2f}"),
            Text(clean(matches)),
            Text(state_word(e.state)),
        ]

    def selected_id(self) -> str | None:
        table = self.table
        if table.row_count == 0:
            return None
        try:
            key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
        except Exception:  # the cursor is off the rows (an empty table): nothing selected
            return None
        return str(key) if key is not None else None

    def selected(self) -> Entry | None:
        chosen = self.selected_id()
        if self.review is None or chosen is None:
            return None
        return next((e for e in self.review.entries if e.id == chosen), None)

    @on(DataTable.RowHighlighted, "#news-queue")
    def _highlighted(self, event: DataTable.RowHighlighted) -> None:
        self._show_selected()

    def _show_selected(self) -> None:
        entry = self.selected()
        if entry is None:
            return
        self.query_one("#news-article", Static).update(article_view(entry))
        found = self.review.matches.get(entry.id) if self.review is not None else None
        failed = self._failed.get(entry.id) if entry.state == "pending" else None
        if failed:
            self._note(failed, error=True)
            return
        lines = [f"{entry.id}: {state_word(entry.state)}"]
        if entry.state == "pending":
            lines[0] += _(" — a: accept, x: reject, e: edit then accept")
            lines.append(_("updates event {id}").format(id=found.event_id) if found is not None else _("a new event"))
        elif entry.event_id:
            lines.append(_("accepted into event {id}").format(id=entry.event_id))
        self._note(lines)

    def _note(self, lines: list[str], *, error: bool = False) -> None:
        note = self.query_one("#news-note", Static)
        note.set_class(error, "-error")
        note.update(Text("\n".join(clean(x) for x in lines)))

    # -- actions ------------------------------------------------------------------------------

    def _pending_selection(self, verb: str) -> Entry | None:
        """The selected draft if it can be acted on; else say why not (a toast) and None."""
        entry = self.selected()
        why = None
        if self.busy:
            why = _("Another accept or reject is still under way.")
        elif entry is None:
            why = _("No draft selected.")
        elif entry.state != "pending":
            why = _("{id} was already {state}.").format(id=entry.id, state=state_word(entry.state))
        if why is not None:
            self.notify(why, title=_("Not {verb}").format(verb=state_word(verb)), severity="warning", markup=False)
            return None
        return entry

    def action_accept(self) -> None:
        entry = self._pending_selection("accepted")
        if entry is not None:
            self.busy = True
            self._note([f"Accepting {entry.id}…"])
            self._accept(entry.id, None)

    def action_reject(self) -> None:
        entry = self._pending_selection("rejected")
        if entry is not None:
            self.busy = True
            self._reject(entry.id)

    def action_edit(self) -> None:
        entry = self._pending_selection("edited")
        if entry is not None:
            self.busy = True
            self._propose(entry.id)

    @work(thread=True, group="news-write", exit_on_error=False)
    def _accept(self, entry_id: str, proposal: Proposal | None) -> None:
        from riskmon.usecases.news import accept

        try:
            done = accept(self.location, entry_id, datetime.now(UTC), proposal=proposal)
        except Exception as exc:
            self.post_message(Decided(entry_id, "accepted", error=exc))
            return
        self.post_message(Decided(entry_id, "accepted", accepted=done))

    @work(thread=True, group="news-write", exit_on_error=False)
    def _reject(self, entry_id: str) -> None:
        from riskmon.usecases.news import reject

        try:
            reject(self.location, entry_id, datetime.now(UTC))
        except Exception as exc:
            self.post_message(Decided(entry_id, "rejected", error=exc))
            return
        self.post_message(Decided(entry_id, "rejected"))

    @work(thread=True, group="news-write", exit_on_error=False)
    def _propose(self, entry_id: str) -> None:
        from riskmon.usecases.news import proposal_for

        try:
            entry, proposal = proposal_for(self.location, entry_id)
        except Exception as exc:
            self.post_message(ProposalReady(None, None, exc))
            return
        self.post_message(ProposalReady(entry, proposal))

    @on(Decided)
    def _decided(self, message: Decided) -> None:
        self.busy = False
        if message.error is not None:
            lines = problem_lines(message.error)
            self._failed[message.entry_id] = [
                _("{id} was not {verb}; nothing was written:").format(
                    id=message.entry_id, verb=state_word(message.verb)
                ),
                *lines,
            ]
            self._note(self._failed[message.entry_id], error=True)
            self.notify(
                "\n".join(lines[:5]),
                title=_("Not {verb}").format(verb=state_word(message.verb)),
                severity="error",
                markup=False,
            )
        else:
            self._failed.pop(message.entry_id, None)
            self.notify(self._done_text(message), title=_("News"), markup=False, timeout=6)
            done = message.accepted
            if done is not None and done.path is not None:
                self.app.post_message(ConfigSaved([done.path]))
        self._reload(force=True)

    @staticmethod
    def _done_text(message: Decided) -> str:
        done = message.accepted
        if done is None:
            return _("Rejected {id}: the same news will not bring it back.").format(id=message.entry_id)
        if done.path is None:
            return _("Accepted {id}: event {event} already says this.").format(
                id=message.entry_id, event=done.proposal.event_id
            )
        head = _("Accepted {id} into {file}:").format(id=message.entry_id, file=done.path.name)
        return head + "\n" + "\n".join(done.proposal.lines())

    @on(ProposalReady)
    def _proposal_ready(self, message: ProposalReady) -> None:
        if message.error is not None or message.entry is None or message.proposal is None:
            self.busy = False
            lines = problem_lines(message.error or ValueError("no proposal"))
            self.notify("\n".join(lines[:5]), title=_("Cannot edit"), severity="error", markup=False)
            self._note(lines, error=True)
            return
        from riskmon.usecases.news import proposal_text

        entry = message.entry
        self.app.push_screen(DraftEditor(self.location, entry.id, proposal_text(entry, message.proposal)), self._edited)

    def _edited(self, accepted: Accepted | None) -> None:
        self.busy = False
        if accepted is not None:
            self.post_message(Decided(accepted.entry.id, "accepted", accepted=accepted))
