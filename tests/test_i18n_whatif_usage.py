"""Simplified Chinese in the last English of the CLI: `riskmon what-if --list`, `--save`, `--apply`,
what-if's argument errors and a scenario file's problems; the usage errors a command finds once its
arguments are parsed (Nagios ranges, `fleet` without its directory); and the reason of a rule judged
by `check -w/-c`. Each case runs through the CLI: the exit code is the same in both languages, the
Chinese has no English left but data, and the English is word for word what it was."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from riskmon.core import ranges as rg
from riskmon.core import scenario as sc
from riskmon.core import scenario_data as sd
from riskmon.paths import bundled_config_dir
from riskmon.present.ranges import RANGE_MESSAGES
from riskmon.present.whatif import SCENARIO_MESSAGES
from tests.test_i18n import NOW, has_chinese, run
from tests.test_i18n_catalog import allowed_words, english_left

TYPED = {"NAME", "VALUE", "ID.FIELD", "x", "a", "b", "a.b", "nope", "xx"}
"""What the cases type (names, ids) and the placeholders of the options they quote: data."""


@pytest.fixture
def cfg(tmp_path: Path) -> Path:
    """The demo config, writable (what-if --save and --apply write into it)."""
    target = tmp_path / "cfg"
    shutil.copytree(bundled_config_dir(), target, ignore=shutil.ignore_patterns("*.json"))
    return target


def both(*args: str) -> tuple[tuple[int, str], tuple[int, str]]:
    """The command in Chinese and in English: (exit code, stdout + stderr) each."""
    zh = run("--lang", "zh-CN", *args)
    en = run(*args, LANG="C")
    return (zh.returncode, zh.stdout + zh.stderr), (en.returncode, en.stdout + en.stderr)


def chinese(text: str, cfg: Path, *data: str) -> None:
    assert has_chinese(text), text
    left = english_left(text.replace(str(cfg), " "), allowed_words(cfg) | TYPED | set(data))
    assert not left, (left, text)


def what_if(cfg: Path, *args: str) -> tuple[str, ...]:
    return ("what-if", "--config", str(cfg), "--now", NOW, "--offline", *args)


# ---------------------------------------------------------------------------------------------
# The core's templates are the presenters', word for word


def test_every_core_template_is_marked_with_the_same_english() -> None:
    assert set(SCENARIO_MESSAGES) == set(sc.TEMPLATES) | set(sd.TEMPLATES)
    assert set(RANGE_MESSAGES) == set(rg.TEMPLATES) | set(rg.REASON_TEMPLATES)
    for marks in (SCENARIO_MESSAGES, RANGE_MESSAGES):
        assert all(marked == template for template, marked in marks.items())


# ---------------------------------------------------------------------------------------------
# what-if's argument errors


WHAT_IF_ERRORS = [
    ((), "bad arguments: nothing to change: give --set ID.FIELD=VALUE, --stress or --scenario NAME"),
    (
        ("--apply", "x", "--set", "a.b=1"),
        "bad arguments: --apply NAME writes a saved scenario as it is; it takes no --set, --stress, --scenario or "
        "--save (save the scenario first, then apply it)",
    ),
    (("--set", "nope.probability=0.5"), "nope.probability: no event 'nope'; `riskmon events list` shows the ids"),
    (
        ("--set", "us-tiktok-ban-2025.deposit=5"),
        "us-tiktok-ban-2025.deposit: no channel 'us-tiktok-ban-2025' ('us-tiktok-ban-2025' is an event; "
        "events take probability, status, effective, ends)",
    ),
    (
        ("--set", "tiktok-us.probability=0.5"),
        "tiktok-us.probability: no event 'tiktok-us' ('tiktok-us' is a channel; channels take order_share, "
        "inventory_value, pending_payouts, deposit, payout_hold_days)",
    ),
    (
        ("--save", "a/b", "--set", "tiktok-us.deposit=5"),
        "scenario name 'a/b': use letters, digits and - _ . (at most 64; no spaces or /)",
    ),
    (
        ("--apply", "nope"),
        "no scenario 'nope' in {cfg}/scenarios; save one with: riskmon what-if --set ... --save NAME",
    ),
]


@pytest.mark.parametrize(("args", "english"), WHAT_IF_ERRORS, ids=[" ".join(a) or "nothing" for a, _ in WHAT_IF_ERRORS])
def test_what_if_argument_errors(cfg: Path, args: tuple[str, ...], english: str) -> None:
    (zh_code, zh), (en_code, en) = both(*what_if(cfg, *args))
    assert zh_code == en_code == 3, zh + en
    assert en == f"riskmon: {english.format(cfg=cfg)}\n", en
    assert zh.startswith("riskmon: ") and "\n" not in zh.strip(), zh
    if english.startswith("bad arguments: "):
        assert zh.startswith("riskmon: 参数错误："), zh
    chinese(zh, cfg, "tiktok-us.probability", "nope.probability", "us-tiktok-ban-2025.deposit")


# ---------------------------------------------------------------------------------------------
# --save, --list, --apply


def test_save_list_and_apply(cfg: Path) -> None:
    save = what_if(cfg, "--set", "tiktok-us.deposit=12345", "--save", "deposit-up")
    (zh_code, zh), (en_code, en) = both(*save)
    assert zh_code == en_code == 0, zh + en
    path = cfg / "scenarios" / "deposit-up.toml"
    assert f"\nsaved scenario deposit-up: {path}\n" in en
    assert f"\n已保存情景 deposit-up：{path}\n" in zh
    chinese(zh, cfg, "deposit-up", "tiktok-us.deposit")
    stress = what_if(cfg, "--stress", "--save", "all-at-once")
    assert run(*stress, LANG="C").returncode == 0

    (zh_code, zh), (en_code, en) = both(*what_if(cfg, "--list"))
    assert zh_code == en_code == 0
    assert en == "all-at-once: stress\ndeposit-up: tiktok-us.deposit=12345\n", en
    assert zh == "all-at-once: 压力\ndeposit-up: tiktok-us.deposit=12345\n", zh

    (zh_code, zh), (en_code, en) = both(*what_if(cfg, "--apply", "deposit-up"))
    assert zh_code == en_code == 1, zh + en  # a dry run: nothing written
    assert en.endswith(f"dry run: nothing written; run again with --yes to write these changes into {cfg}\n"), en
    assert "试运行：未写入任何内容" in zh
    chinese(zh, cfg, "deposit-up", "channels.tiktok-us.deposit", "deposit")

    (zh_code, zh), (en_code, en) = both(*what_if(cfg, "--apply", "all-at-once"))
    assert zh_code == en_code == 3
    assert en.startswith("riskmon: scenario 'all-at-once' is a stress test (stress = true): that is not a change")
    chinese(zh, cfg, "all-at-once")

    zh = run("--lang", "zh-CN", *what_if(cfg, "--apply", "deposit-up", "--yes"))
    assert zh.returncode == 0 and f"已写入 {cfg / 'exposure.toml'}" in zh.stdout, zh.stdout + zh.stderr
    (zh_code, zh), (en_code, en) = both(*what_if(cfg, "--apply", "deposit-up"))
    assert zh_code == en_code == 0
    assert en == "scenario deposit-up: the config already has these values; nothing to write\n", en
    assert zh == "情景 deposit-up：配置中已是这些值，无需写入\n", zh


def test_no_saved_scenarios(cfg: Path) -> None:
    (zh_code, zh), (en_code, en) = both(*what_if(cfg, "--list"))
    assert zh_code == en_code == 0
    where = cfg / "scenarios"
    assert en == f"no saved scenarios in {where} (save one with: riskmon what-if --set ... --save NAME)\n", en
    chinese(zh, cfg)


# ---------------------------------------------------------------------------------------------
# A scenario file's problems


BAD_FILES = {
    "bad-field": '[scenario]\nstress = false\n[[set]]\ntarget = "tiktok-us.colour"\nvalue = 1\n',
    "bad-key": "[scenario]\nstres = true\n",
    "bad-entry": '[[set]]\ntarget = "tiktok-us.deposit"\n',
    "bad-table": "[scenarios]\n",
    "bad-stress": '[scenario]\nstress = "yes"\n',
}


def test_a_scenario_files_problems(cfg: Path) -> None:
    (cfg / "scenarios").mkdir()
    for name, text in BAD_FILES.items():
        (cfg / "scenarios" / f"{name}.toml").write_text(text, encoding="utf-8")
    (zh_code, zh), (en_code, en) = both(*what_if(cfg, "--list"))
    assert zh_code == en_code == 0
    src = cfg / "scenarios"
    assert en.splitlines() == [
        f'bad-entry: unreadable: {src}/bad-entry.toml: [[set]] #1: needs target = "ID.FIELD" and value = ...',
        f"bad-field: unreadable: {src}/bad-field.toml: [[set]] #1: tiktok-us.colour: unknown field 'colour' "
        "(events: probability, status, effective, ends; channels: order_share, inventory_value, pending_payouts, "
        "deposit, payout_hold_days; business: monthly_revenue, gross_margin, monthly_fixed_costs, cash_on_hand)",
        f"bad-key: unreadable: {src}/bad-key.toml: scenario.stres: unknown key; did you mean 'stress'?",
        f"bad-stress: unreadable: {src}/bad-stress.toml: scenario.stress must be true or false",
        f"bad-table: unreadable: {src}/bad-table.toml: unknown table 'scenarios'; did you mean 'scenario'?",
    ], en
    assert len(zh.splitlines()) == 5 and all("无法读取" in line for line in zh.splitlines()), zh
    fields = {"tiktok-us.colour", "colour", "scenario.stres", "stres", "scenario.stress", "scenarios", "set", "yes"}
    chinese(zh, cfg, *BAD_FILES, *fields)
    listed = both(*what_if(cfg, "--list", "-f", "json"))
    assert 'bad-entry.toml: [[set]] #1: needs target = \\"ID.FIELD\\" and value = ...' in listed[0][1]  # as it was
    (zh_code, zh), (en_code, en) = both(*what_if(cfg, "--scenario", "bad-field"))
    assert zh_code == en_code == 3 and en.startswith(f"riskmon: {src}/bad-field.toml: [[set]] #1: tiktok-us.colour")
    assert "第 1 个 [[set]]：tiktok-us.colour：未知字段 'colour'" in zh, zh


# ---------------------------------------------------------------------------------------------
# Usage errors found after parsing; the reason of a rule judged by a range


def check(cfg: Path, *args: str) -> tuple[str, ...]:
    return ("check", "--config", str(cfg), "--now", NOW, "--offline", "--no-history", *args)


RANGE_ERRORS = [
    (("-w", "1:x"), "argument -w/--warning: end 'x' in '1:x' is not a number"),
    (("-c", "10:5"), "argument -c/--critical: start 10 is above end 5 in '10:5'"),
    (("-w", ""), "argument -w/--warning: empty range ''; e.g. 10, 10:, ~:10, 10:20 or @10:20"),
    (("-w", "1e999"), "argument -w/--warning: range '1e999' is too large"),
]


@pytest.mark.parametrize(("args", "english"), RANGE_ERRORS, ids=[" ".join(a) for a, _ in RANGE_ERRORS])
def test_a_bad_range_is_a_usage_error_in_chinese(cfg: Path, args: tuple[str, ...], english: str) -> None:
    (zh_code, zh), (en_code, en) = both(*check(cfg, *args))
    assert zh_code == en_code == 3
    assert en.startswith(f"RISKMON UNKNOWN - bad arguments: {english}\n"), en
    first = zh.splitlines()[0]
    assert first.startswith("RISKMON UNKNOWN - 参数错误：参数 "), first  # the status words stay
    chinese(first, cfg, *args, "e999")


def test_a_range_judged_rule_gives_the_ranges_reason(cfg: Path) -> None:
    """`-w 1` makes the score WARNING: the text says so in both languages (it used to show
    riskmon.toml's reason); the Nagios line is the same in both."""
    (zh_code, zh), (en_code, en) = both(*check(cfg, "-w", "1"))
    assert zh_code == en_code == 1
    assert "score 35.1 is below 0 or above 1 (warning range -w 1)" in en.splitlines()[0], en
    assert "风险分 35.1，低于 0 或高于 1（警告范围 -w 1）" in zh.splitlines()[0], zh
    (zh_code, zh), (en_code, en) = both(*check(cfg, "-w", "50", "-c", "90", "-vv"))
    assert zh_code == en_code == 1  # the shock rule still warns
    assert "score 35.1: no alert (warning range -w 50, critical range -c 90)" in en, en
    assert "风险分 35.1：不告警（警告范围 -w 50，严重范围 -c 90）" in zh, zh
    nagios = both(*check(cfg, "-w", "1", "-f", "nagios"))
    assert nagios[0] == nagios[1] and "score 35.1 is below 0 or above 1 (warning range -w 1)" in nagios[1][1]


def test_fleet_directory_not_found(tmp_path: Path, cfg: Path) -> None:
    missing = tmp_path / "no-fleet"
    (zh_code, zh), (en_code, en) = both("fleet", "check", str(missing))
    assert zh_code == en_code == 3
    english = f"{missing}: fleet directory not found; give the directory that holds the profiles"
    assert en.startswith(f"RISKMON FLEET UNKNOWN - {english}\n"), en
    assert zh.startswith(f"RISKMON FLEET UNKNOWN - {missing}: 找不到店铺组目录"), zh
    chinese(zh.replace(str(missing), " "), cfg)


def test_check_timeout_out_of_range(cfg: Path) -> None:
    (zh_code, zh), (en_code, en) = both(*check(cfg, "-t", "0"))
    assert zh_code == en_code == 3
    assert en.startswith("RISKMON UNKNOWN - bad arguments: argument -t/--timeout: must be more than 0"), en
    chinese(zh.splitlines()[0], cfg, "-t/--timeout")
