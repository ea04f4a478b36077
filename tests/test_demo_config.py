"""The bundled demo config and the `config init` starter set: valid, believable, documented."""

from __future__ import annotations

import tomllib
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from dateutil.rrule import rrulestr

import riskmon
from riskmon.core.settings import Settings
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
    assert demo.settings == Settings()  # riskmon.toml spells out the defaults


def test_demo_business(demo: Config) -> None:
    p = demo.profile
    assert p.business.name == "Harbor Home & Pet"
    assert p.business.currency == "USD"
    assert len(p.business.commitments) >= 2  # the forecast has promised payments to show
    channels = {c.id: c for c in p.channels}
    assert set(channels) == {"tiktok-us", "amazon-us", "harborhome-shop", "etsy"}
    tiktok = channels["tiktok-us"]
    assert (tiktok.platform, tiktok.kind) == ("tiktok", "social_shop")
    assert tiktok.pending_payouts > 0 and tiktok.deposit > 0 and tiktok.inventory_value > 0
    assert tiktok.contribution_margin is not None and tiktok.contribution_margin < p.business.gross_margin
    assert 7 <= tiktok.payout_hold_days <= 15
    assert channels["amazon-us"].warehouse == "platform"
    assert channels["etsy"].supply_route == "parcel"
    shop = channels["harborhome-shop"]
    assert shop.kind == "own_store"
    assert any(link.via == "tiktok" and link.feature == "external_link" and link.share == 0.30 for link in shop.traffic)
    assert 0.9 <= sum(c.order_share for c in p.channels) < 1.0


def test_demo_events_are_the_real_catalog(demo: Config) -> None:
    """The catalog's content is checked in tests/test_catalog_replays.py; here: what the demo
    leans on, as the config loader reads it."""
    ev = by_id(demo)
    real = [e for e in demo.events if not e.id.startswith("example-")]
    assert len(real) >= 20
    for e in real:
        assert e.sources and all(s.startswith(("https://", "http://")) for s in e.sources), e.id
        assert e.summary, e.id
        if e.kind != "season":  # a season's status does not change; the rest say how theirs did
            assert e.timeline, e.id
    # Indonesia: 17:00 WIB is 10:00 UTC; back through Tokopedia on 2023-12-12.
    closure = ev["id-tiktok-shop-closure-2023"]
    assert closure.effective == datetime(2023, 10, 4, 10, 0, tzinfo=UTC)
    assert closure.ends == datetime(2023, 12, 11, 17, 0, tzinfo=UTC)  # 2023-12-12 00:00 WIB
    ban = ev["us-tiktok-ban-2025"]
    assert ban.timeline[0].date.date().isoformat() == "2024-04-24" and ban.status == "resolved"
    music = ev["tiktok-music-shutdown-2024"]
    assert [d.date.date().isoformat() for d in music.deadlines] == ["2024-10-28"]
    duties = [e for e in real if e.kind == "duty_change"]
    assert duties and all(e.routes == ("parcel",) and e.regions == ("US",) for e in duties)
    assert ev["us-tiktok-shop-virtual-warehouse"].warehouses == ("virtual",)


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


def test_black_friday_recurs_every_year_from_friday_to_cyber_monday(demo: Config) -> None:
    e = by_id(demo)["black-friday"]
    assert e.kind == "season" and e.recurs and e.ends is not None
    rule = rrulestr(e.recurs, dtstart=e.effective)
    window = (datetime(2025, 1, 1, tzinfo=UTC), datetime(2028, 12, 31, tzinfo=UTC))
    days = [d.date().isoformat() for d in rule.between(*window, inc=True)]
    assert days == ["2025-11-28", "2026-11-27", "2027-11-26", "2028-11-24"]
    assert 3 <= (e.ends - e.effective).days <= 4  # Friday through Cyber Monday


def test_the_demo_replays_the_us_ban_story(demo: Config) -> None:
    """The day before the ban took effect it was a warning; today, with the law resolved, the demo
    seller is OK and its live risks are the duty on its parcels and the labelled examples."""
    from riskmon.core.engine import assess
    from riskmon.errors import Level

    before = assess(demo.profile, demo.events, datetime(2025, 1, 18, tzinfo=UTC), demo.settings)
    assert before.level is Level.WARNING and before.events[0].id == "us-tiktok-ban-2025"
    today = assess(demo.profile, demo.events, TODAY, demo.settings)
    assert today.level is Level.OK
    assert today.event("us-tiktok-ban-2025") is not None and today.event("us-tiktok-ban-2025").status == "resolved"
    top = [e.id for e in today.events[:4]]
    assert "us-de-minimis-suspension-continues-2026" in top


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
