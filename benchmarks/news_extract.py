"""News extraction speed: one long article, and a feed of short ones.

Builds, from a seeded generator, (1) a 10,000-character page in the shape of a real trade-press
article: navigation, a headline, paragraphs of Chinese and English where a quarter of the
sentences announce a change (platform, region, date, kind and status words) and the rest name
platforms and regions in passing, adverts and a related-articles list; (2) the same with every
sentence announcing a change (a stress case, printed without a target); and (3) a 200-item feed
of 500-character articles, half their sentences about a change. Times `extract()` with
the bundled lexicon (read and built once, outside the timing, as a long-running process would)
and checks the targets: the long article <= 50 ms (median), the whole feed <= 2 s. Also prints
the one-off cost of building the lexicon. Exit status 1 when a target is missed.

    .venv/bin/python benchmarks/news_extract.py
"""

from __future__ import annotations

import os
import platform
import random
import statistics
import sys
import time
import tomllib
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from riskmon.core.news import extract, lexicon_from_data

TARGET_ARTICLE = 0.050
TARGET_FEED = 2.0
PUBLISHED = datetime(2025, 1, 17, tzinfo=UTC)
DATA = Path(__file__).resolve().parents[1] / "riskmon" / "data" / "news.toml"

PLATFORMS = ["TikTok", "TikTok Shop", "亚马逊", "Amazon", "Shopee", "虾皮", "Lazada", "Temu", "SHEIN", "速卖通", "Etsy"]
REGIONS = ["美国", "印尼", "马来西亚", "泰国", "越南", "菲律宾", "the US", "Indonesia", "英国", "东南亚", "巴西"]
KINDS = ["关闭外链", "禁令", "停止服务", "封店", "回款周期延长", "佣金上调2%", "关税120%", "黑五大促", "停止交易"]
EN_KINDS = ["end outbound links", "ban", "shut down", "suspend accounts", "hold payouts", "raise fees", "tariffs"]
STATUS = ["据传", "官宣", "宣布", "确认", "正式", "或将", "可能", "reportedly", "announced", "will", "confirmed"]
DATES = ["1月19日", "8月底", "2025年3月1日", "11月13日下午4点", "Jan. 19", "end of August", "March 1, 2025", "年底"]
FILLER_ZH = [
    "业内人士指出，卖家应当提前做好多平台布局，避免把全部流量押在单一渠道上。",
    "据了解，相关政策的细节仍在讨论之中，平台方面表示会及时通知卖家。",
    "有分析认为，这一变化将对中小卖家的现金流造成较大压力，尤其是库存较多的商家。",
    "不少卖家已经开始把独立站和社交媒体账号打通，以降低平台规则变化带来的风险。",
]
FILLER_EN = [
    "Analysts said sellers should spread their sales across several channels to limit the damage.",
    "The company did not respond to a request for comment on Thursday.",
    "Merchants who depend on a single marketplace are the most exposed to sudden policy changes.",
    "Several agencies said they had started moving client inventory to warehouses they control.",
]
NAV = "首页 | 跨境资讯 | TikTok | 亚马逊 | Shopee | 独立站 | 关于我们"
RELATED = (
    "相关阅读\n亚马逊宣布上调美国站佣金\nTemu或将调整半托管模式\nShopee印尼站回款周期延长\n© 2025 跨境观察 版权所有"
)


def policy(rng: random.Random) -> str:
    """A sentence about a change: platform, region, date, kind and status words."""
    if rng.random() < 0.5:
        where, when = rng.choice(REGIONS), rng.choice(DATES)
        return f"{rng.choice(STATUS)}，{rng.choice(PLATFORMS)}将于{when}在{where}{rng.choice(KINDS)}。"
    return (
        f"{rng.choice(PLATFORMS)} {rng.choice(STATUS)} it will {rng.choice(EN_KINDS)} in {rng.choice(REGIONS)} "
        f"on {rng.choice(DATES)}."
    )


def filler(rng: random.Random) -> str:
    """Background: platforms and regions named, no change announced."""
    if rng.random() < 0.5:
        return f"{rng.choice(PLATFORMS)}在{rng.choice(REGIONS)}的卖家数量持续增长。{rng.choice(FILLER_ZH)}"
    return f"Sellers on {rng.choice(PLATFORMS)} in {rng.choice(REGIONS)} said demand held up. {rng.choice(FILLER_EN)}"


def article(rng: random.Random, size: int, density: float) -> str:
    """A page: navigation, a headline, paragraphs (a share `density` of their sentences about a
    change, the rest background), adverts, a related-articles list and a footer."""
    parts = [NAV, f"{rng.choice(PLATFORMS)}{rng.choice(STATUS)}{rng.choice(DATES)}{rng.choice(KINDS)}"]
    body: list[str] = []
    n = 0
    while n < size - len(RELATED) - 200:
        paragraph = " ".join(policy(rng) if rng.random() < density else filler(rng) for _ in range(rng.randint(2, 4)))
        body.append(f"{paragraph} ({len(body)})")  # numbered: paragraphs never repeat word for word
        n += len(body[-1]) + 1
        if len(body) % 6 == 0:
            body.append("【广告】Shopify免费试用14天，立即开店！")
    return "\n".join([*parts, *body, RELATED])[:size]


def timed(fn: Callable[[], object], repeat: int) -> tuple[list[float], list[float]]:
    """Wall-clock and CPU seconds of each call. The CPU time shows the cost when other processes
    share the cores (the wall-clock time then includes waiting for one)."""
    wall, cpu = [], []
    for _ in range(repeat):
        start, start_cpu = time.perf_counter(), time.process_time()
        fn()
        wall.append(time.perf_counter() - start)
        cpu.append(time.process_time() - start_cpu)
    return wall, cpu


def machine() -> str:
    cpu = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return (
        f"nproc {os.cpu_count()}, {cpu}, {platform.system()} {platform.release()}, CPython {platform.python_version()}"
    )


def main() -> int:
    rng = random.Random(15)
    start = time.perf_counter()
    lexicon = lexicon_from_data(tomllib.loads(DATA.read_text(encoding="utf-8")))
    build = time.perf_counter() - start

    long = article(rng, 10_000, density=0.25)
    dense = article(rng, 10_000, density=1.0)
    feed = [article(rng, 500, density=0.5) for _ in range(200)]
    for text in (long, dense):
        extract(text, published=PUBLISHED, lexicon=lexicon)  # warm: regex caches, first calls
    per_article, article_cpu = timed(lambda: extract(long, published=PUBLISHED, lexicon=lexicon), 50)
    per_dense, dense_cpu = timed(lambda: extract(dense, published=PUBLISHED, lexicon=lexicon), 20)
    whole_feed, feed_cpu = timed(lambda: [extract(a, published=PUBLISHED, lexicon=lexicon) for a in feed], 7)
    found = extract(long, published=PUBLISHED, lexicon=lexicon)
    dense_found = extract(dense, published=PUBLISHED, lexicon=lexicon)
    feed_drafts = sum(len(extract(a, published=PUBLISHED, lexicon=lexicon)) for a in feed)

    median, feed_median = statistics.median(per_article), statistics.median(whole_feed)
    print(f"machine: {machine()}, load average {' '.join(f'{x:.1f}' for x in os.getloadavg())}")
    print(f"lexicon build (once per process): {build * 1000:.1f} ms")
    print(
        f"10,000-char article ({len(long)} chars, {len(found)} drafts): median {median * 1000:.1f} ms, "
        f"worst {max(per_article) * 1000:.1f} ms, CPU median {statistics.median(article_cpu) * 1000:.1f} ms "
        f"(target <= {TARGET_ARTICLE * 1000:.0f} ms)"
    )
    print(
        f"  stress, every sentence a change ({len(dense_found)} drafts): median "
        f"{statistics.median(per_dense) * 1000:.1f} ms, CPU median {statistics.median(dense_cpu) * 1000:.1f} ms"
    )
    print(
        f"200-item feed ({sum(map(len, feed))} chars, {feed_drafts} drafts): median {feed_median:.3f} s, "
        f"worst {max(whole_feed):.3f} s, CPU median {statistics.median(feed_cpu):.3f} s, "
        f"{feed_median / len(feed) * 1000:.2f} ms an item (target <= {TARGET_FEED:.0f} s)"
    )
    ok = median <= TARGET_ARTICLE and feed_median <= TARGET_FEED
    print("targets met" if ok else "TARGET MISSED")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
