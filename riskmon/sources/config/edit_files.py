"""Which config directory an edit writes to (never the bundled demo), and reading and writing its files:
the text as read (to detect a change on disk) and atomic writes that keep the file's permissions.
"""

from __future__ import annotations

from pathlib import Path

from riskmon.errors import ConfigError, Problem
from riskmon.i18n import _
from riskmon.paths import CONFIG_FILES, ConfigLocation, bundled_config_dir

# ---------------------------------------------------------------------------------------------
# Reading and writing


def config_dir_of(config_dir: ConfigLocation | Path | str) -> Path:
    """The directory to edit; the bundled demo is refused (it ships with riskmon)."""
    if isinstance(config_dir, ConfigLocation):
        if config_dir.is_demo:
            raise _demo_error(config_dir.path)
        path = config_dir.path
    else:
        path = Path(config_dir).expanduser()
    if _same(path, bundled_config_dir()):
        raise _demo_error(path)
    return path


def _demo_error(path: Path) -> ConfigError:
    return ConfigError(
        [
            Problem(
                str(path),
                None,
                "",
                _(
                    "this is the bundled demo config, which is read-only; write your own with "
                    "`riskmon config init`, then edit that"
                ),
            )
        ]
    )


def _same(a: Path, b: Path) -> bool:
    try:
        return a.resolve() == b.resolve()
    except OSError:
        return False


def read_text(path: Path) -> str | None:
    """A config file's text (a UTF-8 BOM dropped), or None when there is no file at all.

    Read as riskmon.userfile reads: a regular file of at most CONFIG_MAX_BYTES; a dangling
    symlink, a FIFO or a device is a ConfigError naming the file, never "no file"."""
    from riskmon.userfile import CONFIG_MAX_BYTES, read_bytes

    try:
        data = read_bytes(path, CONFIG_MAX_BYTES)[0]
    except FileNotFoundError:
        return None
    except OSError as exc:
        why = exc.strerror or type(exc).__name__
        raise ConfigError([Problem(str(path), None, "", _("cannot read: {why}").format(why=why))]) from None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise ConfigError([Problem(str(path), line, "", _("not UTF-8 text; save the file as UTF-8"))]) from None


def write_atomic(path: Path, text: str, *, mode: int | None = None) -> None:
    """Temporary file + fsync + os.replace, then fsync the directory. A symlink is written
    through to its target (replacing the link itself would break a dotfiles setup). `mode`: the
    new file's permissions; None keeps those of the file replaced (0644 for a new one)."""
    from riskmon.fileio import atomic_write_bytes

    target = path.resolve() if path.is_symlink() else path
    try:
        atomic_write_bytes(target, text.encode("utf-8"), mode=mode)
    except OSError as exc:
        why = exc.strerror or type(exc).__name__
        raise ConfigError(
            [Problem(str(path), None, "", _("cannot write: {why}; nothing was changed").format(why=why))]
        ) from None


def _config_name(path: Path) -> str:
    if path.name not in CONFIG_FILES:
        known = ", ".join(CONFIG_FILES)
        raise ConfigError(
            [Problem(str(path), None, "", _("not a riskmon config file; expected one of: {known}").format(known=known))]
        )
    return path.name
