"""An article page's HTML as plain text: the readable blocks kept (paragraphs, headings, list items),
scripts, navigation and other chrome dropped, and the page's publication date when it gives one.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime
from html.parser import HTMLParser

from riskmon.core.record import field, record

# ---------------------------------------------------------------------------------------------
# HTML to text

DROPPED = frozenset(
    {"script", "style", "nav", "footer", "aside", "noscript", "template", "svg", "iframe", "button", "select"}
)
"""Elements whose text is never the article: code, menus, footers, side boxes, widgets."""
BLOCKS = frozenset(
    {
        "p", "div", "br", "li", "ul", "ol", "h1", "h2", "h3", "h4", "h5", "h6", "tr", "td", "th", "table",
        "section", "article", "main", "header", "blockquote", "pre", "dd", "dt", "dl", "figure",
        "figcaption", "hr", "title", "time",
    }
)  # fmt: skip
VOID = frozenset({"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"})
_PUBLISHED_META = frozenset(
    {
        "article:published_time", "og:published_time", "datepublished", "pubdate", "publishdate",
        "publish_date", "date", "dc.date", "dc.date.issued", "sailthru.date", "parsely-pub-date",
    }
)  # fmt: skip


@record(frozen=False)
class Page:
    """An HTML page as text: the headline, then the article's blocks, one per line."""

    text: str
    title: str = ""
    published: datetime | None = None


@record(frozen=False)
class _Part:
    """The text of one element worth choosing as the article (an <article> or <main>)."""

    tag: str
    lines: list[str] = field(default_factory=list)


class _PageParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.lines: list[str] = [""]
        self.skip: list[str] = []
        self.parts: list[_Part] = []
        self.open_parts: list[tuple[str, _Part]] = []
        self.title = ""
        self.in_title = False
        self.h1 = ""
        self.in_h1 = False
        self.og_title = ""
        self.published: datetime | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in DROPPED and tag not in VOID:
            self.skip.append(tag)
            return
        if self.skip:
            return
        a = {k.lower(): v or "" for k, v in attrs}
        if tag == "meta":
            self._meta(a)
        elif tag == "time" and self.published is None:
            self.published = _date(a.get("datetime", ""))
        if tag in ("article", "main"):
            part = _Part(tag)
            self.parts.append(part)
            self.open_parts.append((tag, part))
        self.in_title = self.in_title or tag == "title"
        self.in_h1 = self.in_h1 or (tag == "h1" and not self.h1)
        if tag in BLOCKS:
            self._break()

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in DROPPED:
            return  # <svg/>: nothing inside it
        self.handle_starttag(tag, attrs)

    def handle_endtag(self, tag: str) -> None:
        if self.skip:
            if tag in self.skip:
                while self.skip.pop() != tag:
                    pass
            return
        if tag == "title":
            self.in_title = False
        if tag == "h1":
            self.in_h1 = False
        if tag in BLOCKS:
            self._break()
        for i in range(len(self.open_parts) - 1, -1, -1):
            if self.open_parts[i][0] == tag:
                del self.open_parts[i:]
                break

    def handle_data(self, data: str) -> None:
        if self.skip:
            return
        if self.in_title:
            self.title += data
            return
        if self.in_h1:
            self.h1 += data
        self.lines[-1] += data
        for _tag, part in self.open_parts:
            if not part.lines:
                part.lines.append("")
            part.lines[-1] += data

    def _break(self) -> None:
        if self.lines[-1].strip():
            self.lines.append("")
        for _tag, part in self.open_parts:
            if part.lines and part.lines[-1].strip():
                part.lines.append("")

    def _meta(self, a: dict[str, str]) -> None:
        name = (a.get("property") or a.get("name") or a.get("itemprop") or "").strip().lower()
        content = a.get("content", "")
        if name == "og:title" and not self.og_title:
            self.og_title = content
        elif name in _PUBLISHED_META and self.published is None:
            self.published = _date(content)


def _date(text: str) -> datetime | None:
    """An ISO date or date-time from page metadata (no offset: UTC); None when it is not one."""
    from riskmon.sources.config.schema import DATE_MAX, DATE_MIN

    s = text.strip().replace("Z", "+00:00").replace("z", "+00:00")
    if " " in s[:11] and "T" not in s:
        s = s.replace(" ", "T", 1)
    try:
        when = datetime.fromisoformat(s)
    except ValueError:
        return None
    when = when.replace(tzinfo=UTC) if when.tzinfo is None else when
    return when if DATE_MIN <= when <= DATE_MAX else None


def _tidy(lines: Iterable[str]) -> list[str]:
    out = []
    for line in lines:
        text = " ".join(line.split())
        if text:
            out.append(text)
    return out


def html_to_text(html: str) -> Page:
    """An HTML page as article text: the headline (`<h1>`, else og:title, else `<title>`) on the
    first line, then the text of the page's longest `<article>` (else `<main>`, else the whole
    page) one block per line; script, style, nav, footer, aside and the like are left out."""
    parser = _PageParser()
    try:
        parser.feed(html)
        parser.close()
    except (AssertionError, ValueError):  # html.parser gives up on some broken markup: keep what it read
        pass
    candidates = [p for p in parser.parts if p.tag == "article"] or [p for p in parser.parts if p.tag == "main"]
    body = _tidy(max(candidates, key=lambda p: sum(map(len, p.lines))).lines) if candidates else []
    if not any(len(x) > 40 for x in body):
        body = _tidy(parser.lines)
    headline = next(
        (" ".join(t.split()) for t in (parser.h1, parser.og_title, parser.title) if t.strip()),
        "",
    )
    lines = body if not headline or (body and body[0] == headline) else [headline, *body]
    return Page("\n".join(lines), headline, parser.published)
