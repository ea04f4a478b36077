"""Words that mean what they say: countdowns, statuses, "lost" and "late", how long ago.

A countdown is about a date; a status is about what is in force. They are said apart: an event
whose effective date has passed is "12 d ago" in the timeline and "paused" or "in effect" by its
status, never "in effect" because of its date. Pure; no Textual.

Every word in the active language (riskmon.i18n); the constants are English message ids (`N_`),
translated where they are shown.
"""

from __future__ import annotations

from datetime import datetime

from riskmon.i18n import N_, _, day, is_english, ngettext
from riskmon.present.cells import cell_width

STATUS_WORDS = {"in_effect": N_("in effect")}
"""Statuses as words (the rest read as they are spelt)."""
LOST = N_("lost")
"""Money gone for good (loss, expected loss)."""
LATE = N_("late")
"""Cash timing: money that arrives late or leaves early, never part of a loss."""


def days_between(later: datetime, earlier: datetime) -> float:
    return (later - earlier).total_seconds() / 86400.0


def span(days: float) -> str:
    """'42 min', '5 h', '12 d', '3 mo' for a number of days, either sign (rounded as `check` does)."""
    d = abs(days)
    if d < 1 / 24:
        return _("{n} min").format(n=max(1, round(d * 1440)))
    if d < 1:
        return _("{n} h").format(n=round(d * 24))
    if d < 90:
        return _("{n} d").format(n=round(d))
    return _("{n} mo").format(n=f"{d / 30.44:.0f}")


def countdown(days_until: float) -> str:
    """'in 12 d', 'in 5 h', or '12 d ago' once the date has passed (whatever the status)."""
    return _("in {span}").format(span=span(days_until)) if days_until > 0 else ago(days_until)


def ago(days: float) -> str:
    """'12 d ago'."""
    return _("{span} ago").format(span=span(days))


def date_passed(days_until: float) -> str:
    """'in 12 d' before the date; 'effective date passed 12 d ago' after it."""
    if days_until > 0:
        return countdown(days_until)
    return _("effective date passed {span} ago").format(span=span(days_until))


def deadline(days_until: float) -> str:
    """A deadline: 'in 3 d', or 'passed 3 d ago'."""
    return countdown(days_until) if days_until > 0 else _("passed {span} ago").format(span=span(days_until))


def status(name: str) -> str:
    """'in effect' for in_effect; every other status as spelt (in another language, its word).

    In another language every status is the status word of `check` and the report: the message
    id "in effect" is also the date column's word for a date that has passed, which is not a
    status (in zh-CN the one is 已生效, the other 已过生效日)."""
    if not is_english():
        from riskmon.present.words import status_word

        return status_word(name)
    return STATUS_WORDS.get(name, name.replace("_", " "))


def source(name: str) -> str:
    """Where an event comes from: its source id; in another language the built-in catalog in words
    (English keeps the id `catalog`, which is what `source = ...` in the config says)."""
    if name == "catalog" and not is_english():
        return _("the built-in event catalog")
    return name


def platform(name: str) -> str:
    """A platform id as it is; `*` (every platform) in words in another language."""
    if name == "*" and not is_english():
        return _("all platforms")
    return name


def more(n: int, noun: str, plural: str | None = None) -> str:
    """'+5 more steps', '+1 more rule': a count that says what it counts."""
    word = noun if n == 1 else (plural or noun + "s")
    return f"+{n} more {word}"


def plural(n: int, noun: str, many: str | None = None) -> str:
    """'1 event', '3 events'."""
    return f"{n} {noun if n == 1 else (many or noun + 's')}"


def due(at: datetime, now: datetime, done: bool = False) -> str:
    """A step's due date: '2025-03-10, in 7 d', '2025-03-01, 9 d overdue', '2025-03-01, done'."""
    days = days_between(at, now)
    if done:
        rel = _("done")
    elif days < 0:
        rel = _("{span} overdue").format(span=span(days))
    else:
        rel = _("today") if days < 1 else _("in {span}").format(span=span(days))
    return _("{date}, {when}").format(date=day(at), when=rel)


def cut(text: str, room: int, mark: str = "…") -> str:
    """`text` in at most `room` terminal cells (a Chinese character takes two), `mark` where cut."""
    if cell_width(text) <= room:
        return text
    keep, out, used = max(1, room - cell_width(mark)), "", 0
    for ch in text:
        used += cell_width(ch)
        if used > keep:
            break
        out += ch
    return out + mark


def short_day(when: datetime, fmt: str = "%m-%d") -> str:
    """A chart's date: `fmt` in English ('05-26'); the locale's short numeric form otherwise
    ('5/26', with the year '2025/5/26'), as narrow, for the axis."""
    if is_english():
        return f"{when:{fmt}}"
    from babel.dates import format_skeleton

    from riskmon.i18n import CATALOG_CODES, language

    skeleton = "yMd" if "%Y" in fmt else "Md"
    return str(format_skeleton(skeleton, when, locale=CATALOG_CODES.get(language(), "en_US")))


def steps(n: int) -> str:
    """'1 step', '3 steps'."""
    return ngettext("{n} step", "{n} steps", n).format(n=n)


def more_playbooks(n: int) -> str:
    """'+1 more playbook'."""
    return ngettext("+{n} more playbook", "+{n} more playbooks", n).format(n=n)


NEXT_ACTIONS = N_("Next actions")
FOLDED_WHY = N_(
    "Steps overdue for more than 30 days are folded into one line per event, so this week's steps are not "
    "buried under an old backlog: space unfolds them."
)
NO_WHY = N_("the playbook gives no reason for this step.")


def next_actions_title(open_steps: int, done: int) -> str:
    """'Next actions · 21 open · 3 done'."""
    tail = _(" · {n} done").format(n=done) if done else ""
    count = str(open_steps) if open_steps else _("none")
    return _("{title} · {n} open{tail}").format(title=_(NEXT_ACTIONS), n=count, tail=tail)
