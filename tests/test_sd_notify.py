"""systemd: `riskmon daemon` under Type=notify (a fake NOTIFY_SOCKET in tmp receives what a real
daemon subprocess says), its log lines when stderr is the journal stream, and the unit file under
`systemd-analyze verify`."""

from __future__ import annotations

import logging
import shutil
import signal
import socket
import subprocess
import sys
import threading
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from riskmon.live.journald import JournaldFormatter, priority
from riskmon.live.sd_notify import Notifier, socket_address, watchdog_interval
from tests import support, waiting
from tests.test_daemon import daemon, read, wait_on
from tests.test_daemon import write_config as daemon_config

ROOT = Path(__file__).resolve().parents[1]


class FakeSystemd:
    """A unix datagram socket standing in for systemd's notify socket; collects every message."""

    def __init__(self, address: str) -> None:
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self.sock.bind(address)
        self.sock.settimeout(0.2)
        self.messages: list[str] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._receive, daemon=True)
        self._thread.start()

    def _receive(self) -> None:
        while not self._stop.is_set():
            try:
                self.messages.append(self.sock.recv(65536).decode())
            except TimeoutError:
                continue
            except OSError:
                return

    def fields(self, key: str) -> list[str]:
        """The values of `key` in every message received, in order."""
        return [
            line.split("=", 1)[1] for m in list(self.messages) for line in m.split("\n") if line.startswith(f"{key}=")
        ]

    def close(self) -> None:
        self._stop.set()
        self._thread.join(2)
        self.sock.close()


@contextmanager
def fake_systemd(address: str) -> Iterator[FakeSystemd]:
    fake = FakeSystemd(address)
    try:
        yield fake
    finally:
        fake.close()


def stream_id(path: Path) -> str:
    """`dev:inode` of `path` as systemd puts it in JOURNAL_STREAM (the daemon's log keeps its inode
    when tests.test_daemon.daemon reopens it for writing)."""
    path.touch()
    st = path.stat()
    return f"{st.st_dev}:{st.st_ino}"


def test_type_notify_ready_status_watchdog_stopping_and_journal_priorities(tmp_path: Path) -> None:
    cfg = daemon_config(tmp_path / "cfg")
    address = str(tmp_path / "notify.sock")
    journal = stream_id(tmp_path / "daemon.log")
    extra = {"NOTIFY_SOCKET": address, "WATCHDOG_USEC": "300000", "JOURNAL_STREAM": journal}
    with fake_systemd(address) as systemd, daemon(tmp_path, cfg, more_env=extra) as (proc, log):
        wait_on(proc, log, lambda: systemd.fields("READY"))
        assert systemd.fields("READY") == ["1"]
        ready = next(m for m in systemd.messages if "READY=1" in m)
        assert "STATUS=OK: score " in ready, "READY comes with the level line"
        wait_on(proc, log, lambda: len(systemd.fields("WATCHDOG")) >= 3)  # every 0.15 s
        assert systemd.fields("STOPPING") == []
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(10) == 0, read(log)
        waiting.wait_until(lambda: systemd.fields("STOPPING") == ["1"], 5)
    assert systemd.fields("STATUS")[-1] == "stopping (SIGTERM)"
    lines = read(log).splitlines()
    assert "<6>riskmon.daemon: riskmon daemon started" in "\n".join(lines)
    assert all(line[:3] in ("<3>", "<4>", "<6>", "<7>") for line in lines), lines
    assert not any(line[3:7].isdigit() for line in lines), "journald stamps the time: no timestamp of ours"


def test_abstract_socket_and_a_redirected_journal_stream(tmp_path: Path) -> None:
    """`@name` is the abstract namespace; a JOURNAL_STREAM inherited by a redirected stderr is not
    the journal: lines keep their timestamps."""
    cfg = daemon_config(tmp_path / "cfg")
    name = f"riskmon-test-{uuid.uuid4().hex}"
    extra = {"NOTIFY_SOCKET": f"@{name}", "JOURNAL_STREAM": "1:1"}
    with fake_systemd("\0" + name) as systemd, daemon(tmp_path, cfg, more_env=extra) as (proc, log):
        wait_on(proc, log, lambda: systemd.fields("READY"))
        assert systemd.fields("WATCHDOG") == [], "no WATCHDOG_USEC, no pings"
        proc.send_signal(signal.SIGINT)
        assert proc.wait(10) == 0
    first = read(log).splitlines()[0]
    assert first[:4].isdigit() and (" INFO riskmon" in first or " WARNING riskmon" in first), first


def test_the_status_follows_the_level(tmp_path: Path) -> None:
    """STATUS= changes with the level: a warning event appears in events.toml while it runs."""
    cfg = daemon_config(tmp_path / "cfg")
    address = str(tmp_path / "n.sock")
    with fake_systemd(address) as systemd, daemon(tmp_path, cfg, more_env={"NOTIFY_SOCKET": address}) as (proc, log):
        wait_on(proc, log, lambda: systemd.fields("READY"))
        event = support.ban(effective="2025-01-19", status="in_effect")
        (cfg / "events.toml").write_text(support.events_toml(event))
        wait_on(proc, log, lambda: any(s.startswith("WARNING: ") for s in systemd.fields("STATUS")))
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(10) == 0


def test_protocol_details() -> None:
    assert socket_address({"NOTIFY_SOCKET": "@x"}) == "\0x"
    assert socket_address({"NOTIFY_SOCKET": "/run/systemd/notify"}) == "/run/systemd/notify"
    assert socket_address({"NOTIFY_SOCKET": "vsock:2:1"}) is None and socket_address({}) is None
    assert not Notifier({}).send(READY="1"), "no socket: nothing sent, nothing raised"
    assert not Notifier({"NOTIFY_SOCKET": "/nonexistent/sock"}).send(READY="1")
    assert watchdog_interval({"WATCHDOG_USEC": "30000000"}, 42) == 15.0
    assert watchdog_interval({"WATCHDOG_USEC": "30000000", "WATCHDOG_PID": "42"}, 42) == 15.0
    assert watchdog_interval({"WATCHDOG_USEC": "30000000", "WATCHDOG_PID": "7"}, 42) is None
    assert watchdog_interval({"WATCHDOG_USEC": "x"}, 42) is None and watchdog_interval({}, 42) is None


def test_journald_prefix_format() -> None:
    assert [priority(lv) for lv in (logging.DEBUG, logging.INFO, logging.WARNING, logging.ERROR)] == [7, 6, 4, 3]
    assert priority(logging.CRITICAL) == 2
    record = logging.LogRecord("riskmon.x", logging.WARNING, __file__, 1, "two\nlines", None, None)
    assert JournaldFormatter().format(record) == "<4>riskmon.x: two\n<4>lines", "every line at the record's priority"


SYSTEMD_ANALYZE = shutil.which("systemd-analyze")


@pytest.mark.skipif(SYSTEMD_ANALYZE is None, reason="systemd-analyze is not installed")
def test_the_unit_file_verifies(tmp_path: Path) -> None:
    text = (ROOT / "contrib" / "riskmon.service").read_text()
    assert "\nType=notify\n" in text and "\nWatchdogSec=" in text and "\nNotifyAccess=main\n" in text
    # verify checks that ExecStart's program exists: point it at this checkout's entry point.
    exe = Path(sys.executable).with_name("riskmon")
    unit = tmp_path / "riskmon.service"
    unit.write_text(text.replace("/usr/local/bin/riskmon", str(exe)))
    r = subprocess.run([str(SYSTEMD_ANALYZE), "verify", str(unit)], capture_output=True, text=True, timeout=60)
    assert r.returncode == 0 and r.stdout + r.stderr == "", r.stdout + r.stderr
