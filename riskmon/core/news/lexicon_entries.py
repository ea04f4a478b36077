"""What a lexicon holds: its entries (platforms, regions, kinds, statuses, time zones, noise), the
phrases found in a text, and the matchers that find them, built once per lexicon.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from riskmon.core.record import field, record

# Which kind wins when one sentence holds cues of several: the most specific change first.
# A lexicon may override any of these with `priority = n` in its [kinds.<kind>] table.
DEFAULT_PRIORITY: dict[str, int] = {
    "link_cutoff": 90,
    "duty_change": 85,
    "fee_change": 80,
    "account_suspension": 78,
    "payout_hold": 75,
    "ban": 65,
    "shop_closure": 60,
    "service_shutdown": 50,
    "season": 10,
}
_WORD = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")
_LOWER_WORD = frozenset("abcdefghijklmnopqrstuvwxyz0123456789")


@record(slots=True)
class PlatformEntry:
    id: str
    aliases: tuple[str, ...]
    regions: tuple[str, ...] = ()
    """Where the platform exists at all (Douyin: CN); used when an article names no region."""


@record(slots=True)
class RegionEntry:
    name: str
    codes: tuple[str, ...]
    aliases: tuple[str, ...]


@record(slots=True)
class KindEntry:
    kind: str
    cues: tuple[str, ...]
    priority: int | None = None
    context: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    """Other kind -> words: in a sentence with one of the words, a cue of this kind means that kind."""


@record(slots=True)
class StatusEntry:
    status: str
    weight: float
    cues: tuple[str, ...]


@record(slots=True)
class TimeZoneEntry:
    name: str
    offset_minutes: int
    aliases: tuple[str, ...]
    dst: str = ""
    """"us" or "eu": one hour later in that daylight-saving period."""
    regions: tuple[str, ...] = ()
    """Regions whose "local time" this is."""


@record(slots=True)
class Noise:
    section_markers: tuple[str, ...] = ()
    line_prefixes: tuple[str, ...] = ()
    line_contains: tuple[str, ...] = ()


@record(slots=True)
class Phrase:
    """One matched phrase: [start, end) in the text and what the lexicon says it means."""

    start: int
    end: int
    value: Any


class PhraseMatcher:
    """Finds lexicon phrases in text, longest first, without overlaps.

    CJK needs no word boundaries, so a phrase matches anywhere; a phrase that starts (ends) with
    an ASCII letter or digit must not have one just before (after) it: a CJK neighbour counts as
    a boundary, so `TikTok外链` holds `TikTok`. Latin phrases also match with a plural `s`/`es`.
    Short all-capital phrases (US, UK, EU, TTS, WIB) match in capitals only, so the pronoun "us"
    is not the United States. The phrases are compiled into one trie-shaped regex per case mode,
    which keeps a scan over a long article to one linear pass.
    """

    def __init__(self, table: Mapping[str, Any]) -> None:
        self._values: dict[str, Any] = {}
        exact: list[str] = []
        folded: list[str] = []
        for phrase, value in table.items():
            if _case_sensitive(phrase):
                self._values[phrase] = value
                exact.append(phrase)
            else:
                self._values[phrase.lower()] = value
                folded.append(phrase.lower())
        self._exact = _compile(exact, "A-Za-z0-9")
        self._folded = _compile(folded, "a-z0-9")

    def find(self, text: str, lower: str) -> list[Phrase]:
        """Non-overlapping phrases in `text` (`lower` is `text` lower-cased, same length)."""
        found: list[tuple[int, int, str]] = []
        if self._folded is not None:
            found.extend(_bounded(self._folded, lower, _LOWER_WORD))
        if self._exact is not None:
            found.extend(_bounded(self._exact, text, _WORD))
        if self._exact is not None and self._folded is not None:
            found.sort(key=lambda f: (f[0], f[0] - f[1]))
        out: list[Phrase] = []
        last = -1
        for start, end, word in found:
            if start < last:
                continue
            value = self._lookup(word)
            if value is not None:
                out.append(Phrase(start, end, value))
                last = end
        return out

    def _lookup(self, word: str) -> Any:
        for candidate in (word, word[:-1], word[:-2]):
            if candidate in self._values:
                return self._values[candidate]
            folded = candidate.lower()
            if folded in self._values:
                return self._values[folded]
        return None


def _case_sensitive(phrase: str) -> bool:
    letters = [c for c in phrase if c.isalpha()]
    return phrase.isascii() and 0 < len(letters) <= 4 and all(c.isupper() for c in letters)


def _bounded(pattern: re.Pattern[str], text: str, word: frozenset[str]) -> list[tuple[int, int, str]]:
    """The pattern's matches that do not start a Latin phrase in the middle of a word. (The left
    boundary is checked here, not by a lookbehind in the pattern: a pattern that starts with its
    phrases' first characters lets the regex engine skip quickly to where one can begin.)"""
    out = []
    for m in pattern.finditer(text):
        start = m.start()
        if start and text[start] in word and text[start - 1] in word:
            continue
        out.append((start, m.end(), m.group()))
    return out


def _compile(phrases: list[str], word: str) -> re.Pattern[str] | None:
    if not phrases:
        return None
    trie: dict[str, Any] = {}
    for p in phrases:
        node = trie
        for ch in p:
            node = node.setdefault(ch, {})
        node[""] = {}
    latin = re.compile(f"[{word}]")
    return re.compile(_node(trie, "", latin, word))


def _node(node: dict[str, Any], into: str, latin: re.Pattern[str], word: str) -> str:
    """The regex for a trie node reached through the character `into`: children longest first,
    then the end of a phrase (with a plural and a boundary after a Latin last character)."""
    alts = []
    for ch in sorted(k for k in node if k):
        chain = ch
        sub = node[ch]
        while len(sub) == 1 and "" not in sub:  # collapse single-child runs into a literal
            (nxt,) = sub
            chain += nxt
            sub = sub[nxt]
        alts.append(re.escape(chain) + _node(sub, chain[-1], latin, word))
    if "" in node:
        if latin.match(into):
            alts.append(f"(?:e?s)?(?![{word}$])" if into.isalpha() else f"(?![{word}])")
        else:
            alts.append("")
    if len(alts) == 1:
        return alts[0]  # no top-level "|" in a single alternative: safe to concatenate
    return "(?:" + "|".join(alts) + ")"


@record(slots=True)
class Folded:
    """Word lists compared with lower-cased text: the origin words as tuples for str.endswith and
    str.startswith, the noise lists as one regex each."""

    origin_before: tuple[str, ...]
    origin_after: tuple[str, ...]
    section_marker: re.Pattern[str]
    """Matches a whole line that is a marker, or a marker and a colon."""
    line_prefix: re.Pattern[str]
    """Matches at a line's start a prefix not followed by a letter."""
    line_contains: re.Pattern[str]


@record(slots=True)
class Matchers:
    """The compiled phrase matchers of a lexicon (see `PhraseMatcher`)."""

    platforms: PhraseMatcher
    regions: PhraseMatcher
    kinds: PhraseMatcher
    contexts: PhraseMatcher
    statuses: PhraseMatcher
    negators: PhraseMatcher
    timezones: PhraseMatcher
    deadline_actions: PhraseMatcher
    parcel: PhraseMatcher
    direction: PhraseMatcher


@record(eq=False)
class Lexicon:
    """Everything the extractor knows about words. Build with `lexicon_from_data`. Compared and
    hashed by identity, so a caller can cache on it."""

    platforms: tuple[PlatformEntry, ...] = ()
    regions: tuple[RegionEntry, ...] = ()
    kinds: tuple[KindEntry, ...] = ()
    statuses: tuple[StatusEntry, ...] = ()
    negators: tuple[str, ...] = ()
    timezones: tuple[TimeZoneEntry, ...] = ()
    deadline_actions: tuple[str, ...] = ()
    parcel_cues: tuple[str, ...] = ()
    increase: tuple[str, ...] = ()
    decrease: tuple[str, ...] = ()
    origin_before: tuple[str, ...] = ()
    origin_after: tuple[str, ...] = ()
    noise: Noise = field(default_factory=Noise)
    matchers: Matchers = field(init=False, repr=False, compare=False)
    folded: Folded = field(init=False, repr=False, compare=False)
    priority: dict[str, int] = field(init=False, repr=False, compare=False)
    platform_regions: dict[str, tuple[str, ...]] = field(init=False, repr=False, compare=False)
    local_zones: dict[str, TimeZoneEntry] = field(init=False, repr=False, compare=False)
    """Region code -> the zone of its "local time" (the first zone listing it)."""

    def __post_init__(self) -> None:
        # A frozen record sets derived fields through object.__setattr__ (the documented way).
        object.__setattr__(self, "matchers", _build_matchers(self))
        folded = Folded(
            _lowered(self.origin_before),
            _lowered(self.origin_after),
            re.compile(f"(?:{_alternatives(self.noise.section_markers)})(?:$|[:：])"),
            re.compile(f"(?:{_alternatives(self.noise.line_prefixes)})(?![^\\W\\d_])"),
            re.compile(_alternatives(self.noise.line_contains)),
        )
        object.__setattr__(self, "folded", folded)
        prio = dict(DEFAULT_PRIORITY)
        prio.update({k.kind: k.priority for k in self.kinds if k.priority is not None})
        object.__setattr__(self, "priority", prio)
        object.__setattr__(self, "platform_regions", {p.id: p.regions for p in self.platforms if p.regions})
        zones: dict[str, TimeZoneEntry] = {}
        for tz in self.timezones:
            for code in tz.regions:
                zones.setdefault(code, tz)
        object.__setattr__(self, "local_zones", zones)


def _lowered(words: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(w.lower() for w in words)


def _alternatives(words: tuple[str, ...]) -> str:
    """A regex alternation of the words, lower-cased, longest first; one that never matches when
    there are none."""
    if not words:
        return "(?!)"
    return "|".join(re.escape(w) for w in sorted(_lowered(words), key=len, reverse=True))


def _build_matchers(lex: Lexicon) -> Matchers:
    contexts: dict[str, list[tuple[str, str]]] = {}
    for k in lex.kinds:
        for target, words in k.context.items():
            for w in words:
                contexts.setdefault(w, []).append((k.kind, target))
    direction = {w: 1 for w in lex.increase}
    direction.update({w: -1 for w in lex.decrease})
    return Matchers(
        platforms=PhraseMatcher({a: p.id for p in lex.platforms for a in (*p.aliases, p.id)}),
        regions=PhraseMatcher({a: r.codes for r in lex.regions for a in r.aliases}),
        kinds=PhraseMatcher({c: k.kind for k in lex.kinds for c in k.cues}),
        contexts=PhraseMatcher({w: tuple(pairs) for w, pairs in contexts.items()}),
        statuses=PhraseMatcher({c: (s.status, s.weight) for s in lex.statuses for c in s.cues}),
        negators=PhraseMatcher(dict.fromkeys(lex.negators, True)),
        timezones=PhraseMatcher({a: tz for tz in lex.timezones for a in tz.aliases}),
        deadline_actions=PhraseMatcher(dict.fromkeys(lex.deadline_actions, True)),
        parcel=PhraseMatcher(dict.fromkeys(lex.parcel_cues, True)),
        direction=PhraseMatcher(direction),
    )
