"""The running loop: the scheduler, alerts, exporters."""
