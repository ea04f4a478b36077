"""The structured edits accepting a news draft needs: appending to a list field (deadlines,
sources) and a timeline entry, through the validated, comment-keeping edit path."""

from __future__ import annotations

import tomllib
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from riskmon.errors import ConfigError
from riskmon.sources.config import edit as ce
from riskmon.sources.config import schema
from tests.support import WHATIF_EXPOSURE as EXPOSURE
from tests.support import write_config
from tests.test_news_cli import EVENTS as NEWS_EVENTS

EVENTS = (
    NEWS_EVENTS.replace('status = "announced"\n', 'status = "announced"   # as of January\nprobability = 0.7\n')
    + 'deadlines = [\n  { date = 2025-01-18, what = "Export followers" },  # do this first\n]\n'
)


@pytest.fixture
def cfg(tmp_path: Path) -> Path:
    return write_config(tmp_path, exposure=EXPOSURE, events=EVENTS)


def events(cfg: Path) -> dict[str, object]:
    data: dict[str, object] = tomllib.loads((cfg / "events.toml").read_text())["events"][0]
    return data


def test_append_adds_what_is_missing_and_keeps_comments(cfg: Path) -> None:
    ce.apply_edits(
        cfg,
        [
            ce.AppendEdit("events", "us-ban", "deadlines", {"date": datetime(2025, 1, 17, tzinfo=UTC), "what": "Save"}),
            ce.AppendEdit("events", "us-ban", "sources", "https://news.example/a"),
        ],
    )
    text = (cfg / "events.toml").read_text()
    assert "# do this first" in text and "# the big one" in text and "# as of January" in text
    e = events(cfg)
    assert e["deadlines"] == [
        {"date": date(2025, 1, 18), "what": "Export followers"},
        {"date": date(2025, 1, 17), "what": "Save"},
    ]
    assert e["sources"] == ["https://news.example/a"]
    # Already there (the same date written as a date-time): nothing changes.
    ce.apply_edits(
        cfg,
        [
            ce.AppendEdit("events", "us-ban", "deadlines", {"date": datetime(2025, 1, 17, tzinfo=UTC), "what": "Save"}),
            ce.AppendEdit("events", "us-ban", "sources", "https://news.example/a"),
        ],
    )
    assert (cfg / "events.toml").read_text() == text


def test_append_to_a_field_that_is_not_a_list_is_refused(cfg: Path) -> None:
    with pytest.raises(ConfigError, match="is not a list"):
        ce.apply_edits(cfg, [ce.AppendEdit("events", "us-ban", "title", "x")])
    with pytest.raises(ConfigError, match="no event with id 'nope'"):
        ce.apply_edits(cfg, [ce.AppendEdit("events", "nope", "sources", "x")])
    assert (cfg / "events.toml").read_text() == EVENTS


def test_a_timeline_entry_is_validated_like_any_edit(cfg: Path) -> None:
    edit = ce.TimelineEdit("us-ban", datetime(2025, 1, 17, tzinfo=UTC), "confirmed")
    if "timeline" not in schema.Event.model_fields:
        with pytest.raises(ConfigError, match="timeline"):
            ce.apply_edits(cfg, [edit])
        assert (cfg / "events.toml").read_text() == EVENTS
        return
    ce.apply_edits(cfg, [edit])
    assert events(cfg)["timeline"] == [
        {"date": ce.TIMELINE_START, "status": "announced", "probability": 0.7},
        {"date": date(2025, 1, 17), "status": "confirmed"},
    ]


@pytest.fixture
def unchecked(monkeypatch: pytest.MonkeyPatch) -> None:
    """The text a timeline edit makes, whatever the schema of the day accepts: its validation is
    switched off (the test above covers it), so the rules of the edit itself can be read."""
    monkeypatch.setattr(ce, "_check_edit", lambda e, base: None)
    monkeypatch.setattr(ce, "_validate", lambda base, texts: None)


@pytest.mark.usefixtures("unchecked")
def test_the_first_entry_starts_a_timeline_that_replays_as_before(cfg: Path) -> None:
    ce.apply_edits(cfg, [ce.TimelineEdit("us-ban", datetime(2025, 1, 17, tzinfo=UTC), "confirmed")])
    e = events(cfg)
    assert e["timeline"] == [
        {"date": date(1900, 1, 1), "status": "announced", "probability": 0.7},
        {"date": date(2025, 1, 17), "status": "confirmed"},
    ]
    assert e["status"] == "confirmed" and "probability" not in e
    assert "# the big one" in (cfg / "events.toml").read_text()


@pytest.mark.usefixtures("unchecked")
def test_later_same_day_and_earlier_entries(cfg: Path) -> None:
    first = ce.TimelineEdit("us-ban", datetime(2025, 1, 17, tzinfo=UTC), "confirmed")
    ce.apply_edits(cfg, [first])
    # later: appended; the event's probability (none now) stays out; status follows
    ce.apply_edits(cfg, [ce.TimelineEdit("us-ban", datetime(2025, 1, 20, tzinfo=UTC), "paused")])
    # the same day: that entry says the new status
    ce.apply_edits(cfg, [ce.TimelineEdit("us-ban", datetime(2025, 1, 20, tzinfo=UTC), "in_effect")])
    # earlier: inserted in date order; the current status does not change
    ce.apply_edits(cfg, [ce.TimelineEdit("us-ban", datetime(2024, 4, 24, tzinfo=UTC), "rumored")])
    e = events(cfg)
    assert [(str(t["date"]), t["status"]) for t in e["timeline"]] == [  # type: ignore[attr-defined]
        ("1900-01-01", "announced"),
        ("2024-04-24", "rumored"),
        ("2025-01-17", "confirmed"),
        ("2025-01-20", "in_effect"),
    ]
    assert e["status"] == "in_effect"


@pytest.mark.usefixtures("unchecked")
def test_the_events_probability_moves_to_the_entry_it_belonged_to(tmp_path: Path) -> None:
    text = EVENTS.replace("deadlines = [", 'timeline = [{ date = 2024-04-24, status = "announced" }]\ndeadlines = [')
    cfg = write_config(tmp_path, name="with-timeline", exposure=EXPOSURE, events=text)
    ce.apply_edits(cfg, [ce.TimelineEdit("us-ban", datetime(2025, 1, 17, tzinfo=UTC), "confirmed")])
    e = events(cfg)
    assert e["timeline"] == [
        {"date": date(2024, 4, 24), "status": "announced", "probability": 0.7},
        {"date": date(2025, 1, 17), "status": "confirmed"},
    ]
    assert "probability" not in e and e["status"] == "confirmed"
