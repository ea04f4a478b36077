"""The numbers of a change in a sentence: a percentage change (points, or from one rate to another), a
duty rate and a payout hold in days, in Chinese or English, with the sign the words give them.
"""

from __future__ import annotations

import re

from riskmon.core.model import Impact
from riskmon.core.news.text import Sentence

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
