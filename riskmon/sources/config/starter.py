"""The commented starter set that `riskmon config init` writes.

The templates live in `riskmon/templates/` (shipped in the wheel with the package). The starter
events.toml is a field reference followed by the real part of the bundled catalog (everything
between its "Precedents" and "Examples" sections), so the facts are kept in one place,
`config/events.toml`, and the made-up example rumours are left out of a real user's config.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator

from riskmon.paths import CONFIG_FILES, bundled_config_dir, templates_dir

TEMPLATE_DIR = templates_dir()
CATALOG_MARK = "# @@BUNDLED_CATALOG@@"
_CATALOG_START = "# --- Precedents"
_CATALOG_END = "# --- Examples"


def bundled_catalog_text(events_toml: str | None = None) -> str:
    """The real events of the bundled catalog, as TOML text (no made-up examples)."""
    if events_toml is None:
        try:
            events_toml = (bundled_config_dir() / "events.toml").read_text(encoding="utf-8")
        except OSError:
            return "# (the bundled event catalog was not found; add your own [[events]])\n"
    start = events_toml.find(_CATALOG_START)
    end = events_toml.find(_CATALOG_END)
    if start < 0:
        return "# (the bundled event catalog has no events section)\n"
    body = events_toml[start : end if end > start else len(events_toml)]
    return body.rstrip() + "\n"


def starter_files(translate: Callable[[str], str] | None = None) -> dict[str, str]:
    """File name -> text of the starter set, for each of the four config files; `translate`
    (riskmon.i18n.data) turns each comment paragraph into the reader's language, the keys and
    values stay as they are."""
    files: dict[str, str] = {}
    for name in CONFIG_FILES:
        text = (TEMPLATE_DIR / name).read_text(encoding="utf-8")
        if CATALOG_MARK in text:
            text = text.replace(CATALOG_MARK + "\n", bundled_catalog_text())
        files[name] = translate_comments(text, translate) if translate else text
    return files


# ---------------------------------------------------------------------------------------------
# Comment paragraphs: the unit of translation of the starter files' comments (the Babel
# extractor in riskmon/locale/extract.py reads the same paragraphs, so the message ids match)

_COMMENT = re.compile(r"^(\s*#+ ?)(.*)$")
_NOT_PROSE = re.compile(r"^(:|@@|\[|[A-Za-z0-9_.\"-]+\s*=|$)")
"""A comment line that is not prose: a `#:schema` directive, a marker, a commented-out table or
`key = value` (remove the "# " to use it), or a bare "#"; it ends a paragraph and is kept."""


def comment_blocks(text: str) -> Iterator[tuple[int, int, str, str]]:
    """(first line, line after the last, the comment prefix, the paragraph's text) for each run
    of prose comment lines in `text`; the text joins the lines without their prefix by newlines."""
    lines = text.split("\n")
    i = 0
    while i < len(lines):
        m = _COMMENT.match(lines[i])
        if m is None or _NOT_PROSE.match(m.group(2)):
            i += 1
            continue
        start, prefix, body = i, m.group(1), [m.group(2)]
        i += 1
        while i < len(lines):
            n = _COMMENT.match(lines[i])
            if n is None or n.group(1) != prefix or _NOT_PROSE.match(n.group(2)):
                break
            body.append(n.group(2))
            i += 1
        yield start, i, prefix, "\n".join(body)


def translate_comments(text: str, translate: Callable[[str], str]) -> str:
    """`text` with each comment paragraph replaced by its translation (the same prefix on each
    of its lines); untranslated paragraphs stay as they are."""
    lines = text.split("\n")
    out: list[str] = []
    at = 0
    for start, end, prefix, body in comment_blocks(text):
        out.extend(lines[at:start])
        out.extend(f"{prefix}{line}".rstrip() for line in translate(body).split("\n"))
        at = end
    out.extend(lines[at:])
    return "\n".join(out)
