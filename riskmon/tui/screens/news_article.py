"""A news draft's articles as rich Text, with the sentences each field came from highlighted.
Article text comes from the web: it is drawn as Text (never markup), made inert first."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING

from rich.text import Text

from riskmon.i18n import _
from riskmon.textsafe import clean

if TYPE_CHECKING:
    from riskmon.store.news_queue import Article, Entry

HIGHLIGHT = "bold reverse"


def article_view(entry: Entry) -> Text:
    """The draft's articles, evidence sentences highlighted, then the evidence per field."""
    from riskmon.core.news.text import mask

    out = Text()
    d = entry.draft
    out.append(clean(d.title or d.id) + "\n", style="bold")
    for i, article in enumerate(entry.articles):
        if i:
            out.append("\n")
        where = " · ".join(x for x in (clean(article.url or ""), _day(article.published)) if x)
        if where:
            out.append(where + "\n", style="dim")
        text = mask(article.text)  # inert again: the queue file may have been edited by hand
        at = 0
        for start, end in _spans(article, entry):
            out.append(text[at:start])
            out.append(text[start:end], style=HIGHLIGHT)
            at = end
        out.append(text[at:] + "\n")
    if not entry.articles:
        out.append(_("(the article is not kept once a draft is decided)") + "\n", style="dim")
    out.append("\n" + _("Evidence") + "\n", style="bold")
    fields_of: dict[str, list[str]] = {}
    for name, ev in d.evidence.items():
        fields_of.setdefault(ev.text, []).append(name)
    for text, names in fields_of.items():
        out.append(f"{', '.join(names)}: ", style="bold")
        out.append(clean(text) + "\n")
    return out


def _day(when: datetime | None) -> str:
    return when.astimezone(UTC).date().isoformat() if when is not None else ""


def _spans(article: Article, entry: Entry) -> list[tuple[int, int]]:
    """Where the draft's evidence sentences are in this article (sorted, not overlapping)."""
    from riskmon.core.news.text import clean as inert

    text = article.text
    found: set[tuple[int, int]] = set()
    for ev in entry.draft.evidence.values():
        if 0 <= ev.start < ev.end <= len(text) and inert(text[ev.start : ev.end]) == ev.text:
            found.add((ev.start, ev.end))
        elif ev.text and (at := text.find(ev.text)) >= 0:
            found.add((at, at + len(ev.text)))
    out: list[tuple[int, int]] = []
    for start, end in sorted(found):
        if out and start <= out[-1][1]:
            out[-1] = (out[-1][0], max(end, out[-1][1]))
        else:
            out.append((start, end))
    return out
