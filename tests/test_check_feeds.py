"""`riskmon check` end to end against a local feed server (127.0.0.1 only): one poll per check
within -t; a broken, hanging or stopped feed leaves the cached events in force and is reported;
history records each check and reports what changed."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Any

import pytest

try:
    from tests.servers import local_server, respond
except ImportError:  # tests/ is not a package: pytest put tests/ itself on sys.path
    from servers import local_server, respond  # type: ignore[no-redef]
from tests import support
from tests.support import SHOP_EXPOSURE as EXPOSURE
from tests.support import write_config


def day(offset: int) -> str:
    """A date `offset` days from today: these checks run at the present, as cron runs them."""
    return (datetime.now(UTC).date() + timedelta(days=offset)).isoformat()


def ban(**kw: Any) -> dict[str, Any]:
    """A confirmed ban on TikTok US in five days: removes 30% of orders, so WARNING."""
    return support.ban(**{"effective": day(5), **kw})


class Feed:
    def __init__(self, *events: dict[str, Any]) -> None:
        self.set(*events)
        self.mode = "ok"

    def set(self, *events: dict[str, Any]) -> None:
        self.body = json.dumps({"events": list(events)}).encode()

    def __call__(self, h: BaseHTTPRequestHandler, stop: threading.Event) -> None:
        if self.mode == "hang":
            stop.wait(30)
        elif self.mode == "broken":
            respond(h, 500, b"oops", "text/plain")
        else:
            respond(h, 200, self.body)


pytestmark = pytest.mark.usefixtures("no_proxy")


def config(tmp_path: Path, url: str, *, required: bool = False) -> Path:
    return write_config(
        tmp_path,
        exposure=EXPOSURE,
        playbooks="replace_bundled = true\n",
        riskmon=f'[[feeds]]\nname = "agency"\ntype = "http"\nurl = "{url}"\nevery = "0s"\ntimeout = 20\n'
        f"required = {'true' if required else 'false'}\n",
    )


class Checker:
    """Runs `riskmon check` as cron would (the feed, due every 0 s, is polled by every check rather
    than served from its fresh cache)."""

    def __init__(self, tmp_path: Path, cfg: Path) -> None:
        self.tmp = tmp_path
        self.cfg = cfg
        self.env = {
            **{k: v for k, v in os.environ.items() if not k.lower().endswith("_proxy")},
            "RISKMON_DATA": str(tmp_path / "data"),
            "NO_COLOR": "1",
        }

    def __call__(
        self, *args: str, timeout: float = 20, history: bool = False
    ) -> tuple[subprocess.CompletedProcess[str], float]:
        argv = [sys.executable, "-m", "riskmon", "check", "--config", str(self.cfg)]
        argv += ["-t", str(timeout), "--db", str(self.tmp / "history.json")]
        if not history:
            argv.append("--no-history")
        start = time.monotonic()
        r = subprocess.run([*argv, *args], capture_output=True, text=True, env=self.env, timeout=timeout + 30)
        return r, time.monotonic() - start

    def json(self, *args: str, **kw: Any) -> tuple[dict[str, Any], subprocess.CompletedProcess[str], float]:
        r, took = self(*args, "-f", "json", **kw)
        assert r.stdout.startswith("{"), r.stdout + r.stderr
        return json.loads(r.stdout), r, took


def test_check_polls_once_and_keeps_answering_from_the_cache(tmp_path: Path) -> None:
    with local_server() as server:
        feed = Feed(ban())
        check = Checker(tmp_path, config(tmp_path, server.route("/feed", feed)))

        doc, r, _ = check.json()
        assert r.returncode == 1, r.stderr
        assert [e["id"] for e in doc["events"]] == ["us-ban"]
        assert doc["feeds"][0]["ok"] is True and doc["feeds"][0]["error"] is None
        assert len(server.hits("/feed")) == 1, "one poll per check"

        feed.set(ban(status="in_effect", effective=day(-1)))  # changed
        doc, r, _ = check.json()
        assert doc["events"][0]["status"] == "in_effect"

        feed.mode = "broken"
        doc, r, _ = check.json()
        assert r.returncode == 1
        assert doc["events"][0]["status"] == "in_effect", "the last good copy counts"
        assert doc["feeds"][0]["ok"] is False and "HTTP 500" in doc["feeds"][0]["error"]
        r, _ = check()
        assert r.returncode == 1 and "feed agency: HTTP 500" in r.stdout
        r, _ = check("-f", "nagios")
        first, *rest = r.stdout.splitlines()
        assert first.startswith("RISKMON WARNING - ") and any("feed agency: HTTP 500" in x for x in rest)
        r, _ = check("-f", "prometheus")
        assert 'riskmon_feed_up{profile="cfg",feed="agency"} 0' in r.stdout

        feed.mode = "hang"
        # -t 10 rather than less: the time kept after the feeds (30%) must cover the assessment
        # even on a loaded 2-core CI machine.
        doc, r, took = check.json(timeout=10)
        assert r.returncode == 1, r.stdout + r.stderr
        assert took < 10 + 3.0, f"answered after {took:.1f}s with -t 10"  # slack: a loaded CI machine
        assert [e["id"] for e in doc["events"]] == ["us-ban"]
        error = doc["feeds"][0]["error"]
        assert doc["feeds"][0]["ok"] is False and ("timed out" in error or "not polled within" in error), error
        url = server.url("/feed")

    # The server is gone: connection refused.
    doc, r, took = check.json(timeout=4)
    assert r.returncode == 1 and took < 4 + 3.0, took
    assert [e["id"] for e in doc["events"]] == ["us-ban"]
    assert doc["feeds"][0]["ok"] is False and doc["feeds"][0]["error"]
    assert doc["feeds"][0]["last_success"] is not None
    assert url


def test_offline_check_does_not_touch_the_network(tmp_path: Path) -> None:
    with local_server() as server:
        check = Checker(tmp_path, config(tmp_path, server.route("/feed", Feed(ban()))))
        check.json()
        assert len(server.hits("/feed")) == 1
        doc, r, _ = check.json("--offline")
        assert len(server.hits("/feed")) == 1
        assert r.returncode == 1 and [e["id"] for e in doc["events"]] == ["us-ban"]


def test_required_feed_never_fetched_is_unknown(tmp_path: Path) -> None:
    with local_server() as server:
        feed = Feed(ban())
        feed.mode = "broken"
        check = Checker(tmp_path, config(tmp_path, server.route("/feed", feed), required=True))
        r, _ = check()
    assert r.returncode == 3
    assert r.stdout.startswith("RISKMON UNKNOWN - required feed 'agency' has never been fetched")
    assert r.stdout.count("\n") == 1 and "Traceback" not in r.stderr


def test_check_records_history_and_reports_changes(tmp_path: Path) -> None:
    with local_server() as server:
        feed = Feed(ban(status="announced"))
        check = Checker(tmp_path, config(tmp_path, server.route("/feed", feed)))
        doc, r, _ = check.json(history=True)
        assert r.returncode == 1, r.stderr
        assert doc["changes"] == [], "the first check has nothing to compare with"

        feed.set(
            ban(status="confirmed"), ban(id="us-fee", kind="fee_change", title="Fee up", impact={"fee_delta": 0.02})
        )
        doc, r, _ = check.json(history=True)
        summaries = [c["summary"] for c in doc["changes"]]
        assert "us-ban: status announced → confirmed" in summaries
        assert any(s.startswith("new event us-fee: Fee up") for s in summaries)

        r, _ = check("-v", history=True)
        assert "since the previous check" not in r.stdout  # nothing changed since

        doc, r, _ = check.json()  # --no-history: not recorded, no "changes"
        assert "changes" not in doc

    from riskmon.store.history import HistoryStore

    assert len(HistoryStore(tmp_path / "history.json").snapshots()) == 3


def test_a_broken_history_does_not_fail_the_check(tmp_path: Path) -> None:
    with local_server() as server:
        check = Checker(tmp_path, config(tmp_path, server.route("/feed", Feed(ban()))))
        (tmp_path / "history.json").mkdir()  # not a file
        r, _ = check(history=True)
    assert r.returncode == 1, r.stdout + r.stderr
    assert r.stdout.startswith("WARNING")
    assert "history not recorded" in r.stderr and "Traceback" not in r.stderr
