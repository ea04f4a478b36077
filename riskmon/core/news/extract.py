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
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta

from riskmon.core.model import ANY, DEFAULT_PROBABILITY, STATUS_RANK, Deadline, Impact
from riskmon.core.news.dates import DateHit, find_dates, range_between
from riskmon.core.news.draft import TITLE_MAX, Draft, Evidence, unique_ids
from riskmon.core.news.kinds import LATER, compatible
from riskmon.core.news.lexicon import Lexicon, Phrase, TimeZoneEntry
from riskmon.core.news.text import Document, Sentence, cjk_count, clean, read, weight

DEFAULT_STATUS = "announced"
NEGATED = ("rumored", 1.05)
ENDINGS = ("resolved", "cancelled")
"""A status word inside a kind cue counts only when it ends the change (`恢复运营`, "reopened")."""
IN_EFFECT_GRACE = timedelta(days=1)

_CLAUSE = re.compile(r"[，,;；:：。!?]")
_NUMBER = r"\d+(?:\.\d+)?"
_PCT = re.compile(rf"(?P<n>{_NUMBER})\s*(?:%|个百分点|个点|percentage points?|percent\b|pct\b|points?\b)", re.I)
_FROM_TO_PCT = re.compile(
    rf"(?:从|由|from)[^\d]{{0,8}}?(?P<a>{_NUMBER})\s*(?:%|percent)?[^\d%]{{0,14}}?(?:至|到|为|to)\s*(?P<b>{_NUMBER})\s*(?:%|percent)",
    re.I,
)
_CN_NUM = "零〇一二两三四五六七八九十百"
_LEVEL = re.compile(r"(?:\bto|至|到|为|达)\s*$", re.I)  # "raised to 15%" is a new rate, not +15 points
_DAYS = re.compile(rf"(?P<n>\d+|[{_CN_NUM}]+)\s*(?:个)?(?:工作日|天|(?:business\s+|calendar\s+)?days?\b|-day\b)", re.I)
_FROM_TO_DAYS = re.compile(
    rf"(?:从|由|from)[^\d{_CN_NUM}]{{0,8}}?(?P<a>\d+|[{_CN_NUM}]+)\s*(?:个)?(?:工作日|天|days?)?[^\d]{{0,14}}?(?:至|到|为|to)\s*"
    rf"(?P<b>\d+|[{_CN_NUM}]+)\s*(?:个)?(?:工作日|天|days?)",
    re.I,
)
_CN_DIGITS = dict(zip("零〇一二两三四五六七八九", (0, 0, 1, 2, 2, 3, 4, 5, 6, 7, 8, 9), strict=True))
_LATIN_WORD = re.compile(r"[A-Za-z]+")
_CLOCK = re.compile(r"\d\s*(?:[:点时]|[apAP]\.?\s?[mM]\b)|noon|midnight", re.I)
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
# Candidates: one per sentence with a kind cue


@dataclass(slots=True)
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


@dataclass(slots=True)
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


def _numbers(kind: str, s: Sentence) -> Impact | None:
    if kind == "fee_change":
        delta = _percent_change(s)
        return Impact(fee_delta=round(max(-1.0, min(1.0, delta)), 6)) if delta is not None else None
    if kind == "duty_change":
        duty = _duty(s)
        return Impact(duty_delta=round(duty, 6)) if duty is not None else None
    if kind == "payout_hold":
        days = _hold_days(s)
        return Impact(extra_hold_days=days) if days is not None else None
    return None


def _percent_change(s: Sentence) -> float | None:
    """`佣金从5%上调至8%` → 0.03; `佣金上调2%`, "raise fees by 2 points" → 0.02; a rate with no
    word of change ("a 5% commission") is not a change."""
    m = _FROM_TO_PCT.search(s.text)
    if m is not None:
        return (float(m.group("b")) - float(m.group("a"))) / 100
    for m in _PCT.finditer(s.text):
        sign = _direction(s, m.start())
        if sign and not _LEVEL.search(s.text, max(0, m.start() - 6), m.start()):
            return sign * float(m.group("n")) / 100
    return None


def _direction(s: Sentence, at: int) -> int:
    """+1 or -1 from the nearest word of change within 24 characters before `at`, else 0."""
    near = [p for p in s.hits["direction"] if at - 24 <= p.end <= at]
    return near[-1].value if near else 0


def _duty(s: Sentence) -> float | None:
    m = _FROM_TO_PCT.search(s.text)
    if m is not None:
        return (float(m.group("b")) - float(m.group("a"))) / 100
    rates = [float(m.group("n")) for m in _PCT.finditer(s.text)]
    return min(max(rates), 1000.0) / 100 if rates else None


def _hold_days(s: Sentence) -> float | None:
    """`回款周期从7天延长至14天` → 7; "an extra 30 days" → 30; `冻结15天` → 15."""
    m = _FROM_TO_DAYS.search(s.text)
    if m is not None:
        a, b = _int(m.group("a")), _int(m.group("b"))
        if a is not None and b is not None and b > a:
            return float(min(b - a, 365))
    for m in _DAYS.finditer(s.text):
        n = _int(m.group("n"))
        if n is not None and 0 < n <= 365 and _direction(s, m.start()) >= 0:
            return float(n)
    return None


def _int(text: str) -> int | None:
    """Digits or a small Chinese numeral (`七`, `十五`, `三十`, `一百`)."""
    if text.isdigit():
        return int(text)
    total, current = 0, 0
    for ch in text:
        if ch in _CN_DIGITS:
            current = _CN_DIGITS[ch]
        elif ch == "十":
            total += (current or 1) * 10
            current = 0
        elif ch == "百":
            total += (current or 1) * 100
            current = 0
        else:
            return None
    return total + current


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
