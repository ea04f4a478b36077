"""Log lines for journald: a syslog priority prefix (`<4>` for a warning), no timestamp.

systemd sets `$JOURNAL_STREAM` to the device and inode of the stream it connected to the
service's stdout/stderr. When stderr is that stream, journald reads `<N>` at the start of each
line as the line's priority (sd-daemon(3)) and stamps the time itself, so a timestamp of ours
would only be said twice. If stderr was redirected elsewhere (the variable is inherited), the
device and inode differ and lines stay as they are everywhere else.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping
from typing import TextIO

# syslog(3) priorities: LOG_CRIT 2, LOG_ERR 3, LOG_WARNING 4, LOG_INFO 6, LOG_DEBUG 7.
_PRIORITIES = ((logging.CRITICAL, 2), (logging.ERROR, 3), (logging.WARNING, 4), (logging.INFO, 6))


def priority(levelno: int) -> int:
    """The syslog priority of a logging level: the closest one at or below it."""
    return next((prio for level, prio in _PRIORITIES if levelno >= level), 7)


def stream_is_journal(stream: TextIO, env: Mapping[str, str]) -> bool:
    """Whether `stream` is the journal stream systemd named in $JOURNAL_STREAM ("dev:inode")."""
    wanted = env.get("JOURNAL_STREAM", "")
    try:
        st = os.fstat(stream.fileno())
    except (OSError, ValueError):  # no file descriptor (a test's StringIO), or closed
        return False
    return wanted == f"{st.st_dev}:{st.st_ino}"


class JournaldFormatter(logging.Formatter):
    """`<prio>logger: message`, every line of a multi-line record (a traceback) prefixed, so that
    journald stores each at the record's priority."""

    def __init__(self) -> None:
        super().__init__("%(name)s: %(message)s")

    def format(self, record: logging.LogRecord) -> str:
        prefix = f"<{priority(record.levelno)}>"
        return "\n".join(prefix + line for line in super().format(record).splitlines())
