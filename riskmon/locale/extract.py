"""Babel extractors for riskmon's data files (babel.cfg names them): the English text of the
bundled catalog and playbooks, and the comment paragraphs of the starter files, as message ids.

riskmon.i18n.data() translates that text at display time by the same English wording, so an edited
title or a user's own step has no translation and shows as written. Used only by `pybabel extract`
and the tests, never at run time.
"""

from __future__ import annotations

import tomllib
from collections.abc import Iterator, Mapping, Sequence
from typing import IO, Any

from riskmon.sources.config.starter import bundled_catalog_text, comment_blocks

Extracted = tuple[int, str | None, str, list[str]]
"""Babel's extractor result: (line, function name, message, translator comments)."""

DATA_FIELDS: dict[str, tuple[str, ...]] = {
    "events": ("title", "summary"),
    "rules": ("title", "why"),
    "steps": ("text", "why"),
    "deadlines": ("what",),
    "commitments": ("what",),
}
"""Array of tables -> its fields that are shown to a reader (ids, kinds and keys never are)."""


def _texts(table: Any, name: str = "") -> Iterator[tuple[str, str]]:
    """(field, text) for every shown field, depth first, in the file's order."""
    if isinstance(table, Mapping):
        for key, value in table.items():
            if key in DATA_FIELDS.get(name, ()) and isinstance(value, str) and value.strip():
                yield key, value
            elif isinstance(value, list | dict):
                yield from _texts(value, key)
    elif isinstance(table, list):
        for item in table:
            yield from _texts(item, name)


def _line_of(text: str, needle: str) -> int:
    at = text.find(needle.split("\n")[0][:40])
    return text.count("\n", 0, at) + 1 if at >= 0 else 0


def extract_toml(
    fileobj: IO[bytes], keywords: Sequence[str], comment_tags: Sequence[str], options: Any
) -> Iterator[Extracted]:
    """The shown fields of an events.toml / playbooks.toml / exposure.toml (title, summary, why,
    step text, a commitment's what). With `comments = true` in babel.cfg: the comment paragraphs
    of a starter template instead; with `comments = catalog`: the fields and the comments of the
    part of the catalog that `config init` copies into the starter events.toml."""
    text = fileobj.read().decode("utf-8")
    mode = str((options or {}).get("comments", "")).lower()
    if mode != "true":
        for field, value in _texts(tomllib.loads(text)):
            yield _line_of(text, value), None, value, [f"data: {field}"]
    if mode:
        part = text if mode == "true" else bundled_catalog_text(text)
        offset = text.find(part) if part in text else 0
        first = text.count("\n", 0, offset)
        for start, _end, _prefix, body in comment_blocks(part):
            yield first + start + 1, None, body, ["a comment paragraph of a starter file: keep its line breaks"]
