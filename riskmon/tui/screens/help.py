"""`?`: every key, and what the numbers mean."""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Markdown

from riskmon.i18n import N_, _
from riskmon.present.cells import cell_width
from riskmon.tui.lang import Translated

HELP = N_("""\
# riskmon — keys

| Key | What it does |
|---|---|
| `j` / `k`, `↓` / `↑` | move in a table or list |
| `tab` / `shift+tab` | next / previous pane |
| `enter` | open the selected event: lost vs late, timeline, sources, deadlines, channels hit, loss breakdown |
| `space` | tick or untick the highlighted step (saved to history); on a folded `[+]` line, show its steps |
| `/` | filter events (words in id, title, kind, status, platform, region); `esc` clears |
| `u` | hide / show the events that reach none of your channels (listed last, dimmed) |
| `s` / `S` | sort the focused table by the next column / reverse it (or click a header) |
| `v` / `a` / `x` / `p` | focus events / next actions / exposure / playbook (`p` again: the standing checklist) |
| `e` | config editor: TOML checked as you type; `ctrl+s` saves a valid file, `ctrl+d` keeps a draft |
| `w` | what-if: change probabilities, statuses, dates, order shares, stock, payouts; stress; save, load, apply |
| `c` | edit the highlighted channel's numbers (exposure table; on the timeline, the channel the event hits hardest) |
| `E` | edit the highlighted event's status, probability and dates (timeline; in the playbook, its event) |
| `n` | add an event to events.toml |
| `N` | news review: draft events from articles and RSS items; `a` accept, `x` reject, `e` edit then accept |
| `h` | history: score over time, per-event lines, the change log, news headlines (`1` `2` `3`: 7 d / 30 d / 1 y) |
| `r` | refresh now (re-read config if it changed, poll feeds, reassess) |
| `t` | switch between the dark and light theme |
| `ctrl+p` | command palette: every screen and action, and every event to open |
| `?` | this help |
| `esc` | back |
| `q` | quit |

# What the numbers mean

* **Score** (0–100): how close the likely, near events come to what the business can absorb
  (cash plus a month of gross profit). Each event scores `100 × expected loss × urgency ÷ capacity`;
  the overall score combines them like independent risks.
* **Level**: the worst of four rules — score, stressed runway, the shock of one near event, and
  dependence on one platform. The reasons under the header say which rule raised it.
* **Runway**: weeks of cash left if the likely events (probability ≥ 50 %, within the horizon) happen.
* **Lowest cash** and its week: the 13-week cash forecast's low point with the likely events; the
  shortfall chance is the probability cash runs below zero. The cash chart shows baseline (no
  event, ●), likely (◆) and stress (every possible event, ▲) against a zero line.
* **Lost** is money gone for good (the loss); **late** is cash held back or paid early (cash timing,
  in the forecast, never in the loss).
* **Expected loss**: probability × loss, where loss = profit at risk + fee cost + duty cost +
  inventory loss + deposit loss; cash frozen is late, shown apart and never in the loss. `enter`
  on an event shows every term and its inputs.
* **Dependence**: share of orders that depends on a third-party platform (its own channels plus
  traffic links through it). Your own store is not a landlord and is shown as `own`.
* **●** marks an event that appeared since the last run or while the dashboard is open, **◆** one
  whose status, probability or dates changed (a mark lasts 10 minutes); a toast says what changed.
* **Next actions**: every event's open steps and the standing ones, ranked as `riskmon playbook`
  ranks them (the most urgent first; steps over 30 days overdue folded per event into one `[+]` line).
* **Standing** steps (under the event's playbook) are about the business as it stands: concentration,
  runway, payout-hold buffer, no own store, links, warehouse. `riskmon playbook` lists the same checklist.
* The status line: feed health, when the data was updated, the next feed poll.

`riskmon check -v -v` prints the same numbers for scripts and monitoring.
""")


class HelpScreen(Translated, ModalScreen[None]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "app.pop_screen", N_("Close")),
        Binding("question_mark", "app.pop_screen", N_("Close"), show=False),
        Binding("q", "app.pop_screen", N_("Close"), show=False),
        Binding("j", "scroll_down", N_("Down"), show=False),
        Binding("k", "scroll_up", N_("Up"), show=False),
    ]

    DEFAULT_CSS = """
    HelpScreen { align: center middle; }
    HelpScreen #help-box { width: 96; max-width: 100%; height: 90%; border: round $primary;
                           background: $surface; padding: 0 1; }
    /* Chinese has no spaces to wrap at: fold a long description onto the next line, never cut it. */
    HelpScreen MarkdownTableContent > .cell { text-overflow: fold; }
    """

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="help-box"):
            yield Markdown(_(HELP))

    def on_markdown_table_of_contents_updated(self) -> None:
        """Once the document is laid out: the key column as wide as its widest key (Textual's auto
        column shares the width out and cut `shift+tab` and the wider Chinese keys short)."""
        width = key_column_width(_(HELP))
        for table in self.query("MarkdownTableContent"):
            table.styles.grid_columns = f"{width} 1fr"

    def action_scroll_down(self) -> None:
        self.query_one("#help-box", VerticalScroll).scroll_down()

    def action_scroll_up(self) -> None:
        self.query_one("#help-box", VerticalScroll).scroll_up()


def key_column_width(text: str) -> int:
    """Cells of the widest first cell of the text's tables (code marks dropped, as they are shown),
    plus the cell's padding of one on each side."""
    keys = [
        line.split("|")[1].strip().replace("`", "")
        for line in text.splitlines()
        if line.startswith("|") and not line.startswith("|---")
    ]
    return max((cell_width(k) for k in keys), default=0) + 2
