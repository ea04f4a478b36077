"""From an article's text to draft events.

The path: `text.read` makes the text inert and cuts it into sentences, marking navigation,
adverts and related-article lists; lexicon phrases are matched per sentence, each category on
first use; each content sentence with a kind cue becomes a candidate when a platform is named in it, next to
it or in the headline (a duty change needs none), and — outside the headline — when it also
gives a date, a status word or a number. Candidates of the article's main kind (the headline's)
about the same platforms merge into one draft; a candidate of another kind survives only with a
date or a number of its own sentence. Deadlines ("export by...") anywhere in the article go to
the nearest draft.
"""

from __future__ import annotations

import itertools
import re
from collections import Counter
from datetime import UTC, datetime, timedelta

from riskmon.core.model import ANY, DEFAULT_PROBABILITY, STATUS_RANK, Deadline, Impact
from riskmon.core.news.candidates import (
    _article_regions,
    _Candidate,
    _candidate,
    _clause,
    _Context,
    _ids,
    _is_deadline,
    _kind_of,
)
from riskmon.core.news.dates import DateHit
from riskmon.core.news.draft import TITLE_MAX, Draft, Evidence, unique_ids
from riskmon.core.news.kinds import LATER, compatible
from riskmon.core.news.lexicon import Lexicon, Phrase
from riskmon.core.news.text import Document, Sentence, cjk_count, clean, read, weight
from riskmon.core.record import replace

_LATIN_WORD = re.compile(r"[A-Za-z]+")
_FULL_STOPS = ("。", ".")
_CLOSERS = "\"'”’」』)）]】 "
_JOIN = re.compile(r"\s*(?:and|or|&|和|及|与|以及|、|,|，|/)\s*$")


def extract(
    text: str,
    *,
    published: datetime | None = None,
    url: str | None = None,
    lang: str | None = None,
    lexicon: Lexicon,
) -> list[Draft]:
    """Draft events from an article (title on the first line, then the body). `published` (the
    article's date) resolves dates without a year and relative ones; `lang` ("zh" or "en",
    detected when None) decides the zone of a bare time of day. Never raises on any text."""
    pub = _aware(published)
    doc = read(str(text), lexicon)
    if not doc.sentences:
        return []
    chinese = lang == "zh" or (lang != "en" and _mostly_chinese(doc.norm))
    for s in doc.sentences:
        s.hits = _Hits(s, doc, lexicon)
    ctx = _Context(doc, lexicon, pub, chinese, _headline(doc), _year_hint(doc.norm))
    found = []
    for s in doc.sentences:
        if s.content and (s.prose or s.headline):
            cand = _candidate(ctx, s)
            if cand is not None:
                found.append(cand)
    if not found:
        return []
    groups = _groups(ctx, _main_story(ctx, found))
    drafts = [_draft(ctx, g, clean(url) if url else None) for g in groups]
    return unique_ids(_with_deadlines(ctx, drafts, groups))


def _aware(when: datetime | None) -> datetime | None:
    """The publication date, aware (naive means UTC); one outside 1900-2200 is no date at all
    (it is a mistake, and date arithmetic near year 1 or 9999 would overflow)."""
    if when is None or not 1900 <= when.year <= 2200:
        return None
    return when.replace(tzinfo=UTC) if when.tzinfo is None else when


def _mostly_chinese(text: str) -> bool:
    head = text[:5000]
    cjk = cjk_count(head)
    return cjk > 0 and cjk * 2 >= len(_LATIN_WORD.findall(head))


# ---------------------------------------------------------------------------------------------
# Matching the lexicon


class _Hits(dict[str, list[Phrase]]):
    """A sentence's lexicon phrases by category (offsets in the sentence), each category found on
    first use: most categories matter only in the few sentences a draft is read from."""

    def __init__(self, s: Sentence, doc: Document, lexicon: Lexicon) -> None:
        super().__init__()
        self._s, self._doc, self._lexicon = s, doc, lexicon

    def __missing__(self, category: str) -> list[Phrase]:
        s, lexicon = self._s, self._lexicon
        found = getattr(lexicon.matchers, category).find(s.text, s.lower)
        if category == "regions" and found:
            found = _markets(self._doc.lower, s.start, found, lexicon)
        if category in ("regions", "kinds") and found and self["platforms"]:
            platforms = self["platforms"]  # "TikTok Shop" is a platform, not a shop to close
            found = [p for p in found if not _inside_any(p, platforms)]
        self[category] = found
        return found


def _inside_any(p: Phrase, others: list[Phrase]) -> bool:
    return any(p.start < o.end and o.start < p.end for o in others)


def _markets(lower: str, at: int, regions: list[Phrase], lexicon: Lexicon) -> list[Phrase]:
    """The regions named as markets: origins dropped, and with them the regions listed together
    with one ("来自中国内地和香港", "from China and Hong Kong", "中国和香港卖家"). `lower` is the
    article, `at` where the sentence starts in it."""
    origin = [_origin(lower, at, p, lexicon) for p in regions]
    joined = [bool(_JOIN.match(lower[at + a.end : at + b.start])) for a, b in itertools.pairwise(regions)]
    for i in range(1, len(regions)):
        origin[i] = origin[i] or (origin[i - 1] and joined[i - 1])
    for i in range(len(regions) - 2, -1, -1):
        origin[i] = origin[i] or (origin[i + 1] and joined[i])
    return [p for p, o in zip(regions, origin, strict=True) if not o]


def _origin(lower: str, at: int, p: Phrase, lexicon: Lexicon) -> bool:
    """A region named as where sellers or goods come from (`中国卖家`, "from China"), not as
    where the change happens."""
    start, end = at + p.start, at + p.end
    before = lower[max(0, start - 8) : start].rstrip()
    after = lower[end : end + 12].lstrip(" -")
    return before.endswith(lexicon.folded.origin_before) or after.startswith(lexicon.folded.origin_after)


def _headline(doc: Document) -> Sentence | None:
    """The title: among the content lines near the top that do not end like a sentence (a title
    has no full stop), before the body starts, the last that names a kind (a "trending" bar comes
    above the title, a byline below it), else the first that reads like a title (eight CJK
    characters or four words). Its line's sentences are all marked as headline."""
    named: Sentence | None = None
    plain: Sentence | None = None
    for s in doc.sentences:
        if s.line > 20:
            break
        if not s.content:
            continue
        if s.text.rstrip(_CLOSERS)[-1:] in _FULL_STOPS or weight(s.text) > 200:
            break  # the body has started
        if s.hits["kinds"]:
            if named is None or s.line != named.line:
                named = s
        elif plain is None and (cjk_count(s.text) >= 8 or len(_LATIN_WORD.findall(s.text)) >= 4):
            plain = s
    found = named or plain
    if found is not None:
        for other in doc.sentences:
            if other.line == found.line and other.content:
                other.headline = True
    return found


def _year_hint(text: str) -> int | None:
    years = Counter(int(y) for y in re.findall(r"(?<!\d)((?:19|20)\d\d)\s*(?:年|[-/.]\d{1,2}[-/.]\d|\b)", text))
    return years.most_common(1)[0][0] if years else None


# ---------------------------------------------------------------------------------------------
# From candidates to drafts


def _main_story(ctx: _Context, found: list[_Candidate]) -> list[_Candidate]:
    """The article's story: candidates of its kind (the headline's, else the surest one's) about
    its platforms (the headline's, else that candidate's) — a compatible kind about them is the
    same story in other words ("to close its shops", "will stop selling"). Any other candidate
    (another kind, another platform: "last year Amazon cut its fees too") must stand alone."""
    head = [c for c in found if c.anchor.headline]
    lead = head[0] if head else max(found, key=lambda c: c.confidence)
    story = set(_ids(ctx.headline.hits["platforms"])) if ctx.headline is not None else set()
    story = story or set(lead.platforms)
    out = []
    for c in found:
        about = bool(story & set(c.platforms)) or ANY in c.platforms
        if c.kind != lead.kind and compatible(c.kind, lead.kind) and about:
            c.kind = lead.kind
        if (c.kind == lead.kind and about) or _stands_alone(c):
            out.append(c)
    return out


def _stands_alone(c: _Candidate) -> bool:
    own = c.anchor
    if c.sources.get("platforms") is not own:
        return False
    exact_date = c.effective is not None and c.sources.get("effective") is own and c.effective.precision != "approx"
    number = not c.impact.is_empty and c.sources.get("impact") is own
    return exact_date or number


def _groups(ctx: _Context, found: list[_Candidate]) -> list[list[_Candidate]]:
    """Candidates about the same change: same kind, a platform in common, and regions that do
    not contradict each other when both sentences name one."""
    groups: list[list[_Candidate]] = []
    by_kind: dict[str, list[list[_Candidate]]] = {}  # only candidates of one kind can be one change
    for c in found:
        same_kind = by_kind.setdefault(c.kind, [])
        for g in same_kind:
            if any(_same_change(c, other) for other in g):
                g.append(c)
                break
        else:
            groups.append([c])
            same_kind.append(groups[-1])
    return groups


def _same_change(a: _Candidate, b: _Candidate) -> bool:
    if a.kind != b.kind or (not set(a.platforms) & set(b.platforms) and ANY not in (*a.platforms, *b.platforms)):
        return False
    ra, rb = a.regions, b.regions
    if ra is None or rb is None or ANY in ra or ANY in rb:
        return True
    return bool(set(ra) & set(rb))


def _draft(ctx: _Context, group: list[_Candidate], url: str | None) -> Draft:
    lead = max(group, key=lambda c: (c.confidence, -c.anchor.index))
    ordered = [lead, *(c for c in group if c is not lead)]
    evidence = {"kind": _evidence(ctx.doc, lead.anchor)}
    platforms = lead.platforms
    evidence["platforms"] = _evidence(ctx.doc, lead.sources["platforms"])
    eff, end = _span(ctx, ordered, evidence)
    with_regions = next((c for c in ordered if c.regions is not None), None)
    if with_regions is not None:
        regions = with_regions.regions or (ANY,)
        if "regions" in with_regions.sources:
            evidence["regions"] = _evidence(ctx.doc, with_regions.sources["regions"])
    else:
        regions = _article_regions(ctx.doc)
    with_impact = next((c for c in ordered if not c.impact.is_empty), None)
    if with_impact is not None:
        evidence["impact"] = _evidence(ctx.doc, with_impact.sources["impact"])
    status, status_from = _group_status(ordered)
    evidence["status"] = _evidence(ctx.doc, status_from.sources.get("status", status_from.anchor))
    bonus = 0.05 * min(2, len(group) - 1)
    title = _title(ctx, lead)
    return Draft(
        id="",
        kind=lead.kind,
        platforms=platforms,
        regions=regions,
        effective=eff.when if eff else None,
        status=status,
        probability=DEFAULT_PROBABILITY[status],
        confidence=round(min(0.99, lead.confidence + bonus), 2),
        evidence=evidence,
        title=title,
        summary=_summary(ctx, lead, title),
        ends=end.when if end else None,
        impact=with_impact.impact if with_impact else Impact(),
        routes=next((c.routes for c in ordered if c.routes), None),
        published=ctx.published,
        sources=(url,) if url else (),
        precision=eff.precision if eff else "none",
        effective_offset=eff.offset if eff else None,
        ends_offset=end.offset if end else None,
    )


def _span(
    ctx: _Context, ordered: list[_Candidate], evidence: dict[str, Evidence]
) -> tuple[DateHit | None, DateHit | None]:
    """The draft's start (the dated candidate's) and end (the first end after that start, the dated
    candidate's own first), each with its evidence added to `evidence`."""
    dated = _dated(ordered)
    eff = dated.effective if dated else None
    end = None
    if dated is not None and eff is not None:
        evidence["effective"] = _evidence(ctx.doc, dated.sources["effective"])
        start = eff.when
        ender = next((c for c in (dated, *ordered) if c.ends is not None and c.ends.when > start), None)
        if ender is not None:
            end = ender.ends
            evidence["ends"] = _evidence(ctx.doc, ender.sources["ends"])
    return eff, end


def _dated(ordered: list[_Candidate]) -> _Candidate | None:
    """The candidate whose date the draft takes: the surest one that dates itself (else the
    surest dated at all), or a more exact statement of the same day elsewhere (the headline's
    "Oct. 4", the body's "Oct. 4 at 5 p.m. WIB"; "July 1" and "July 1, 2024": a year the article
    gives beats one guessed)."""
    dated = [(c, c.effective) for c in ordered if c.effective is not None]
    if not dated:
        return None
    own = [(c, h) for c, h in dated if c.sources.get("effective") is c.anchor]
    first = (own or dated)[0][1]

    def same(h: DateHit) -> bool:
        if abs(h.when - first.when) <= timedelta(days=1):
            return True
        guessed = not first.explicit_year and h.explicit_year
        return guessed and (h.when.month, h.when.day) == (first.when.month, first.when.day)

    alike = [(c, h) for c, h in dated if same(h)]
    return max(alike, key=lambda ch: (ch[1].exactness, ch[1].explicit_year))[0]


def _group_status(ordered: list[_Candidate]) -> tuple[str, _Candidate]:
    """A later development (paused, resolved, cancelled) said firmly wins; else the most
    advanced status any sentence gives."""
    later = [c for c in ordered if c.status in LATER and c.status_cue]
    if later:
        return later[0].status, later[0]
    best = max(ordered, key=lambda c: (STATUS_RANK[c.status], c.status_cue))
    return best.status, best


def _evidence(doc: Document, s: Sentence) -> Evidence:
    return Evidence(doc.evidence_text(s), s.start, s.end)


def _title(ctx: _Context, c: _Candidate) -> str:
    """The headline when it is about this draft (its kind or a platform), else the cue's sentence."""
    head = ctx.headline
    use = c.anchor
    if head is not None:
        head_kind = _kind_of(ctx, head)
        if (head_kind is not None and head_kind[0] == c.kind) or set(_ids(head.hits["platforms"])) & set(c.platforms):
            use = head
    if use is head:  # a title line is the whole line, not only its first clause
        line = [s for s in ctx.doc.sentences if s.line == use.line and s.content]
        return _shorten(" ".join(ctx.doc.evidence_text(s) for s in line))
    return _shorten(ctx.doc.evidence_text(use))


def _summary(ctx: _Context, c: _Candidate, title: str) -> str:
    text = ctx.doc.evidence_text(c.anchor)
    return "" if text == title else text


def _shorten(text: str) -> str:
    if len(text) <= TITLE_MAX:
        return text
    cut = text[: TITLE_MAX - 1]
    space = cut.rfind(" ")
    return (cut[:space] if space > TITLE_MAX // 2 else cut).rstrip(" ,，;；:：") + "…"


def _with_deadlines(ctx: _Context, drafts: list[Draft], groups: list[list[_Candidate]]) -> list[Draft]:
    """Export-by and similar deadlines anywhere in the article, each to the draft whose
    sentences are nearest."""
    if not drafts:
        return drafts
    found: list[list[tuple[Deadline, Sentence]]] = [[] for _ in drafts]
    seen: set[tuple[datetime, int]] = set()
    for s in ctx.doc.sentences:
        if not s.content or not s.hits["deadline_actions"]:
            continue
        for h in ctx.dates_of(s):
            if not _is_deadline(ctx, s, h):
                continue
            nearest = min(range(len(groups)), key=lambda i: min(abs(c.anchor.index - s.index) for c in groups[i]))
            if (h.when, nearest) in seen:
                continue
            seen.add((h.when, nearest))
            found[nearest].append((Deadline(h.when, _deadline_text(ctx.doc, s, h)), s))
    out = []
    for d, deadlines in zip(drafts, found, strict=True):
        if deadlines:
            evidence = dict(d.evidence)
            evidence["deadlines"] = _evidence(ctx.doc, deadlines[0][1])
            d = replace(d, deadlines=tuple(sorted((x for x, _ in deadlines), key=lambda x: x.date)), evidence=evidence)
        out.append(d)
    return out


def _deadline_text(doc: Document, s: Sentence, h: DateHit) -> str:
    lo, hi = _clause(s.text, h.start, h.end)
    clause = clean(doc.original[s.start + lo : s.start + hi])
    if len(clause) < 6:
        clause = doc.evidence_text(s)
    return _shorten(clause) or "Deadline"
