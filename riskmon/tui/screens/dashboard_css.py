"""The dashboard's layout rules (riskmon.tui.screens.dashboard), by the terminal's size."""

NARROW = 110
"""Below this many columns the side panel goes under the tables and the charts are hidden."""
COMPACT = 40
"""Below this many rows the exposure table is hidden until `x`: the next actions need the rows."""


def size_classes(width: int, height: int) -> dict[str, bool]:
    """The screen's classes the rules below read the terminal's size from (class -> set)."""
    return {
        "-narrow": width < NARROW,
        "-short": height < 30,
        "-compact": height < COMPACT,
        "-medium": height < 45,
        "-not-tall": height < 58,
    }


DASHBOARD_CSS = """
DashboardScreen { layout: vertical; }
DashboardScreen #body { height: 1fr; }
DashboardScreen #main { width: 2fr; }
DashboardScreen #side { width: 1fr; min-width: 44; max-width: 72; }
DashboardScreen .pane { border: round $primary 50%; border-title-color: $text; }
DashboardScreen .pane:focus-within { border: round $primary; }
DashboardScreen #exposure { height: auto; max-height: 10; }
DashboardScreen #filter { display: none; height: 3; }
DashboardScreen #filter-slot { display: none; }
/* Where the footer comes a refresh after the first frame (its keys take ~50 ms to lay out). */
DashboardScreen #footer-slot { dock: bottom; height: 1; background: $footer-background; }
DashboardScreen #filter.-shown { display: block; }
/* The timeline as tall as its rows (up to a third of the screen); the next actions get the rest. */
DashboardScreen #events { height: auto; max-height: 33%; min-height: 4; }
DashboardScreen #actions, DashboardScreen #actions-slot { height: 1fr; min-height: 8; }
DashboardScreen #playbook, DashboardScreen #playbook-slot { height: 1fr; min-height: 12; }
DashboardScreen .chart { height: 13; }
/* Under 45 rows the charts cannot get 8 readable rows beside the actions: not at all then; the
   score history only from 58 rows (the cash forecast matters more). */
DashboardScreen.-medium .chart { display: none; }
DashboardScreen.-compact #reasons { display: none; }  /* the top reason stays */
DashboardScreen.-not-tall .score { display: none; }
/* Under 40 rows the exposure table gives its rows to the events and actions until `x`; under
   30 the panes keep only their top border (their title). */
DashboardScreen.-compact #exposure { display: none; max-height: 7; }
DashboardScreen.-compact.-show-exposure #exposure { display: block; }
DashboardScreen.-short #exposure { max-height: 6; }
DashboardScreen.-short .pane, DashboardScreen.-short NextActions, DashboardScreen.-short PlaybookPanel {
    border: none; border-top: solid $primary 50%;
}
DashboardScreen.-short .pane:focus-within, DashboardScreen.-short NextActions:focus-within,
DashboardScreen.-short PlaybookPanel:focus-within { border: none; border-top: solid $primary; }
DashboardScreen.-short #events { max-height: 5; }
DashboardScreen.-short NextActions #na-detail { border-top: none; background: $boost; }
DashboardScreen.-short RiskHeader.-demo #demo-hint { display: none; }  /* the DEMO badge stays */
/* Narrow: one column, the timeline, the next actions, then the event's playbook. */
DashboardScreen.-narrow #body { layout: vertical; }
DashboardScreen.-narrow #main { width: 1fr; height: 2fr; }
DashboardScreen.-narrow #side { width: 1fr; height: 1fr; min-width: 0; max-width: 100%; }
DashboardScreen.-narrow #playbook, DashboardScreen.-narrow #playbook-slot {
    height: 1fr; min-height: 6; max-height: 100%;
}
DashboardScreen.-narrow .chart { display: none; }
/* Narrow and short: the event's playbook takes the next actions' place while it has the focus (`p`). */
DashboardScreen.-narrow.-short #side { display: none; }
DashboardScreen.-narrow.-short.-show-playbook #side { display: block; height: 1fr; }
DashboardScreen.-narrow.-short.-show-playbook #main { height: auto; }
DashboardScreen.-narrow.-short.-show-playbook #actions { display: none; }
/* Short screens: the standing checklist is a one-line summary until `p` (pressed again) opens it. */
DashboardScreen.-short #pb-standing { display: none; }
DashboardScreen.-short PlaybookPanel.-on-standing #pb-standing { display: block; }
DashboardScreen.-short PlaybookPanel.-on-standing #pb-title { display: none; }
DashboardScreen.-short PlaybookPanel.-on-standing #pb-steps { display: none; }
"""
