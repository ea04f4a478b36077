"""The bundled demo config and the `config init` starter set: valid, believable, documented."""

from __future__ import annotations

import tomllib
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from dateutil.rrule import rrulestr

import riskmon
from riskmon.paths import CONFIG_FILES, ConfigLocation, bundled_config_dir
from riskmon.sources.config import schema as model
from riskmon.sources.config.load import Config, find_problems_in_text, load_config
from riskmon.sources.config.starter import TEMPLATE_DIR, bundled_catalog_text, starter_files

TODAY = datetime(2026, 11, 21, tzinfo=UTC)


@pytest.fixture(scope="module")
def demo() -> Config:
    return load_config(ConfigLocation(bundled_config_dir(), "bundled demo"))


def by_id(cfg: Config) -> dict[str, model.Event]:
    return {e.id: e for e in cfg.events}


def test_demo_loads(demo: Config) -> None:
    assert demo.location.is_demo
    assert demo.files["exposure.toml"] is not None
    assert demo.files["events.toml"] is not None
    assert demo.files["riskmon.toml"] is not None
    # playbooks.toml is written by the playbooks work; either way the demo loads.
    assert demo.settings == model.Settings()  # riskmon.toml spells out the defaults


def test_demo_business(demo: Config) -> None:
    p = demo.profile
    assert p.business.name == "Harbor Home & Pet"
    assert p.business.currency == "USD"
    channels = {c.id: c for c in p.channels}
    assert set(channels) == {"tiktok-us", "amazon-us", "harborhome-shop", "etsy"}
    tiktok = channels["tiktok-us"]
    assert (tiktok.platform, tiktok.kind) == ("tiktok", "social_shop")
    assert tiktok.pending_payouts > 0 and tiktok.deposit > 0 and tiktok.inventory_value > 0
    assert 7 <= tiktok.payout_hold_days <= 15
    assert channels["amazon-us"].warehouse == "platform"
    shop = channels["harborhome-shop"]
    assert shop.kind == "own_store"
    assert any(link.via == "tiktok" and link.feature == "external_link" and link.share == 0.30 for link in shop.traffic)
    assert 0.9 <= sum(c.order_share for c in p.channels) < 1.0


def test_demo_events_are_the_real_catalog(demo: Config) -> None:
    ev = by_id(demo)
    expect = {
        "in-tiktok-ban-2020": ("ban", "in_effect", ["IN"], "2020-06-29"),
        "cn-douyin-link-cutoff-2020": ("link_cutoff", "in_effect", ["CN"], "2020-10-09"),
        "sea-tiktok-link-cutoff-2023": ("link_cutoff", "in_effect", None, "2023-08-31"),
        "id-tiktok-shop-closure-2023": ("shop_closure", "resolved", ["ID"], "2023-10-04"),
        "in-resso-shutdown-2024": ("service_shutdown", "in_effect", ["IN"], "2024-01-31"),
        "tiktok-music-shutdown-2024": ("service_shutdown", "in_effect", None, "2024-11-28"),
        "us-tiktok-shop-black-friday-2024": ("season", "in_effect", ["US"], "2024-11-14"),
        "us-tiktok-ban-2025": ("ban", "paused", ["US"], "2025-01-19"),
        "us-tiktok-shop-payout-hold": ("payout_hold", "in_effect", ["US"], None),
        "us-tiktok-shop-virtual-warehouse": ("account_suspension", "in_effect", ["US"], None),
        "sea-lazada-penalty-points": ("account_suspension", "in_effect", None, None),
    }
    for event_id, (kind, status, regions, day) in expect.items():
        e = ev[event_id]
        assert (e.kind, e.status) == (kind, status), event_id
        if regions is not None:
            assert e.regions == regions, event_id
        if day is not None:
            assert e.effective.date().isoformat() == day, event_id
        assert e.sources and all(s.startswith("https://") for s in e.sources), event_id
        assert e.summary, event_id
    # Indonesia: 17:00 WIB is 10:00 UTC.
    assert ev["id-tiktok-shop-closure-2023"].effective == datetime(2023, 10, 4, 10, 0, tzinfo=UTC)
    assert ev["cn-douyin-link-cutoff-2020"].platforms == ["douyin"]
    assert ev["in-resso-shutdown-2024"].platforms == ["resso"]
    music = ev["tiktok-music-shutdown-2024"]
    assert [d.date.date().isoformat() for d in music.deadlines] == ["2024-10-28"]
    bf = ev["us-tiktok-shop-black-friday-2024"]
    assert bf.ends is not None and bf.ends.date().isoformat() == "2024-12-03"  # 23:59 PST
    ban = ev["us-tiktok-ban-2025"]
    assert ban.p == 0.5 and "14166" in ban.summary and ban.deadlines
    hold = ev["us-tiktok-shop-payout-hold"]
    assert hold.impact.extra_hold_days and hold.impact.extra_hold_days > 0
    assert ev["sea-lazada-penalty-points"].platforms == ["lazada"]
    assert "48" in ev["sea-lazada-penalty-points"].title


def test_past_statuses_reflect_how_things_ended(demo: Config) -> None:
    for e in demo.events:
        if e.title.startswith("Example:"):
            continue
        if not e.recurs:
            assert e.effective < TODAY, e.id
            assert e.status not in ("rumored", "announced"), e.id


def test_examples_are_labelled_rumours_a_few_months_out(demo: Config) -> None:
    examples = [e for e in demo.events if e.title.startswith("Example:")]
    assert len(examples) >= 2
    for e in examples:
        assert e.id.startswith("example-")
        assert e.status == "rumored"
        assert TODAY < e.effective < TODAY + timedelta(days=183)
    kinds = {e.kind for e in examples}
    assert {"fee_change", "link_cutoff"} <= kinds
    fee = next(e for e in examples if e.kind == "fee_change")
    assert fee.impact.fee_delta and fee.impact.fee_delta > 0


@pytest.mark.parametrize("event_id", ["black-friday", "chinese-new-year-closures"])
def test_recurring_seasons_are_live_every_year(demo: Config, event_id: str) -> None:
    e = by_id(demo)[event_id]
    assert e.kind == "season" and e.recurs and e.ends is not None
    rule = rrulestr(e.recurs, dtstart=e.effective)
    for year in range(2026, 2036):
        start = datetime(year, 1, 1, tzinfo=UTC)
        nxt = rule.after(start, inc=True)
        assert nxt is not None and nxt.year == year


def test_black_friday_rule_gives_the_day_after_thanksgiving(demo: Config) -> None:
    e = by_id(demo)["black-friday"]
    rule = rrulestr(e.recurs, dtstart=e.effective)
    window = (datetime(2025, 1, 1, tzinfo=UTC), datetime(2028, 12, 31, tzinfo=UTC))
    days = [d.date().isoformat() for d in rule.between(*window, inc=True)]
    assert days == ["2025-11-28", "2026-11-27", "2027-11-26", "2028-11-24"]
    assert e.ends is not None and (e.ends - e.effective).days == 4  # Friday through Cyber Monday


def test_demo_is_a_warning_not_a_catastrophe(demo: Config) -> None:
    from riskmon.core.engine import assess
    from riskmon.errors import Level

    result = assess(demo.profile, demo.events, TODAY, demo.settings)
    assert result.level == Level.WARNING
    assert 40 <= result.score < 70


# ---------------------------------------------------------------------------------------------
# The starter set


def test_starter_set_is_valid() -> None:
    files = starter_files()
    assert set(files) == set(CONFIG_FILES)
    for name, text in files.items():
        assert find_problems_in_text(name, text) == [], name


def test_starter_events_are_the_bundled_catalog_without_examples(demo: Config) -> None:
    starter = tomllib.loads(starter_files()["events.toml"])
    ids = [e["id"] for e in starter["events"]]
    real = [e.id for e in demo.events if not e.title.startswith("Example:")]
    assert ids == real
    assert "# @@" not in starter_files()["events.toml"]


def test_bundled_catalog_text_falls_back() -> None:
    assert bundled_catalog_text("no sections here").startswith("#")
    assert bundled_catalog_text("# --- Precedents\n[[events]]\n# --- Examples\nx\n") == "# --- Precedents\n[[events]]\n"


def _documented(model_cls: type[model.BaseModel], text: str, skip: tuple[str, ...] = ()) -> list[str]:
    return [f for f in model_cls.model_fields if f not in skip and f not in text]


@pytest.mark.parametrize(
    ("name", "models"),
    [
        ("exposure.toml", [model.Business, model.Channel, model.TrafficLink, model.Profile]),
        ("events.toml", [model.Event, model.Impact, model.Deadline, model.EventCatalog]),
        (
            "riskmon.toml",
            [
                model.Settings,
                model.Thresholds,
                model.ModelSettings,
                model.HistorySettings,
                model.FeedSettings,
                model.AlertSettings,
                model.ExportSettings,
            ],
        ),
        ("playbooks.toml", [model.PlaybookFile, model.PlaybookRule, model.PlaybookStep]),
    ],
)
def test_every_field_is_explained_in_the_starter(name: str, models: list[type[model.BaseModel]]) -> None:
    text = (TEMPLATE_DIR / name).read_text(encoding="utf-8")
    missing = {m.__name__: _documented(m, text, skip=("source",)) for m in models}
    assert {k: v for k, v in missing.items() if v} == {}
    assert "Default" in text


def test_templates_ship_inside_the_package() -> None:
    assert TEMPLATE_DIR.parent == Path(riskmon.__file__).resolve().parent
    for name in CONFIG_FILES:
        assert (TEMPLATE_DIR / name).is_file()


def test_commented_examples_in_the_starter_are_valid_when_uncommented() -> None:
    import re

    code_line = re.compile(r"^# (?=\[|[A-Za-z_]+ = )", re.MULTILINE)
    for name, text in starter_files().items():
        uncommented = code_line.sub("", text)
        assert find_problems_in_text(name, uncommented) == [], name
        if name != "exposure.toml":
            assert uncommented != text, f"{name} should carry commented examples"
    playbooks = tomllib.loads(code_line.sub("", starter_files()["playbooks.toml"]))
    assert len(playbooks["rules"]) == 2


def test_playbook_placeholders_are_listed_in_the_starter() -> None:
    text = (TEMPLATE_DIR / "playbooks.toml").read_text(encoding="utf-8")
    assert [p for p in model.PLACEHOLDERS if "{" + p + "}" not in text] == []
