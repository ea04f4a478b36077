"""The review queue file: stable ids across merges, what a decision keeps, its bounds, and a
damaged file (recovered when it is ours, left alone when it is not, never a traceback)."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from riskmon.core.news import Draft, extract
from riskmon.errors import RiskmonError
from riskmon.store import news_queue
from riskmon.store.news_queue import MERGED, NEW, REJECTED, SEEN, Article, NewsQueue, QueueError
from tests.news_fixtures import bundled

NOW = datetime(2024, 8, 21, tzinfo=UTC)


def drafts(text: str, published: datetime) -> tuple[list[Draft], Article]:
    found = extract(text, published=published, url=None, lang=None, lexicon=bundled())
    return found, Article.of(text, None, published)


@pytest.fixture
def queue(tmp_path: Path) -> NewsQueue:
    cfg = tmp_path / "cfg"
    cfg.mkdir()
    return NewsQueue(cfg, tmp_path / "data")


RUMOUR = "TikTok据传月底关闭电商外链\n据多位卖家透露，TikTok或将于8月底关闭美区电商外链。\n"
OFFICIAL = "TikTok官宣：8月31日起关闭美区外链\nTikTok宣布，美区电商外链将于8月31日正式关闭。\n"
EXACT = "TikTok外链9月2日关闭\nTikTok宣布，美区电商外链将于9月2日正式关闭。\n"


def test_one_file_per_config_dir(tmp_path: Path) -> None:
    a = NewsQueue(tmp_path / "a", tmp_path / "data")
    b = NewsQueue(tmp_path / "b", tmp_path / "data")
    assert a.path != b.path and a.path.parent == b.path.parent == tmp_path / "data" / "news"
    assert NewsQueue(tmp_path / "a" / ".." / "a", tmp_path / "data").path == a.path


def test_a_merge_keeps_the_first_id_and_every_article(queue: NewsQueue) -> None:
    (added,) = queue.add([drafts(RUMOUR, datetime(2024, 8, 10, tzinfo=UTC))], NOW)
    assert added.outcome == NEW
    # A later, exact date: the core would name the merged draft after it; the queue keeps its id.
    (merged,) = queue.add([drafts(EXACT, datetime(2024, 8, 20, tzinfo=UTC))], NOW)
    assert merged.outcome == MERGED and merged.entry_id == added.entry_id
    (entry,) = queue.entries()
    assert entry.id == added.entry_id and entry.draft.id == entry.id
    assert entry.draft.effective == datetime(2024, 9, 2, tzinfo=UTC)
    assert [a.text for a in entry.articles] == [RUMOUR, EXACT]
    # The same article again: recognised, nothing written.
    mtime = queue.path.stat().st_mtime_ns
    (seen,) = queue.add([drafts(RUMOUR, datetime(2024, 8, 10, tzinfo=UTC))], NOW)
    assert seen.outcome == SEEN and queue.path.stat().st_mtime_ns == mtime


def test_decisions(queue: NewsQueue) -> None:
    (a,) = queue.add([drafts(RUMOUR, datetime(2024, 8, 10, tzinfo=UTC))], NOW)
    done = queue.decide(a.entry_id, "rejected", NOW)
    assert done.state == "rejected" and done.articles == () and done.digests  # the text goes, its hash stays
    with pytest.raises(QueueError, match="rejected"):
        queue.decide(a.entry_id, "accepted", NOW)
    with pytest.raises(QueueError, match=r"no draft 'tiktok-link-cutoff'.*did you mean"):
        queue.pending("tiktok-link-cutoff")
    (again,) = queue.add([drafts(RUMOUR, datetime(2024, 8, 10, tzinfo=UTC))], NOW)
    assert again.outcome == REJECTED
    (newer,) = queue.add([drafts(OFFICIAL, datetime(2024, 8, 20, tzinfo=UTC))], NOW)
    assert newer.outcome == NEW and newer.entry_id == f"{a.entry_id}-2"


def test_the_queue_is_bounded(queue: NewsQueue, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(news_queue, "MAX_PENDING", 3)
    for month in (1, 3, 5, 7, 9):
        text = f"TikTok或将于{month}月底关闭美区电商外链\n"
        queue.add([drafts(text, datetime(2024, 12, 1, tzinfo=UTC))], datetime(2025, month, 1, tzinfo=UTC))
    kept = queue.entries()
    assert [e.draft.effective.month for e in kept if e.draft.effective] == [5, 7, 9]  # the newest news


def test_a_long_article_is_kept_short(queue: NewsQueue) -> None:
    long = RUMOUR + "卖家评论。" * 10_000
    queue.add([drafts(long, datetime(2024, 8, 10, tzinfo=UTC))], NOW)
    (entry,) = queue.entries()
    assert len(entry.articles[0].text) == news_queue.ARTICLE_MAX_CHARS


def test_a_damaged_queue_of_ours_is_moved_aside_by_the_next_write(queue: NewsQueue) -> None:
    queue.path.parent.mkdir(parents=True)
    queue.path.write_text('{"meta":{"1":{"version":1')  # cut short mid-write
    with pytest.raises(RiskmonError, match="unreadable"):
        queue.entries()
    (a,) = queue.add([drafts(RUMOUR, datetime(2024, 8, 10, tzinfo=UTC))], NOW)
    assert a.outcome == NEW and [e.id for e in queue.entries()] == [a.entry_id]
    assert list(queue.path.parent.glob("*.corrupt-*"))


def test_a_bad_entry_names_itself_and_a_foreign_file_is_left_alone(queue: NewsQueue) -> None:
    queue.add([drafts(RUMOUR, datetime(2024, 8, 10, tzinfo=UTC))], NOW)
    data = json.loads(queue.path.read_text())
    data["entries"]["1"]["draft"]["status"] = "imminent"
    queue.path.write_text(json.dumps(data))
    with pytest.raises(RiskmonError, match=r"entry 'tiktok-link-cutoff-2024-08-31': draft: status: expected one of"):
        queue.entries()
    queue.path.write_text("my notes, not a queue")
    with pytest.raises(RiskmonError, match="not a riskmon news queue"):
        queue.add([drafts(RUMOUR, datetime(2024, 8, 10, tzinfo=UTC))], NOW)
    assert queue.path.read_text() == "my notes, not a queue"
