"""The news lexicon: platform, region, kind, status and time-zone words, as validated data.

`lexicon_from_data` turns the parsed TOML (a plain dict, see the package docstring for the format)
into a `Lexicon`; `merge_lexicons` lays a user's lexicon over the bundled one. Both are pure: the
caller reads the files. A `Lexicon` compiles its phrase matchers once, when it is built.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, TypeVar

from riskmon.core.model import ANY, EVENT_KINDS, STATUSES

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
DST_RULES = ("", "us", "eu")
_TOP_KEYS = {
    "version",
    "platforms",
    "regions",
    "origin",
    "kinds",
    "status",
    "negation",
    "timezones",
    "deadlines",
    "routes",
    "change",
    "noise",
}
# The small tables of word lists: table -> its keys.
_WORD_TABLES = {
    "origin": ("before", "after"),
    "negation": ("words",),
    "deadlines": ("actions",),
    "routes": ("parcel",),
    "change": ("increase", "decrease"),
    "noise": ("section_markers", "line_prefixes", "line_contains"),
}
_PLATFORM_ID = re.compile(r"^[a-z0-9][a-z0-9_.-]*$")
_REGION_CODE = re.compile(r"^(\*|[A-Z]{2})$")
_OFFSET = re.compile(r"^([+-])(\d{2}):(\d{2})$")
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")
_E = TypeVar("_E")
_WORD = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")
_LOWER_WORD = frozenset("abcdefghijklmnopqrstuvwxyz0123456789")


@dataclass(frozen=True, slots=True)
class PlatformEntry:
    id: str
    aliases: tuple[str, ...]
    regions: tuple[str, ...] = ()
    """Where the platform exists at all (Douyin: CN); used when an article names no region."""


@dataclass(frozen=True, slots=True)
class RegionEntry:
    name: str
    codes: tuple[str, ...]
    aliases: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class KindEntry:
    kind: str
    cues: tuple[str, ...]
    priority: int | None = None
    context: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    """Other kind -> words: in a sentence with one of the words, a cue of this kind means that kind."""


@dataclass(frozen=True, slots=True)
class StatusEntry:
    status: str
    weight: float
    cues: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class TimeZoneEntry:
    name: str
    offset_minutes: int
    aliases: tuple[str, ...]
    dst: str = ""
    """"us" or "eu": one hour later in that daylight-saving period."""
    regions: tuple[str, ...] = ()
    """Regions whose "local time" this is."""


@dataclass(frozen=True, slots=True)
class Noise:
    section_markers: tuple[str, ...] = ()
    line_prefixes: tuple[str, ...] = ()
    line_contains: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
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


@dataclass(frozen=True, slots=True)
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


@dataclass(frozen=True, slots=True)
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


@dataclass(frozen=True, eq=False)
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
        # A frozen dataclass sets derived fields through object.__setattr__ (the documented way).
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


# ---------------------------------------------------------------------------------------------
# From data


def lexicon_from_data(data: Mapping[str, Any]) -> Lexicon:
    """Validate a parsed news.toml and build a Lexicon. Raises ValueError naming the bad key."""
    if not isinstance(data, Mapping):
        raise ValueError("news lexicon: expected a table at the top level")
    unknown = sorted(set(data) - _TOP_KEYS)
    if unknown:
        raise ValueError(f"news lexicon: unknown key {unknown[0]!r}; expected one of {', '.join(sorted(_TOP_KEYS))}")
    words = {name: _word_table(data, name) for name in _WORD_TABLES}
    return Lexicon(
        platforms=tuple(_platform(k, v) for k, v in _table(data, "platforms", "platforms").items()),
        regions=tuple(_region(k, v) for k, v in _table(data, "regions", "regions").items()),
        kinds=tuple(_kind(k, v) for k, v in _table(data, "kinds", "kinds").items()),
        statuses=tuple(_status(i, v) for i, v in enumerate(_list(data, "status", "status"))),
        negators=words["negation"]["words"],
        timezones=tuple(_timezone(k, v) for k, v in _table(data, "timezones", "timezones").items()),
        deadline_actions=words["deadlines"]["actions"],
        parcel_cues=words["routes"]["parcel"],
        increase=words["change"]["increase"],
        decrease=words["change"]["decrease"],
        origin_before=words["origin"]["before"],
        origin_after=words["origin"]["after"],
        noise=Noise(**words["noise"]),
    )


def _word_table(data: Mapping[str, Any], name: str) -> dict[str, tuple[str, ...]]:
    table = _keys(data.get(name, {}), name, set(_WORD_TABLES[name]))
    return {key: _words(table, key, f"{name}.{key}") for key in _WORD_TABLES[name]}


def _table(data: Mapping[str, Any], key: str, where: str) -> Mapping[str, Any]:
    value = data.get(key, {})
    if not isinstance(value, Mapping):
        raise ValueError(f"news lexicon: {where}: expected a table, got {type(value).__name__}")
    return value


def _list(data: Mapping[str, Any], key: str, where: str) -> list[Any]:
    value = data.get(key, [])
    if not isinstance(value, list):
        raise ValueError(f"news lexicon: {where}: expected a list, got {type(value).__name__}")
    return value


def _words(data: Mapping[str, Any], key: str, where: str, *, required: bool = False) -> tuple[str, ...]:
    if required and key not in data:
        raise ValueError(f"news lexicon: {where}: missing")
    value = _list(data, key, where)
    for i, w in enumerate(value):
        if not isinstance(w, str) or not w.strip():
            raise ValueError(f"news lexicon: {where}[{i}]: expected a non-empty string, got {w!r}")
        if _CONTROL.search(w):
            raise ValueError(f"news lexicon: {where}[{i}]: control characters are not allowed")
    return tuple(w.strip() for w in value)


def _keys(entry: Any, where: str, allowed: set[str]) -> Mapping[str, Any]:
    if not isinstance(entry, Mapping):
        raise ValueError(f"news lexicon: {where}: expected a table, got {type(entry).__name__}")
    bad = sorted(set(entry) - allowed)
    if bad:
        raise ValueError(f"news lexicon: {where}.{bad[0]}: unknown key; expected one of {', '.join(sorted(allowed))}")
    return entry


def _codes(value: Any, where: str) -> tuple[str, ...]:
    codes = _words({"c": value}, "c", where)
    for c in codes:
        if not _REGION_CODE.match(c):
            raise ValueError(f'news lexicon: {where}: {c!r} is not an ISO 3166-1 alpha-2 code like "US", or "*"')
    return codes


def _platform(pid: str, entry: Any) -> PlatformEntry:
    where = f"platforms.{pid}"
    if not _PLATFORM_ID.match(pid):
        raise ValueError(f"news lexicon: {where}: a platform id is lower case letters, digits, - _ .")
    e = _keys(entry, where, {"aliases", "regions"})
    regions = _codes(e.get("regions", []), f"{where}.regions")
    return PlatformEntry(pid, _words(e, "aliases", f"{where}.aliases", required=True), regions)


def _region(name: str, entry: Any) -> RegionEntry:
    where = f"regions.{name}"
    e = _keys(entry, where, {"aliases", "codes"})
    if "codes" in e:
        codes = _codes(e["codes"], f"{where}.codes")
    elif _REGION_CODE.match(name):
        codes = (name,)
    else:
        raise ValueError(f"news lexicon: {where}: give codes = [...] (the name is not an alpha-2 code)")
    if not codes:
        raise ValueError(f"news lexicon: {where}.codes: at least one code")
    if ANY in codes:
        codes = (ANY,)
    return RegionEntry(name, codes, _words(e, "aliases", f"{where}.aliases", required=True))


def _kind(kind: str, entry: Any) -> KindEntry:
    where = f"kinds.{kind}"
    if kind not in EVENT_KINDS:
        raise ValueError(f"news lexicon: {where}: unknown kind; expected one of {', '.join(EVENT_KINDS)}")
    e = _keys(entry, where, {"cues", "priority", "context"})
    priority = e.get("priority")
    if priority is not None and (isinstance(priority, bool) or not isinstance(priority, int)):
        raise ValueError(f"news lexicon: {where}.priority: expected an integer, got {priority!r}")
    context = _table(e, "context", f"{where}.context")
    for target in context:
        if target not in EVENT_KINDS:
            raise ValueError(f"news lexicon: {where}.context.{target}: unknown kind")
    ctx = {t: _words(context, t, f"{where}.context.{t}") for t in context}
    return KindEntry(kind, _words(e, "cues", f"{where}.cues"), priority, ctx)


def _status(i: int, entry: Any) -> StatusEntry:
    where = f"status[{i}]"
    e = _keys(entry, where, {"status", "weight", "cues"})
    status = e.get("status")
    if status not in STATUSES:
        raise ValueError(f"news lexicon: {where}.status: expected one of {', '.join(STATUSES)}, got {status!r}")
    weight = e.get("weight", 1.0)
    if isinstance(weight, bool) or not isinstance(weight, int | float) or not 0 <= weight <= 100:
        raise ValueError(f"news lexicon: {where}.weight: expected a number from 0 to 100, got {weight!r}")
    return StatusEntry(status, float(weight), _words(e, "cues", f"{where}.cues", required=True))


def _timezone(name: str, entry: Any) -> TimeZoneEntry:
    where = f"timezones.{name}"
    e = _keys(entry, where, {"offset", "aliases", "dst", "regions"})
    offset = e.get("offset")
    m = _OFFSET.match(offset) if isinstance(offset, str) else None
    if m is None or int(m.group(2)) > 14 or int(m.group(3)) > 59:
        raise ValueError(f'news lexicon: {where}.offset: expected "+HH:MM" or "-HH:MM", got {offset!r}')
    minutes = (int(m.group(2)) * 60 + int(m.group(3))) * (1 if m.group(1) == "+" else -1)
    dst = e.get("dst", "")
    if dst not in DST_RULES:
        raise ValueError(f'news lexicon: {where}.dst: expected "us", "eu" or "", got {dst!r}')
    regions = _codes(e.get("regions", []), f"{where}.regions")
    return TimeZoneEntry(name, minutes, _words(e, "aliases", f"{where}.aliases", required=True), dst, regions)


# ---------------------------------------------------------------------------------------------
# Merging


def merge_lexicons(bundled: Lexicon, user: Lexicon) -> Lexicon:
    """The bundled lexicon extended by the user's: new entries are added, entries of the same
    name get the user's words added to theirs (and the user's priority, codes, offset when
    given), and a word the user gives one meaning is taken away from every other bundled entry,
    so the user's meaning wins."""
    platform_words = _folded(a for p in user.platforms for a in p.aliases)
    region_words = _folded(a for r in user.regions for a in r.aliases)
    kind_words = _folded(c for k in user.kinds for c in k.cues)
    status_words = _folded(c for s in user.statuses for c in s.cues)
    tz_words = _folded(a for t in user.timezones for a in t.aliases)
    return Lexicon(
        platforms=_merge_named(
            bundled.platforms,
            user.platforms,
            lambda p: p.id,
            lambda b, u: PlatformEntry(b.id, _union(b.aliases, u.aliases), u.regions or b.regions),
            lambda p: PlatformEntry(p.id, _without(p.aliases, platform_words), p.regions),
        ),
        regions=_merge_named(
            bundled.regions,
            user.regions,
            lambda r: r.name,
            lambda b, u: RegionEntry(b.name, u.codes, _union(b.aliases, u.aliases)),
            lambda r: RegionEntry(r.name, r.codes, _without(r.aliases, region_words)),
        ),
        kinds=_merge_named(
            bundled.kinds,
            user.kinds,
            lambda k: k.kind,
            lambda b, u: KindEntry(
                b.kind,
                _union(b.cues, u.cues),
                u.priority if u.priority is not None else b.priority,
                {t: _union(b.context.get(t, ()), u.context.get(t, ())) for t in {*b.context, *u.context}},
            ),
            lambda k: KindEntry(k.kind, _without(k.cues, kind_words), k.priority, k.context),
        ),
        statuses=tuple(StatusEntry(s.status, s.weight, _without(s.cues, status_words)) for s in bundled.statuses)
        + user.statuses,
        negators=_union(bundled.negators, user.negators),
        timezones=_merge_named(
            bundled.timezones,
            user.timezones,
            lambda t: t.name,
            lambda b, u: TimeZoneEntry(
                b.name, u.offset_minutes, _union(b.aliases, u.aliases), u.dst, u.regions or b.regions
            ),
            lambda t: TimeZoneEntry(t.name, t.offset_minutes, _without(t.aliases, tz_words), t.dst, t.regions),
        ),
        deadline_actions=_union(bundled.deadline_actions, user.deadline_actions),
        parcel_cues=_union(bundled.parcel_cues, user.parcel_cues),
        increase=_union(bundled.increase, user.increase),
        decrease=_union(bundled.decrease, user.decrease),
        origin_before=_union(bundled.origin_before, user.origin_before),
        origin_after=_union(bundled.origin_after, user.origin_after),
        noise=Noise(
            _union(bundled.noise.section_markers, user.noise.section_markers),
            _union(bundled.noise.line_prefixes, user.noise.line_prefixes),
            _union(bundled.noise.line_contains, user.noise.line_contains),
        ),
    )


def _folded(words: Iterable[str]) -> set[str]:
    return {w.lower() for w in words}


def _union(a: tuple[str, ...], b: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(dict.fromkeys((*a, *b)))


def _without(words: tuple[str, ...], taken: set[str]) -> tuple[str, ...]:
    return tuple(w for w in words if w.lower() not in taken)


def _merge_named(
    bundled: tuple[_E, ...],
    user: tuple[_E, ...],
    name: Callable[[_E], str],
    combine: Callable[[_E, _E], _E],
    strip: Callable[[_E], _E],
) -> tuple[_E, ...]:
    """Entries by name: bundled ones stripped of the user's words, combined with the user's
    entry of the same name, then the user's new entries."""
    mine = {name(u): u for u in user}
    out = []
    for b in bundled:
        u = mine.pop(name(b), None)
        out.append(combine(strip(b), u) if u is not None else strip(b))
    return tuple(out) + tuple(mine.values())
