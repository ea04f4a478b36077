"""A TinyDB JSON file that several processes read and write at once without losing or corrupting it.

TinyDB's own JSONStorage rewrites the file in place, with no lock: two writers lose each other's
data and a crash mid-write leaves half a file. Here every operation is one short transaction:

1. take an inter-process lock: `fcntl.flock` on the sidecar `<file>.lock` (shared for reads,
   exclusive for writes), polled with a timeout so that a stuck holder becomes an error, not a
   hang;
2. read and parse the whole file once; `Transaction` (a TinyDB Storage) serves that data to the
   table operations;
3. if anything changed, write the whole file once: a temp file in the same directory, fsync,
   `os.replace` over the old file, fsync the directory;
4. release the lock.

The file is one JSON object with one table per line (`{"a":{...},\n"b":{...}}`: plain JSON that
TinyDB's own JSONStorage, jq or an editor read as usual). The line layout lets a write reuse, as
is, the text of every table the transaction left alone: a table is only re-encoded when TinyDB
replaced it (every TinyDB table operation does), so big tables that rarely change cost nothing to
write. Any other layout (a file edited by hand, written by plain TinyDB) is parsed as a whole and
re-encoded in full. Changes must go through TinyDB table operations, never by mutating the
documents `Transaction.read()` returns.

A reader sees the old file or the new one, never a mix; a writer killed at any moment leaves the
old file (and at worst a temp file, removed by the next writer); an operation that raises writes
nothing. Nothing is kept between transactions (no CachingMiddleware).

Reading never changes anything: a read transaction creates no lock file (it takes the shared
lock only when the lock file is already there: writers replace the file atomically, so a reader
needs no lock to see a whole file) and never moves a file; a file it cannot parse is a
RiskmonError. Recovery is a writer's job, and only for a file that is ours: a write transaction
that finds a file it cannot parse (truncated, not JSON, not TinyDB's shape, or refused by the
caller's `check`) moves it aside as `<name>.corrupt-<UTC time>` and starts from an empty database
only when the caller's `ours` says the bytes are recognisably its own, and the path is the file
itself, not a symbolic link (a link is read and written through — `os.replace` swaps its target —
but never renamed through). Anything else is a RiskmonError and the file is left as it was. The
moved path is appended to `recovered` and a warning is logged.

The path must hold a regular file (riskmon.userfile): a dangling symlink, a FIFO, a device or a
directory there is a RiskmonError, as are I/O errors (permission denied, a directory that cannot
be created, a full disk); none of them counts as corruption.
"""

from __future__ import annotations

import json
import os
import sys
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager, suppress
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from tinydb.storages import Storage

from riskmon.errors import RiskmonError
from riskmon.store.temps import TEMP_LISTINGS

Tables = dict[str, dict[str, Any]]
MAX_BYTES = 64 * 1024 * 1024
"""A longer file is refused, not read (a year of riskmon history is about 1 MB)."""


class CorruptFile(Exception):
    """Raised by a `check` hook: the file parses but is not usable; the message says why."""


class Transaction(Storage):
    """TinyDB storage for one locked transaction: the parsed file in, the new state out."""

    def __init__(self, data: Tables, blocks: dict[str, tuple[object, Block]] | None = None) -> None:
        self.data = data
        self.dirty = False
        # table name -> (the table object as loaded, its JSON text in the file)
        self.blocks = blocks or {}

    def read(self) -> Tables:
        return self.data

    def write(self, data: Tables) -> None:
        self.data = data
        self.dirty = True


if sys.platform == "win32":  # pragma: no cover - best effort; riskmon targets POSIX

    def _try_lock(fd: int, exclusive: bool) -> bool:
        import msvcrt

        try:
            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
            return True
        except OSError:
            return False

else:
    import fcntl

    def _try_lock(fd: int, exclusive: bool) -> bool:
        try:
            fcntl.flock(fd, (fcntl.LOCK_EX if exclusive else fcntl.LOCK_SH) | fcntl.LOCK_NB)
            return True
        except BlockingIOError:
            return False


def fsync_dir(path: Path) -> None:
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass  # some file systems cannot fsync a directory
    finally:
        os.close(fd)


_decoder = json.JSONDecoder()


Block = bytes | memoryview


def _framed(raw: bytes) -> tuple[Tables, dict[str, Block]] | None:
    """Parse `{"name":{...},\n"name":{...}}` (our layout: no other whitespace) table by table,
    keeping each table's text (a view of `raw`, not a copy); None for any other layout."""
    text = raw.decode("utf-8")
    if not text.startswith("{"):
        return None
    ascii_only = len(text) == len(raw)  # then text offsets are byte offsets
    view = memoryview(raw)
    data: dict[str, Any] = {}
    blocks: dict[str, Block] = {}
    pos, end = 1, len(text) - 1
    try:
        while True:
            name, pos = _decoder.raw_decode(text, pos)
            if not isinstance(name, str) or text[pos : pos + 1] != ":" or name in data:
                return None
            start = pos + 1
            data[name], pos = _decoder.raw_decode(text, start)
            blocks[name] = view[start:pos] if ascii_only else text[start:pos].encode("utf-8")
            if pos == end and text[pos] == "}":
                return data, blocks
            if text[pos : pos + 2] != ",\n":
                return None
            pos += 2
    except (ValueError, IndexError):
        return None


def parse_tables(raw: bytes) -> tuple[Tables, dict[str, Block]]:
    """TinyDB's shape: an object of tables, each an object of documents keyed by integer ids,
    plus the text of each table when the file has our layout. An empty file is an empty
    database."""
    if not raw.strip():
        return {}, {}
    framed = None
    with suppress(ValueError, RecursionError):
        framed = _framed(raw)
    if framed is not None:
        data, blocks = framed
    else:
        blocks = {}
        try:
            data = json.loads(raw)
        except (ValueError, RecursionError) as exc:
            raise CorruptFile(f"not valid JSON: {exc}") from None
    if not isinstance(data, dict):
        raise CorruptFile(f"expected a JSON object of tables, found {type(data).__name__}")
    for name, table in data.items():
        if not isinstance(table, dict):
            raise CorruptFile(f"table {name!r} is not an object")
        if not all(map(str.isdigit, table)) or not set(map(type, table.values())) <= {dict}:
            raise CorruptFile(f"table {name!r} has a malformed document (ids must be integers)")
    return data, blocks


def dump_tables(data: Tables, blocks: Mapping[str, tuple[object, Block]]) -> bytes:
    """One table per line; a table that is the very object loaded is written as it was read."""
    parts: list[Block] = []
    for name, table in data.items():
        parts.append(b",\n" if parts else b"{")
        parts.append(json.dumps(name).encode("ascii") + b":")
        block = blocks.get(name)
        if block is not None and block[0] is table:
            parts.append(block[1])
        else:
            parts.append(json.dumps(table, separators=(",", ":"), allow_nan=False).encode("ascii"))
    parts.append(b"}" if parts else b"{}")
    return b"".join(parts)


class LockedJSONFile:
    def __init__(
        self,
        path: Path,
        *,
        what: str = "file",
        check: Callable[[Tables], None] | None = None,
        ours: Callable[[bytes], bool] | None = None,
        max_bytes: int = MAX_BYTES,
        lock_timeout: float = 10.0,
        logger: str = __name__,
        recovers: str = "the next command that records history (riskmon check, the daemon, the dashboard)",
    ) -> None:
        self.path = Path(path).expanduser()
        self.what = what
        self.recovered: list[Path] = []
        self._check = check
        self._ours = ours or (lambda _raw: False)
        self._max_bytes = max_bytes
        self._timeout = lock_timeout
        self._logger = logger  # a name: logging is imported only to warn (cold start of `check`)
        self._recovers = recovers  # who moves an unreadable file aside, for the reader's error
        self._file = self.path
        self._lockpath = self.path
        self._fd: int | None = None
        self._tlock = threading.RLock()  # flock does not order threads sharing this object
        self._swept = False

    @contextmanager
    def transaction(self, write: bool) -> Iterator[Transaction]:
        with self._tlock:
            if self._fd is not None:
                raise RuntimeError(f"nested transaction on {self.path}")
            try:
                self._resolve()
                self._acquire(write)
                data, blocks, mode = self._load(write)
                tx = Transaction(data, {name: (data[name], text) for name, text in blocks.items()})
                yield tx
                if write and tx.dirty:
                    self._commit(dump_tables(tx.data, tx.blocks), mode)
            finally:
                if self._fd is not None:
                    os.close(self._fd)  # closing the descriptor drops the flock
                    self._fd = None

    # -- the lock ----------------------------------------------------------------------------

    def _resolve(self) -> None:
        """Where the data lives: through a symlink at the path (so that os.replace swaps the real
        file, not the link). Before any lock file is made: a dangling link (writing through it
        would create a file elsewhere), a FIFO, a device or a directory is an error."""
        from riskmon.userfile import problem_at

        self._file = Path(os.path.realpath(self.path))
        self._lockpath = self._file.with_name(self._file.name + ".lock")
        try:
            problem = problem_at(self.path)
        except OSError as exc:
            problem = exc.strerror or str(exc)
        if problem is not None:
            raise RiskmonError(f"cannot read {self.what} {self.path}: {problem}")

    def _acquire(self, exclusive: bool) -> None:
        """A write takes the exclusive lock, creating the lock file (and the directory) if need
        be; a read takes the shared lock only if the lock file exists and opens: it creates
        nothing, and writers replace the file atomically, so reading without the lock is safe."""
        flags = os.O_CLOEXEC | os.O_NONBLOCK  # O_NONBLOCK: a FIFO planted there must not hang us
        try:
            if exclusive:
                self._file.parent.mkdir(parents=True, exist_ok=True)
                self._fd = os.open(self._lockpath, flags | os.O_RDWR | os.O_CREAT, 0o600)
            else:
                self._fd = os.open(self._lockpath, flags | os.O_RDONLY)
        except OSError as exc:
            if not exclusive:
                return
            raise RiskmonError(f"cannot create {self.what} {self.path}: {exc.strerror or exc}", str(exc)) from None
        self._lock(exclusive)

    def _lock(self, exclusive: bool) -> None:
        assert self._fd is not None
        deadline = time.monotonic() + self._timeout
        delay = 0.0005
        while not _try_lock(self._fd, exclusive):
            if time.monotonic() >= deadline:
                raise RiskmonError(
                    f"{self.what} {self.path} is busy: another riskmon process has held its lock "
                    f"for more than {self._timeout:g} s"
                )
            time.sleep(delay)
            delay = min(delay * 2, 0.008)

    # -- reading -----------------------------------------------------------------------------

    def _load(self, write: bool) -> tuple[Tables, dict[str, Block], int | None]:
        from riskmon.userfile import read_bytes

        try:
            raw, st = read_bytes(self.path, self._max_bytes)
        except FileNotFoundError:
            return {}, {}, None
        except OSError as exc:
            raise RiskmonError(f"cannot read {self.what} {self.path}: {exc.strerror or exc}", str(exc)) from None
        mode = st.st_mode & 0o7777
        try:
            data, blocks = parse_tables(raw)
            if self._check is not None:
                self._check(data)
            return data, blocks, mode
        except CorruptFile as exc:
            reason = str(exc)
        self._may_recover(raw, reason, write)
        self._move_aside(reason)
        return {}, {}, mode

    def _may_recover(self, raw: bytes, reason: str, write: bool) -> None:
        """Raise unless this transaction may move the unparsable file aside: a write, on a file
        that is recognisably ours, at the path itself (not through a symlink)."""
        if not self._ours(raw):
            raise RiskmonError(
                f"{self.path} is not a riskmon {self.what} ({reason}); riskmon leaves it alone: "
                f"point it at a {self.what}, or at a path where it may create one"
            )
        if self.path.is_symlink():
            raise RiskmonError(
                f"{self.what} {self.path} is unreadable ({reason}); it is a symbolic link to {self._file}, "
                f"and riskmon does not move files through a link: move {self._file} aside yourself"
            )
        if not write:
            raise RiskmonError(
                f"{self.what} {self.path} is unreadable ({reason}); {self._recovers} moves it aside and starts afresh"
            )

    def _move_aside(self, reason: str) -> None:
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")  # when it was found, for the user
        target = self._file.with_name(f"{self._file.name}.corrupt-{stamp}")
        k = 1
        while target.exists():
            target = self._file.with_name(f"{self._file.name}.corrupt-{stamp}-{k}")
            k += 1
        try:
            os.rename(self._file, target)
        except OSError as exc:
            raise RiskmonError(
                f"{self.what} {self.path} is unreadable ({reason}) and could not be moved aside: {exc.strerror or exc}",
                str(exc),
            ) from None
        fsync_dir(self._file.parent)
        self.recovered.append(target)
        import logging

        logging.getLogger(self._logger).warning(
            "%s %s could not be read (%s); moved it aside to %s and started afresh",
            self.what,
            self.path,
            reason,
            target,
        )

    # -- writing -----------------------------------------------------------------------------

    def _commit(self, payload: bytes, mode: int | None) -> None:
        parent = self._file.parent
        swept = [] if self._swept else self._sweep_temps()
        listed = TEMP_LISTINGS.stamp(parent)
        tmp = parent / f".{self._file.name}.{os.getpid()}-{os.urandom(4).hex()}.tmp"
        try:
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC, 0o600)
            try:
                if mode is not None:
                    os.fchmod(fd, mode)  # keep the permissions the user gave the file
                view = memoryview(payload)
                while view:
                    view = view[os.write(fd, view) :]
                os.fsync(fd)
            finally:
                os.close(fd)
            os.replace(tmp, self._file)
        except OSError as exc:
            with suppress(OSError):
                tmp.unlink()
            raise RiskmonError(f"cannot write {self.what} {self.path}: {exc.strerror or exc}", str(exc)) from None
        TEMP_LISTINGS.committed(parent, listed, swept)
        fsync_dir(parent)

    def _sweep_temps(self) -> list[str]:
        """Remove temp files left by writers that died mid-write. Temp files are only made under
        the exclusive lock, which we hold, so any that exist belong to dead writers."""
        self._swept = True
        prefix = f".{self._file.name}."
        try:
            stale = [name for name in TEMP_LISTINGS.names(self._file.parent) if name.startswith(prefix)]
        except OSError:
            return []
        for name in stale:
            with suppress(OSError):
                os.unlink(self._file.parent / name)
        return stale
