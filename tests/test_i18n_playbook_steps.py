"""Playbook steps in zh-CN, as a seller runs riskmon from an empty directory (the bundled demo):
the money, dates and regions inside a step are written the way the rest of the screen writes
them, a Chinese value sits in its sentence without stray spaces, and the demo's commitments are
translated. The English output of the same steps keeps the core's own words."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.test_i18n import run

NOW = "2026-12-07T12:00:00Z"
"""Inside the demo's story: the link cutoff, the cash buffer and the de minimis steps are open."""
ENGLISH_MONEY = re.compile(r"(?<![A-Z])\$\d")
ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
CJK_SPACE_OWN_STORE = re.compile(r"[\u4e00-\u9fff\u3000-\u303f\uff00-\uffef] 你的|独立站 [\u4e00-\u9fff]")


def _riskmon(cwd: Path, *args: str) -> str:
    """`riskmon ARGS` in `cwd` with nothing of the user's around it, so the demo is used."""
    env = {"XDG_CONFIG_HOME": str(cwd / "xdg-config"), "XDG_DATA_HOME": str(cwd / "xdg-data")}
    r = run(*args, "--now", NOW, "--db", str(cwd / "h.json"), "--offline", cwd=cwd, **env)
    assert r.returncode in (0, 1, 2), r.stdout + r.stderr
    return r.stdout


@pytest.fixture(scope="module")
def empty(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("empty")


@pytest.fixture(scope="module")
def zh_steps(empty: Path) -> list[str]:
    """The step lines of `riskmon --lang zh-CN playbook`."""
    out = _riskmon(empty, "--lang", "zh-CN", "playbook")
    return [line for line in out.splitlines() if line.startswith("[ ]")]


@pytest.fixture(scope="module")
def zh_report(empty: Path) -> str:
    return _riskmon(empty, "--lang", "zh-CN", "report")


def test_money_in_a_step_is_written_as_everywhere_else(zh_steps: list[str], zh_report: str) -> None:
    buffer = next(line for line in zh_steps if "keep-cash-buffer" in line)
    assert re.search(r"US\$\d{3},\d{3} 现金", buffer), buffer
    report_steps = [line for line in zh_report.splitlines() if line.startswith("- [ ]")]
    assert report_steps
    for line in zh_steps + report_steps:
        assert not ENGLISH_MONEY.search(line), line


def test_a_region_is_named_in_chinese(zh_steps: list[str], zh_report: str) -> None:
    shop = next(line for line in zh_steps if "open-in-app-shop" in line)
    assert "已获准在美国销售" in shop, shop
    assert "放进美国的真实海外仓" in zh_report
    assert " US " not in "\n".join(zh_steps)


def test_a_date_in_a_step_is_a_chinese_date(zh_steps: list[str], zh_report: str) -> None:
    pin = next(line for line in zh_steps if "pin-where-to-buy" in line)
    assert "告诉粉丝 2027年2月1日之后怎么买" in pin, pin
    assert "按 2026年2月24日起的关税" in zh_report
    for line in zh_steps:
        assert not ISO_DATE.search(line), line


def test_the_own_store_sits_in_its_sentence_without_stray_spaces(zh_steps: list[str]) -> None:
    text = "\n".join(zh_steps)
    assert "把 TikTok 链接给你的 Shopify 独立站带来的畅销品" in text
    assert "或搜索你的 Shopify 独立站。" in text
    assert not CJK_SPACE_OWN_STORE.search(text), CJK_SPACE_OWN_STORE.findall(text)


def test_a_commitment_is_paid_in_chinese(zh_report: str) -> None:
    assert "支付：春节工厂停工前的预订货款" in zh_report
    assert "Pre-order" not in zh_report


def test_english_steps_keep_the_cores_words(empty: Path) -> None:
    steps = _riskmon(empty, "--lang", "en", "playbook")
    assert re.search(r"Keep at least \$\d{3},\d{3} in cash", steps), steps
    assert "approved to sell in US and" in steps
    report = _riskmon(empty, "--lang", "en", "report")
    assert "pay Pre-order before the factories close for Chinese New Year" in report
    assert "overseas warehouse in US, so they no longer ship as single parcels under the duty from 2026-02-24" in report
