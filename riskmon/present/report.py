"""The weekly review `riskmon report` writes: Markdown to read and forward, CSV for a spreadsheet,
JSON for scripts.

It holds the level and score with their reasons, the 13-week cash forecast, the exposure per
channel and the dependence on each platform, the events ranked by score with what each would cost
("lost") apart from the cash it would hold up ("late"), and the playbook checklist
with due dates (done steps ticked). Pure: it presents an Assessment and its Plan, computes no
number of its own, and reads no clock. The Markdown (report_markdown.py) and CSV (report_csv.py)
renderers live beside it; this module keeps `render`, the JSON report and re-exports the rest.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from riskmon.core.engine import Assessment
from riskmon.core.playbooks import Plan
from riskmon.present.cash import week_rows
from riskmon.present.report_csv import CASH_WEEK_KEYS as CASH_WEEK_KEYS
from riskmon.present.report_csv import LATE_MONEY_KEYS as LATE_MONEY_KEYS
from riskmon.present.report_csv import _cash_week, _late_money
from riskmon.present.report_csv import csv_text as csv_text
from riskmon.present.report_markdown import EVENT_LIMIT as EVENT_LIMIT
from riskmon.present.report_markdown import markdown as markdown
from riskmon.present.report_markdown import md as md
from riskmon.present.report_week import RECENT as RECENT
from riskmon.present.report_week import WEEK as WEEK
from riskmon.present.report_week import this_week as this_week

FORMATS = ("md", "csv", "json")


def render(fmt: str, a: Assessment, p: Plan, *, feeds: Sequence[Mapping[str, Any]] = (), demo: bool = False) -> str:
    """The report in `fmt`; `demo` (the bundled demo config is in use) is said at the top of each."""
    if fmt == "md":
        return markdown(a, p, demo=demo)
    if fmt == "csv":
        return csv_text(a, p, demo=demo)
    if fmt == "json":
        return json_text(a, p, feeds=feeds, demo=demo)
    raise ValueError(f"unknown report format {fmt!r}; use one of {', '.join(FORMATS)}")


# ---------------------------------------------------------------------------------------------
# JSON: the `check --format json` document with the playbooks filled in, plus the weekly cash
# table, the late money and the checklist.


def json_text(a: Assessment, p: Plan, *, feeds: Sequence[Mapping[str, Any]] = (), demo: bool = False) -> str:
    from riskmon.present import formats

    doc = formats.assessment_to_dict(
        a,
        feeds=feeds,
        playbooks=p.playbooks_json(),
        standing=p.standing_json(),
        extra={
            "demo": demo,
            "report": {"kind": "weekly", "next_review": formats.iso(a.now + WEEK)},
            "cash_weeks": [_cash_week(w) for w in week_rows(a)],
            "late_money": _late_money(a),
            "this_week": [i.to_dict() for i in this_week(p)[0]],
            "checklist": [i.to_dict() for i in p.items()],
        },
    )
    return formats.to_json(doc) + "\n"
