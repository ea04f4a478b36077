"""JSON Schemas of the four config files, for editors: taplo / Even Better TOML complete keys, show
each field's description and flag mistakes as you type.

Generated from the pydantic models that validate the files (riskmon.sources.config.schema), so
they cannot drift from what riskmon accepts; riskmon's own validation stays the authority (cross
checks such as "order shares add up to at most 1" are not expressible here). Adjusted for TOML
tools, which speak draft-07 best:

- `$defs` become `definitions` and `$schema` says draft-07;
- field descriptions come from the attribute docstrings of the models (schema_*.py) (pydantic reads them only
  with `use_attribute_docstrings`, which would slow every model build on `check`'s cold start),
  else from the starter files' comments (`# key: text` under a table, or the `#   key   text`
  lists after "Each [[feeds]] block"), the field reference users already read;
- TOML dates and date-times reach a JSON Schema validator as strings: a date field is a string
  that is a date (format `date`), an offset date-time (`date-time`) or a local date-time.

`#:schema ./schemas/NAME.schema.json` on a config file's first line is taplo's directive that
points an editor at them (`riskmon config init` writes both).
"""

from __future__ import annotations

import ast
import copy
import inspect
import json
import re
from pathlib import Path
from typing import Any

from riskmon.paths import CONFIG_FILES, templates_dir

DRAFT = "http://json-schema.org/draft-07/schema#"
SCHEMA_DIR = "schemas"
"""Where `config init` puts them, next to the files (the directive's relative path resolves there)."""

_ISO = r"^\d{4}-\d{2}-\d{2}([Tt ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?([Zz]|[+-]\d{2}:\d{2})?)?$"
_LOCAL_DATE_TIME = r"^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?$"
DATE_SCHEMA: dict[str, Any] = {
    "type": "string",
    "pattern": _ISO,
    "anyOf": [{"format": "date"}, {"format": "date-time"}, {"pattern": _LOCAL_DATE_TIME}],
}
"""A TOML date (00:00 UTC that day), offset date-time, or local date-time (read as UTC)."""

_TITLES = {
    "riskmon.toml": "riskmon settings: thresholds, model, history, feeds, alerts, export",
    "exposure.toml": "riskmon exposure: your business and the channels you sell through",
    "events.toml": "riskmon event catalog: platform policy events",
    "playbooks.toml": "riskmon playbooks: what to do, by when",
}


def schema_file_name(config_file: str) -> str:
    """exposure.toml -> exposure.schema.json"""
    return config_file.removesuffix(".toml") + ".schema.json"


def directive(config_file: str) -> str:
    """The taplo header directive that points `config_file` at its schema in ./schemas/."""
    return f"#:schema ./{SCHEMA_DIR}/{schema_file_name(config_file)}"


def with_directive(config_file: str, text: str) -> str:
    """`text` with the schema directive as its first line (a header directive may only follow other
    comments; first is safest). An existing `#:schema` line is replaced, not doubled."""
    lines = [line for line in text.splitlines(keepends=True) if not line.startswith("#:schema ")]
    return directive(config_file) + "\n" + "".join(lines)


def config_schemas() -> dict[str, dict[str, Any]]:
    """Schema file name -> the JSON Schema, for each of the four config files."""
    from riskmon.sources.config import schema as models
    from riskmon.sources.config import schema_events, schema_exposure, schema_playbooks, schema_settings
    from riskmon.sources.config.load import FILE_MODELS

    docs: dict[str, dict[str, str]] = {}
    for part in (schema_exposure, schema_events, schema_settings, schema_playbooks):
        docs.update(attribute_docs(inspect.getsource(part)))
    out: dict[str, dict[str, Any]] = {}
    for config_file in CONFIG_FILES:
        model = getattr(models, FILE_MODELS[config_file])
        doc = for_toml(model.model_json_schema(), docs, config_file)
        comments = template_docs((templates_dir() / config_file).read_text(encoding="utf-8"))
        for section, fields in comments.items():
            target = _definition_at(doc, section)
            if target is not None:
                _describe(target, fields)
        out[schema_file_name(config_file)] = doc
    return out


def write_schemas(directory: Path) -> list[Path]:
    """Write the four schemas into `directory` (created if need be), atomically; the paths written."""
    from riskmon.fileio import atomic_write_bytes

    written = []
    for name, doc in config_schemas().items():
        path = directory / name
        atomic_write_bytes(path, (json.dumps(doc, indent=2, ensure_ascii=False) + "\n").encode("utf-8"))
        written.append(path)
    return written


def attribute_docs(source: str) -> dict[str, dict[str, str]]:
    """Class name -> field name -> the docstring under the field's annotation, from the source."""
    out: dict[str, dict[str, str]] = {}
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.ClassDef):
            continue
        fields: dict[str, str] = {}
        for stmt, after in zip(node.body, node.body[1:], strict=False):
            if (
                isinstance(stmt, ast.AnnAssign)
                and isinstance(stmt.target, ast.Name)
                and isinstance(after, ast.Expr)
                and isinstance(after.value, ast.Constant)
                and isinstance(after.value.value, str)
            ):
                fields[stmt.target.id] = inspect.cleandoc(after.value.value)
        if fields:
            out[node.name] = fields
    return out


_HEADER = re.compile(r"^\[\[?\s*([A-Za-z_.]+)\s*\]\]?")
_BLOCK = re.compile(r"^#.*\[\[([A-Za-z_.]+)\]\] block")
_KEY = re.compile(r"^# ([a-z_]+): (.+)$")
_LISTED = re.compile(r"^#( {2,}[a-z_]+ +)(\S.*)$")


class _Comments:
    """The state of `template_docs` while it reads a starter file line by line."""

    def __init__(self) -> None:
        self.found: dict[str, dict[str, list[str]]] = {}
        self.section = ""
        self.listing = ""
        """Where `#   key   text` lines go: the section, or a `# key: a list of` sub-section."""
        self.parts: list[str] | None = None
        """The description being read, while continuation lines may follow."""
        self.indent = 0
        """The column of a listed description's text: its continuation lines start there."""

    def start(self, section: str, key: str, text: str) -> None:
        self.parts = [text]
        self.found.setdefault(section, {})[key] = self.parts

    def read(self, line: str) -> None:
        place = _HEADER.match(line) or _BLOCK.match(line)
        if place:
            self.section = self.listing = place.group(1)
            self.parts = None
        elif key := _KEY.match(line):
            self.start(self.section, key.group(1), key.group(2))
            self.listing = f"{self.section}.{key.group(1)}" if key.group(2).startswith("a list of") else self.section
        elif self.parts is not None and line.startswith("# ") and line[1:].strip() and self._continues(line):
            self.parts.append(line[1:].strip())
        elif listed := _LISTED.match(line):
            self.indent = 1 + len(listed.group(1))
            self.start(self.listing, listed.group(1).strip(), listed.group(2))
        else:
            self.parts, self.indent = None, 0

    def _continues(self, line: str) -> bool:
        """A listed description goes on in lines indented to its text; a `# key:` one in any
        comment line that is not the start of a list."""
        if self.indent:
            return len(line) - len(line[1:].lstrip()) >= self.indent
        return not _LISTED.match(line)


def template_docs(text: str) -> dict[str, dict[str, str]]:
    """Section ("" for the top, "channels", "rules.steps") -> field -> its comment in a starter
    file. A section starts at a table header or at a comment naming a "[[name]] block"; a
    `# key: a list of ...` comment makes the `#   key   text` lines under it a sub-section."""
    comments = _Comments()
    for line in text.splitlines():
        comments.read(line)
    return {
        section: {key: " ".join(" ".join(parts).split()) for key, parts in fields.items()}
        for section, fields in comments.found.items()
    }


def _definition_at(doc: dict[str, Any], section: str) -> dict[str, Any] | None:
    """The (sub)schema the fields of `section` ("channels", "rules.steps") belong to."""
    node: dict[str, Any] | None = doc
    for name in filter(None, section.split(".")):
        prop = (node or {}).get("properties", {}).get(name)
        if prop is None:
            return None
        ref = (
            prop.get("$ref")
            or prop.get("items", {}).get("$ref")
            or next((x["$ref"] for x in prop.get("allOf", []) if "$ref" in x), None)
        )
        node = doc.get("definitions", {}).get(ref.rsplit("/", 1)[-1]) if ref else None
    return node


def for_toml(schema: dict[str, Any], docs: dict[str, dict[str, str]], config_file: str) -> dict[str, Any]:
    """pydantic's schema of one file's model, adjusted for TOML tools (see the module doc)."""
    doc = copy.deepcopy(schema)
    definitions = doc.pop("$defs", {})
    for name, sub in definitions.items():
        _describe(sub, docs.get(name, {}))
    _describe(doc, docs.get(str(doc.get("title", "")), {}))
    doc = {"$schema": DRAFT, **doc, "title": _TITLES[config_file]}
    if definitions:
        doc["definitions"] = definitions
    result: dict[str, Any] = _rewrite(doc)
    return result


def _describe(model_schema: dict[str, Any], field_docs: dict[str, str]) -> None:
    """Give each property its docstring as description, where pydantic gave none. A `$ref` is
    wrapped in allOf: draft-07 ignores the siblings of a `$ref`."""
    props = model_schema.get("properties", {})
    for field, text in field_docs.items():
        prop = props.get(field)
        if prop is None or "description" in prop:
            continue
        if "$ref" in prop:
            props[field] = prop = {"allOf": [{"$ref": prop.pop("$ref")}], **prop}
        prop["description"] = text


def _rewrite(node: Any) -> Any:
    """`#/$defs/X` -> `#/definitions/X`; a date-time string -> DATE_SCHEMA (keeping its notes)."""
    if isinstance(node, list):
        return [_rewrite(item) for item in node]
    if not isinstance(node, dict):
        return node
    if node.get("type") == "string" and node.get("format") == "date-time":
        notes = {k: v for k, v in node.items() if k in ("title", "description", "default")}
        return {**DATE_SCHEMA, **notes}
    out = {}
    for key, value in node.items():
        if key == "$ref" and isinstance(value, str):
            value = value.replace("#/$defs/", "#/definitions/")
        out[key] = _rewrite(value)
    return out
