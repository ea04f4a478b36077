"""Show an assessment: text, JSON, Nagios, Prometheus, reports."""
