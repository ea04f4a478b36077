"""JSON Schemas of the config files (`riskmon config schema`, `config init`): valid draft-07, they
accept the bundled demo and the starter set (TOML dates included) and reject broken files; the
`#:schema` directive of the starter files points at them. With taplo installed, taplo agrees."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tomllib
from datetime import date, datetime, time
from pathlib import Path
from typing import Any

import pytest

from riskmon.paths import CONFIG_FILES, bundled_config_dir
from riskmon.sources.config.json_schema import directive, template_docs

jsonschema = pytest.importorskip("jsonschema")

TAPLO = shutil.which("taplo") or (str(p) if (p := Path(sys.executable).with_name("taplo")).exists() else None)


def run(*args: str, cwd: Path | None = None, **more_env: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "NO_COLOR": "1", **more_env}
    env.pop("RISKMON_CONFIG", None)
    return subprocess.run(
        [sys.executable, "-m", "riskmon", *args], capture_output=True, text=True, env=env, cwd=cwd, timeout=60
    )


@pytest.fixture(scope="module")
def schemas(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, Any]]:
    """config file name -> its schema, as `riskmon config schema --output DIR` writes them."""
    out = tmp_path_factory.mktemp("schemas")
    r = run("config", "schema", "--output", str(out))
    assert r.returncode == 0, r.stderr
    written = {p.name for p in out.iterdir()}
    assert written == {"riskmon.schema.json", "exposure.schema.json", "events.schema.json", "playbooks.schema.json"}
    return {name: json.loads((out / name.replace(".toml", ".schema.json")).read_text()) for name in CONFIG_FILES}


def as_json(value: Any) -> Any:
    """TOML values as a JSON Schema validator sees them (taplo too): dates and times as strings."""
    if isinstance(value, dict):
        return {k: as_json(v) for k, v in value.items()}
    if isinstance(value, list):
        return [as_json(v) for v in value]
    if isinstance(value, date | datetime | time):
        return value.isoformat()
    return value


def problems(schema: dict[str, Any], toml_text: str) -> list[str]:
    validator = jsonschema.Draft7Validator(schema, format_checker=jsonschema.FormatChecker())
    return [e.message for e in validator.iter_errors(as_json(tomllib.loads(toml_text)))]


@pytest.mark.parametrize("name", CONFIG_FILES)
def test_the_schemas_are_draft_7_and_accept_the_bundled_demo(schemas: dict[str, dict[str, Any]], name: str) -> None:
    schema = schemas[name]
    jsonschema.Draft7Validator.check_schema(schema)
    assert schema["$schema"] == "http://json-schema.org/draft-07/schema#"
    assert "$defs" not in json.dumps(schema), "draft-07 tools look in definitions"
    assert problems(schema, (bundled_config_dir() / name).read_text()) == []


def test_config_init_points_each_file_at_its_schema(tmp_path: Path, schemas: dict[str, dict[str, Any]]) -> None:
    target = tmp_path / "cfg"
    r = run("config", "init", str(target))
    assert r.returncode == 0, r.stdout + r.stderr
    assert "schemas/: riskmon.schema.json" in r.stdout
    assert run("config", "init", str(target)).returncode == 1, "an existing set is still refused"
    for name in CONFIG_FILES:
        text = (target / name).read_text()
        first = text.splitlines()[0]
        assert first == directive(name) == f"#:schema ./schemas/{name.replace('.toml', '.schema.json')}"
        assert json.loads((target / first.removeprefix("#:schema ")).read_text()) == schemas[name]
        assert problems(schemas[name], text) == [], name
    assert run("config", "validate", "--config", str(target)).returncode == 0, "the directive is only a comment"


DATES = """
[[events]]
id = "dates"
title = "Every TOML date form riskmon reads"
kind = "ban"
platforms = ["tiktok"]
status = "confirmed"
effective = 2025-01-19
ends = 2025-04-05T17:00:00+07:00
updated = 2025-01-18T09:30:00
deadlines = [{ date = 2025-01-18T12:00:00Z, what = "Export" }, { date = "2025-01-17", what = "Tell the team" }]
"""


def test_toml_dates_are_accepted(schemas: dict[str, dict[str, Any]]) -> None:
    assert problems(schemas["events.toml"], DATES) == []
    assert run_validate_text("events.toml", DATES) == 0, "and riskmon agrees"


def run_validate_text(name: str, text: str) -> int:
    """riskmon's own verdict on one file (with a minimal exposure.toml beside it)."""
    import tempfile

    with tempfile.TemporaryDirectory() as d:
        exposure = (bundled_config_dir() / "exposure.toml").read_text()
        Path(d, "exposure.toml").write_text(exposure if name != "exposure.toml" else text)
        if name != "exposure.toml":
            Path(d, name).write_text(text)
        return run("config", "validate", "--config", d).returncode


@pytest.fixture(scope="module")
def starter(tmp_path_factory: pytest.TempPathFactory) -> Path:
    target = tmp_path_factory.mktemp("starter") / "cfg"
    assert run("config", "init", str(target)).returncode == 0
    return target


# (file, a line of the starter set (of DATES for events.toml: the catalog changes), what breaks it,
# what the schema says)
BROKEN = [
    ("exposure.toml", "order_share = 0.4", "oder_share = 0.4", "Additional properties are not allowed ('oder_share'"),
    ("exposure.toml", "order_share = 0.4", 'order_share = "a third"', "is not of type 'number'"),
    ("exposure.toml", "order_share = 0.4", "order_share = 1.5", "1.5 is greater than the maximum of 1"),
    ("exposure.toml", 'kind = "social_shop"', 'kind = "social"', "'social' is not one of"),
    ("exposure.toml", 'name = "My Shop"', "", "'name' is a required property"),
    ("events.toml", "effective = 2025-01-19", 'effective = "next week"', "'next week' does not match"),
    ("events.toml", 'status = "confirmed"', 'status = "maybe"', "'maybe' is not one of"),
    ("riskmon.toml", "warn = 40.0", 'warn = "high"', "'high' is not of type 'number'"),
    ("riskmon.toml", "[export]", '[[alerts]]\ntype = "pager"\n[export]', "'pager' is not one of"),
    ("riskmon.toml", "[export]", '[[alerts]]\ntype = "apprise"\nurls_env = "X"\n[export]', "is not of type 'array'"),
    ("playbooks.toml", "replace_bundled = false", 'replace_bundled = "perhaps"', "'perhaps' is not of type 'boolean'"),
]


@pytest.mark.parametrize(("name", "line", "new", "message"), BROKEN)
def test_broken_files_are_rejected_like_riskmon_does(
    schemas: dict[str, dict[str, Any]], starter: Path, name: str, line: str, new: str, message: str
) -> None:
    text = DATES if name == "events.toml" else (starter / name).read_text()
    assert f"\n{line}\n" in text, f"{line!r} not in the starter {name}"
    broken = text.replace(f"\n{line}\n", f"\n{new}\n", 1)
    found = problems(schemas[name], broken)
    assert any(message in p for p in found), found
    assert run_validate_text(name, broken) == 1, "riskmon rejects it too"


def test_descriptions_come_from_docstrings_and_the_starter_comments(schemas: dict[str, dict[str, Any]]) -> None:
    channel = schemas["exposure.toml"]["definitions"]["Channel"]["properties"]
    assert channel["order_share"]["description"].startswith("share of ALL your orders")
    assert channel["payout_hold_days"]["description"].startswith("Days the platform holds money")  # a docstring
    alerts = schemas["riskmon.toml"]["definitions"]["AlertSettings"]["properties"]
    feeds = schemas["riskmon.toml"]["definitions"]["FeedSettings"]["properties"]
    assert alerts["name"]["description"] != feeds["name"]["description"], "each [[block]] has its own keys"
    assert "environment variables" in alerts["urls_env"]["description"]
    step = schemas["playbooks.toml"]["definitions"]["PlaybookStep"]["properties"]
    assert step["text"]["description"].startswith("what to do")


def test_template_comment_forms() -> None:
    text = (
        "# top: at the top\n[table]\n# key: a key,\n# said on two lines\nkey = 1\n"
        "# Each [[items]] block is one item. Keys:\n#   a      first\n#          and more\n#   bb     second\n"
    )
    assert template_docs(text) == {
        "": {"top": "at the top"},
        "table": {"key": "a key, said on two lines"},
        "items": {"a": "first and more", "bb": "second"},
    }


def test_schema_writes_next_to_the_config_but_never_into_the_demo(tmp_path: Path, starter: Path) -> None:
    r = run("config", "schema", XDG_CONFIG_HOME=str(tmp_path / "xdg"), HOME=str(tmp_path))
    assert r.returncode == 1 and "bundled demo; give --output DIR" in r.stderr
    (starter / "schemas" / "exposure.schema.json").unlink()
    r = run("config", "schema", "--config", str(starter))
    assert r.returncode == 0 and (starter / "schemas" / "exposure.schema.json").is_file(), r.stderr


@pytest.mark.skipif(TAPLO is None, reason="taplo is not installed (it is not required)")
def test_taplo_checks_the_files_against_the_schemas(tmp_path: Path) -> None:
    assert TAPLO is not None
    target = tmp_path / "cfg"
    assert run("config", "init", str(target)).returncode == 0
    r = subprocess.run([TAPLO, "check", *CONFIG_FILES], cwd=target, capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, r.stdout + r.stderr
    exposure = target / "exposure.toml"
    exposure.write_text(exposure.read_text().replace("order_share = 0.4", "oder_share = 0.4", 1))
    r = subprocess.run([TAPLO, "check", "exposure.toml"], cwd=target, capture_output=True, text=True, timeout=60)
    assert r.returncode != 0 and "order_share" in r.stdout + r.stderr
