"""The catalogs: up to date with the sources, complete, compiled, and nothing user-facing left
unmarked. A new message in the code, a new event in the bundled catalog, or a string someone forgot
to wrap in _() fails here."""

from __future__ import annotations

import re
import shutil
import tomllib
from collections.abc import Iterator
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from riskmon.locale import catalog
from riskmon.paths import bundled_config_dir
from riskmon.sources.config.starter import _NOT_PROSE
from tests.test_i18n import NOW, clean_env, run

CODE = "zh_CN"


def msgids(path: Path) -> set[str]:
    with path.open("rb") as f:
        return {str(m.id) for m in read_po(f) if m.id}


def test_template_is_up_to_date_with_the_sources(tmp_path: Path) -> None:
    fresh = tmp_path / "riskmon.pot"
    catalog.extract(fresh)
    added, gone = msgids(fresh) - msgids(catalog.TEMPLATE), msgids(catalog.TEMPLATE) - msgids(fresh)
    assert not added and not gone, (
        "riskmon/locale/riskmon.pot is stale: run `python -m riskmon.locale.catalog extract` and `update`, "
        f"then translate.\nnew: {sorted(added)[:10]}\ngone: {sorted(gone)[:10]}"
    )


def test_every_message_has_a_chinese_translation() -> None:
    assert catalog.missing(CODE) == []


def test_no_obsolete_or_fuzzy_entries() -> None:
    text = catalog.po_path(CODE).read_text(encoding="utf-8")
    assert "\n#~ " not in text, "obsolete entries: run `python -m riskmon.locale.catalog update`"
    assert "#, fuzzy" not in text.split("\nmsgid", 2)[-1], "fuzzy entries count as untranslated"
    assert msgids(catalog.po_path(CODE)) == msgids(catalog.TEMPLATE)


def test_placeholders_survive_translation() -> None:
    """A translation that drops or renames a {placeholder} would raise KeyError or lose a number."""
    with catalog.po_path(CODE).open("rb") as f:
        po = read_po(f)
    field = re.compile(r"\{[a-z_]*\}")
    for m in po:
        if not m.id:
            continue
        ids = m.id if isinstance(m.id, tuple) else (m.id,)
        strings = m.string if isinstance(m.string, tuple) else (m.string,)
        for s in strings:
            assert sorted(set(field.findall(s))) == sorted(set(field.findall(ids[-1]))), (m.id, s)


def messages_of(mo: bytes) -> dict[object, object]:
    """A compiled catalog's translations (msgid -> msgstr), without its header: the header names
    the Babel release that wrote it, so the bytes differ between releases the range allows."""
    import io

    from babel.messages.mofile import read_mo

    def key(text: object) -> object:
        return tuple(text) if isinstance(text, list | tuple) else text  # plural forms

    return {key(m.id): key(m.string) for m in read_mo(io.BytesIO(mo)) if m.id}


def test_compiled_catalog_matches_its_source() -> None:
    shipped = messages_of(catalog.po_path(CODE).with_suffix(".mo").read_bytes())
    assert shipped == messages_of(catalog.compiled(CODE)), "run `python -m riskmon.locale.catalog compile`"
    assert len(shipped) > 500


# ---------------------------------------------------------------------------------------------
# Nothing user-facing left in English

WORD = re.compile(r"[A-Za-z][A-Za-z0-9_'’.-]*[A-Za-z0-9]|[A-Za-z]")
ALWAYS = {"OK", "WARNING", "CRITICAL", "UNKNOWN", "UTC", "P", "P50", "P95", "f", "r", "cm", "e"}
"""The Nagios levels (grepped for by scripts), units and the formula's symbols."""
COMMAND = re.compile(
    r"riskmon(?: [A-Za-z0-9_.:/=-]+)+|#:schema \S+|export \S+|/\S+|\bdeadline-[a-z0-9-]+|[\w.-]+\.json"
)
"""A command line, a directive or a path quoted in the text (typed as is, never translated), and
the ids riskmon makes for an event's own deadlines (a slug of their text)."""


def words(text: str) -> set[str]:
    return {w.rstrip(".") for w in WORD.findall(text)}


def strings_in(value: object) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for v in value.values():
            yield from strings_in(v)
    elif isinstance(value, list):
        for v in value:
            yield from strings_in(v)


def allowed_words(config: Path) -> set[str]:
    """Data: every word of the exposure (names, ids, platforms, what a commitment is), the ids of
    events, rules and steps, and what the Chinese catalog itself keeps in Latin letters (brand
    names, config keys, commands)."""
    exposure = tomllib.loads((config / "exposure.toml").read_text(encoding="utf-8"))
    allowed = set(ALWAYS) | {w for s in strings_in(exposure) for w in words(s)}
    for name, key in (("events.toml", "events"), ("playbooks.toml", "rules")):
        doc = tomllib.loads((config / name).read_text(encoding="utf-8"))
        for item in doc.get(key, []):
            allowed.add(item["id"])
            allowed |= {s["id"] for s in item.get("steps", [])}
            allowed |= {w for field in ("platforms", "regions") for v in item.get(field, []) for w in words(v)}
    with catalog.po_path(CODE).open("rb") as f:
        for m in read_po(f):
            strings = m.string if isinstance(m.string, tuple) else (m.string,)
            allowed |= {w for s in strings for w in words(s)}
    return allowed


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    target = tmp_path_factory.mktemp("demo") / "cfg"
    shutil.copytree(bundled_config_dir(), target, ignore=shutil.ignore_patterns("*.json"))
    return target


def english_left(text: str, allowed: set[str]) -> set[str]:
    text = re.sub(r"\\(.)", r"\1", text)  # Markdown escapes: min\_hit\_share is min_hit_share
    text = re.sub(r"`[^`]*`|https?://\S+|--[a-z-]+", " ", text)  # commands, links and options
    text = COMMAND.sub(" ", text)
    return {w for w in words(text) if w not in allowed and w.lower() not in allowed}


@pytest.mark.parametrize(
    "args",
    [
        ("check",),
        ("check", "-v"),
        ("check", "-vv"),
        ("report",),
        ("playbook",),
        ("playbook", "us-de-minimis-end-cn-hk-2025"),
        ("playbook", "payout-hold-buffer"),
        ("report", "-f", "csv"),
    ],
    ids=" ".join,
)
def test_no_english_left_in_chinese_output(demo: Path, args: tuple[str, ...], tmp_path: Path) -> None:
    r = run(*args, "--config", str(demo), "--now", NOW, "--db", str(tmp_path / "h.json"), LANG="zh_CN.UTF-8")
    assert r.returncode in (0, 1), r.stderr
    text = r.stdout
    if args[-1] == "csv":  # the keys and values stay as they are by design: the section titles are prose
        text = "\n".join(line.rstrip(",") for line in text.splitlines() if "," not in line.rstrip(","))
    assert not english_left(text, allowed_words(demo)), text


def test_config_init_writes_chinese_comments_and_the_same_keys(tmp_path: Path, demo: Path) -> None:
    zh, en = tmp_path / "zh", tmp_path / "en"
    r = run("config", "init", "--config", str(zh), LANG="zh_CN.UTF-8")
    assert r.returncode == 0, r.stderr
    assert run("config", "init", "--config", str(en), LANG="C").returncode == 0
    assert not english_left(r.stdout.replace(str(zh), " "), allowed_words(demo)), r.stdout
    allowed = allowed_words(demo)
    for name in ("riskmon.toml", "exposure.toml", "events.toml", "playbooks.toml"):
        zh_lines = (zh / name).read_text(encoding="utf-8").splitlines()
        en_lines = (en / name).read_text(encoding="utf-8").splitlines()
        # Same keys and values, line for line apart from the comments.
        assert [x for x in zh_lines if not x.lstrip().startswith("#")] == [
            x for x in en_lines if not x.lstrip().startswith("#")
        ], name
        prose = [x for x in zh_lines if x.lstrip().startswith("#") and not _NOT_PROSE.match(x.lstrip("# "))]
        assert not english_left("\n".join(prose), allowed), name
    check = run("config", "validate", "--config", str(zh), LANG="C")
    assert check.returncode == 0, check.stdout + check.stderr


def test_the_test_catches_an_unmarked_string(demo: Path) -> None:
    """The check above would fail on one English sentence that was not marked for translation."""
    assert english_left("下一步行动：next actions", allowed_words(demo)) == {"next", "actions"}
    assert not english_left("下一步行动：us-tiktok-ban-2025 TikTok Shop US$1,234", allowed_words(demo))


def test_clean_env_has_no_locale() -> None:
    assert not {"LANG", "LC_ALL", "LC_MESSAGES", "LANGUAGE"} & set(clean_env())


def test_no_literal_message_hides_inside_an_f_string() -> None:
    """Babel's extractor does not look inside f-strings on Python 3.11, so `f"{_('zero')}"` never
    reaches the catalog and shows in English (the cash chart's zero line did). Mark it outside."""
    import ast

    root = Path(__file__).resolve().parent.parent / "riskmon"
    hidden = []
    for path in sorted(root.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.JoinedStr):
                continue
            for call in ast.walk(node):
                if (
                    isinstance(call, ast.Call)
                    and isinstance(call.func, ast.Name)
                    and call.func.id in ("_", "N_", "ngettext")
                    and any(isinstance(a, ast.Constant) and isinstance(a.value, str) for a in call.args)
                ):
                    hidden.append(f"{path.relative_to(root.parent)}:{call.lineno}")
    assert not hidden, hidden


def test_every_fact_the_core_says_is_marked_for_the_catalog() -> None:
    """A playbook fact's template (riskmon.core.said.Said) is what the presenter translates: one the
    core makes that words.FACTS does not mark would stay English in Chinese output. A Said built
    from a table (the facts of a rule's `requires`) counts that module's "{a}" strings."""
    import ast

    from riskmon.present.words import FACTS

    made: set[str] = set()
    for path in Path("riskmon/core").rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        calls = [n for n in ast.walk(tree) if isinstance(n, ast.Call) and getattr(n.func, "id", None) == "Said"]
        for call in calls:
            if isinstance(call.args[0], ast.Constant):
                made.add(call.args[0].value)
            else:
                made.update(n.value for n in ast.walk(tree) if isinstance(n, ast.Constant) and "{a}" in str(n.value))
    assert len(made) >= 20
    assert made <= set(FACTS), made - set(FACTS)


@pytest.mark.parametrize(
    "when", ["2026-11-21T12:00:00+00:00", "2025-01-10T00:00:00+00:00", "2023-09-20T00:00:00+00:00"]
)
def test_every_fact_of_the_demo_plan_carries_its_template(when: str) -> None:
    """The AST check above sees `Said(...)` calls only; a fact written as a plain str anywhere
    (the deadlines rule's once was) stays English in Chinese. Every suggestion of the demo's plan,
    on three dates, says each fact as a `Said` whose template is marked."""
    from datetime import datetime

    from riskmon.core.said import Said
    from riskmon.present.words import FACTS
    from riskmon.usecases.evaluate import evaluate

    plan = evaluate(None, datetime.fromisoformat(when), offline=True, replay=True).plan
    facts = [b for s in plan.suggestions() for b in s.because]
    assert facts
    assert [b for b in facts if not isinstance(b, Said) or b.template not in FACTS] == []


def test_a_fact_is_said_from_its_template_not_from_its_english() -> None:
    from riskmon import i18n
    from riskmon.core.said import Said
    from riskmon.present.words import fact

    hold = Said("{a} holds payouts {b} days (>= {c})", a="amazon-us", b="14", c="7")
    assert hold == "amazon-us holds payouts 14 days (>= 7)"  # the core's English, as JSON shows it
    i18n.setup("zh-CN", {})
    try:
        assert fact(hold) == "amazon-us 压款 14 天（>= 7）"
        assert fact(Said("in {a}", a="every region")) == "地区 所有地区"
        assert fact(Said("no virtual warehouse")) == "没有从虚拟仓发货的渠道"  # the old English table missed it
        assert fact("not a fact the core said") == "not a fact the core said"
    finally:
        i18n.setup(None, {})
