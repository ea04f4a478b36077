"""The validated-config cache: a repeated `riskmon check` on unchanged files skips TOML parsing
and pydantic (its import and its validators are most of a cold start; benchmarks/README.md).

Each entry is one config directory's validated objects (the core's frozen records), stored
under the user cache dir (`$XDG_CACHE_HOME/riskmon/config/`). Its header is the fingerprint of the
code: riskmon's version and the size and mtime of every module that validates and converts (CODE:
an edited checkout is a miss as a whole). Its payload holds one part per file, each under the
file's own key: its path, size, mtime_ns and a checksum of the bytes just read. A part is used
only when its key is the one the caller computed from the file it has read now, so an edit of one
file revalidates that file only; the payload's own checksum must match too. Anything else (stale,
truncated, corrupt, foreign, unreadable, not a regular file) is ignored, and the caller validates
the files and writes a fresh entry.

The payload is a pickle, but never trusted to name what it builds: unpickling may only construct
records and enums of riskmon.core and datetime values (anything else is a corrupt entry).
The checksums (`checksum`: CRC-32 and Adler-32 of the bytes, and their length) find an edit that
kept a file's size and nanosecond mtime, and an entry torn or damaged on disk; they are not a
defence against someone who can write your cache directory (whoever can do that runs code as you
already), which is why the unpickler above, not a checksum, keeps an entry from building anything
but riskmon's records. They replaced SHA-256, whose OpenSSL import was ~4 ms of every check.
Entries are written atomically (a temp file renamed; no fsync: a torn entry fails its checksum),
readable by the user only; a failed write is not an error (the next run validates again). At
most MAX_ENTRIES entries are kept.
"""

from __future__ import annotations

import contextlib
import enum
import functools
import io
import os
import pickle
import stat
import zlib
from collections.abc import Iterator
from pathlib import Path

import riskmon
from riskmon.core.hints import TYPE_CHECKING
from riskmon.core.record import is_record
from riskmon.userfile import MB, read_bytes

if TYPE_CHECKING:
    from typing import Any

FORMAT = b"riskmon-config-cache 3\n"
MAX_BYTES = 64 * MB
MAX_ENTRIES = 2048
"""Config directories remembered, the oldest going first: an agency's fleet holds one per profile
(1,000 profiles: ~1,000 entries of a few kB to tens of kB), and a fleet larger than this would
miss on every cycle."""

CODE = ("core", "sources/config", "docparse.py", "textsafe.py")
"""The code that decides what a file validates to (packages and modules under riskmon/): an edit
of any of it invalidates every entry."""

_ALLOWED_DATETIME = frozenset({"datetime", "date", "time", "timedelta", "timezone"})


class _CoreOnly(pickle.Unpickler):
    """Builds riskmon.core records and enums and datetime values; refuses every other global
    (pickle's documented way to restrict what a pickle may construct)."""

    def find_class(self, module: str, name: str) -> Any:
        if module == "datetime" and name in _ALLOWED_DATETIME:
            return super().find_class(module, name)
        if module.startswith("riskmon.core.") and not name.startswith("_"):
            found = super().find_class(module, name)
            if isinstance(found, type) and (is_record(found) or issubclass(found, enum.Enum)):
                return found
        raise pickle.UnpicklingError(f"not allowed in a config cache: {module}.{name}")


def cache_root() -> Path:
    """$XDG_CACHE_HOME/riskmon/config (platformdirs' user cache dir)."""
    from riskmon.paths import user_cache_dir

    return user_cache_dir() / "config"


# ---------------------------------------------------------------------------------------------
# Fingerprints


class Fingerprint:
    """What an entry was computed from, added to piece by piece; `digest()` is its key."""

    def __init__(self) -> None:
        self._parts: list[bytes] = []

    def add(self, *parts: object) -> Fingerprint:
        self._parts.append(repr(parts).encode("utf-8", "surrogatepass"))
        return self

    def digest(self) -> str:
        return checksum(b"\0".join(self._parts))


def checksum(data: bytes) -> str:
    """CRC-32 and Adler-32 of `data` and its length, in hex (see the module's docstring)."""
    return f"{zlib.crc32(data):08x}{zlib.adler32(data):08x}{len(data):x}"


@functools.cache
def code_key() -> str:
    """riskmon's version and the stamps of the code that validates: an entry's header, so that an
    entry written by other code is a miss as a whole."""
    return Fingerprint().add("riskmon", riskmon.__version__, *_code_stamps()).digest()


def file_key(path: Path, data: bytes | None, st: os.stat_result | None) -> str:
    """One input file as it was just read (`data` None: it does not exist): its path, size,
    mtime_ns and the checksum of its bytes. Each file's part of an entry is used only under it."""
    if data is None or st is None:
        return Fingerprint().add("missing", str(path)).digest()
    return Fingerprint().add("file", str(path), st.st_size, st.st_mtime_ns, checksum(data)).digest()


@functools.cache
def _code_stamps() -> tuple[tuple[str, int, int], ...]:
    """(path, size, mtime_ns) of every module of CODE: a code change is a miss, as for .pyc. Once
    per process: a fleet fingerprints a thousand directories with the same code."""
    base = os.path.dirname(riskmon.__file__)
    stamps: list[tuple[str, int, int]] = []
    for part in CODE:
        if part.endswith(".py"):
            st = os.stat(os.path.join(base, part))
            stamps.append((part, st.st_size, st.st_mtime_ns))
        else:
            stamps.extend(_tree_stamps(base, part))
    return tuple(stamps)


def _tree_stamps(base: str, rel: str) -> Iterator[tuple[str, int, int]]:
    """The stamps of the .py files under `rel` (a folder under `base`), in name order, one scandir
    a folder (a walk with os.path.relpath took a few ms of every check)."""
    with os.scandir(os.path.join(base, rel)) as it:
        entries = sorted(it, key=lambda e: e.name)
    for entry in entries:
        name = f"{rel}/{entry.name}"
        if entry.name.endswith(".py") and entry.is_file():
            st = entry.stat()
            yield name, st.st_size, st.st_mtime_ns
        elif entry.name != "__pycache__" and entry.is_dir(follow_symlinks=False):
            yield from _tree_stamps(base, name)


def slot_for(*names: str) -> str:
    """An entry's file name for what it caches (a config directory's absolute path, say)."""
    return checksum("\0".join(names).encode("utf-8", "surrogatepass"))[:16] + ".pickle"


# ---------------------------------------------------------------------------------------------
# Reading and writing entries


def load(slot: str, fingerprint: str) -> Any | None:
    """The payload stored in `slot` for exactly `fingerprint`, else None (missing, stale, corrupt:
    the caller rebuilds it). Never raises."""
    path = cache_root() / slot
    try:
        if stat.S_ISLNK(os.lstat(path).st_mode):
            return None  # riskmon never writes one: not ours to follow
        data, _ = read_bytes(path, MAX_BYTES)  # a regular file only, bounded (a FIFO never blocks)
        return _decode(data, fingerprint)
    except FileNotFoundError:
        return None
    except Exception as exc:  # a cache is an optimisation: whatever is wrong with it, do without
        _debug("config cache %s ignored: %s", slot, exc)
        return None


def _decode(data: bytes, fingerprint: str) -> Any | None:
    header, _, rest = data.partition(b"\n\n")
    lines = header.split(b"\n")
    if len(lines) != 3 or lines[0] + b"\n" != FORMAT or lines[1].decode("ascii") != fingerprint:
        return None
    if checksum(rest) != lines[2].decode("ascii"):
        return None
    return _CoreOnly(io.BytesIO(rest)).load()


def store(slot: str, fingerprint: str, payload: Any) -> None:
    """Write `payload` for `fingerprint` into `slot`, atomically; a failure is only logged."""
    try:
        body = pickle.dumps(payload, protocol=pickle.HIGHEST_PROTOCOL)
        header = FORMAT + fingerprint.encode("ascii") + b"\n" + checksum(body).encode("ascii")
        root = cache_root()
        root.mkdir(parents=True, exist_ok=True, mode=0o700)
        _write(root / slot, header + b"\n\n" + body)
        _prune(root, keep=slot)
    except Exception as exc:
        _debug("config cache %s not written: %s", slot, exc)


def _write(path: Path, data: bytes) -> None:
    """Write an entry as riskmon.fileio writes files (a private temp file renamed over it, so no
    reader sees half of one) but without fsync: an entry that a crash loses or tears fails its
    checksum and is a miss, never a wrong answer, and two disk flushes were most of the wall time
    of writing one (the first check after an edit; every profile of a fleet's first cycle)."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}-{os.urandom(4).hex()}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC, 0o600)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def _debug(message: str, *args: object) -> None:
    """Log at debug level; logging is imported only then (a hit never pays for it)."""
    import logging

    logging.getLogger(__name__).debug(message, *args)


_written: dict[str, set[str]] = {}
"""Cache root -> the entries it holds, as listed at this process's first write plus those written
since: a fleet's first cycle writes a thousand entries, and listing the directory for each write
was quadratic. Entries other processes write meanwhile are counted at the next prune."""


def _prune(root: Path, keep: str) -> None:
    """Keep the MAX_ENTRIES most recently written entries."""
    known = _written.get(str(root))
    if known is None:
        known = _written[str(root)] = {e.name for e in _entries(root)}
    known.add(keep)
    if len(known) <= MAX_ENTRIES:
        return
    entries = _entries(root)
    entries.sort(key=lambda e: e.stat(follow_symlinks=False).st_mtime_ns, reverse=True)
    for old in entries[MAX_ENTRIES:]:
        if old.name != keep:
            with contextlib.suppress(OSError):
                os.unlink(old.path)
    _written[str(root)] = {e.name for e in entries[:MAX_ENTRIES]} | {keep}


def _entries(root: Path) -> list[os.DirEntry[str]]:
    with os.scandir(root) as it:
        return [e for e in it if e.name.endswith(".pickle") and e.is_file(follow_symlinks=False)]
