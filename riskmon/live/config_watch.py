"""Config reload watching: stat the config files; when one changed, load and validate them.

An invalid edit keeps the last good config running and is reported (logged once, `error` and
`problems` for the update and the textfile's `riskmon_config_ok 0`); the same broken files are
not re-read until they change again.
"""

from __future__ import annotations

import logging

from riskmon.errors import ConfigError, RiskmonError
from riskmon.i18n import _
from riskmon.live.threads import in_thread
from riskmon.paths import ConfigLocation
from riskmon.sources.config.load import Config, current_mtimes, load_config

# The monitor's logger: these lines have always been the monitor's, and logs are filtered by it.
log = logging.getLogger("riskmon.live.monitor")


class ConfigWatcher:
    """What the config files on disk hold, compared with the config in use."""

    def __init__(self, location: ConfigLocation) -> None:
        self.location = location
        self.error: str | None = None
        """The files on disk are invalid (the message); None when they are valid."""
        self.problems: tuple[str, ...] = ()
        """Every problem found, as `file:line: field: message`."""
        self._bad_mtimes: dict[str, float] | None = None

    async def load(self) -> Config:
        """Load the config now (in a thread); raise RiskmonError when it is invalid."""
        return await in_thread(load_config, self.location)

    async def look(self, current: Config | None, *, force: bool) -> Config | None:
        """The config on disk when it differs from `current` (or `force`) and is valid; None when
        there is nothing new to load. Raises RiskmonError when the files changed and are
        invalid, after logging it (once per distinct problem) and keeping it in `error`."""
        try:
            mtimes = await in_thread(current_mtimes, self.location.path)
        except OSError:
            mtimes = {}
        if not force:
            if self._bad_mtimes is not None:
                if mtimes == self._bad_mtimes:
                    return None  # the same broken files: wait for the next edit
            elif current is None or mtimes == current.mtimes:
                return None
        try:
            cfg = await self.load()
        except RiskmonError as exc:
            self._failed(exc, mtimes, keeping=current is not None)
            raise
        if self.error is not None:
            log.info(_("config in {path} is valid again; using it").format(path=self.location.path))
        elif current is not None:
            log.info(_("config reloaded from {path}").format(path=self.location.path))
        self._bad_mtimes = None
        self.error = None
        self.problems = ()
        return cfg

    def _failed(self, exc: RiskmonError, mtimes: dict[str, float], *, keeping: bool) -> None:
        self._bad_mtimes = mtimes
        problems = tuple(str(p) for p in exc.problems) if isinstance(exc, ConfigError) else (exc.message,)
        if exc.message != self.error or problems != self.problems:
            kept = _("keeping the last good config") if keeping else _("no valid config yet")
            log.warning(_("config invalid ({kept}): {message}").format(kept=kept, message=exc.message))
            for line in problems[1:] if len(problems) > 1 else ():
                log.warning("  %s", line)
        self.error = exc.message
        self.problems = problems
