"""Article text for the extractor: made inert, normalised, cut into lines and sentences.

Every step keeps the text's length, so an offset found in the normalised text is an offset in
the caller's original text and a UI can highlight exactly what was read: escape sequences,
control characters, HTML tags and entities become spaces (a block tag becomes a line break),
full-width ASCII becomes ASCII. Sentences end at 。！？；, at a line break, and at . ! ? followed by
a space or CJK, except after abbreviations such as "Jan." or "U.S.". A line that is navigation,
an advert, a cookie banner, or part of a "related articles" list carries no drafts.
"""

from __future__ import annotations

import html
import re
from collections import Counter

from riskmon.core.news.lexicon import Lexicon, Phrase
from riskmon.core.record import field, record

MAX_CHARS = 200_000
"""Only this much of an article is read: no article is longer, and the work stays bounded."""
MAX_SENTENCE = 400
"""A longer run without a sentence end (a table, a blob) is cut into pieces of at most this."""

_ANSI = (
    r"\x1b\[[0-?]*[ -/]*[@-~]"  # CSI
    r"|\x1b\][^\x07\x1b]{0,4096}(?:\x07|\x1b\\)?"  # OSC ... BEL/ST
    r"|\x1b[PX^_][^\x1b]{0,4096}(?:\x1b\\)?"  # DCS/SOS/PM/APC
    r"|\x1b[@-Z\\-_]"  # two-byte escapes
    r"|\x9b[0-?]*[ -/]*[@-~]"  # 8-bit CSI
)
_BREAKS = "\r\x0b\x0c\x85\u2028\u2029"
# C0/C1 controls but newline, soft hyphen, zero-width and bidi controls, BOM, lone surrogates.
_CONTROLS = "\x00-\x09\x0b-\x1f\x7f-\x9f\u00ad\u200b-\u200f\u202a-\u202e\u2060-\u206f\ufeff\ufff9-\ufffb\ud800-\udfff"
_MASK = re.compile(
    rf"(?P<ansi>{_ANSI})"
    r"|(?P<script><(?:script|style)\b[^>]{0,1000}>[\s\S]{0,100000}?</(?:script|style)\s*>)"
    r"|(?P<tag></?(?P<name>[A-Za-z][A-Za-z0-9]{0,10})\b[^<>]{0,1000}>|<!--[\s\S]{0,10000}?-->)"
    r"|(?P<entity>&(?:#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{1,10});)"
    rf"|(?P<control>[{_CONTROLS}{_BREAKS}\U000e0000-\U000e007f]+)"
)
_BLOCK_TAG = re.compile(
    r"(?:p|br|div|li|ul|ol|tr|td|th|table|section|article|header|footer|nav|aside|blockquote|title"
    r"|h[1-6]|dt|dd|hr|figure|figcaption|pre)"
)
_FULLWIDTH = {0xFF01 + i: 0x21 + i for i in range(94)} | {0x3000: 0x20}
_SPACES = re.compile(r"\s+")
_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_ABBREVIATIONS = re.compile(
    r"(?:jan|feb|mar|apr|jun|jul|aug|sept?|oct|nov|dec|mrs?|ms|dr|st|inc|ltd|co|corp|vs|no|gov|sen|rep"
    r"|jr|sr|gen|lt|col|fig|approx|est|dept|univ)"
)
_SPLIT = re.compile(r"[。!?;]+|\.(?=[\s\"'”’)\]\u3000-\u9fff]|$)")
_CLOSERS = "\"'”’」』)）]】"
_NAV_SEPARATORS = re.compile(r"\s*(?:[|｜丨·•›»>/]|\t| {2,}| - )\s*")
_BULLET = re.compile(r"^[\s\-*•·#>【\[(（]*")
_TERMINAL = "。!?.;…"


def clean(text: str) -> str:
    """`text` made inert for a terminal or a web page and put on one line: escape sequences and
    control characters removed, markup tags and scripts replaced by a space, entities decoded,
    whitespace collapsed. What evidence, titles and sources show."""
    return _SPACES.sub(" ", _MASK.sub(_cleaned, str(text))).strip()


def _cleaned(m: re.Match[str]) -> str:
    kind = m.lastgroup
    if kind in ("tag", "script"):
        return " "
    if kind == "entity":
        return _masked(m).rstrip(" ")
    if kind == "control":
        return " " if any(c in _BREAKS for c in m.group()) else ""
    return ""


def mask(text: str) -> str:
    """The same text, same length, with escapes, controls and tags as spaces (a block tag or a
    line-break character as a newline) and entities decoded and padded."""
    return _MASK.sub(_masked, text)


def _masked(m: re.Match[str]) -> str:
    s = m.group()
    kind = m.lastgroup
    if kind == "tag":
        name = (m.group("name") or "").lower()
        return ("\n" + " " * (len(s) - 1)) if _BLOCK_TAG.fullmatch(name) else " " * len(s)
    if kind == "entity":
        ch = html.unescape(s)
        if len(ch) == 1 and not re.match(f"[{_CONTROLS}{_BREAKS}\n]", ch):
            return ch + " " * (len(s) - 1)
        return " " * len(s)
    if kind == "control":
        return "".join("\n" if c in _BREAKS else " " for c in s)
    return " " * len(s)


def lower_same_length(text: str) -> str:
    """`text.lower()`, but one character for one, so offsets stay valid ("İ" lowers to two)."""
    low = text.lower()
    if len(low) == len(text):
        return low
    return "".join(c if len(c.lower()) != 1 else c.lower() for c in text)


def weight(text: str) -> int:
    """Reading length: a CJK character counts two, like the width of a word's letters."""
    return len(text) + len(_CJK.findall(text))


def cjk_count(text: str) -> int:
    return len(_CJK.findall(text))


@record(frozen=False, slots=True)
class Sentence:
    index: int
    start: int
    """Offset in the article of the first character (after leading spaces)."""
    end: int
    line: int
    text: str
    """The normalised text: full-width ASCII as ASCII, escapes and tags as spaces."""
    lower: str
    content: bool = True
    """False for navigation, adverts, banners, related-article lists and repeated lines."""
    prose: bool = False
    """Ends like a sentence, or is long enough to be one: an article's body, not a menu item."""
    headline: bool = False
    hits: dict[str, list[Phrase]] = field(default_factory=dict)
    """Lexicon phrases in the sentence by category, offsets relative to `start`."""


@record(frozen=False, slots=True)
class Document:
    original: str
    masked: str
    norm: str
    lower: str
    sentences: list[Sentence]
    shown: dict[int, str] = field(default_factory=dict)

    def evidence_text(self, s: Sentence) -> str:
        """The sentence as evidence shows it: `clean` of the original text."""
        text = self.shown.get(s.index)
        if text is None:
            text = self.shown[s.index] = clean(self.original[s.start : s.end])
        return text


def read(text: str, lexicon: Lexicon) -> Document:
    """Mask, normalise and segment an article, and mark what is not content."""
    original = text[:MAX_CHARS]
    masked = mask(original)
    norm = masked.translate(_FULLWIDTH)
    lower = lower_same_length(norm)
    sentences: list[Sentence] = []
    related = False
    pos = 0
    for line_no, line in enumerate(norm.split("\n")):
        line_start = pos
        pos += len(line) + 1
        kind = _line_kind(line, lower[line_start : line_start + len(line)], lexicon)
        if kind == "marker":
            related = True
            continue
        pieces = list(_split(line, line_start))
        if related and any(_is_body(t) for _, _, t in pieces):
            related = False  # body text again after a "related articles" list
        for start, end, t in pieces:
            content = kind == "text" and not related
            s = Sentence(len(sentences), start, end, line_no, t, lower[start:end], content, _is_prose(t))
            sentences.append(s)
    _drop_repeats(sentences)
    return Document(original, masked, norm, lower, sentences)


def _line_kind(line: str, low: str, lexicon: Lexicon) -> str:
    """ "text", "skip" (advert, banner, navigation) or "marker" (a related-articles heading: the
    short lines after it are skipped too)."""
    stripped = low.strip()
    if not stripped:
        return "skip"
    noise = lexicon.folded
    bare = _BULLET.sub("", stripped).rstrip(" :：]】)）")
    if noise.section_marker.match(bare):
        return "marker"
    if noise.line_prefix.match(bare) or noise.line_contains.search(stripped):
        return "skip"
    parts = [p for p in _NAV_SEPARATORS.split(line.strip()) if p]
    if len(parts) >= 3 and sum(weight(p) for p in parts) / len(parts) <= 16 and line.strip()[-1] not in _TERMINAL:
        return "skip"
    return "text"


def _split(line: str, offset: int) -> list[tuple[int, int, str]]:
    """Sentences of one line as (start, end, text), offsets in the article."""
    out: list[tuple[int, int, str]] = []
    begin = 0
    for m in _SPLIT.finditer(line):
        if m.group() == "." and _abbreviation(line, m.start()):
            continue
        end = m.end()
        while end < len(line) and line[end] in _CLOSERS:
            end += 1
        _emit(line, begin, end, offset, out)
        begin = end
    _emit(line, begin, len(line), offset, out)
    return out


def _abbreviation(line: str, dot: int) -> bool:
    m = re.search(r"([A-Za-z][A-Za-z.]{0,11})$", line[max(0, dot - 12) : dot])
    if m is None:
        return False
    token = m.group(1).lower()
    return len(token) == 1 or "." in token or _ABBREVIATIONS.fullmatch(token) is not None


def _emit(line: str, begin: int, end: int, offset: int, out: list[tuple[int, int, str]]) -> None:
    while begin < end:
        chunk_end = min(end, begin + MAX_SENTENCE)
        if chunk_end < end:  # cut a very long run at its last comma or space
            cut = max(line.rfind(c, begin + MAX_SENTENCE // 2, chunk_end) for c in "，,、 ")
            chunk_end = cut + 1 if cut > begin else chunk_end
        piece = line[begin:chunk_end]
        lead = len(piece) - len(piece.lstrip())
        text = piece.strip()
        if text:
            start = offset + begin + lead
            out.append((start, start + len(text), text))
        begin = chunk_end


def _is_prose(text: str) -> bool:
    t = text.rstrip(_CLOSERS + " ")
    return bool(t) and (t[-1] in _TERMINAL or weight(t) >= 60)


def _is_body(text: str) -> bool:
    """Long prose: where an article's body resumes after a list of links."""
    return _is_prose(text) and weight(text) >= 80


def _drop_repeats(sentences: list[Sentence]) -> None:
    """A line seen three times or more is boilerplate (menus, footers); a second copy of a line
    (a headline repeated as the page title) is read once."""
    keys = [_SPACES.sub("", s.lower) for s in sentences]
    counts = Counter(keys)
    seen: set[str] = set()
    for s, key in zip(sentences, keys, strict=True):
        if counts[key] >= 3 or key in seen:
            s.content = False
        seen.add(key)
