"""The news lexicon: platform, region, kind, status and time-zone words, as validated data.

`lexicon_from_data` turns the parsed TOML (a plain dict, see the package docstring for the format)
into a `Lexicon`; `merge_lexicons` lays a user's lexicon over the bundled one. Both are pure: the
caller reads the files. A `Lexicon` compiles its phrase matchers once, when it is built.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from typing import Any, TypeVar

from riskmon.core.model import ANY, EVENT_KINDS, STATUSES
from riskmon.core.news.lexicon_entries import KindEntry, PlatformEntry, RegionEntry, StatusEntry
from riskmon.core.news.lexicon_entries import Lexicon as Lexicon
from riskmon.core.news.lexicon_entries import Noise as Noise
from riskmon.core.news.lexicon_entries import Phrase as Phrase
from riskmon.core.news.lexicon_entries import PhraseMatcher as PhraseMatcher
from riskmon.core.news.lexicon_entries import TimeZoneEntry as TimeZoneEntry

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
        kinds=_merged_kinds(bundled, user),
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


def _merged_kinds(bundled: Lexicon, user: Lexicon) -> tuple[KindEntry, ...]:
    """The bundled kinds with the user's cues, priority and context words merged in by kind."""
    kind_words = _folded(c for k in user.kinds for c in k.cues)
    return _merge_named(
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
