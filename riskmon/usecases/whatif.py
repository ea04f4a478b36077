"""What-if: the assessment with some numbers changed, next to the real one.

`riskmon what-if` and the dashboard's what-if screen both call `run()`, so they cannot disagree:
the overrides go through `riskmon.core.scenario.apply` (validated copies of the profile and the
events, by every rule of the config files: `riskmon.sources.config.schema.revalidate`), both sides
through `engine.assess` with the same events (catalog plus feeds), settings and `now`, and
`scenario.compare` gives the delta. Nothing here writes a file.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from riskmon.core.record import record

if TYPE_CHECKING:
    from riskmon.core.engine import Assessment
    from riskmon.core.scenario import Change, Delta, Override
    from riskmon.sources.config.load import Config
    from riskmon.usecases.evaluate import Evaluation


@record
class Outcome:
    """A scenario, assessed beside its baseline."""

    overrides: tuple[Override, ...]
    stress: bool
    baseline: Assessment
    scenario: Assessment
    delta: Delta
    changes: tuple[Change, ...]
    """What the overrides change against the config, field by field (stress is not a change)."""


def run(baseline: Evaluation, overrides: Sequence[Override], stress: bool = False) -> Outcome:
    """The scenario of `overrides` (and `stress`: every event happens now, for certain) against the
    `baseline` evaluation, as of its `now`. Raises ScenarioError for an unknown id or a value the
    config would reject."""
    from riskmon.core import scenario as sc
    from riskmon.core.engine import assess
    from riskmon.sources.config.schema import revalidate

    cfg, base = baseline.config, baseline.assessment
    profile, events = sc.apply(cfg.profile, baseline.events, overrides, stress, base.now, validate=revalidate)
    scenario = assess(profile, events, base.now, cfg.settings)
    changes = sc.changes(cfg.profile, baseline.events, overrides)
    return Outcome(tuple(overrides), stress, base, scenario, sc.compare(base, scenario), tuple(changes))


def config_changes(config: Config, overrides: Sequence[Override]) -> list[Change]:
    """What writing `overrides` into the config files would change, checked by every rule of the
    config first (ScenarioError when an override breaks one, or names an event that only comes
    from a feed: feeds are not in the files)."""
    from riskmon.core import scenario as sc
    from riskmon.sources.config.schema import revalidate

    changes = sc.changes(config.profile, list(config.events), overrides)
    sc.apply(config.profile, list(config.events), overrides, validate=revalidate)
    return changes
