"""Fixtures several test files share. None is autouse: a file asks for what it needs, by argument
or with `pytestmark = pytest.mark.usefixtures(...)`."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.servers import LocalServer, local_server


@pytest.fixture
def no_proxy(monkeypatch: pytest.MonkeyPatch) -> None:
    """httpx honours *_PROXY variables; requests to 127.0.0.1 must go straight there."""
    for var in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy", "all_proxy"):
        monkeypatch.delenv(var, raising=False)


@pytest.fixture
def server() -> Iterator[LocalServer]:
    """A local HTTP server (tests/servers.py) for the test, stopped after it."""
    with local_server() as s:
        yield s


@pytest.fixture
def isolated_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Data and user config under the test's tmp_path; no RISKMON_CONFIG/RISKMON_DB from outside."""
    monkeypatch.setenv("RISKMON_DATA", str(tmp_path / "data"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg"))
    monkeypatch.delenv("RISKMON_CONFIG", raising=False)
    monkeypatch.delenv("RISKMON_DB", raising=False)


@pytest.fixture
def isolated_lang(isolated_env: None, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """`isolated_env`, no language from the host's locale variables, and English again after the
    test (riskmon.i18n keeps the chosen language process-wide)."""
    from riskmon import i18n

    for name in ("LC_ALL", "LC_MESSAGES", "LANG"):
        monkeypatch.delenv(name, raising=False)
    yield
    i18n.setup(None, {})
