"""Alert state in history: `HistoryStore.claim_alerts` records alerts as sent in the transaction
that reads what was sent, so that processes racing to announce one piece of news send it once;
`settle_alerts` marks a failed delivery, which then no longer counts as sent."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from riskmon.store.history import HistoryStore

NOW = datetime(2025, 1, 10, 12, 0, tzinfo=UTC)


def alert(key: str, at: datetime = NOW, channel: str = "hook", **kw: Any) -> dict[str, Any]:
    level = key.removeprefix("level:") if key.startswith("level:") else "CRITICAL"
    trigger = "level_change" if key.startswith("level:") else "critical_event"
    return {"at": at, "channel": channel, "trigger": trigger, "key": key, "level": level, "ok": True} | kw


def test_a_claim_sees_only_its_channels_delivered_alerts_and_is_recorded(tmp_path: Path) -> None:
    store = HistoryStore(tmp_path / "h.json")
    store.record_alert(alert("level:WARNING", NOW - timedelta(hours=2)))
    store.record_alert(alert("level:CRITICAL", NOW - timedelta(hours=1), ok=False, error="HTTP 503"))
    store.record_alert(alert("level:CRITICAL", NOW - timedelta(hours=1), channel="other"))
    seen: list[list[dict[str, Any]]] = []

    def decide(records: list[dict[str, Any]]) -> list[dict[str, Any]]:
        seen.append(records)
        return [alert("level:CRITICAL")]

    ids = store.claim_alerts("hook", decide)
    assert [[r["key"] for r in rs] for rs in seen] == [["level:WARNING"]], "ok ones on this channel only"
    assert len(ids) == 1
    last = store.alerts()[-1]
    assert (last["key"], last["channel"], last["ok"], last["at"]) == ("level:CRITICAL", "hook", True, NOW)

    store.settle_alerts(ids, ok=False, error="HTTP 500")
    last = store.alerts()[-1]
    assert (last["ok"], last["error"]) == (False, "HTTP 500")

    def nothing_due(records: list[dict[str, Any]]) -> list[dict[str, Any]]:
        seen.append(records)
        return []

    assert store.claim_alerts("hook", nothing_due) == []
    assert [r["key"] for r in seen[-1]] == ["level:WARNING"], "a failed delivery is not something told"
    assert len(store.alerts()) == 4, "nothing due: nothing recorded"
    store.settle_alerts([999], ok=False, error="gone")  # cut by retention meanwhile: no error


CLAIM = """
import json, sys
from datetime import datetime
from riskmon.store.history import HistoryStore

def decide(records):
    if any(r["key"] == "level:CRITICAL" for r in records):
        return []
    return [{"at": datetime.fromisoformat(sys.argv[2]), "channel": "hook", "trigger": "level_change",
             "key": "level:CRITICAL", "level": "CRITICAL", "ok": True}]

sys.stdin.readline()  # wait until every process is started
print(json.dumps(HistoryStore(sys.argv[1]).claim_alerts("hook", decide)))
"""


def test_processes_racing_to_claim_one_alert_get_it_once(tmp_path: Path) -> None:
    db = tmp_path / "h.json"
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", CLAIM, str(db), NOW.isoformat()],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(6)
    ]
    outs = [p.communicate("go\n", timeout=60) for p in procs]
    assert all(p.returncode == 0 for p in procs), [err for _, err in outs]
    claimed = [json.loads(out) for out, _ in outs]
    assert sorted(len(c) for c in claimed) == [0, 0, 0, 0, 0, 1]
    assert [a["key"] for a in HistoryStore(db).alerts()] == ["level:CRITICAL"]
