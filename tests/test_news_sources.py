"""News in: HTML pages to article text, charsets, and the lexicon built once per process."""

from __future__ import annotations

import os
from datetime import UTC, datetime
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from riskmon.sources import news

PAGE = """<html><head><title>Site | TikTok news</title>
<meta property="og:title" content="OG title">
<meta name="pubdate" content="2024-08-10 09:30:00"></head><body>
<nav>Home | TikTok | Amazon</nav><header><a>Log in</a></header>
<div class="teaser"><article><h2>Teaser</h2><p>short</p></article></div>
<article><h1>TikTok to end outbound links</h1><p>First paragraph of the story, long enough to be the article.</p>
<script>document.write("TikTok ban")</script><p>Second <b>paragraph</b>.<br>After a break.</p>
<aside>Related: Amazon fees</aside></article>
<footer>© News Site</footer></body></html>"""


def test_the_article_of_a_page() -> None:
    page = news.html_to_text(PAGE)
    assert page.text.splitlines() == [
        "TikTok to end outbound links",
        "First paragraph of the story, long enough to be the article.",
        "Second paragraph.",
        "After a break.",
    ]
    assert page.published == datetime(2024, 8, 10, 9, 30, tzinfo=UTC)


def test_without_an_article_element_the_page_body_and_the_title() -> None:
    page = news.html_to_text(
        "<title>Shopee holds payouts</title><nav>menu</nav><p>Shopee will hold payouts for 7 more days.</p>"
    )
    assert page.text.splitlines() == ["Shopee holds payouts", "Shopee will hold payouts for 7 more days."]
    assert page.published is None


@settings(max_examples=200, deadline=None)
@given(st.text())
def test_any_markup_gives_text_and_never_raises(text: str) -> None:
    page = news.html_to_text(text)
    assert isinstance(page.text, str)


@given(st.binary(max_size=300))
def test_any_bytes_decode(body: bytes) -> None:
    assert isinstance(news.decode(body, "text/html", html=True), str)


def test_charsets() -> None:
    zh = "TikTok据传月底关闭电商外链"
    assert news.decode(zh.encode("gbk")) == zh  # no label: GB18030 after UTF-8 fails
    assert news.decode(zh.encode("big5", errors="ignore"), "text/plain; charset=big5").startswith("TikTok")
    meta = f'<meta charset="gb2312"><p>{zh}</p>'.encode("gbk")
    assert zh in news.decode(meta, html=True)
    assert news.decode(b"\xef\xbb\xbf" + zh.encode()) == zh


def test_the_lexicon_is_built_once_and_again_when_the_users_file_changes(tmp_path: Path) -> None:
    assert news.load_lexicon(tmp_path) is news.bundled_lexicon()  # no news.toml: the bundled one
    user = tmp_path / "news.toml"
    user.write_text('[platforms.ozon]\naliases = ["Ozon"]\n')
    first = news.load_lexicon(tmp_path)
    assert first is news.load_lexicon(tmp_path)
    assert "ozon" in {p.id for p in first.platforms}
    user.write_text('[platforms.ozon]\naliases = ["Ozon", "奥森"]\n')
    os.utime(user, ns=(1, 1))  # a different mtime even on a coarse clock
    second = news.load_lexicon(tmp_path)
    assert second is not first
    assert "奥森" in next(p for p in second.platforms if p.id == "ozon").aliases
