"""riskmon.sources.config.rrules: a recurrence that never starts is refused at once, and one that
starts is never refused, whatever its start, interval and week start."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from dateutil.rrule import rrulestr
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from riskmon.core.dates import DATE_MAX
from riskmon.sources.config.rrules import never_occurs_from, rrule_problem

DAYS = ["MO", "TU", "WE", "TH", "FR", "SA", "SU"]


def first_start(rule: str, start: datetime) -> datetime | None:
    """dateutil's own answer, by its walk (up to year 9999 when there is none: slow, but plain)."""
    return rrulestr(rule, dtstart=start).after(start, inc=True)


@st.composite
def rules(draw: st.DrawFn) -> str:
    freq = draw(st.sampled_from(["YEARLY", "MONTHLY", "WEEKLY", "DAILY"]))
    parts = [f"FREQ={freq}", f"INTERVAL={draw(st.integers(1, 6))}"]
    if draw(st.booleans()):
        parts.append(f"BYMONTH={draw(st.integers(1, 12))}")
    if draw(st.booleans()):
        parts.append(f"BYMONTHDAY={draw(st.sampled_from([1, 13, 28, 29, 30, 31, -1]))}")
    if freq != "YEARLY" and draw(st.booleans()):
        parts.append(f"BYDAY={draw(st.sampled_from(DAYS))}")
    if freq == "WEEKLY" and draw(st.booleans()):
        parts.append(f"WKST={draw(st.sampled_from(DAYS))}")
    return ";".join(parts)


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rules(), st.integers(0, 365 * 30))
def test_never_occurs_from_is_dateutil_s_walk(rule: str, offset: int) -> None:
    start = datetime(2020, 1, 1, tzinfo=UTC) + timedelta(days=offset)
    if rrule_problem(rule) is not None:
        return  # no day anywhere: refused before the start matters
    first = first_start(rule, start)
    assert never_occurs_from(rule, start) == (first is None or first > DATE_MAX), (rule, start, first)


@pytest.mark.parametrize(
    "rule",
    [
        "FREQ=DAILY;INTERVAL=2;BYMONTH=2;BYMONTHDAY=30",  # took seconds to refuse by dateutil's walk
        "FREQ=WEEKLY;INTERVAL=2;BYMONTH=2;BYMONTHDAY=30",
        "FREQ=DAILY;INTERVAL=3;BYYEARDAY=400",
    ],
)
def test_a_rule_with_no_day_anywhere_is_refused_whatever_its_interval(rule: str) -> None:
    assert rrule_problem(rule) == "it never occurs (check BYMONTH, BYMONTHDAY, BYDAY)"


@pytest.mark.parametrize(
    ("rule", "start", "never"),
    [
        ("FREQ=DAILY;INTERVAL=7;BYDAY=TU", datetime(2025, 1, 6, tzinfo=UTC), True),  # a Monday: Mondays only
        ("FREQ=DAILY;INTERVAL=7;BYDAY=MO", datetime(2025, 1, 6, tzinfo=UTC), False),
        ("FREQ=WEEKLY;INTERVAL=2;BYDAY=SU", datetime(2025, 1, 6, tzinfo=UTC), False),
        ("FREQ=YEARLY;INTERVAL=4;BYMONTH=2;BYMONTHDAY=29", datetime(2025, 1, 19, tzinfo=UTC), True),
        ("FREQ=YEARLY;INTERVAL=4;BYMONTH=2;BYMONTHDAY=29", datetime(2024, 1, 19, tzinfo=UTC), False),
        ("FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=29", datetime(2199, 3, 1, tzinfo=UTC), True),  # next: 2204
    ],
)
def test_never_occurs_from_examples(rule: str, start: datetime, never: bool) -> None:
    assert never_occurs_from(rule, start) is never
