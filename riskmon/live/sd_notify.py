"""systemd's service notification protocol (sd_notify(3)) in a few lines, no dependency.

Under `Type=notify` systemd passes a datagram socket in `$NOTIFY_SOCKET` (a path, or `@name` for
the abstract namespace) and waits for `READY=1`; `STATUS=` is the line `systemctl status` shows,
`STOPPING=1` says a stop has begun, and with `WatchdogSec=` it sets `$WATCHDOG_USEC` and restarts
the service when `WATCHDOG=1` does not come in time (pinging at half the interval is the
recommended pace). Without `$NOTIFY_SOCKET` every call does nothing, so the daemon runs the same
under any other supervisor.
"""

from __future__ import annotations

import logging
import os
import socket
from collections.abc import Mapping

log = logging.getLogger("riskmon.live.sd_notify")


def socket_address(env: Mapping[str, str]) -> str | None:
    """The address in $NOTIFY_SOCKET, `@` turned into the abstract namespace's NUL; None when
    unset or not a unix socket (systemd may also pass vsock:, which riskmon does not speak)."""
    addr = env.get("NOTIFY_SOCKET", "")
    if addr.startswith("@"):
        return "\0" + addr[1:]
    return addr if addr.startswith("/") else None


def watchdog_interval(env: Mapping[str, str], pid: int) -> float | None:
    """Seconds between WATCHDOG=1 pings: half of $WATCHDOG_USEC; None when there is no watchdog,
    or it is meant for another process ($WATCHDOG_PID)."""
    try:
        usec = int(env.get("WATCHDOG_USEC", ""))
    except ValueError:
        return None
    owner = env.get("WATCHDOG_PID")
    if usec <= 0 or (owner and owner != str(pid)):
        return None
    return usec / 2 / 1_000_000


def one_line(text: str) -> str:
    """A value for a KEY=value line: the protocol separates assignments by newlines."""
    return " ".join(text.split())


class Notifier:
    """Sends state lines to systemd. Never raises: a supervisor's socket going away must not stop
    the daemon (a failure is logged once)."""

    def __init__(self, env: Mapping[str, str] | None = None) -> None:
        self.address = socket_address(os.environ if env is None else env)
        self._warned = False

    @property
    def enabled(self) -> bool:
        return self.address is not None

    def send(self, **fields: str) -> bool:
        """notify(READY="1", STATUS="...") sends `READY=1\\nSTATUS=...` in one datagram."""
        if self.address is None:
            return False
        message = "\n".join(f"{key}={one_line(value)}" for key, value in fields.items())
        try:
            with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM | socket.SOCK_CLOEXEC) as sock:
                sock.connect(self.address)
                sock.sendall(message.encode("utf-8"))
        except OSError as exc:
            if not self._warned:
                self._warned = True
                log.warning("cannot notify systemd at $NOTIFY_SOCKET: %s", exc.strerror or exc)
            return False
        return True
