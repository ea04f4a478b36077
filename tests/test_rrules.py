"""riskmon.sources.config.rrules: a recurrence that never starts is refused at once, one that
starts is never refused, and the first start is dateutil's, whatever the start, interval, week
start or BY parts."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from dateutil.rrule import rrulestr
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from riskmon.core.dates import DATE_MAX
from riskmon.sources.config.rrules import first_start, rrule_problem

DAYS = ["MO", "TU", "WE", "TH", "FR", "SA", "SU"]


def walked(rule: str, start: datetime) -> datetime | None:
    """dateutil's own answer, by its walk (to year 9999 when there is none: slow, but plain)."""
    return rrulestr(rule, dtstart=start).after(start, inc=True)


@st.composite
def rules(draw: st.DrawFn) -> str:
    freq = draw(st.sampled_from(["YEARLY", "MONTHLY", "WEEKLY", "DAILY"]))
    parts = [f"FREQ={freq}", f"INTERVAL={draw(st.sampled_from([1, 2, 3, 4, 5, 7]))}"]
    if draw(st.booleans()):
        parts.append(f"BYMONTH={draw(st.integers(1, 12))}")
    if draw(st.booleans()):
        parts.append(f"BYMONTHDAY={draw(st.sampled_from([1, 13, 28, 29, 30, 31, -1]))}")
    if draw(st.booleans()):
        ordinal = draw(st.sampled_from(["", "", "+1", "+2", "-1"])) if freq in ("YEARLY", "MONTHLY") else ""
        parts.append(f"BYDAY={ordinal}{draw(st.sampled_from(DAYS))}")
    if freq == "YEARLY" and draw(st.integers(0, 3)) == 0:
        parts.append(draw(st.sampled_from(["BYYEARDAY=60", "BYYEARDAY=366", "BYWEEKNO=1", "BYWEEKNO=53"])))
    if draw(st.integers(0, 4)) == 0:
        parts.append("BYSETPOS=-1")
    if freq == "WEEKLY" and draw(st.booleans()):
        parts.append(f"WKST={draw(st.sampled_from(DAYS))}")
    return ";".join(parts)


@settings(max_examples=250, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rules(), st.integers(0, 365 * 290))
def test_first_start_is_dateutil_s(rule: str, offset: int) -> None:
    start = datetime(1900, 1, 1, tzinfo=UTC) + timedelta(days=offset)
    if rrule_problem(rule) is not None:
        return  # refused before the start matters
    found = first_start(rule, start)
    if found is not None:
        assert found == walked(rule, start), (rule, start)
    elif rule.startswith(("FREQ=YEARLY", "FREQ=MONTHLY")):  # dateutil's walk to 9999 is short
        expected = walked(rule, start)
        assert expected is None or expected > DATE_MAX, (rule, start, expected)


@pytest.mark.parametrize(
    ("rule", "why"),
    [
        ("FREQ=DAILY;INTERVAL=2;BYMONTH=2;BYMONTHDAY=30", "it never occurs (check BYMONTH, BYMONTHDAY, BYDAY)"),
        ("FREQ=WEEKLY;INTERVAL=2;BYMONTH=2;BYMONTHDAY=30", "it never occurs (check BYMONTH, BYMONTHDAY, BYDAY)"),
        ("FREQ=DAILY;INTERVAL=3;BYYEARDAY=400", "it never occurs (check BYMONTH, BYMONTHDAY, BYDAY)"),
        ("FREQ=MONTHLY;BYDAY=+53FR,+2FR", "a value is out of range"),  # raised by dateutil in February
        ("FREQ=DAILY;BYHOUR=9", "BYHOUR, BYMINUTE and BYSECOND are not supported: riskmon counts in days"),
    ],
)
def test_what_cannot_start_in_any_year_is_refused_at_once(rule: str, why: str) -> None:
    assert rrule_problem(rule) == why


@pytest.mark.parametrize(
    "rule",
    [
        "FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=29;BYDAY=TU",  # 2028; not in 9980-9999
        "FREQ=YEARLY;BYYEARDAY=366;BYDAY=SU",  # 2028
        "FREQ=MONTHLY;BYDAY=+5FR",
    ],
)
def test_rules_that_start_in_some_year_are_accepted(rule: str) -> None:
    assert rrule_problem(rule) is None


@pytest.mark.parametrize(
    ("rule", "start", "first"),
    [
        ("FREQ=DAILY;INTERVAL=7;BYDAY=TU", datetime(2025, 1, 6, tzinfo=UTC), None),  # from a Monday: Mondays
        ("FREQ=DAILY;INTERVAL=7;BYDAY=MO", datetime(2025, 1, 6, tzinfo=UTC), datetime(2025, 1, 6, tzinfo=UTC)),
        ("FREQ=WEEKLY;INTERVAL=2;BYDAY=SU", datetime(2025, 1, 6, tzinfo=UTC), datetime(2025, 1, 12, tzinfo=UTC)),
        (
            "FREQ=WEEKLY;INTERVAL=2;BYDAY=SU;WKST=SU",  # the week of the start began on the 5th
            datetime(2025, 1, 6, tzinfo=UTC),
            datetime(2025, 1, 19, tzinfo=UTC),
        ),
        ("FREQ=YEARLY;INTERVAL=4;BYMONTH=2;BYMONTHDAY=29", datetime(2025, 1, 19, tzinfo=UTC), None),
        (
            "FREQ=YEARLY;INTERVAL=4;BYMONTH=2;BYMONTHDAY=29",
            datetime(2024, 1, 19, tzinfo=UTC),
            datetime(2024, 2, 29, tzinfo=UTC),
        ),
        ("FREQ=YEARLY;BYMONTH=2", datetime(2025, 1, 31, tzinfo=UTC), None),  # February 31st, from the start
        ("FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=29", datetime(2199, 3, 1, tzinfo=UTC), None),  # next: 2204
    ],
)
def test_first_start_examples(rule: str, start: datetime, first: datetime | None) -> None:
    assert first_start(rule, start) == first
