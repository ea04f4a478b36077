"""The config files' own checks in zh-CN: the same file, line and field as in English (the locator
places a problem by the field the check names, never by its wording), the sentence translated and
nothing left in English but data (keys, ids and values as written). Through the CLI as a user runs it:
`riskmon --lang zh-CN check` (one line, exit 3) and `config validate`."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from riskmon import i18n
from riskmon.errors import ConfigError
from riskmon.paths import bundled_config_dir
from riskmon.sources.config.load import load_config
from riskmon.sources.config.schema import PLACEHOLDERS
from tests.support import EXPOSURE, edit
from tests.test_i18n import NOW, has_chinese, run
from tests.test_i18n_catalog import allowed_words, english_left, words

EVENT = """\
[[events]]
id = "ban"
title = "A ban"
kind = "ban"
platforms = ["tiktok"]
status = "confirmed"
effective = 2025-01-19
"""

RULE = """\
[[rules]]
id = "r"
title = "R"
kinds = ["ban"]
[[rules.steps]]
id = "s"
text = "x"
"""

THRESHOLDS = """\
[thresholds]
warn = 40
runway_warn_weeks = 12
shock_warn = 0.2
shortfall_warn = 0.2
concentration_warn = 0.6
crit = 70
runway_crit_weeks = 4
shock_crit = 0.5
shortfall_crit = 0.5
"""


# (case id, file, its text, the English problem line today: "file:line: field: message")
CASES: list[tuple[str, str, str, str]] = [
    # riskmon.toml: checks across thresholds land on the crit-side field, on its own line (never
    # on warn's line or the table's)
    (
        "crit",
        "riskmon.toml",
        edit(THRESHOLDS, "crit = 70", "crit = 30"),
        "riskmon.toml:7: thresholds.crit: crit must be at least warn",
    ),
    (
        "runway",
        "riskmon.toml",
        edit(THRESHOLDS, "runway_crit_weeks = 4", "runway_crit_weeks = 20"),
        "riskmon.toml:8: thresholds.runway_crit_weeks: runway_crit_weeks must be at most runway_warn_weeks",
    ),
    (
        "shock",
        "riskmon.toml",
        edit(THRESHOLDS, "shock_crit = 0.5", "shock_crit = 0.1"),
        "riskmon.toml:9: thresholds.shock_crit: shock_crit must be at least shock_warn",
    ),
    (
        "shortfall",
        "riskmon.toml",
        edit(THRESHOLDS, "shortfall_crit = 0.5", "shortfall_crit = 0.1"),
        "riskmon.toml:10: thresholds.shortfall_crit: shortfall_crit must be at least shortfall_warn",
    ),
    (
        "feed-url",
        "riskmon.toml",
        '[[feeds]]\nname = "a"\ntype = "rss"\nevery = "1h"\n',
        "riskmon.toml:1: feeds[a].url: an rss feed needs url",
    ),
    (
        "feed-path",
        "riskmon.toml",
        '[[feeds]]\nname = "a"\ntype = "file"\n',
        "riskmon.toml:1: feeds[a].path: a file feed needs path",
    ),
    (
        "feed-twice",
        "riskmon.toml",
        '[[feeds]]\nname = "a"\npath = "x.toml"\ntype = "file"\n\n'
        '[[feeds]]\nname = "a"\ntype = "file"\npath = "y.toml"\n',
        "riskmon.toml:7: feeds[1].name: feed name 'a' is used twice",
    ),
    (
        "duration",
        "riskmon.toml",
        '[[feeds]]\nname = "a"\ntype = "file"\npath = "x.toml"\nevery = "4000d"\n',
        "riskmon.toml:5: feeds[a].every: '4000d' is too long: durations go up to 3650d (ten years)",
    ),
    (
        "webhook",
        "riskmon.toml",
        '[[alerts]]\nname = "w"\ntype = "webhook"\n',
        "riskmon.toml:1: alerts[w].url: a webhook alert needs url",
    ),
    (
        "alertmanager",
        "riskmon.toml",
        '[[alerts]]\ntype = "alertmanager"\n',
        "riskmon.toml:1: alerts[0].url: an alertmanager alert needs url",
    ),
    (
        "command",
        "riskmon.toml",
        '[[alerts]]\ntype = "command"\n',
        'riskmon.toml:1: alerts[0].argv: a command alert needs argv, e.g. argv = ["/usr/local/bin/notify", "--json"]',
    ),
    (
        "apprise",
        "riskmon.toml",
        '[[alerts]]\ntype = "apprise"\n',
        'riskmon.toml:1: alerts[0].urls_env: an apprise alert needs urls_env, e.g. urls_env = ["RISKMON_DINGTALK_URL"]',
    ),
    # exposure.toml
    (
        "channel-twice",
        "exposure.toml",
        edit(EXPOSURE, 'id = "shop"', 'id = "tiktok-us"'),
        "exposure.toml:14: channels[1].id: channel id 'tiktok-us' is used twice; ids must be unique",
    ),
    (
        "order-share",
        "exposure.toml",
        edit(EXPOSURE, "order_share = 0.3", "order_share = 0.6"),
        "exposure.toml:6: channels: order_share over all channels adds up to 1.100; it must be at most 1",
    ),
    (
        "traffic",
        "exposure.toml",
        edit(EXPOSURE, "share = 0.3 }", 'share = 0.3 }, { via = "ig", share = 0.8 }'),
        "exposure.toml:18: channels[shop].traffic: traffic shares add up to 1.10; they are shares of this "
        "channel's orders and must total at most 1",
    ),
    (
        "region",
        "exposure.toml",
        edit(EXPOSURE, 'regions = ["US"]', 'regions = ["US", "USA"]'),
        'exposure.toml:10: channels[tiktok-us].regions: \'USA\': use ISO 3166-1 alpha-2 codes like "US", or "*"',
    ),
    (
        "id",
        "exposure.toml",
        edit(EXPOSURE, 'id = "shop"', 'id = "my shop"'),
        "exposure.toml:14: channels[1].id: 'my shop': ids use letters, digits and - _ . : (no spaces)",
    ),
    (
        "invisible",
        "exposure.toml",
        edit(EXPOSURE, 'platform = "shopify"', 'platform = "shop\u200bify"'),
        "exposure.toml:15: channels[shop].platform: contains an invisible or text-direction character "
        "(U+200B ZERO WIDTH SPACE); type it again without it",
    ),
    (
        "long-number",
        "exposure.toml",
        edit(EXPOSURE, "monthly_revenue = 100000", "monthly_revenue = " + "9" * 5000),
        "exposure.toml:3: business.monthly_revenue: a number of 5000 digits is too long to be an amount, "
        "a share or a count",
    ),
    # events.toml
    (
        "ends",
        "events.toml",
        EVENT + "ends = 2025-01-01\n",
        "events.toml:8: events[ban].ends: ends must be after effective",
    ),
    (
        "date",
        "events.toml",
        edit(EVENT, "effective = 2025-01-19", 'effective = "next week"'),
        "events.toml:7: events[ban].effective: not a date or date-time: 'next week' "
        "(use 2025-01-19 or 2025-01-19T17:00:00+07:00)",
    ),
    (
        "date-range",
        "events.toml",
        edit(EVENT, "effective = 2025-01-19", "effective = 1800-01-01"),
        "events.toml:7: events[ban].effective: 1800-01-01 is outside the supported dates (years 1900 to 2200)",
    ),
    (
        "date-year-one",
        "events.toml",
        edit(EVENT, "effective = 2025-01-19", "effective = 0001-01-01T00:00:00+05:00"),
        "events.toml:7: events[ban].effective: 0001-01-01T00:00:00+05:00 is outside the supported dates "
        "(years 1900 to 2200)",
    ),
    (
        "rrule-freq",
        "events.toml",
        EVENT + 'recurs = "BYMONTH=11"\n',
        "events.toml:8: events[ban].recurs: not a valid RFC 5545 RRULE: FREQ is required, e.g. FREQ=YEARLY",
    ),
    (
        "rrule-fortnightly",
        "events.toml",
        EVENT + 'recurs = "FREQ=FORTNIGHTLY"\n',
        "events.toml:8: events[ban].recurs: not a valid RFC 5545 RRULE: FREQ must be YEARLY, MONTHLY, WEEKLY, DAILY",
    ),
    (
        "rrule-lines",
        "events.toml",
        EVENT + 'recurs = "DTSTART:20250101T000000Z"\n',
        "events.toml:8: events[ban].recurs: not a valid RFC 5545 RRULE: give one line (FREQ=...;...); "
        "`effective` is its start",
    ),
    (
        "rrule-interval",
        "events.toml",
        EVENT + 'recurs = "FREQ=YEARLY;INTERVAL=0"\n',
        "events.toml:8: events[ban].recurs: not a valid RFC 5545 RRULE: INTERVAL must be 1 or more",
    ),
    (
        "rrule-never",
        "events.toml",
        EVENT + 'recurs = "FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=31"\n',
        "events.toml:8: events[ban].recurs: not a valid RFC 5545 RRULE: it never occurs (check BYMONTH, "
        "BYMONTHDAY, BYDAY)",
    ),
    (
        "rrule-never-from-effective",
        "events.toml",
        EVENT + 'recurs = "FREQ=YEARLY;INTERVAL=4;BYMONTH=2;BYMONTHDAY=29"\n',
        "events.toml:8: events[ban].recurs: not a valid RFC 5545 RRULE: it never occurs from effective "
        "(2025-01-19) to 2200; check INTERVAL, BYMONTH, BYMONTHDAY, BYDAY",
    ),
    (
        "rrule-range",
        "events.toml",
        EVENT + 'recurs = "FREQ=YEARLY;BYDAY=+99FR"\n',
        "events.toml:8: events[ban].recurs: not a valid RFC 5545 RRULE: a value is out of range",
    ),
    (
        "rrule-parts",
        "events.toml",
        EVENT + 'recurs = "FREQ=YEARLY;BYMONTH"\n',
        "events.toml:8: events[ban].recurs: not a valid RFC 5545 RRULE: expected NAME=VALUE parts separated "
        "by ';', e.g. FREQ=YEARLY;BYMONTH=11",
    ),
    (
        "timeline",
        "events.toml",
        edit(EVENT, 'status = "confirmed"\n', "")
        + '[[events.timeline]]\ndate = 2025-01-02\nstatus = "rumored"\n'
        + '[[events.timeline]]\ndate = 2025-01-01\nstatus = "confirmed"\n',
        "events.toml:1: events[ban]: timeline dates must be strictly ascending",
    ),
    (
        "status",
        "events.toml",
        EVENT + '[[events.timeline]]\ndate = 2025-01-02\nstatus = "rumored"\n',
        "events.toml:1: events[ban]: status 'confirmed' differs from the timeline's last entry ('rumored'); "
        "give the same, or leave status out",
    ),
    (
        "routes",
        "events.toml",
        EVENT + 'routes = ["parcel"]\n',
        "events.toml:1: events[ban]: routes applies only to kind duty_change",
    ),
    (
        "event-twice",
        "events.toml",
        EVENT + "\n" + edit(EVENT, 'title = "A ban"', 'title = "Again"'),
        "events.toml:10: events[1].id: event id 'ban' is used twice; ids must be unique",
    ),
    # playbooks.toml
    (
        "placeholder-close",
        "playbooks.toml",
        edit(RULE, 'text = "x"', 'text = "move {stok}"'),
        "playbooks.toml:7: rules[r].steps[s].text: unknown placeholder {stok}; did you mean {stock}?",
    ),
    (
        "placeholder-far",
        "playbooks.toml",
        edit(RULE, 'title = "R"', 'title = "R {zzzzzz}"'),
        "playbooks.toml:3: rules[r].title: unknown placeholder {zzzzzz}; known: " + ", ".join(PLACEHOLDERS),
    ),
    (
        "pattern-star",
        "playbooks.toml",
        edit(RULE, 'kinds = ["ban"]', 'events = ["*"]'),
        'playbooks.toml:4: rules[r].events: "*" alone matches every event: leave the condition out instead',
    ),
    (
        "pattern",
        "playbooks.toml",
        edit(RULE, 'kinds = ["ban"]', 'not_events = ["a*b"]'),
        "playbooks.toml:4: rules[r].not_events: 'a*b': give an event id, or the start of one followed by * "
        '("chinese-new-year-*")',
    ),
    (
        "both-sorts",
        "playbooks.toml",
        edit(RULE, 'kinds = ["ban"]', 'kinds = ["ban"]\nno_own_store = true'),
        "playbooks.toml:1: rules[r]: a rule matches either events (kinds, platforms, ...) or the business as it "
        "stands (top_dependence_gte, runway_weeks_lt, ...), not both",
    ),
    (
        "step-twice",
        "playbooks.toml",
        RULE + '[[rules.steps]]\nid = "s"\ntext = "y"\n',
        "playbooks.toml:9: rules[r].steps[1].id: step id 's' is used twice in this rule, and the earlier one has "
        "no `requires`: give the earlier variant a `requires`, or another id",
    ),
    (
        "rule-twice",
        "playbooks.toml",
        RULE + "\n" + RULE,
        "playbooks.toml:10: rules[1].id: rule id 'r' is used twice; ids must be unique",
    ),
    # TOML syntax: riskmon's frame and hint around tomllib's sentence
    (
        "toml-value",
        "riskmon.toml",
        "[ui]\nlanguage = zh\n",
        "riskmon.toml:2: invalid TOML at line 2, column 12: invalid value "
        '(text needs double quotes, e.g. platform = "tiktok")',
    ),
    (
        "toml-twice",
        "events.toml",
        EVENT + 'kind = "ban"\n',
        "events.toml:8: invalid TOML at line 8: cannot overwrite a value (a key is set twice)",
    ),
    (
        "toml-array",
        "events.toml",
        "[[events]\n",
        "events.toml:1: invalid TOML at line 1, column 9: expected ']]' at the end of an array declaration",
    ),
    (
        "toml-string",
        "events.toml",
        '[[events]]\nid = "ban\n',
        "events.toml:2: invalid TOML at line 2, column 10: illegal character '\\n'",
    ),
    (
        "toml-end",
        "events.toml",
        "[[events]]\nid",
        "events.toml:2: invalid TOML at the end of the file: expected '=' after a key in a key/value pair",
    ),
]
IDS = [case[0] for case in CASES]


def config_dir(tmp_path: Path, name: str, text: str) -> Path:
    d = tmp_path / "cfg"
    d.mkdir()
    (d / "exposure.toml").write_text(EXPOSURE, encoding="utf-8")
    (d / name).write_text(text, encoding="utf-8")
    return d


def problem_lines(d: Path, language: str, load: Callable[[Path], object] = load_config) -> list[str]:
    """The problems `load` finds in `d`, in `language`, paths relative to `d`."""
    i18n.activate(language)
    try:
        with pytest.raises(ConfigError) as info:
            load(d)
    finally:
        i18n.activate(i18n.ENGLISH)
    return [str(p).removeprefix(f"{d}/") for p in info.value.problems]


def place(line: str) -> str:
    """'file:line: field: ' (or 'file:line: ' for a syntax error): where the problem is."""
    file_line, rest = line.split(": ", 1)
    field = rest.split(": ", 1)[0] if ": " in rest and not rest.startswith(("invalid TOML", "TOML")) else ""
    return f"{file_line}: {field}"


def data_words(text: str) -> set[str]:
    """What the user wrote and what riskmon quotes as it is (placeholder names, a character's
    Unicode name, a config line given as an example): data, the same in every language."""
    return words(text) | set(PLACEHOLDERS) | {"ZERO", "WIDTH", "SPACE", "RISKMON_DINGTALK_URL"}


@pytest.mark.parametrize(("case", "name", "text", "english"), CASES, ids=IDS)
def test_each_check_keeps_its_place_in_both_languages(
    tmp_path: Path, case: str, name: str, text: str, english: str
) -> None:
    d = config_dir(tmp_path, name, text)
    assert problem_lines(d, "en") == [english]
    (chinese,) = problem_lines(d, "zh-CN")
    assert place(chinese) == place(english), chinese
    assert has_chinese(chinese), chinese


@pytest.fixture(scope="module")
def allowed() -> set[str]:
    """The words test_i18n_catalog allows: the demo's data and what the catalog keeps in Latin letters."""
    return allowed_words(bundled_config_dir())


@pytest.mark.parametrize(("case", "name", "text", "english"), CASES, ids=IDS)
def test_zh_cn_check_says_each_problem_in_chinese_on_one_line(
    tmp_path: Path, allowed: set[str], case: str, name: str, text: str, english: str
) -> None:
    d = config_dir(tmp_path, name, text)
    r = run("--lang", "zh-CN", "check", "--config", str(d), "--now", NOW, "--no-history")
    assert r.returncode == 3, r.stdout + r.stderr
    assert r.stdout.count("\n") == 1 and "Traceback" not in r.stderr, r.stdout + r.stderr
    line = r.stdout.strip().removeprefix("RISKMON UNKNOWN - ").removeprefix(f"{d}/")
    assert place(line) == place(english), line
    sentence = line.removeprefix(place(line))
    assert not english_left(sentence, allowed | data_words(text)), line


def test_zh_cn_config_validate_lists_every_problem_in_chinese_at_the_english_places(
    tmp_path: Path, allowed: set[str]
) -> None:
    """Every file broken at once, field errors next to the checks across fields that pydantic skips
    when a field fails (riskmon runs those on the raw data): the same places, counted in Chinese."""
    d = tmp_path / "cfg"
    d.mkdir()
    files = {
        "exposure.toml": edit(EXPOSURE, 'id = "shop"', 'id = "tiktok-us"\nregions = ["USA"]'),
        "events.toml": EVENT + "ends = 2025-01-01\nprobability = 2\n",
        "riskmon.toml": edit(THRESHOLDS, "crit = 70", "crit = 30"),
        "playbooks.toml": RULE + "\n" + RULE,
    }
    for name, text in files.items():
        (d / name).write_text(text, encoding="utf-8")
    base = ("config", "validate", "--config", str(d))
    en, zh = run(*base, LANG="C"), run(*base, LANG="zh_CN.UTF-8")
    assert en.returncode == zh.returncode == 1, en.stdout + zh.stdout
    en_lines = en.stdout.replace(f"{d}/", "").splitlines()
    zh_lines = zh.stdout.replace(f"{d}/", "").splitlines()
    assert en_lines[-1] == f"6 problems in {d}" and zh_lines[-1] == f"{d} 中有 6 个问题", zh.stdout
    assert (
        [place(line) for line in zh_lines[:-1]]
        == [place(line) for line in en_lines[:-1]]
        == [
            "riskmon.toml:7: thresholds.crit",
            "exposure.toml:14: channels[1].id",
            "exposure.toml:15: channels[1].regions",
            "events.toml:8: events[ban].ends",
            "events.toml:9: events[ban].probability",
            "playbooks.toml:10: rules[1].id",
        ]
    ), en.stdout
    data = set().union(*(data_words(text) for text in files.values()))
    for line in zh_lines[:-1]:
        assert has_chinese(line) and not english_left(line.removeprefix(place(line)), allowed | data), line


@pytest.mark.parametrize("what", ["missing", "file", "no-exposure"])
def test_zh_cn_config_directory_problems(tmp_path: Path, allowed: set[str], what: str) -> None:
    target = tmp_path / "cfg"
    if what == "file":
        target.write_text("", encoding="utf-8")
    elif what == "no-exposure":
        target.mkdir()
        (target / "events.toml").write_text(EVENT, encoding="utf-8")
    r = run("--lang", "zh-CN", "check", "--config", str(target), "--now", NOW, "--no-history")
    assert r.returncode == 3 and r.stdout.count("\n") == 1, r.stdout + r.stderr
    line = r.stdout.replace(str(target), " ")
    assert has_chinese(line) and not english_left(line, allowed), line


def test_fleet_toml_repeats_point_at_the_repeat_in_both_languages(tmp_path: Path) -> None:
    """fleet.toml shares riskmon.toml's and events.toml's checks for repeated feed names and event
    ids, and so their places."""
    from riskmon.sources.fleet import load_fleet

    feeds = '[[feeds]]\nname = "a"\ntype = "file"\npath = "x.toml"\n\n'
    (tmp_path / "fleet.toml").write_text(feeds + feeds + EVENT + "\n" + EVENT, encoding="utf-8")
    lines = {language: problem_lines(tmp_path, language, load_fleet) for language in ("en", "zh-CN")}
    assert lines["en"] == ["fleet.toml:7: feeds[1].name: feed name 'a' is used twice"]
    assert [place(line) for line in lines["zh-CN"]] == ["fleet.toml:7: feeds[1].name"], lines
    assert has_chinese(lines["zh-CN"][0])
    # With the feeds apart, the repeated event id.
    (tmp_path / "fleet.toml").write_text(feeds + EVENT + "\n" + EVENT, encoding="utf-8")
    assert problem_lines(tmp_path, "en", load_fleet) == [
        "fleet.toml:15: events[1].id: event id 'ban' is used twice; ids must be unique"
    ]
