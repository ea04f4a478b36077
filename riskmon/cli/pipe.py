"""When the reader of stdout leaves early (`riskmon report | head`, `check -f json | head -c 300`).

Python ignores SIGPIPE, so a write to a closed pipe raises BrokenPipeError, and output still
buffered fails again in the interpreter's final flush ("Exception ignored ... BrokenPipeError").
The Python docs' answer (library/signal.html, "Note on SIGPIPE"): point the file descriptor at
/dev/null and exit quietly. The reader leaving is its choice, not our failure: no message.
"""

from __future__ import annotations

import os
import sys

READER_LEFT = 141
"""The exit code of a command whose reader left: 128 + SIGPIPE, what a shell reports for `cat`
or `grep` ended by the same pipe. `check` keeps its level's code instead (see `answer`)."""


def silence(*streams: object) -> None:
    """Point stdout (or the given streams) at /dev/null: later writes, and the interpreter's final
    flush of what is still buffered, go nowhere instead of raising again."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        for stream in streams or (sys.stdout,):
            fileno = getattr(stream, "fileno", None)
            if fileno is not None:
                os.dup2(devnull, fileno())
    finally:
        os.close(devnull)


def answer(text: str) -> None:
    """Write a command's answer to stdout and flush it. For a command whose exit code is the answer
    (`check`, `fleet check`: 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN): when the reader has left
    (`riskmon check | head -1`) stdout is silenced and the command still exits with its level, so
    a script with `set -o pipefail` sees the level, not a broken pipe."""
    try:
        sys.stdout.write(text if text.endswith("\n") else text + "\n")
        sys.stdout.flush()
    except BrokenPipeError:
        silence()
