"""Reading a file at a path the user controls: a regular file only, bounded, never a hang.

A config file that is a named pipe would block `open` until a writer comes (past `-t`); one that
is a link to `/dev/zero` would be read until memory runs out; a dangling symlink is not an absent
file (treating it as one silently drops the user's events or settings). So `read_bytes`:

- raises FileNotFoundError only when there is no directory entry at all (the caller's "defaults");
- refuses anything but a regular file (a directory, a FIFO, a device, a socket, a broken
  symlink) with `Unreadable`, before opening it (`stat`) and again after (`fstat` of what was
  opened with O_NONBLOCK, which never waits for a writer): the path may change in between;
- reads at most `limit` bytes: a longer file is `Unreadable` ("too large").

`Unreadable` is an OSError whose `strerror` reads well after "cannot read: "; other OSErrors
(permission denied, a symlink loop, an I/O error) pass through as they are.
"""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path

MB = 1024 * 1024
CONFIG_MAX_BYTES = 10 * MB
"""A config file, a draft or a rejected copy of one (the biggest real ones are a few kB)."""

_KINDS = (
    (stat.S_ISDIR, "a directory, not a file"),
    (stat.S_ISFIFO, "a named pipe (FIFO), not a regular file"),
    (stat.S_ISCHR, "a device, not a regular file"),
    (stat.S_ISBLK, "a device, not a regular file"),
    (stat.S_ISSOCK, "a socket, not a regular file"),
)


class Unreadable(OSError):
    """The path names something that is there but is not a readable regular file."""

    def __init__(self, reason: str) -> None:
        super().__init__(errno.EINVAL, reason)


def size_text(n: int) -> str:
    return f"{n // MB} MB" if n % MB == 0 else f"{n} bytes"


def read_bytes(path: Path | str, limit: int) -> tuple[bytes, os.stat_result]:
    """The file's bytes and its stat; see the module docstring for what is refused and how."""
    problem = problem_at(path)
    if problem is not None:
        raise Unreadable(problem)
    flags = os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_NOCTTY", 0)
    fd = os.open(path, flags)  # FileNotFoundError: no entry at all (or gone since)
    try:
        st = os.fstat(fd)
        _require_regular(st, limit)
        data = _read_at_most(fd, limit)
    finally:
        os.close(fd)
    if len(data) > limit:  # grew since fstat
        raise Unreadable(_too_large(len(data), limit))
    return data, st


def problem_at(path: Path | str) -> str | None:
    """Why `path` cannot be read as a regular file, from `stat`; None for a regular file and for
    no directory entry at all. Other OSErrors (permission denied on the way) are raised."""
    try:
        st = os.stat(path)
    except (FileNotFoundError, NotADirectoryError):
        try:
            target = os.readlink(path)
        except OSError:
            return None  # nothing there: absent
        return f"a broken symbolic link (its target {target} does not exist)"
    return kind_problem(st)


def kind_problem(st: os.stat_result) -> str | None:
    """Why a file of this kind is not read (None for a regular file)."""
    for test, reason in _KINDS:
        if test(st.st_mode):
            return reason
    return None if stat.S_ISREG(st.st_mode) else "not a regular file"


def _require_regular(st: os.stat_result, limit: int) -> None:
    problem = kind_problem(st)
    if problem is not None:
        raise Unreadable(problem)
    if st.st_size > limit:
        raise Unreadable(_too_large(st.st_size, limit))


def _too_large(size: int, limit: int) -> str:
    return f"too large: {size} bytes, more than the {size_text(limit)} riskmon reads"


def _read_at_most(fd: int, limit: int) -> bytes:
    """Up to limit + 1 bytes (one more than allowed tells the caller it was too long)."""
    chunks: list[bytes] = []
    left = limit + 1
    while left > 0:
        chunk = os.read(fd, min(left, MB))
        if not chunk:
            break
        chunks.append(chunk)
        left -= len(chunk)
    return b"".join(chunks)
