"""`riskmon news` as a process: articles in from a file, stdin and a URL, in Chinese and English;
the review queue listed; drafts accepted into a valid events.toml that keeps its comments and
replays, rejected for good; four processes adding at once lose nothing.

Every command runs in a subprocess with its own data dir (RISKMON_DATA) and config dir.
"""

from __future__ import annotations

import json
import os
import shlex
import subprocess
import sys
import textwrap
import tomllib
from pathlib import Path
from typing import Any

import pytest

from tests.servers import LocalServer, static
from tests.support import WHATIF_EXPOSURE as EXPOSURE
from tests.support import write_config

KEYS = "id kind platforms regions effective ends deadlines status probability confidence evidence matches".split()  # noqa: SIM905
"""The fields of a draft in `news add --format json`, in this order (issue 15)."""

EVENTS = """\
# my catalog, kept by hand
[[events]]
id = "us-ban"            # the big one
title = "US ban"
kind = "ban"
platforms = ["tiktok"]
regions = ["US"]
status = "announced"
effective = 2025-01-19
"""

ZH_LINKS = "TikTok据传月底关闭电商外链\n据多位卖家透露，TikTok或将于8月底关闭美区电商外链，独立站卖家需提前准备。\n"
ZH_LINKS_AGAIN = "美区外链或将月底关停\n有消息称，TikTok可能在8月底前关闭美国市场的外链功能。\n"
ZH_LINKS_OFFICIAL = "TikTok官宣：8月31日起关闭美区外链\nTikTok宣布，美区电商外链将于8月31日正式关闭。\n"
EN_PAYOUTS = (
    "Shopee to freeze payouts for Indonesian sellers\n"
    "Shopee will hold payouts for sellers in Indonesia for an extra 7 days from 1 March 2025, the company announced.\n"
)
ZH_FEES = "亚马逊宣布上调美国站佣金\n亚马逊宣布，自2025年3月1日起，美国站服装类目佣金从15%上调至17%。\n"
EN_BAN_DATE = (
    "TikTok ban to take effect January 20\n"
    "The TikTok ban in the US will take effect on January 20, 2025, the government announced.\n"
)
EN_BAN_UPHELD = (
    "Supreme Court upholds TikTok ban law; app could go dark Jan. 19\n"
    "The Supreme Court upheld the law that bans TikTok in the US from January 19, 2025.\n"
)
ZH_DUTY = "美国取消小额豁免\n自2025年5月2日起，美国对来自中国的小额包裹征收120%的关税。\n"

PAGE = """<!doctype html><html><head><meta charset="utf-8">
<title>TikTok Shop to close in Indonesia - Seller News</title>
<meta property="article:published_time" content="2023-10-03T08:00:00Z">
<script>var teaser = "TikTok ban in the US on January 19, 2025";</script><style>.x{}</style></head>
<body><nav>首页 | 资讯 | TikTok禁令 | 亚马逊佣金 | Shopee</nav>
<article><h1>TikTok Shop Indonesia to stop transactions</h1>
<p>TikTok Shop will stop facilitating e-commerce transactions in Indonesia from October 4, 2023 at
5 p.m. local time (WIB), the company said.</p></article>
<aside><h3>Related</h3><p>Amazon will raise FBA fees by 2% on March 1, 2025</p></aside>
<footer>© 2023 Seller News · TikTok ban news · 外链</footer></body></html>
"""


def run(
    tmp: Path, *args: str, stdin: str | None = None, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    full = {k: v for k, v in os.environ.items() if not k.lower().endswith("_proxy")}
    full.pop("RISKMON_CONFIG", None)
    full |= {"RISKMON_DATA": str(tmp / "data"), "NO_COLOR": "1"} | (env or {})
    return subprocess.run(
        [sys.executable, "-m", "riskmon", *args],
        input=stdin,
        capture_output=True,
        text=True,
        env=full,
        timeout=60,
    )


def news(tmp: Path, cfg: Path, *args: str, **kw: Any) -> subprocess.CompletedProcess[str]:
    return run(tmp, "news", *args, "--config", str(cfg), **kw)


def drafts(tmp: Path, cfg: Path, *args: str, **kw: Any) -> list[dict[str, Any]]:
    r = news(tmp, cfg, *args, "--format", "json", **kw)
    assert r.returncode == 0, r.stderr
    out: list[dict[str, Any]] = json.loads(r.stdout)
    return out


@pytest.fixture
def cfg(tmp_path: Path) -> Path:
    return write_config(tmp_path, exposure=EXPOSURE, events=EVENTS)


def article(tmp: Path, name: str, text: str) -> Path:
    path = tmp / name
    path.write_text(text, encoding="utf-8")
    return path


# ---------------------------------------------------------------------------------------------
# add


def test_add_chinese_file_prints_the_documented_json(tmp_path: Path, cfg: Path) -> None:
    path = article(tmp_path, "zh.txt", ZH_LINKS)
    (d,) = drafts(tmp_path, cfg, "add", str(path), "--published", "2024-08-10")
    assert list(d) == KEYS
    assert d["id"] == "tiktok-link-cutoff-2024-08-31"
    assert (d["kind"], d["platforms"], d["regions"]) == ("link_cutoff", ["tiktok"], ["US"])
    assert (d["effective"], d["ends"], d["deadlines"]) == ("2024-08-31T00:00:00+00:00", None, [])
    assert (d["status"], d["probability"], d["matches"]) == ("rumored", 0.25, None)
    assert 0 < d["confidence"] <= 1
    assert set(d["evidence"]) >= {"kind", "platforms", "effective", "status"}
    ev = d["evidence"]["kind"]
    assert "外链" in ev["text"] and ZH_LINKS[ev["start"] : ev["end"]].startswith("据多位卖家透露")
    # It waits in the queue, with the same id.
    (queued,) = drafts(tmp_path, cfg, "list")
    assert queued["id"] == d["id"] and queued["review"] == "pending" and queued["title"] == "TikTok据传月底关闭电商外链"


def test_add_english_from_stdin_and_the_text_listing(tmp_path: Path, cfg: Path) -> None:
    r = news(tmp_path, cfg, "add", "-", "--lang", "en", "--published", "2025-02-01", stdin=EN_PAYOUTS)
    assert r.returncode == 0, r.stderr
    assert "shopee-payout-hold-2025-03-01: payout_hold, shopee in ID, 2025-03-01, announced" in r.stdout
    assert "queued as shopee-payout-hold-2025-03-01" in r.stdout
    assert "Shopee will hold payouts for sellers in Indonesia" in r.stdout
    listing = news(tmp_path, cfg, "list")
    assert listing.returncode == 0
    assert "1 draft to review" in listing.stdout and "confidence" in listing.stdout
    assert "extra 7 days" in listing.stdout  # the evidence sentence
    # `riskmon news` alone lists too
    assert news(tmp_path, cfg).stdout == listing.stdout


def test_add_chinese_from_stdin_with_a_fee_change(tmp_path: Path, cfg: Path) -> None:
    (d,) = drafts(tmp_path, cfg, "add", "-", "--lang", "zh", "--published", "2025-02-01", stdin=ZH_FEES)
    assert (d["kind"], d["platforms"], d["regions"], d["effective"]) == (
        "fee_change",
        ["amazon"],
        ["US"],
        "2025-03-01T00:00:00+00:00",
    )
    assert "佣金从15%上调至17%" in d["evidence"]["impact"]["text"]


def test_an_html_page_gives_the_article_not_its_navigation(tmp_path: Path, cfg: Path, server: LocalServer) -> None:
    url = server.route("/story", static(PAGE.encode(), content_type="text/html; charset=utf-8"))
    (d,) = drafts(tmp_path, cfg, "add", url)  # dated by the page's own metadata
    assert (d["kind"], d["platforms"], d["regions"]) == ("shop_closure", ["tiktok"], ["ID"])
    assert d["effective"] == "2023-10-04T17:00:00+07:00"
    (queued,) = drafts(tmp_path, cfg, "list")
    assert queued["sources"] == [url]
    # The same page saved as a file: the same draft, recognised as the article already queued.
    page = article(tmp_path, "page.html", PAGE)
    again = news(tmp_path, cfg, "add", str(page))
    assert again.returncode == 0 and f"already in the queue as {d['id']}" in again.stdout
    assert len(drafts(tmp_path, cfg, "list")) == 1


def test_a_gbk_page_is_read(tmp_path: Path, cfg: Path, server: LocalServer) -> None:
    body = f'<html><head><meta charset="gb2312"></head><body><p>{ZH_LINKS}</p></body></html>'.encode("gbk")
    url = server.route("/gbk", static(body, content_type="text/html"))
    (d,) = drafts(tmp_path, cfg, "add", url, "--published", "2024-08-10")
    assert d["kind"] == "link_cutoff" and "外链" in d["evidence"]["kind"]["text"]


def test_add_exit_codes(tmp_path: Path, cfg: Path, server: LocalServer) -> None:
    nothing = news(tmp_path, cfg, "add", "-", stdin="Weather\nIt was sunny in Jakarta today.\n")
    assert nothing.returncode == 1 and "no draft events" in nothing.stdout
    empty = news(tmp_path, cfg, "add", "-", "--format", "json", stdin="Weather\nSunny.\n")
    assert empty.returncode == 1 and json.loads(empty.stdout) == []
    missing = news(tmp_path, cfg, "add", str(tmp_path / "nope.txt"))
    assert missing.returncode == 3 and "nope.txt: no such file" in missing.stderr
    assert "Traceback" not in missing.stderr and len(missing.stderr.strip().splitlines()) == 1
    broken = server.route("/500", static(b"oops", status=500, content_type="text/plain"))
    failed = news(tmp_path, cfg, "add", broken)
    assert failed.returncode == 3 and "HTTP 500" in failed.stderr
    bad_date = news(tmp_path, cfg, "add", "-", "--published", "soon", stdin=ZH_LINKS)
    assert bad_date.returncode == 3 and "--published" in bad_date.stderr


def test_the_users_news_toml_extends_the_lexicon_and_is_checked(tmp_path: Path, cfg: Path) -> None:
    (cfg / "news.toml").write_text('[platforms.ozon]\naliases = ["Ozon", "奥森"]\nregions = ["RU"]\n')
    (d,) = drafts(tmp_path, cfg, "add", "-", "--published", "2024-08-10", stdin="奥森据传月底关闭外链\n")
    assert d["platforms"] == ["ozon"] and d["regions"] == ["RU"]
    (cfg / "news.toml").write_text('[platforms.ozon]\naliases = ["Ozon"\n')
    r = news(tmp_path, cfg, "add", "-", stdin=ZH_LINKS)
    assert r.returncode == 3 and f"{cfg / 'news.toml'}:" in r.stderr and "invalid TOML" in r.stderr
    (cfg / "news.toml").write_text("[platforms.ozon]\nnames = []\n")
    r = news(tmp_path, cfg, "add", "-", stdin=ZH_LINKS)
    assert r.returncode == 3 and "news.toml" in r.stderr and "names" in r.stderr


def test_a_draft_the_catalog_already_has_is_not_queued(tmp_path: Path, cfg: Path) -> None:
    (d,) = drafts(tmp_path, cfg, "add", "-", "--published", "2025-01-10", stdin=EVENTS_SAME)
    assert d["matches"] == "us-ban"
    assert drafts(tmp_path, cfg, "list") == []


EVENTS_SAME = (
    "TikTok ban announced for January 19\nThe US announced that TikTok will be banned from January 19, 2025.\n"
)


# ---------------------------------------------------------------------------------------------
# accept


def test_accept_writes_a_valid_event_keeping_comments_and_it_replays(tmp_path: Path, cfg: Path) -> None:
    (d,) = drafts(tmp_path, cfg, "add", str(article(tmp_path, "zh.txt", ZH_LINKS)), "--published", "2024-08-10")
    r = news(tmp_path, cfg, "accept", d["id"])
    assert r.returncode == 0, r.stderr
    assert f"accepted {d['id']}" in r.stdout
    text = (cfg / "events.toml").read_text()
    assert text.startswith(EVENTS)  # every byte before, comments included
    written = next(e for e in tomllib.loads(text)["events"] if e["id"] == d["id"])
    assert written["kind"] == "link_cutoff" and written["status"] == "rumored" and written["regions"] == ["US"]
    assert run(tmp_path, "config", "validate", "--config", str(cfg)).returncode == 0
    shown = run(tmp_path, "events", "show", d["id"], "--config", str(cfg), "--now", "2024-08-20", "-f", "json")
    assert shown.returncode == 0, shown.stderr
    assert json.loads(shown.stdout)["status"] == "rumored"
    # Decided: listed with --all only, and not accepted twice.
    assert drafts(tmp_path, cfg, "list") == []
    (done,) = drafts(tmp_path, cfg, "list", "--all")
    assert done["review"] == "accepted" and done["event"] == d["id"]
    twice = news(tmp_path, cfg, "accept", d["id"])
    assert twice.returncode == 1 and "already accepted" in twice.stderr


def test_accept_of_a_matching_draft_updates_that_event(tmp_path: Path, cfg: Path) -> None:
    (d,) = drafts(tmp_path, cfg, "add", "-", "--published", "2025-01-10", stdin=EN_BAN_DATE)
    assert d["matches"] == "us-ban" and d["effective"] == "2025-01-20T00:00:00+00:00"
    r = news(tmp_path, cfg, "accept", d["id"])
    assert r.returncode == 0, r.stderr
    text = (cfg / "events.toml").read_text()
    assert 'id = "us-ban"            # the big one' in text and text.startswith("# my catalog, kept by hand")
    (event,) = tomllib.loads(text)["events"]  # updated, not duplicated
    assert str(event["effective"]) == "2025-01-20"


def _schema_has(field: str) -> bool:
    from riskmon.sources.config import schema

    return field in schema.Event.model_fields


def test_accepting_a_status_change_writes_a_timeline_or_nothing(tmp_path: Path, cfg: Path) -> None:
    """A confirmed ban reported for the announced `us-ban`: a timeline entry. Until the schema
    knows `timeline`, the accept fails with the problem and leaves the file byte for byte."""
    (d,) = drafts(tmp_path, cfg, "add", "-", "--published", "2025-01-17", stdin=EN_BAN_UPHELD)
    assert d["matches"] == "us-ban" and d["status"] == "confirmed"
    before = (cfg / "events.toml").read_bytes()
    r = news(tmp_path, cfg, "accept", d["id"])
    if not _schema_has("timeline"):
        assert r.returncode == 1
        assert "was not accepted" in r.stderr and "timeline" in r.stderr
        assert (cfg / "events.toml").read_bytes() == before
        assert [x["id"] for x in drafts(tmp_path, cfg, "list")] == [d["id"]]  # still pending
        return
    assert r.returncode == 0, r.stderr
    for now, status in (("2025-01-10", "announced"), ("2025-01-18", "confirmed")):
        shown = run(tmp_path, "events", "show", "us-ban", "--config", str(cfg), "--now", now, "-f", "json")
        assert json.loads(shown.stdout)["status"] == status


def test_a_duty_change_is_written_only_when_the_schema_takes_it(tmp_path: Path, cfg: Path) -> None:
    from riskmon.sources.config.schema import EVENT_KINDS

    (d,) = drafts(tmp_path, cfg, "add", "-", "--published", "2025-04-10", stdin=ZH_DUTY)
    assert d["kind"] == "duty_change" and d["platforms"] == ["*"] and d["regions"] == ["US"]
    before = (cfg / "events.toml").read_bytes()
    r = news(tmp_path, cfg, "accept", d["id"])
    if "duty_change" not in EVENT_KINDS:
        assert r.returncode == 1 and "duty_change" in r.stderr and "events.toml" in r.stderr
        assert (cfg / "events.toml").read_bytes() == before
    else:
        assert r.returncode == 0, r.stderr
        assert run(tmp_path, "config", "validate", "--config", str(cfg)).returncode == 0


EDITOR = textwrap.dedent("""
    import pathlib, sys
    target = pathlib.Path(sys.argv[-1])
    text = target.read_text()
    pathlib.Path(sys.argv[1]).write_text(text)
    target.write_text(text.replace(sys.argv[2], sys.argv[3]))
""")


def editor(tmp: Path, old: str, new: str) -> str:
    script = tmp / "editor.py"
    script.write_text(EDITOR)
    return " ".join(shlex.quote(x) for x in (sys.executable, str(script), str(tmp / "seen.toml"), old, new))


def test_accept_edit_opens_the_draft_in_the_editor(tmp_path: Path, cfg: Path) -> None:
    (d,) = drafts(tmp_path, cfg, "add", "-", "--published", "2024-08-10", stdin=ZH_LINKS)
    bad = editor(tmp_path, 'status = "rumored"', 'status = "maybe"')
    r = news(tmp_path, cfg, "accept", d["id"], "--edit", env={"EDITOR": bad, "VISUAL": ""})
    assert r.returncode == 1 and "status" in r.stderr and "events.toml was not changed" in r.stderr
    assert (cfg / "events.toml").read_text() == EVENTS
    seen = (tmp_path / "seen.toml").read_text()
    assert seen.startswith(f"# riskmon news: draft {d['id']}") and "[[events]]" in seen
    good = editor(tmp_path, 'title = "TikTok据传月底关闭电商外链"', 'title = "US link cut-off (rumour)"')
    r = news(tmp_path, cfg, "accept", d["id"], "--edit", env={"EDITOR": good, "VISUAL": ""})
    assert r.returncode == 0, r.stderr
    (_, new) = tomllib.loads((cfg / "events.toml").read_text())["events"]
    assert new["title"] == "US link cut-off (rumour)"


def test_accept_edit_of_an_update(tmp_path: Path, cfg: Path) -> None:
    (d,) = drafts(tmp_path, cfg, "add", "-", "--published", "2025-01-10", stdin=EN_BAN_DATE)
    change = editor(tmp_path, "effective = 2025-01-20", "effective = 2025-01-21")
    r = news(tmp_path, cfg, "accept", d["id"], "--edit", env={"EDITOR": change, "VISUAL": ""})
    assert r.returncode == 0, r.stderr
    assert '[update]\nevent = "us-ban"' in (tmp_path / "seen.toml").read_text()
    (event,) = tomllib.loads((cfg / "events.toml").read_text())["events"]
    assert str(event["effective"]) == "2025-01-21"


def test_accept_refuses_the_bundled_demo_and_unknown_ids(tmp_path: Path, cfg: Path) -> None:
    r = news(tmp_path, cfg, "accept", "no-such-draft")
    assert r.returncode == 1 and "no draft 'no-such-draft'" in r.stderr
    demo = run(tmp_path, "news", "accept", "x", env={"XDG_CONFIG_HOME": str(tmp_path / "xdg")})
    assert demo.returncode == 1 and "read-only" in demo.stderr and "riskmon config init" in demo.stderr


# ---------------------------------------------------------------------------------------------
# reject


def test_a_rejected_draft_stays_rejected(tmp_path: Path, cfg: Path) -> None:
    (d,) = drafts(tmp_path, cfg, "add", "-", "--published", "2024-08-10", stdin=ZH_LINKS)
    r = news(tmp_path, cfg, "reject", d["id"])
    assert r.returncode == 0 and f"rejected {d['id']}" in r.stdout
    # The same article, and another one reporting the same rumour: nothing comes back.
    again = news(tmp_path, cfg, "add", "-", "--published", "2024-08-10", stdin=ZH_LINKS)
    assert again.returncode == 0 and f"you rejected {d['id']}" in again.stdout
    other = news(tmp_path, cfg, "add", "-", "--published", "2024-08-12", stdin=ZH_LINKS_AGAIN)
    assert f"you rejected {d['id']}" in other.stdout
    assert drafts(tmp_path, cfg, "list") == []
    assert news(tmp_path, cfg, "reject", d["id"]).returncode == 1
    # News that moved on (announced officially) is a new draft, with an id of its own.
    (official,) = drafts(tmp_path, cfg, "add", "-", "--published", "2024-08-20", stdin=ZH_LINKS_OFFICIAL)
    assert official["id"] == f"{d['id']}-2" and official["status"] == "announced"
    assert [x["id"] for x in drafts(tmp_path, cfg, "list")] == [official["id"]]


def test_two_articles_about_one_change_merge_into_one_draft(tmp_path: Path, cfg: Path) -> None:
    (first,) = drafts(tmp_path, cfg, "add", "-", "--published", "2024-08-10", stdin=ZH_LINKS)
    r = news(tmp_path, cfg, "add", "-", "--published", "2024-08-20", stdin=ZH_LINKS_OFFICIAL)
    assert f"merged into the queued draft {first['id']}" in r.stdout
    (merged,) = drafts(tmp_path, cfg, "list")
    assert merged["id"] == first["id"] and merged["status"] == "announced"


# ---------------------------------------------------------------------------------------------
# Several processes at once


def test_four_processes_adding_at_once_lose_nothing(tmp_path: Path, cfg: Path) -> None:
    texts = [f"{who}或将于{m}月底关闭美区电商外链\n" for who in ("TikTok", "亚马逊") for m in (1, 3, 5, 7)]
    env = {k: v for k, v in os.environ.items() if not k.lower().endswith("_proxy")}
    env |= {"RISKMON_DATA": str(tmp_path / "data")}
    env.pop("RISKMON_CONFIG", None)
    for batch in (texts[:4], texts[4:]):
        procs = [
            subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "riskmon",
                    "news",
                    "add",
                    "-",
                    "--published",
                    "2024-12-01",
                    "--config",
                    str(cfg),
                ],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
                env=env,
            )
            for _ in batch
        ]
        for p, text in zip(procs, batch, strict=True):
            out, err = p.communicate(text, timeout=60)
            assert p.returncode == 0, err
            assert "queued as" in out
    queued = drafts(tmp_path, cfg, "list")
    assert len(queued) == 8 and len({d["id"] for d in queued}) == 8
    assert sorted(d["effective"][:7] for d in queued) == sorted(f"2025-0{m}" for _ in range(2) for m in (1, 3, 5, 7))
