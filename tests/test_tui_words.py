"""The dashboard's words (riskmon.tui.words): a date and a status said apart, how long ago a
deadline passed, counts that say what they count."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from riskmon.tui import words

NOW = datetime(2025, 3, 10, tzinfo=UTC)


@pytest.mark.parametrize(
    ("days", "countdown", "passed", "deadline"),
    [
        (12.0, "in 12 d", "in 12 d", "in 12 d"),
        (0.25, "in 6 h", "in 6 h", "in 6 h"),
        (-12.0, "12 d ago", "effective date passed 12 d ago", "passed 12 d ago"),
        (-0.01, "14 min ago", "effective date passed 14 min ago", "passed 14 min ago"),
        (-400.0, "13 mo ago", "effective date passed 13 mo ago", "passed 13 mo ago"),
    ],
)
def test_a_date_says_when_never_what_is_in_force(days: float, countdown: str, passed: str, deadline: str) -> None:
    assert words.countdown(days) == countdown
    assert words.date_passed(days) == passed
    assert words.deadline(days) == deadline
    assert "in effect" not in words.countdown(days) + words.date_passed(days)


def test_statuses_counts_and_due_dates() -> None:
    assert words.status("in_effect") == "in effect"
    assert words.status("paused") == "paused"
    assert words.more(5, "step") == "+5 more steps"
    assert words.more(1, "playbook") == "+1 more playbook"
    assert words.plural(1, "event") == "1 event" and words.plural(3, "event") == "3 events"
    assert words.due(datetime(2025, 3, 17, tzinfo=UTC), NOW) == "2025-03-17, in 7 d"
    assert words.due(datetime(2025, 3, 1, tzinfo=UTC), NOW) == "2025-03-01, 9 d overdue"
    assert words.due(datetime(2025, 3, 1, tzinfo=UTC), NOW, done=True) == "2025-03-01, done"
    assert words.due(datetime(2025, 3, 10, 5, tzinfo=UTC), NOW) == "2025-03-10, today"
