"""Drafts against the catalog (`match`) and against each other (`merge`).

A draft about an event the catalog already has must become a proposed update to it — a timeline
entry, a corrected date, a new deadline — not a second event; two articles about one change must
become one draft whose timeline replays how the news moved.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from riskmon.core.model import Deadline, Event, TimelineEntry
from riskmon.core.news import Draft, extract, match, merge, same_change
from riskmon.core.timing import status_at
from tests.news_fixtures import bundled


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def one(text: str, published: datetime | None, url: str = "https://news.example/a") -> Draft:
    (d,) = extract(text, published=published, url=url, lang=None, lexicon=bundled())
    return d


US_BAN = Event(
    "us-tiktok-ban-2025",
    "US divest-or-ban law takes effect",
    "ban",
    ("tiktok",),
    utc(2025, 1, 19),
    "announced",
    regions=("US",),
    deadlines=(Deadline(utc(2025, 1, 18), "Export followers"),),
)
IN_BAN = Event(
    "in-tiktok-ban-2020", "India bans TikTok", "ban", ("tiktok",), utc(2020, 6, 29), "in_effect", regions=("IN",)
)
SEA_LINKS = Event(
    "sea-tiktok-link-cutoff-2023",
    "TikTok ends outbound links",
    "link_cutoff",
    ("tiktok",),
    utc(2023, 8, 31),
    "rumored",
    regions=("ID", "MY", "PH", "SG", "TH", "VN"),
)
ID_SHOP = Event(
    "id-tiktok-shop-closure-2023",
    "TikTok Shop Indonesia stops transactions",
    "shop_closure",
    ("tiktok",),
    utc(2023, 10, 4),
    "announced",
    regions=("ID",),
)
BLACK_FRIDAY = Event(
    "black-friday",
    "Black Friday to Cyber Monday peak",
    "season",
    ("amazon", "tiktok", "shopify"),
    utc(2025, 11, 28),
    "confirmed",
    regions=("US", "CA"),
    ends=utc(2025, 12, 2),
    recurs="FREQ=YEARLY;BYMONTH=11;BYDAY=FR;BYMONTHDAY=23,24,25,26,27,28,29",
)
CATALOG = [IN_BAN, US_BAN, SEA_LINKS, ID_SHOP, BLACK_FRIDAY]

UPHELD = (
    "美国最高法院支持禁令，TikTok最早19日下架\n"
    "美国最高法院周五裁定，维持要求字节跳动剥离TikTok美国业务的法律，否则TikTok将于1月19日起在美国被禁。\n"
    "卖家须在18日前导出订单和粉丝数据，并在17日前完成提现。"
)
PAUSED = (
    "Trump pauses TikTok ban enforcement for 75 days\n"
    "President Trump signed an executive order on January 20, 2025 that delays enforcement of the TikTok ban in the "
    "US for 75 days."
)
RUMOUR = "据传TikTok美国禁令将于1月19日生效"


# ---------------------------------------------------------------------------------------------
# match


def test_an_article_about_a_known_event_proposes_a_timeline_entry_not_a_duplicate() -> None:
    d = one(UPHELD, utc(2025, 1, 17))
    m = match(d, CATALOG)
    assert m is not None and m.event_id == "us-tiktok-ban-2025"
    assert m.timeline == TimelineEntry(utc(2025, 1, 17), "confirmed")  # dated by the article
    assert m.effective is None  # the article's 19 January is the event's
    assert [x.date for x in m.deadlines] == [utc(2025, 1, 17)]  # the 18th is already in the catalog
    assert m.changes
    assert d.to_json(m)["matches"] == "us-tiktok-ban-2025"


def test_a_pause_is_dated_by_the_article_and_leaves_the_effective_date() -> None:
    d = one(PAUSED, utc(2025, 1, 21))
    m = match(d, CATALOG)
    assert m is not None and m.event_id == "us-tiktok-ban-2025"
    assert m.timeline == TimelineEntry(utc(2025, 1, 21), "paused")
    assert m.effective is None


def test_old_news_is_a_duplicate_with_nothing_to_change() -> None:
    d = one(RUMOUR, utc(2025, 1, 10))
    assert d.status == "rumored"
    m = match(d, CATALOG)
    assert m is not None and m.event_id == "us-tiktok-ban-2025"
    assert (m.timeline, m.effective, m.ends, m.deadlines) == (None, None, None, ())
    assert not m.changes


def test_an_exact_time_corrects_a_date() -> None:
    text = "TikTok will stop e-commerce transactions in TikTok Shop Indonesia from October 4, 2023 at 5 p.m. WIB."
    d = one(text, utc(2023, 10, 3))
    m = match(d, CATALOG)
    assert m is not None and m.event_id == "id-tiktok-shop-closure-2023"
    assert m.effective == datetime(2023, 10, 4, 17, tzinfo=timezone(timedelta(hours=7)))
    assert m.timeline is None  # announced, as the catalog already says


def test_a_reopening_ends_the_closure() -> None:
    d = one("TikTok Shop印尼站12月12日恢复运营，与Tokopedia合并", utc(2023, 12, 12))
    m = match(d, CATALOG)
    assert m is not None and m.event_id == "id-tiktok-shop-closure-2023"
    assert m.timeline == TimelineEntry(utc(2023, 12, 12), "resolved")
    assert (m.effective, m.ends) == (None, utc(2023, 12, 12))


def test_a_closure_of_the_whole_month_does_not_move_an_exact_date() -> None:
    d = one("TikTok据传月底关闭印尼电商外链", utc(2023, 8, 10))
    m = match(d, CATALOG)
    assert m is not None and m.event_id == "sea-tiktok-link-cutoff-2023"
    assert m.effective is None  # "月底" is approximate; the catalog's 31 August stays


@pytest.mark.parametrize(
    ("text", "published"),
    [
        ("印度宣布6月29日起封禁TikTok", utc(2025, 1, 10)),  # India: a region the US event does not cover
        ("美国宣布将于1月19日起关闭TikTok外链", utc(2025, 1, 10)),  # a link cutoff is not a ban
        ("美国将于9月1日起封禁TikTok", utc(2025, 8, 1)),  # seven months after the catalog's date
        ("美国宣布将于1月19日起封禁亚马逊", utc(2025, 1, 10)),  # another platform
    ],
)
def test_a_different_change_matches_nothing(text: str, published: datetime) -> None:
    assert match(one(text, published), [US_BAN]) is None


def test_a_shop_closure_matches_a_ban_but_prefers_its_own_kind() -> None:
    d = one("TikTok宣布1月19日起关闭美国电商业务，TikTok Shop停止交易", utc(2025, 1, 10))
    assert d.kind == "shop_closure"
    assert match(d, [US_BAN]).event_id == "us-tiktok-ban-2025"  # type: ignore[union-attr]
    closure = Event("us-shop", "TikTok Shop US closes", "shop_closure", ("tiktok",), utc(2025, 1, 25), "rumored")
    assert match(d, [US_BAN, closure]).event_id == "us-shop"  # type: ignore[union-attr]


def test_a_worldwide_event_overlaps_every_region() -> None:
    everywhere = Event("tt-links", "Links end", "link_cutoff", ("tiktok",), utc(2023, 9, 1), "rumored")
    d = one("据传TikTok将于9月1日关闭印尼电商外链", utc(2023, 8, 10))
    assert match(d, [everywhere]).event_id == "tt-links"  # type: ignore[union-attr]


def test_a_timeline_date_counts_for_the_window() -> None:
    event = Event(
        "us-ban",
        "US ban",
        "ban",
        ("tiktok",),
        utc(2024, 4, 24),
        "confirmed",
        regions=("US",),
        timeline=(TimelineEntry(utc(2024, 4, 24), "announced"), TimelineEntry(utc(2025, 1, 17), "confirmed")),
    )
    d = one(PAUSED, utc(2025, 1, 21))
    m = match(d, [event])
    assert m is not None and m.timeline == TimelineEntry(utc(2025, 1, 21), "paused")


def test_this_years_campaign_matches_the_recurring_peak() -> None:
    text = "TikTok Shop美区宣布，黑五大促时间为美国太平洋时间11月13日下午4点至12月2日晚上11点59分。"
    d = one(text, utc(2026, 10, 20))
    assert d.kind == "season" and d.effective == datetime(2026, 11, 14, 0, tzinfo=UTC)
    m = match(d, CATALOG)
    assert m is not None and m.event_id == "black-friday"
    assert (m.effective, m.ends) == (None, None)  # a recurring event's dates are its rule's


def test_the_window_is_adjustable() -> None:
    d = one("美国宣布将于3月1日起封禁TikTok", utc(2025, 2, 1))  # 41 days after 19 January
    assert match(d, [US_BAN]) is not None
    assert match(d, [US_BAN], window_days=30) is None


# ---------------------------------------------------------------------------------------------
# merge


def test_two_articles_about_one_change_merge_into_one_draft() -> None:
    rumour = one("TikTok据传月底关闭印尼电商外链", utc(2023, 8, 10), url="https://a.example/1")
    notice = one("TikTok宣布将于2023年8月31日起关闭东南亚电商外链", utc(2023, 8, 20), url="https://b.example/2")
    (merged,) = merge([notice, rumour])
    assert merged.status == "announced" and merged.probability == 0.6
    assert merged.effective == utc(2023, 8, 31)
    assert merged.confidence == max(rumour.confidence, notice.confidence)
    assert merged.sources == ("https://a.example/1", "https://b.example/2")  # in publication order
    assert merged.timeline == (TimelineEntry(utc(2023, 8, 10), "rumored"), TimelineEntry(utc(2023, 8, 20), "announced"))
    assert merged.evidence["kind"] == rumour.evidence["kind"]  # the earliest evidence
    assert merged.evidence["status"] == notice.evidence["status"]  # the status kept is the notice's
    assert set(merged.regions) == {"ID", "MY", "PH", "SG", "TH", "VN"}


def test_the_merged_timeline_replays_as_the_news_moved() -> None:
    rumour = one(RUMOUR, utc(2025, 1, 10), url="u1")
    upheld = one(UPHELD, utc(2025, 1, 17), url="u2")
    paused = one(PAUSED, utc(2025, 1, 21), url="u3")
    (merged,) = merge([upheld, paused, rumour])
    assert merged.status == "paused"  # reported after the ruling: the newest news
    assert merged.effective == utc(2025, 1, 19)  # from the ruling, not the pause's 20 January
    event = merged.to_event()
    assert event.status == "paused"
    assert [(t.date, t.status) for t in event.timeline] == [
        (utc(2025, 1, 10), "rumored"),
        (utc(2025, 1, 17), "confirmed"),
        (utc(2025, 1, 21), "paused"),
    ]
    assert status_at(event, utc(2025, 1, 9)) is None  # not public yet
    assert status_at(event, utc(2025, 1, 12)).status == "rumored"  # type: ignore[union-attr]
    assert status_at(event, utc(2025, 1, 18)).status == "confirmed"  # type: ignore[union-attr]
    assert status_at(event, utc(2025, 2, 1)).status == "paused"  # type: ignore[union-attr]
    entry = merged.to_toml()
    assert entry["timeline"] == [
        {"date": utc(2025, 1, 10).date(), "status": "rumored"},
        {"date": utc(2025, 1, 17).date(), "status": "confirmed"},
        {"date": utc(2025, 1, 21).date(), "status": "paused"},
    ]
    assert entry["sources"] == ["u1", "u2", "u3"]


def test_a_later_hedged_article_does_not_undo_a_firm_one() -> None:
    upheld = one(UPHELD, utc(2025, 1, 17))
    rumour = one(RUMOUR, utc(2025, 1, 18))
    (merged,) = merge([upheld, rumour])
    assert merged.status == "confirmed"
    assert [t.status for t in merged.timeline] == ["confirmed"]


def test_different_changes_stay_apart() -> None:
    a = one("TikTok宣布将于9月1日关闭印尼电商外链", utc(2023, 8, 1))
    b = one("TikTok宣布将于9月1日关闭美国电商外链", utc(2023, 8, 1))  # another region
    c = one("Shopee宣布将于9月1日关闭印尼电商外链", utc(2023, 8, 1))  # another platform
    d = one("TikTok宣布将于9月1日起印尼站佣金上调2%", utc(2023, 8, 1))  # another kind
    e = one("TikTok宣布将于12月1日关闭印尼电商外链", utc(2023, 8, 1))  # three months later
    merged = merge([a, b, c, d, e])
    assert len(merged) == 5
    assert len({m.id for m in merged}) == 5
    assert not same_change(a, b) and same_change(a, a)


def test_a_draft_joining_two_groups_makes_them_one() -> None:
    early = one("TikTok宣布将于9月1日关闭印尼电商外链", utc(2023, 8, 1))
    late = one("TikTok宣布将于10月20日关闭印尼电商外链", utc(2023, 8, 1))
    middle = one("TikTok宣布将于9月25日关闭印尼电商外链", utc(2023, 8, 1))
    assert len(merge([early, late])) == 2
    assert len(merge([early, late, middle])) == 1


def test_merge_keeps_numbers_and_deadlines_from_every_article() -> None:
    a = one("TikTok Music将于2024年11月28日停止服务，歌单须在10月28日前导出", utc(2024, 9, 28))
    b = one("TikTok Music宣布在巴西、印尼和新加坡于11月28日停止服务，用户需在11月1日前下载数据", utc(2024, 10, 1))
    (merged,) = merge([a, b])
    assert [x.date for x in merged.deadlines] == [utc(2024, 10, 28), utc(2024, 11, 1)]
    assert merged.regions == ("*",)  # the first article names no region: everywhere overlaps all
