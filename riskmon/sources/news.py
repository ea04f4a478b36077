"""News in: the lexicon files, articles from a file, stdin or a URL, and the catalog's events as
the news matcher reads them.

- The lexicon: riskmon's bundled `riskmon/data/news.toml` with the user's `news.toml` from the
  config dir laid over it (riskmon.core.news.merge_lexicons). Building one compiles its matchers
  (~100 ms), so each is built once per process and kept: the bundled one for good, a merged one
  until the user's file changes (size, mtime or inode). A bad user file is a ConfigError naming
  the file, the line (TOML syntax) or the key.
- Articles: FILE, `-` (stdin) or an http(s) URL, fetched by the feeds' own code
  (riskmon.sources.feeds.fetch: TLS verified, a deadline, a size cap, redirects checked). An HTML
  page (by its Content-Type, its file name or its first bytes) becomes text with
  `html_to_text`: the headline on the first line, then the article's blocks one per line, without
  scripts, styles, navigation, footers or asides; its publication date is read from the page's
  metadata when it gives one.
"""

from __future__ import annotations

import re
import threading
import tomllib
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from typing import Any, BinaryIO

from riskmon.core.model import ANY, Deadline, Event, Impact, TimelineEntry
from riskmon.core.news import Lexicon, lexicon_from_data, merge_lexicons
from riskmon.core.record import fields, record
from riskmon.errors import ConfigError, Problem, RiskmonError
from riskmon.sources.html_text import html_to_text as html_to_text
from riskmon.userfile import CONFIG_MAX_BYTES, MB, read_bytes

NEWS_FILE = "news.toml"
ARTICLE_MAX_BYTES = 5 * MB
"""An article read from a file, stdin or a URL (a long news page is a few hundred kB)."""
FETCH_TIMEOUT = 20.0

_lock = threading.Lock()
_bundled: Lexicon | None = None
_merged: dict[str, tuple[tuple[int, int, int], Lexicon]] = {}


# ---------------------------------------------------------------------------------------------
# The lexicon


def bundled_lexicon() -> Lexicon:
    """riskmon's own lexicon, built on first use and kept."""
    global _bundled
    with _lock:
        if _bundled is None:
            from importlib.resources import files

            text = files("riskmon").joinpath("data", NEWS_FILE).read_text(encoding="utf-8")
            _bundled = lexicon_from_data(tomllib.loads(text))
        return _bundled


def load_lexicon(config_dir: Path | str | None) -> Lexicon:
    """The bundled lexicon with `news.toml` of `config_dir` over it (when there is one)."""
    base = bundled_lexicon()
    if config_dir is None:
        return base
    path = Path(config_dir).expanduser() / NEWS_FILE
    try:
        data, st = read_bytes(path, CONFIG_MAX_BYTES)
    except FileNotFoundError:
        return base
    except OSError as exc:
        raise ConfigError([Problem(str(path), None, "", f"cannot read: {exc.strerror or exc}")]) from None
    key = (st.st_mtime_ns, st.st_size, st.st_ino)
    with _lock:
        cached = _merged.get(str(path))
        if cached is not None and cached[0] == key:
            return cached[1]
    merged = merge_lexicons(base, _user_lexicon(path, data))
    with _lock:
        _merged[str(path)] = (key, merged)
    return merged


_AT_LINE = re.compile(r"\(at line (\d+), column \d+\)")


def _user_lexicon(path: Path, data: bytes) -> Lexicon:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise ConfigError([Problem(str(path), line, "", "not UTF-8 text; save the file as UTF-8")]) from None
    try:
        parsed = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        found = _AT_LINE.search(str(exc))
        message = _AT_LINE.sub("", str(exc)).strip()
        raise ConfigError(
            [Problem(str(path), int(found.group(1)) if found else None, "", f"invalid TOML: {message}")]
        ) from None
    try:
        return lexicon_from_data(parsed)
    except ValueError as exc:
        message = str(exc).removeprefix("news lexicon: ")
        raise ConfigError([Problem(str(path), None, "", message)]) from None


# ---------------------------------------------------------------------------------------------
# Articles


@record
class ArticleText:
    """What `read_article` read: the text the extractor gets, the page's address (None for a
    file or stdin) and the publication date the page's metadata gives (None without one)."""

    text: str
    url: str | None = None
    published: datetime | None = None
    name: str = ""
    """What was read, for messages: a path, "stdin" or the URL."""


def read_article(
    source: str,
    *,
    stdin: BinaryIO | None = None,
    timeout: float = FETCH_TIMEOUT,
    max_bytes: int = ARTICLE_MAX_BYTES,
) -> ArticleText:
    """An article from FILE, `-` (stdin) or an http(s) URL; RiskmonError with one line on failure."""
    if source.lower().startswith(("http://", "https://")):
        return _from_url(source, timeout, max_bytes)
    if source == "-":
        import sys

        stream = stdin if stdin is not None else sys.stdin.buffer
        body = stream.read(max_bytes + 1)
        if len(body) > max_bytes:
            raise RiskmonError(f"stdin: more than {max_bytes} bytes; riskmon reads at most that much of an article")
        return _article(body, "", "stdin", None, html_name=False)
    path = Path(source).expanduser()
    try:
        body, _ = read_bytes(path, max_bytes)
    except FileNotFoundError:
        raise RiskmonError(f"{path}: no such file") from None
    except OSError as exc:
        raise RiskmonError(f"cannot read {path}: {exc.strerror or exc}") from None
    return _article(body, "", str(path), None, html_name=path.suffix.lower() in (".html", ".htm", ".xhtml"))


def _from_url(url: str, timeout: float, max_bytes: int) -> ArticleText:
    from riskmon.sources.feeds.fetch import FetchError, fetch

    try:
        got = fetch(url, timeout=timeout, max_bytes=max_bytes, expect="article")
    except FetchError as exc:
        raise RiskmonError(f"cannot fetch {_short(url)}: {exc}") from None
    return _article(got.body, got.content_type, got.url or url, got.url or url, html_name=False)


def _short(text: str, limit: int = 120) -> str:
    from riskmon.textsafe import clean

    s = clean(text)
    return s if len(s) <= limit else s[: limit - 1] + "…"


def _article(body: bytes, content_type: str, name: str, url: str | None, *, html_name: bool) -> ArticleText:
    from riskmon.sources.feeds.fetch import looks_like_html

    is_html = html_name or "html" in content_type.lower() or looks_like_html(body)
    text = decode(body, content_type, html=is_html)
    if not is_html:
        return ArticleText(text, url, None, name)
    page = html_to_text(text)
    return ArticleText(page.text, url, page.published, name)


_CHARSET = re.compile(rb"""<meta[^>]{0,200}?charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]{1,40})""", re.I)


def decode(body: bytes, content_type: str = "", *, html: bool = False) -> str:
    """Bytes as text: a BOM, the Content-Type's charset, an HTML page's `<meta charset>`, then
    UTF-8, then GB18030 (a superset of GBK and GB2312, which older Chinese sites still use)."""
    import codecs

    for bom, encoding in (
        (codecs.BOM_UTF8, "utf-8-sig"),
        (codecs.BOM_UTF16_LE, "utf-16"),
        (codecs.BOM_UTF16_BE, "utf-16"),
    ):
        if body.startswith(bom):
            return body.decode(encoding, errors="replace")
    declared = re.search(r"charset\s*=\s*\"?([A-Za-z0-9_.:-]+)", content_type, re.I)
    names = [declared.group(1)] if declared else []
    if html:
        meta = _CHARSET.search(body[:4096])
        if meta:
            names.append(meta.group(1).decode("ascii"))
    for name in [*names, "utf-8", "gb18030"]:
        try:
            codec = codecs.lookup(name).name
            if codec in ("gb2312", "gbk"):  # what pages label GB2312 is really GBK or more
                codec = "gb18030"
            return body.decode(codec)
        except (LookupError, UnicodeDecodeError):
            continue
    return body.decode("utf-8", errors="replace")


# ---------------------------------------------------------------------------------------------
# The catalog, as the matcher reads it


def core_events(events: Sequence[Any]) -> list[Event]:
    """The loader's events as core Events (what `riskmon.core.news.match` compares with). Events
    that are core Events already pass as they are; the schema's are read field by field, so any
    field the schema does not have (yet) takes the core default."""
    return [e if isinstance(e, Event) else _core_event(e) for e in events]


def _core_event(e: Any) -> Event:
    impact = getattr(e, "impact", None)
    values: dict[str, Any] = {}
    for f in fields(Impact):
        v = getattr(impact, f.name, None)
        values[f.name] = tuple(v) if isinstance(v, list) else v
    timeline = tuple(
        TimelineEntry(t.date, t.status, getattr(t, "probability", None)) for t in getattr(e, "timeline", None) or ()
    )
    return Event(
        id=e.id,
        title=e.title,
        kind=e.kind,
        platforms=tuple(e.platforms),
        effective=e.effective,
        status=e.status,
        regions=tuple(getattr(e, "regions", None) or (ANY,)),
        probability=getattr(e, "probability", None),
        ends=getattr(e, "ends", None),
        deadlines=tuple(Deadline(d.date, d.what) for d in getattr(e, "deadlines", None) or ()),
        sources=tuple(getattr(e, "sources", None) or ()),
        recurs=getattr(e, "recurs", "") or "",
        impact=Impact(**values),
        summary=getattr(e, "summary", "") or "",
        timeline=timeline,
    )
