"""Candidates: one per content sentence with a kind cue, with what its sentence and the ones around it
say: the platforms, regions, dates, status, impact numbers and how sure the reading is.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from datetime import datetime, timedelta

from riskmon.core.model import ANY, Impact
from riskmon.core.news.dates import DateHit, find_dates, range_between
from riskmon.core.news.lexicon import Lexicon, Phrase, TimeZoneEntry
from riskmon.core.news.numbers import _numbers
from riskmon.core.news.text import Document, Sentence
from riskmon.core.record import field, record

DEFAULT_STATUS = "announced"
NEGATED = ("rumored", 1.05)
ENDINGS = ("resolved", "cancelled")
"""A status word inside a kind cue counts only when it ends the change (`恢复运营`, "reopened")."""
IN_EFFECT_GRACE = timedelta(days=1)

_CLAUSE = re.compile(r"[，,;；:：。!?]")
_CLOCK = re.compile(r"\d\s*(?:[:点时]|[apAP]\.?\s?[mM]\b)|noon|midnight", re.I)


# ---------------------------------------------------------------------------------------------
# Candidates: one per sentence with a kind cue


@record(frozen=False, slots=True)
class _Context:
    doc: Document
    lexicon: Lexicon
    published: datetime | None
    chinese: bool
    headline: Sentence | None
    year_hint: int | None
    dates: dict[int, list[DateHit]] = field(default_factory=dict)
    near: dict[int, list[Sentence]] = field(default_factory=dict)

    def dates_of(self, s: Sentence) -> list[DateHit]:
        found = self.dates.get(s.index)
        if found is None:
            clock = _CLOCK.search(s.text) is not None  # zones matter only next to a time of day
            found = self.dates[s.index] = find_dates(
                s.text,
                published=self.published,
                chinese=self.chinese,
                year_hint=self.year_hint,
                zones=s.hits["timezones"] if clock else (),
                local=self._local_zone(s) if clock else None,
            )
        return found

    def _local_zone(self, s: Sentence) -> TimeZoneEntry | None:
        """The zone of "local time" when the sentence (or the headline) names one region."""
        codes = {c for p in s.hits["regions"] for c in p.value}
        if self.headline is not None:
            codes |= {c for p in self.headline.hits["regions"] for c in p.value}
        if len(codes) != 1:
            return None
        return self.lexicon.local_zones.get(codes.pop())

    def neighbours(self, s: Sentence) -> list[Sentence]:
        """The content sentences just before and after `s`, then the headline."""
        found = self.near.get(s.index)
        if found is None:
            found = self.near[s.index] = self._neighbours(s)
        return found

    def _neighbours(self, s: Sentence) -> list[Sentence]:
        """Only prose: a byline or a dateline ("By Staff | September 28") lends no date."""
        out = []
        sentences = self.doc.sentences
        for step in (-1, 1):
            i = s.index + step
            while 0 <= i < len(sentences) and not sentences[i].content:
                i += step
            if 0 <= i < len(sentences) and abs(sentences[i].line - s.line) <= 2 and sentences[i].prose:
                out.append(sentences[i])
        if self.headline is not None and self.headline is not s and self.headline not in out:
            out.append(self.headline)
        return out


@record(frozen=False, slots=True)
class _Candidate:
    anchor: Sentence
    kind: str
    cue: Phrase
    platforms: tuple[str, ...]
    sources: dict[str, Sentence]
    """Field -> the sentence it came from."""
    regions: tuple[str, ...] | None = None
    effective: DateHit | None = None
    ends: DateHit | None = None
    status: str = DEFAULT_STATUS
    status_cue: bool = False
    impact: Impact = field(default_factory=Impact)
    routes: tuple[str, ...] | None = None
    confidence: float = 0.0


def _kind_of(ctx: _Context, s: Sentence) -> tuple[str, Phrase] | None:
    """The sentence's kind: its cues, each turned by context words (`关闭` near `店铺` is a shop
    closure), the highest priority winning, the first on a tie."""
    cues = s.hits["kinds"]
    if not cues:
        return None
    turns: dict[str, str] = {}
    for p in s.hits["contexts"]:
        for source, target in p.value:
            turns.setdefault(source, target)
    best: tuple[int, str, Phrase] | None = None
    for p in cues:
        kind = turns.get(p.value, p.value)
        prio = ctx.lexicon.priority.get(kind, 0)
        if best is None or prio > best[0]:
            best = (prio, kind, p)
    assert best is not None
    return best[1], best[2]


def _candidate(ctx: _Context, s: Sentence) -> _Candidate | None:
    found = _kind_of(ctx, s)
    if found is None:
        return None
    kind, cue = found
    platforms, from_sentence = _platforms(ctx, s, cue, kind)
    if not platforms:
        return None
    c = _Candidate(s, kind, cue, platforms, {"kind": s, "platforms": from_sentence})
    _dates(ctx, c)
    _regions(ctx, c)
    _status(ctx, c)
    _impact(ctx, c)
    has_own_date = c.effective is not None and c.sources.get("effective") is s
    if not s.headline and not (has_own_date or c.status_cue or not c.impact.is_empty):
        return None  # a bare mention in the body: "a ban would hurt", a menu item, an advert
    c.confidence = _confidence(ctx, c)
    return c


def _platforms(ctx: _Context, s: Sentence, cue: Phrase, kind: str) -> tuple[tuple[str, ...], Sentence]:
    own = _ids(s.hits["platforms"])
    if own:
        head = ctx.headline
        if head is not None and head is not s:
            story = set(_ids(head.hits["platforms"]))
            if story & set(own):
                own = tuple(p for p in own if p in story)  # the story's platforms, not bystanders
        before = _ids([p for p in s.hits["platforms"] if p.start < cue.start and p.value in own])
        return before or own, s
    if kind == "duty_change":
        return (ANY,), s
    for other in ctx.neighbours(s):
        named = _ids(other.hits["platforms"])
        if named:
            return named, other
    return (), s


def _ids(phrases: list[Phrase]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(p.value for p in phrases))


def _regions(ctx: _Context, c: _Candidate) -> None:
    for s in (c.anchor, *ctx.neighbours(c.anchor)):
        codes = _codes(s.hits["regions"])
        if codes:
            c.regions = codes
            c.sources["regions"] = s
            return
    home = [ctx.lexicon.platform_regions.get(p, ()) for p in c.platforms]
    if home and all(home):
        c.regions = _codes_of(code for codes in home for code in codes)


def _codes(phrases: list[Phrase]) -> tuple[str, ...]:
    return _codes_of(code for p in phrases for code in p.value)


def _codes_of(codes: Iterable[str]) -> tuple[str, ...]:
    out = tuple(dict.fromkeys(codes))
    return (ANY,) if ANY in out else out


def _article_regions(doc: Document) -> tuple[str, ...]:
    """The regions an article names most often: the fallback when no sentence near a cue names one."""
    counts: Counter[str] = Counter()
    for s in doc.sentences:
        if s.content:
            for p in s.hits["regions"]:
                counts.update(set(p.value))
    if not counts:
        return (ANY,)
    top = max(counts.values())
    return _codes_of(sorted(code for code, n in counts.items() if n == top))


def _dates(ctx: _Context, c: _Candidate) -> None:
    """The effective date and end: from the cue's own sentence, else the headline, else a
    neighbour. Dates marked as deadlines (`须在...前导出`) are left for `_with_deadlines`."""
    for s in (c.anchor, *ctx.neighbours(c.anchor)):
        hits = [h for h in ctx.dates_of(s) if not _is_deadline(ctx, s, h)]
        starts = [h for h in hits if not h.until]
        if not starts:
            continue
        if s is c.anchor:
            effective = min(starts, key=lambda h: (not h.since, _distance(h, c.cue)))
        else:
            effective = next((h for h in starts if h.since), starts[0])
        c.effective = effective
        c.sources["effective"] = s
        later = [h for h in hits if h.start >= effective.end and h.when > effective.when]
        ends = next((h for h in later if h.until or range_between(s.text, effective, h)), None)
        if ends is not None:
            c.ends = ends
            c.sources["ends"] = s
        return


def _distance(h: DateHit, cue: Phrase) -> int:
    return min(abs(h.start - cue.end), abs(cue.start - h.end))


def _is_deadline(ctx: _Context, s: Sentence, h: DateHit) -> bool:
    """A date marked as a limit (`前`, "by") in a clause with an action (`导出`, "export")."""
    if not h.before:
        return False
    lo, hi = _clause(s.text, h.start, h.end)
    return any(lo <= p.start and p.end <= hi for p in s.hits["deadline_actions"])


def _clause(text: str, start: int, end: int) -> tuple[int, int]:
    lo = max((m.end() for m in _CLAUSE.finditer(text, 0, start)), default=0)
    m = _CLAUSE.search(text, end)
    return lo, m.start() if m else len(text)


def _status(ctx: _Context, c: _Candidate) -> None:
    """The heaviest status word of the cue's sentence, else of the headline, else of a
    neighbour; "in effect" about a date still ahead means the next heaviest (or announced)."""
    for s in (c.anchor, *ctx.neighbours(c.anchor)):
        kind = _kind_of(ctx, s)
        ranked = _statuses(s, ctx.dates_of(s), kind[1] if kind else None)
        if not ranked:
            continue
        c.status_cue = True
        c.sources["status"] = s
        status = ranked[0][0]
        if status == "in_effect" and _ahead(ctx, c):
            status = next((st for st, _ in ranked if st != "in_effect"), DEFAULT_STATUS)
        c.status = status
        return
    c.sources["status"] = c.anchor


def _ahead(ctx: _Context, c: _Candidate) -> bool:
    return ctx.published is not None and c.effective is not None and c.effective.when > ctx.published + IN_EFFECT_GRACE


def _statuses(s: Sentence, dates: list[DateHit], cue: Phrase | None) -> list[tuple[str, float]]:
    """The sentence's status words as (status, weight), heaviest first; a negated one ("has not
    confirmed", `尚未宣布`) counts as a rumour; a word inside a date ("May 2") or inside the
    sentence's kind cue (`暂停` in `暂停交易`, "will" in "will end") is none."""
    negators = s.hits["negators"]
    out = []
    for p in s.hits["statuses"]:
        if any(p.start < h.end and h.start < p.end for h in dates):
            continue
        status, w = p.value
        if cue is not None and cue.start <= p.start and p.end <= cue.end and status not in ENDINGS:
            continue
        if any(p.start - 8 <= n.end <= p.start for n in negators):
            status, w = NEGATED
        out.append((status, w))
    out.sort(key=lambda sw: -sw[1])
    return out


def _impact(ctx: _Context, c: _Candidate) -> None:
    for s in (c.anchor, *ctx.neighbours(c.anchor)):
        impact = _numbers(c.kind, s)
        if impact is not None:
            c.impact = impact
            c.sources["impact"] = s
            break
    if c.kind == "duty_change":
        near = (c.anchor, *ctx.neighbours(c.anchor))
        if any(s.hits["parcel"] for s in near):
            c.routes = ("parcel",)


def _confidence(ctx: _Context, c: _Candidate) -> float:
    """0.3 for the kind cue; platform +0.2 in the same sentence (+0.1 nearby); date +0.2 (+0.1);
    region +0.1 (+0.05); a status word +0.1; the headline names the kind +0.1; a rumour x0.8."""
    s = c.anchor
    score = 0.3
    score += _near(c, "platforms", 0.2, 0.1) if c.platforms != (ANY,) else 0.1
    score += _near(c, "effective", 0.2, 0.1)
    score += _near(c, "regions", 0.1, 0.05)
    score += 0.1 if c.status_cue else 0.0
    head = ctx.headline
    if head is not None and (head is s or any(p.value == c.cue.value for p in head.hits["kinds"])):
        score += 0.1
    if c.status == "rumored":
        score *= 0.8
    return round(max(0.05, min(0.99, score)), 2)


def _near(c: _Candidate, name: str, same: float, nearby: float) -> float:
    source = c.sources.get(name)
    if source is None or (name == "effective" and c.effective is None):
        return 0.0
    return same if source is c.anchor else nearby
