"""Maintain the catalogs: `python -m riskmon.locale.catalog extract|update|compile|check`.

    extract   riskmon.pot from the sources (babel.cfg: the code's _() / ngettext() / N_() and the
              data files' text, riskmon/locale/extract.py)
    update    merge riskmon.pot into each language's riskmon.po (new messages empty, changed
              ones fuzzy: translate them and clear the flag)
    compile   each riskmon.po into the riskmon.mo shipped in the package
    check     every message of riskmon.pot translated in every language, nothing fuzzy

extract and update are `pybabel extract` and `pybabel update` with riskmon's options. compile is
Babel's own write_mo, without `pybabel compile`'s printf check: riskmon formats messages with
str.format, never with %, and the data texts say "30% of orders" (which that check reads as a
%-placeholder the translation lacks). Run from the repository's root; README, "Language".
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from riskmon.i18n import CATALOG_CODES, DOMAIN, LOCALE_DIR

ROOT = LOCALE_DIR.parent.parent
TEMPLATE = LOCALE_DIR / f"{DOMAIN}.pot"


def po_path(code: str) -> Path:
    return LOCALE_DIR / code / "LC_MESSAGES" / f"{DOMAIN}.po"


def _pybabel(*args: str) -> None:
    subprocess.run([sys.executable, "-m", "babel.messages.frontend", *args], cwd=ROOT, check=True)


def extract(output: Path = TEMPLATE) -> None:
    _pybabel(
        "extract", "-F", "babel.cfg", "-k", "N_", "--no-wrap", "--sort-by-file", "--omit-header",
        "-o", str(output), ".",
    )  # fmt: skip


def update() -> None:
    for code in CATALOG_CODES.values():
        _pybabel("update", "-i", str(TEMPLATE), "-o", str(po_path(code)), "-l", code, "--no-wrap", "--ignore-obsolete")


def compiled(code: str) -> bytes:
    """The .mo of a language's .po, as `compile` writes it."""
    import io

    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    with po_path(code).open("rb") as f:
        catalog = read_po(f, locale=code, domain=DOMAIN)
    out = io.BytesIO()
    write_mo(out, catalog)
    return out.getvalue()


def compile_all() -> None:
    for code in CATALOG_CODES.values():
        po_path(code).with_suffix(".mo").write_bytes(compiled(code))


def missing(code: str) -> list[str]:
    """The messages of riskmon.pot that `code` lacks: untranslated, fuzzy, or not in its .po."""
    from babel.messages.pofile import read_po

    with TEMPLATE.open("rb") as f:
        template = read_po(f)
    with po_path(code).open("rb") as f:
        po = read_po(f, locale=code)
    out = []
    for message in template:
        if not message.id:
            continue
        found = po.get(message.id)
        strings = found.string if found is not None else ""
        texts = strings if isinstance(strings, tuple) else (strings,)
        if found is None or found.fuzzy or not all(texts):
            out.append(str(message.id))
    return out


def main(argv: list[str]) -> int:
    actions = {"extract": extract, "update": update, "compile": compile_all}
    if argv[:1] == ["check"]:
        gaps = {code: missing(code) for code in CATALOG_CODES.values()}
        for code, ids in gaps.items():
            for msgid in ids:
                print(f"{code}: not translated: {msgid[:100]!r}")
        return 1 if any(gaps.values()) else 0
    if len(argv) != 1 or argv[0] not in actions:
        print("usage: python -m riskmon.locale.catalog extract|update|compile|check", file=sys.stderr)
        return 2
    actions[argv[0]]()
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
