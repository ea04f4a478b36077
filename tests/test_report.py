"""`riskmon report`: the weekly review as Markdown, CSV and JSON."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from riskmon.cli.main import main
from riskmon.core import playbooks as pb
from riskmon.core.engine import assess
from riskmon.core.model import Event
from riskmon.present import report
from riskmon.sources.config.load import bundled_playbooks

try:
    from tests.test_playbooks import ban_seller, ch, ev, make_config, seller
except ImportError:  # tests/ is not a package: pytest put tests/ itself on sys.path
    from test_playbooks import ban_seller, ch, ev, make_config, seller  # type: ignore[no-redef]

NOW = datetime(2025, 1, 10, tzinfo=UTC)


def plan_for(events: list[Event], progress: pb.Progress | None = None) -> pb.Plan:
    a = assess(ban_seller(), events, NOW)
    return pb.plan(a, pb.effective_rules(None, bundled_playbooks()), progress=progress)


@pytest.fixture
def p() -> pb.Plan:
    events = [
        ev("us-ban", "ban", "2025-01-19", deadlines=[{"date": "2025-01-18", "what": "Export follower list"}]),
        ev("fees", "fee_change", "2025-03-01", platforms=("shopify",), impact={"fee_delta": 0.02}),
        ev("elsewhere", "ban", platforms=("lazada",)),
    ]
    done = {("us-ban", "cross-post"): {"done": True, "at": datetime(2025, 1, 8, tzinfo=UTC)}}
    return plan_for(events, done)


# ---------------------------------------------------------------------------------------------
# Markdown


def test_markdown_has_every_part_of_the_review(p: pb.Plan) -> None:
    text = report.markdown(p.assessment, p)
    a = p.assessment
    assert text.startswith("# Risk review: Test Seller\n")
    for heading in (
        "## Summary",
        "## This week",
        "## Cash, next 13 weeks",
        "## Exposure",
        "## Events, ranked by score",
        "## Checklist",
    ):
        assert f"\n{heading}\n" in text
    assert f"**{a.level.name}**: score {a.score:.0f}/100" in text
    for reason in a.reasons:
        assert f"- {report.md(reason)}" in text
    # exposure per channel, platform dependence
    assert "| `tiktok-us` | TikTok | social_shop | 80% | $200,000 | 80% |" in text
    assert "| TikTok | 80% |" in text
    # events ranked, with money at risk; the one that misses the seller is only named
    ban = a.event("us-ban")
    assert ban is not None
    assert (
        f"| 1 | us ban (`us-ban`) | ban | confirmed | 2025-01-19 (in 9 d) | 90% | {ban.score:.0f} | "
        f"${ban.loss:,.0f} | ${ban.expected_loss:,.0f} | ${ban.cash_frozen:,.0f} | 80% |" in text
    )
    assert text.index("(`us-ban`)") < text.index("(`fees`)")
    assert "Not reaching your channels (1): `elsewhere`." in text
    # the checklist with due dates, done steps ticked
    assert "- [x] done 2025-01-08, was due 2024-12-20: ~~Post every TikTok video" in text
    assert "- [ ] **overdue since 2024-12-20**: Stop sending stock to TikTok warehouses" in text
    assert "- [ ] by **2025-01-18**: Export follower list (`deadline-export-follower-list`)" in text
    assert "### Your business as it stands" in text and "Bring TikTok under half of your orders" in text


def test_this_week_holds_recent_open_steps_only(p: pb.Plan) -> None:
    week, older = report.this_week(p)
    assert week and all(not i.step.done for i in week)
    assert all(NOW - report.RECENT <= i.step.due <= NOW + report.WEEK for i in week)
    assert [i.step.due for i in week] == sorted(i.step.due for i in week)
    assert older == 0
    later = pb.plan(p.assessment, pb.effective_rules(None, bundled_playbooks()), now=NOW + timedelta(days=60))
    assert report.this_week(later)[1] > 0


def test_markdown_neutralises_hostile_text() -> None:
    hostile = ev("us-ban", "ban", "2025-01-19", title="Ban | [click](http://x) <script>*now*\x1b[2J")
    p = plan_for([hostile])
    text = report.markdown(p.assessment, p)
    assert "[click](http://x)" not in text and "<script>" not in text and "\x1b" not in text
    assert r"Ban \| \[click\](http://x) \<script\>\*now\*" in text


def test_markdown_with_nothing_to_do() -> None:
    quiet = seller(ch("shop", "shopify", 0.3, kind="own_store"), ch("etsy", "etsy", 0.3))
    p = pb.plan(assess(quiet, [], NOW), [])
    text = report.markdown(p.assessment, p)
    assert "No event that counts now reaches your channels." in text
    assert "No playbook rule matches your events or your business." in text
    assert "Nothing due by 2025-01-17." in text


# ---------------------------------------------------------------------------------------------
# CSV


def parse_csv(text: str) -> dict[str, list[dict[str, str]]]:
    rows = list(csv.reader(io.StringIO(text)))
    assert len({len(r) for r in rows}) == 1, "every row is as wide as the widest"
    sections: dict[str, list[dict[str, str]]] = {}
    i = 0
    while i < len(rows):
        title, header = rows[i][0], [c for c in rows[i + 1] if c]
        i += 2
        body = []
        while i < len(rows) and any(rows[i]):
            body.append(dict(zip(header, rows[i], strict=False)))
            i += 1
        sections[title] = body
        i += 1
    return sections


def test_csv_sections_parse_and_carry_the_numbers(p: pb.Plan) -> None:
    s = parse_csv(report.csv_text(p.assessment, p))
    assert list(s) == [
        "Summary",
        "Channels",
        "Platform dependence",
        "Cash forecast",
        "Events",
        "Late money",
        "Checklist",
    ]
    summary = {r["field"]: r["value"] for r in s["Summary"] if r["field"] != "reason"}
    assert summary["level"] == p.assessment.level.name
    assert float(summary["score"]) == pytest.approx(p.assessment.score, abs=1e-5)
    assert [r["channel"] for r in s["Channels"]] == ["tiktok-us", "shop"]
    assert [r["event"] for r in s["Events"]][:2] == ["us-ban", "fees"]
    ban = p.assessment.event("us-ban")
    assert ban is not None
    assert float(s["Events"][0]["loss"]) == pytest.approx(ban.loss, rel=1e-9)
    assert float(s["Events"][0]["cash_frozen"]) == pytest.approx(ban.cash_frozen, rel=1e-9)
    checklist = s["Checklist"]
    assert [r["due"] for r in checklist] == sorted(r["due"] for r in checklist)
    cross = next(r for r in checklist if r["step"] == "cross-post")
    assert cross["state"] == "done" and cross["done"] == "true" and cross["event"] == "us-ban"
    assert any(r["state"] == "overdue" for r in checklist)
    assert any(r["event"] == "standing:concentration-under-half" for r in checklist)


def test_csv_never_hands_a_spreadsheet_a_formula() -> None:
    p = plan_for([ev("us-ban", "ban", "2025-01-19", title='=HYPERLINK("http://x")')])
    s = parse_csv(report.csv_text(p.assessment, p))
    assert s["Events"][0]["title"] == '\'=HYPERLINK("http://x")'


# ---------------------------------------------------------------------------------------------
# JSON


def test_json_is_the_check_document_with_the_checklist(p: pb.Plan) -> None:
    doc = json.loads(report.json_text(p.assessment, p))
    assert doc["level"] == p.assessment.level.name and doc["report"]["kind"] == "weekly"
    ban = next(e for e in doc["events"] if e["id"] == "us-ban")
    assert ban["playbook"] and all({"id", "title", "why", "steps"} <= set(r) for r in ban["playbook"])
    assert doc["standing"] and doc["checklist"]
    assert [i["due_at"] for i in doc["checklist"]] == sorted(i["due_at"] for i in doc["checklist"])
    assert any(i["done"] for i in doc["checklist"])
    assert all(not i["done"] for i in doc["this_week"])


def test_render_rejects_an_unknown_format(p: pb.Plan) -> None:
    with pytest.raises(ValueError, match="unknown report format"):
        report.render("pdf", p.assessment, p)


# ---------------------------------------------------------------------------------------------
# The command


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    monkeypatch.setenv("RISKMON_DATA", str(tmp_path / "data"))
    return ["--config", str(make_config(tmp_path)), "--db", str(tmp_path / "history.json"), "--now", "2025-01-10"]


@pytest.mark.parametrize("fmt", ["md", "csv", "json"])
def test_report_command_writes_stdout_or_a_file(
    fmt: str, env: list[str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["report", *env, "--format", fmt]) == 0
    out = capsys.readouterr().out
    target = tmp_path / "out" / f"review.{fmt}"
    assert main(["report", *env, "-f", fmt, "--output", str(target)]) == 0
    captured = capsys.readouterr()
    assert captured.out == "" and str(target) in captured.err
    assert target.read_bytes().decode("utf-8") == out
    assert not [x for x in target.parent.iterdir() if x.name != target.name]  # no temp file left behind
    if fmt == "json":
        assert json.loads(out)["events"][0]["id"] == "us-ban"


def test_report_ticks_steps_marked_done(env: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    before = datetime.now(UTC).date()
    assert main(["playbook", *env, "done", "us-ban", "cross-post"]) == 0
    capsys.readouterr()
    assert main(["report", *env]) == 0
    out = capsys.readouterr().out
    # Marked when it was marked (the real date), whatever instant --now replays.
    marked = {
        f"- [x] done {d}, was due 2024-12-20: ~~Post every TikTok video" for d in (before, datetime.now(UTC).date())
    }
    assert any(line in out for line in marked), out


def test_report_bad_format_and_unwritable_output_are_unknown(
    env: list[str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["report", *env, "-f", "pdf"]) == 3
    assert "invalid choice: 'pdf'" in capsys.readouterr().err
    blocker = tmp_path / "file"
    blocker.write_text("")
    assert main(["report", *env, "--output", str(blocker / "review.md")]) == 3
    assert "cannot write the report to" in capsys.readouterr().err
