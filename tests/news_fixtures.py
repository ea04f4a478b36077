"""The bundled news lexicon, read the way the (future) loader will: the package's data file
through importlib.resources, parsed with tomllib, validated by `lexicon_from_data`."""

from __future__ import annotations

import tomllib
from functools import cache
from importlib.resources import files
from typing import Any

from riskmon.core.news import Lexicon, lexicon_from_data


def bundled_data() -> dict[str, Any]:
    return tomllib.loads(files("riskmon").joinpath("data", "news.toml").read_text(encoding="utf-8"))


@cache
def bundled() -> Lexicon:
    return lexicon_from_data(bundled_data())
