"""One line at the bottom: feed health, when the data is from, the next poll."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from textual.content import Content
from textual.widgets import Static

from riskmon.i18n import _
from riskmon.textsafe import clean
from riskmon.tui.words import cut


def feed_health(feeds: Sequence[Mapping[str, Any]]) -> tuple[str, bool]:
    """('feeds 2/3 ok; news: timeout', bad?) from `Evaluation.feeds`."""
    if not feeds:
        return _("no feeds (local catalog only)"), False
    bad = [f for f in feeds if not f.get("ok") or f.get("stale")]
    text = _("feeds {ok}/{total} ok").format(ok=len(feeds) - len(bad), total=len(feeds))
    if bad:
        f = bad[0]
        why = _("stale") if f.get("stale") else (f.get("error") or _("failed"))
        text += f"; {clean(f.get('name', '?'))}: {cut(clean(why), 60, mark='')}"
        if len(bad) > 1:
            text += f" (+{len(bad) - 1})"
    return text, bool(bad)


class StatusLine(Static):
    DEFAULT_CSS = """
    StatusLine { height: 1; background: $panel; color: $text-muted; padding: 0 1; }
    StatusLine.-bad { color: $text; background: $warning 40%; }
    """

    def show(self, feeds_text: str, bad: bool, parts: Sequence[str]) -> None:
        self.set_class(bad, "-bad")
        self.update(Content("  ·  ".join([feeds_text, *parts])))
