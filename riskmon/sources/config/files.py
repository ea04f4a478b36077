"""Reading a config directory's files: the directory's checks (exists, is a directory, readable) and
each file's bytes, bounded and decoded, with an OS error turned into a reason a user can act on.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from riskmon.core.hints import NamedTuple
from riskmon.errors import ConfigError, Problem
from riskmon.i18n import _
from riskmon.paths import ConfigLocation
from riskmon.userfile import CONFIG_MAX_BYTES, read_bytes


def os_reason(exc: OSError) -> str:
    """A one-line reason for an OSError, without the file name (callers name the file)."""
    return exc.strerror or exc.__class__.__name__


# ---------------------------------------------------------------------------------------------
# Reading


def _check_dir(loc: ConfigLocation) -> None:
    base = loc.path
    try:
        st = base.stat()
    except FileNotFoundError:
        why = {
            "--config": _("given with --config"),
            "$RISKMON_CONFIG": _("from $RISKMON_CONFIG"),
            "bundled demo": _("the bundled demo config; reinstall riskmon"),
        }.get(loc.source, loc.source)
        raise ConfigError(
            [
                Problem(
                    str(base),
                    None,
                    "",
                    _("config directory not found ({why}); write a starter set with: riskmon config init {dir}").format(
                        why=why, dir=base
                    ),
                )
            ]
        ) from None
    except OSError as exc:
        raise ConfigError(
            [Problem(str(base), None, "", _("cannot open config directory: {why}").format(why=os_reason(exc)))]
        ) from None
    if not stat.S_ISDIR(st.st_mode):
        message = _("not a directory; give the directory that holds exposure.toml")
        raise ConfigError([Problem(str(base), None, "", message)])


class Read(NamedTuple):
    """One config file as read: its text (None: absent or unreadable), whether it exists, its
    bytes and stat (for the cache's fingerprint) and the problems reading it."""

    text: str | None
    found: bool
    data: bytes | None = None
    st: os.stat_result | None = None
    problems: tuple[Problem, ...] = ()


def _read(path: Path) -> tuple[str | None, bool, float | None, list[Problem]]:
    """(text or None, whether the file exists, mtime, problems) for one file read as a config file
    is (`read_file`); riskmon.sources.fleet reads fleet.toml with it."""
    r = read_file(path)
    return r.text, r.found, None if r.st is None else r.st.st_mtime, list(r.problems)


def read_file(path: Path) -> Read:
    """One config file. Only a file with no directory entry at all is missing (its defaults
    apply); a dangling symlink, a FIFO, a device or a directory there is a problem naming the
    file (riskmon.userfile)."""
    display = str(path)
    try:
        data, st = read_bytes(path, CONFIG_MAX_BYTES)
    except FileNotFoundError:
        return Read(None, False)
    except OSError as exc:
        return Read(
            None, True, problems=(Problem(display, None, "", _("cannot read: {why}").format(why=os_reason(exc))),)
        )
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        problem = Problem(display, line, "", _("not UTF-8 text (byte {n}); save the file as UTF-8").format(n=exc.start))
        return Read(None, True, data, st, (problem,))
    return Read(text, True, data, st)
