"""The running loop: `monitor.Monitor` and its parts.

jobs (the APScheduler wiring), feed_polls (each feed's latest result, priming), config_watch
(reload on edit), reassess (coalesced cycles, event changes), recorder (history snapshots),
exporters (the Prometheus textfile), notifier (alert delivery and dedupe per channel), alert_rules
(what is news, what is due), alert_channels (webhook, command, desktop, healthchecks), threads
(blocking work off the loop), updates (what the monitor reports).
"""
