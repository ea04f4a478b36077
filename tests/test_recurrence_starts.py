"""A recurring event's starts worked out ahead (riskmon.core.timing.starts_of, kept in the
validated-config cache) give the very occurrence and previous start that dateutil gives."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from riskmon.core import timing
from riskmon.core.dates import DATE_MAX
from riskmon.core.model import Event

RULES = st.sampled_from(
    [
        "FREQ=YEARLY;BYMONTH=11;BYDAY=FR;BYMONTHDAY=23,24,25,26,27,28,29",
        "FREQ=YEARLY",
        "FREQ=YEARLY;COUNT=3",
        "FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=29",
        "FREQ=MONTHLY;BYMONTHDAY=31",
        "FREQ=MONTHLY;INTERVAL=6;UNTIL=20300101T000000Z",
        "RRULE:FREQ=YEARLY;BYMONTH=1,7;BYMONTHDAY=1",
        "FREQ=MONTHLY;BYDAY=1MO;UNTIL=20800101T000000Z",
    ]
)
INSTANTS = st.datetimes(min_value=datetime(1990, 1, 1), max_value=datetime(2200, 12, 31), timezones=st.just(UTC))


def event(recurs: str, effective: datetime) -> Event:
    return Event("e", "E", "season", ("*",), effective, "confirmed", recurs=recurs, ends=effective + timedelta(days=4))


@settings(max_examples=80, deadline=None)
@given(RULES, INSTANTS, INSTANTS)
def test_the_starts_known_ahead_answer_as_dateutil_does(recurs: str, start: datetime, now: datetime) -> None:
    e = event(recurs, start)
    timing._known.pop((recurs, start), None)  # worked out by dateutil first
    walked = timing.occurrence(e, now, 90.0)
    before = timing.previous_start(recurs, start, now)
    table = timing.starts_of([e])
    if (recurs, start) not in table:  # more than MAX_STARTS (monthly over two centuries): not kept
        return
    starts = table[(recurs, start)]
    assert starts == tuple(sorted(set(starts)))
    assert not starts or starts[-1] > DATE_MAX or len(starts) < timing.MAX_STARTS, "complete"
    timing.know_starts(table)
    assert timing.occurrence(e, now, 90.0) == walked
    assert timing.previous_start(recurs, start, now) == before


def test_a_rule_with_more_starts_than_kept_is_worked_out_as_needed() -> None:
    start = datetime(2025, 1, 6, tzinfo=UTC)
    assert timing.starts_of([event("FREQ=WEEKLY;BYDAY=MO", start)]) == {}
    now = datetime(2025, 3, 5, tzinfo=UTC)
    assert timing.occurrence(event("FREQ=WEEKLY;BYDAY=MO", start), now, 90.0) == (
        datetime(2025, 3, 3, tzinfo=UTC),  # the Monday before: its 4-day window holds Wednesday
        datetime(2025, 3, 7, tzinfo=UTC),
    )


def test_a_check_answers_alike_with_the_starts_from_the_cache(tmp_path: Path) -> None:
    """The starts survive the cache's round trip: for the demo (its Black Friday recurs), the
    check that reads them back from the cache answers as the one that worked them out (both then
    look them up; the property test above holds the lookup to dateutil's walk), at an instant
    inside and one outside its window."""
    import os
    import subprocess
    import sys

    env = {**os.environ, "NO_COLOR": "1", "XDG_CACHE_HOME": f"{tmp_path}/c", "RISKMON_DATA": f"{tmp_path}/d"}
    for now in ("2026-11-27T12:00:00Z", "2027-03-01T00:00:00Z"):
        argv = [sys.executable, "-m", "riskmon", "check", "--offline", "--no-history", "--now", now, "-f", "json"]
        miss, hit = (subprocess.run(argv, capture_output=True, text=True, env=env, timeout=60) for _ in range(2))
        assert miss.returncode == hit.returncode and miss.stdout == hit.stdout
