"""The commented starter set that `riskmon config init` writes.

The templates live in `riskmon/templates/` (shipped in the wheel with the package). The starter
events.toml is a field reference followed by the real part of the bundled catalog (everything
between its "Precedents" and "Examples" sections), so the facts are kept in one place,
`config/events.toml`, and the made-up example rumours are left out of a real user's config.
"""

from __future__ import annotations

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


def starter_files() -> dict[str, str]:
    """File name -> text of the starter set, for each of the four config files."""
    files: dict[str, str] = {}
    for name in CONFIG_FILES:
        text = (TEMPLATE_DIR / name).read_text(encoding="utf-8")
        if CATALOG_MARK in text:
            text = text.replace(CATALOG_MARK + "\n", bundled_catalog_text())
        files[name] = text
    return files
