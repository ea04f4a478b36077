"""RSS items feed the news review queue (the live monitor's intake, run by `riskmon daemon
--once` against a local feed server), and RSS platform tags work on Chinese text."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from riskmon.sources.config.schema import FeedSettings
from riskmon.sources.feeds.feeds import poll_feed
from tests.servers import LocalServer, static
from tests.support import WHATIF_EXPOSURE as EXPOSURE
from tests.support import write_config

pytestmark = pytest.mark.usefixtures("no_proxy")

RSS = """<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0"><channel><title>跨境电商资讯</title><link>https://news.example/</link>
<item><title>TikTok外链关闭：美区8月31日起停止电商外链</title><link>https://news.example/zh</link>
<description>&lt;p&gt;TikTok宣布，美区电商外链将于8月31日正式关闭。&lt;/p&gt;</description>
<pubDate>Tue, 20 Aug 2024 08:00:00 GMT</pubDate></item>
<item><title>Shopee to freeze payouts for Indonesian sellers</title><link>https://news.example/en</link>
<description>Shopee will hold payouts for sellers in Indonesia for an extra 7 days from 1 March 2025.</description>
<pubDate>Mon, 10 Feb 2025 08:00:00 GMT</pubDate></item>
<item><title>今日天气：晴</title><link>https://news.example/weather</link></item>
<item><title>抖音海外版TikTok Shop美区大促</title><link>https://news.example/promo</link></item>
<item><title>xTikTok and TikTok's sellers</title><link>https://news.example/latin</link></item>
</channel></rss>"""


def riskmon(tmp: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.lower().endswith("_proxy")}
    env.pop("RISKMON_CONFIG", None)
    env |= {"RISKMON_DATA": str(tmp / "data"), "NO_COLOR": "1"}
    return subprocess.run([sys.executable, "-m", "riskmon", *args], capture_output=True, text=True, env=env, timeout=90)


def queued(tmp: Path, cfg: Path) -> list[dict[str, Any]]:
    r = riskmon(tmp, "news", "list", "--config", str(cfg), "--format", "json")
    assert r.returncode == 0, r.stderr
    out: list[dict[str, Any]] = json.loads(r.stdout)
    return out


def feed_config(url: str) -> str:
    return f'[[feeds]]\nname = "press"\ntype = "rss"\nurl = "{url}"\nkeywords = {{ tiktok = ["tiktok", "抖音"] }}\n'


def test_new_rss_items_are_queued_once(tmp_path: Path, server: LocalServer) -> None:
    url = server.route("/rss", static(RSS.encode(), content_type="application/rss+xml"))
    cfg = write_config(tmp_path, exposure=EXPOSURE, riskmon=feed_config(url))
    r = riskmon(tmp_path, "daemon", "--once", "--config", str(cfg), "--db", str(tmp_path / "h.json"))
    assert r.returncode in (0, 1, 2), r.stderr
    drafts = {d["id"]: d for d in queued(tmp_path, cfg)}
    assert set(drafts) == {"tiktok-link-cutoff-2024-08-31", "shopee-payout-hold-2025-03-01"}
    links = drafts["tiktok-link-cutoff-2024-08-31"]
    assert (links["kind"], links["regions"], links["status"]) == ("link_cutoff", ["US"], "announced")
    assert links["sources"] == ["https://news.example/zh"] and links["title"].startswith("TikTok外链关闭")
    assert drafts["shopee-payout-hold-2025-03-01"]["sources"] == ["https://news.example/en"]
    # The next poll (a restart) brings the same items: nothing new in the queue.
    before = sorted(json.dumps(d, sort_keys=True) for d in queued(tmp_path, cfg))
    r = riskmon(tmp_path, "daemon", "--once", "--config", str(cfg), "--db", str(tmp_path / "h.json"))
    assert r.returncode in (0, 1, 2), r.stderr
    assert sorted(json.dumps(d, sort_keys=True) for d in queued(tmp_path, cfg)) == before


def test_a_replay_queues_nothing(tmp_path: Path, server: LocalServer) -> None:
    url = server.route("/rss", static(RSS.encode(), content_type="application/rss+xml"))
    cfg = write_config(tmp_path, exposure=EXPOSURE, riskmon=feed_config(url))
    r = riskmon(tmp_path, "daemon", "--once", "--config", str(cfg), "--now", "2024-09-01")
    assert r.returncode in (0, 1, 2), r.stderr
    assert server.hits("/rss")  # the feed was read
    assert queued(tmp_path, cfg) == []


def test_rss_tags_platforms_in_chinese_text(tmp_path: Path, server: LocalServer) -> None:
    url = server.route("/rss", static(RSS.encode(), content_type="application/rss+xml"))
    feed = FeedSettings.model_validate(
        {"name": "press", "type": "rss", "url": url, "keywords": {"tiktok": ["TikTok", "抖音"], "shopee": ["shopee"]}}
    )
    result = poll_feed(feed, datetime(2025, 2, 11, tzinfo=UTC), cache_dir=tmp_path / "cache", force=True)
    tags = {h.link.rsplit("/", 1)[1]: h.platforms for h in result.headlines}
    assert tags["zh"] == ("tiktok",)  # TikTok外链: a CJK neighbour is a word boundary
    assert tags["promo"] == ("tiktok",)  # 抖音海外版: a CJK keyword inside CJK text
    assert tags["en"] == ("shopee",)
    assert tags["weather"] == ()
    assert tags["latin"] == ("tiktok",)  # "TikTok's" tags; "xTikTok" alone would not
    summary = next(h.summary for h in result.headlines if h.link.endswith("/zh"))
    assert summary == "TikTok宣布，美区电商外链将于8月31日正式关闭。"


def test_a_latin_neighbour_is_not_a_boundary(tmp_path: Path, server: LocalServer) -> None:
    body = RSS.replace("xTikTok and TikTok's sellers", "xTikTokx news")
    url = server.route("/rss", static(body.encode(), content_type="application/rss+xml"))
    feed = FeedSettings.model_validate({"name": "press", "type": "rss", "url": url, "keywords": {"tiktok": ["tiktok"]}})
    result = poll_feed(feed, datetime(2025, 2, 11, tzinfo=UTC), cache_dir=tmp_path / "cache", force=True)
    assert next(h.platforms for h in result.headlines if h.link.endswith("/latin")) == ()
