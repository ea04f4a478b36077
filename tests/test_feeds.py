"""Feeds: fetching against local servers (127.0.0.1 only), caching, parsing, merging."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from riskmon.core.model import Event
from riskmon.core.settings import FeedSettings
from riskmon.sources.feeds.feeds import (
    FeedResult,
    FeedStatus,
    merge_events,
    poll_all,
    poll_feed,
    required_failure,
)
from riskmon.sources.feeds.fetch import cache_path, load_cache
from tests.support import validated

try:
    from tests.servers import (
        LocalServer,
        chunked,
        drip_body,
        drip_headers,
        hang,
        local_server,
        redirect,
        respond,
        sequence,
        static,
    )
except ImportError:  # tests/ is not a package: pytest put tests/ itself on sys.path
    from servers import (  # type: ignore[no-redef]
        LocalServer,
        chunked,
        drip_body,
        drip_headers,
        hang,
        local_server,
        redirect,
        respond,
        sequence,
        static,
    )

NOW = datetime(2025, 1, 10, 12, 0, tzinfo=UTC)


pytestmark = pytest.mark.usefixtures("no_proxy")


def ev(id: str = "us-ban", **kw: Any) -> dict[str, Any]:
    base = {
        "id": id,
        "title": "US divest-or-ban law takes effect",
        "kind": "ban",
        "platforms": ["tiktok"],
        "regions": ["US"],
        "status": "confirmed",
        "effective": "2025-01-19",
    }
    return base | kw


def doc(*events: dict[str, Any]) -> str:
    return json.dumps({"events": list(events)})


def feed(url: str = "", **kw: Any) -> FeedSettings:
    fields: dict[str, Any] = {"name": "team", "type": "http", "url": url, "timeout": 1.0} | kw
    return validated("FeedSettings", fields)


def poll(f: FeedSettings, tmp_path: Path, now: datetime = NOW, **kw: Any) -> FeedResult:
    kw.setdefault("force", True)
    return poll_feed(f, now, cache_dir=tmp_path / "cache", **kw)


# ---------------------------------------------------------------------------------------------
# HTTP fetching


def test_good_feed(server, tmp_path):
    url = server.route("/events.json", static(doc(ev(), ev("id-ban", regions=["ID"]))))
    r = poll(feed(url), tmp_path)
    assert r.status.ok and not r.status.stale and not r.status.from_cache
    assert r.status.error is None and r.status.events == 2 and r.status.skipped == []
    assert r.status.last_success == NOW
    assert [e.id for e in r.events] == ["us-ban", "id-ban"]
    assert all(e.source == "team" for e in r.events)
    assert r.events[0].effective == datetime(2025, 1, 19, tzinfo=UTC)
    req = server.hits("/events.json")[0]
    assert req.headers["User-Agent"].startswith("riskmon/")
    assert "application/json" in req.headers["Accept"]
    entry = load_cache(cache_path(tmp_path / "cache", "team"), url)
    assert (
        entry is not None
        and entry.last_success == NOW
        and entry.body == doc(ev(), ev("id-ban", regions=["ID"])).encode()
    )
    assert oct(cache_path(tmp_path / "cache", "team").stat().st_mode & 0o777) == "0o600"
    js = r.status.to_json()
    assert js["last_success"] == NOW.isoformat() and js["ok"] is True and js["from_cache"] is False
    assert set(js) >= {"name", "ok", "stale", "last_success", "error", "events", "skipped", "required", "from_cache"}


def test_http_500_without_cache(server, tmp_path):
    url = server.route("/e", static("oops", status=500, content_type="text/plain"))
    r = poll(feed(url), tmp_path)
    assert not r.status.ok and r.status.stale and r.events == ()
    assert r.status.error is not None and r.status.error.startswith("HTTP 500")
    assert r.status.last_success is None


def test_hang_is_cut_at_timeout(server, tmp_path):
    url = server.route("/hang", hang)
    t0 = time.monotonic()
    r = poll(feed(url, timeout=0.5), tmp_path)
    elapsed = time.monotonic() - t0
    assert r.status.error is not None and "timed out after 0.5s" in r.status.error
    assert 0.4 <= elapsed < 1.5


def test_slow_drip_body_is_cut_at_timeout(server, tmp_path):
    url = server.route("/drip", drip_body(0.2))
    t0 = time.monotonic()
    r = poll(feed(url, timeout=0.8), tmp_path)
    elapsed = time.monotonic() - t0
    assert r.status.error is not None and "timed out after 0.8s" in r.status.error
    assert elapsed < 1.6


def test_slow_drip_headers_is_cut_at_timeout(server, tmp_path):
    """Each byte arrives well within the read timeout; only a total deadline ends this."""
    url = server.route("/hdrip", drip_headers(0.05))
    t0 = time.monotonic()
    r = poll(feed(url, timeout=0.6), tmp_path)
    elapsed = time.monotonic() - t0
    assert r.status.error is not None and "timed out" in r.status.error
    assert elapsed < 1.4


def test_invalid_json(server, tmp_path):
    url = server.route("/bad", static('{"events": [ {"id": '))
    r = poll(feed(url), tmp_path)
    assert not r.status.ok
    assert r.status.error is not None and r.status.error.startswith("invalid JSON at line 1 column")


def test_json_without_events_list(server, tmp_path):
    url = server.route("/obj", static('{"items": []}'))
    r = poll(feed(url), tmp_path)
    assert r.status.error == 'expected a document with an "events" list, like events.toml'


def test_html_page(server, tmp_path):
    page = "<!DOCTYPE html><html><body><h1>Sign in</h1></body></html>"
    url = server.route("/login", static(page, content_type="text/html; charset=utf-8"))
    r = poll(feed(url), tmp_path)
    assert r.status.error == "expected JSON, got an HTML page"
    # Mislabelled as JSON, still an HTML page.
    url2 = server.route("/login2", static(page, content_type="application/json"))
    assert poll(feed(url2, name="b"), tmp_path).status.error == "expected JSON, got an HTML page"


def test_json_served_as_text_plain_is_fine(server, tmp_path):
    url = server.route("/plain", static(doc(ev()), content_type="text/plain"))
    assert poll(feed(url), tmp_path).status.ok


def test_oversized_body_with_content_length(server, tmp_path):
    url = server.route("/big", static(doc(ev(summary="x" * 5000))))
    r = poll(feed(url, max_bytes=1000), tmp_path)
    assert r.status.error is not None and "more than max_bytes (1000)" in r.status.error


def test_oversized_chunked_body(server, tmp_path):
    url = server.route("/bigc", chunked(doc(ev(summary="x" * 50_000)).encode()))
    r = poll(feed(url, max_bytes=10_000), tmp_path)
    assert r.status.error is not None and "more than max_bytes (10000" in r.status.error


def test_redirects_followed_but_bounded(server, tmp_path):
    server.route("/final", static(doc(ev())))
    for i in range(1, 8):
        server.route(f"/r{i}", redirect(server.url(f"/r{i + 1}") if i < 7 else server.url("/final")))
    ok = poll(feed(server.url("/r4")), tmp_path)  # 4 hops
    assert ok.status.ok and ok.status.events == 1
    loop = poll(feed(server.url("/r1"), name="loop"), tmp_path)  # 7 hops
    assert loop.status.error == "too many redirects (more than 5)"


SECRET = "k3y-that-must-not-leak"


def keyed(url: str, monkeypatch: pytest.MonkeyPatch, **kw: Any) -> FeedSettings:
    monkeypatch.setenv("RISKMON_TEST_KEY", SECRET)
    return feed(url, headers={"X-Api-Key": "RISKMON_TEST_KEY"}, **kw)


def api_keys(server: LocalServer, path: str) -> list[str | None]:
    """The X-Api-Key each request to `path` carried (None: none)."""
    return [{k.lower(): v for k, v in r.headers.items()}.get("x-api-key") for r in server.hits(path)]


def test_configured_headers_stay_with_the_feeds_origin(server, tmp_path, monkeypatch):
    with local_server() as elsewhere:  # another port: another origin
        elsewhere.route("/events.json", static(doc(ev())))
        elsewhere.route("/back", redirect(server.url("/home.json")))
        server.route("/home.json", static(doc(ev("home"))))
        server.route("/away", redirect(elsewhere.url("/events.json")))
        server.route("/round-trip", redirect(elsewhere.url("/back")))
        server.route("/same-site", redirect("/home.json"))

        away = poll(keyed(server.url("/away"), monkeypatch), tmp_path)
        assert away.status.ok and away.status.events == 1
        assert api_keys(server, "/away") == [SECRET]
        assert api_keys(elsewhere, "/events.json") == [None]

        # Once the chain has left the origin, coming back does not bring the key back.
        back = poll(keyed(server.url("/round-trip"), monkeypatch, name="trip"), tmp_path)
        assert back.status.ok and [e.id for e in back.events] == ["home"]
        assert api_keys(elsewhere, "/back") == [None] and api_keys(server, "/home.json") == [None]

        # A redirect within the origin keeps it (the feed's own server asked for it).
        same = poll(keyed(server.url("/same-site"), monkeypatch, name="same"), tmp_path)
        assert same.status.ok and api_keys(server, "/home.json") == [None, SECRET]


def self_signed(tmp_path: Path) -> tuple[Path, Path]:
    """A certificate for 127.0.0.1 and its key, made with the openssl command."""
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    request = ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=127.0.0.1"]
    subprocess.run(
        ["openssl", *request, "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", str(key), "-out", str(cert)],
        check=True,
        capture_output=True,
        timeout=60,
    )
    return cert, key


@pytest.mark.skipif(shutil.which("openssl") is None, reason="needs the openssl command")
def test_https_never_redirects_to_plain_http(server, tmp_path, monkeypatch):
    import ssl

    cert, key = self_signed(tmp_path)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    monkeypatch.setenv("SSL_CERT_FILE", str(cert))  # httpx trusts it; verification stays on
    server.route("/events.json", static(doc(ev())))
    with local_server(tls=context) as secure:
        secure.route("/events.json", static(doc(ev())))
        secure.route("/downgrade", redirect(server.url("/events.json")))
        assert poll(keyed(secure.url("/events.json"), monkeypatch), tmp_path).status.ok  # TLS itself works
        r = poll(keyed(secure.url("/downgrade"), monkeypatch, name="down"), tmp_path)
    assert not r.status.ok and r.events == ()
    assert r.status.error == f"refused a redirect from https to plain http: {server.url('/events.json')}"
    assert server.hits("/events.json") == []


def test_redirect_to_another_scheme_fails_the_feed(server, tmp_path):
    server.route("/file", redirect("ftp://127.0.0.1/events.json"))
    r = poll(feed(server.url("/file")), tmp_path)
    assert r.status.error == "redirected to an unsupported URL scheme: ftp://127.0.0.1/events.json"


def test_etag_and_last_modified_round_trip(server, tmp_path):
    body = doc(ev())
    lm = "Wed, 08 Jan 2025 10:00:00 GMT"

    def handler(h, _stop):
        if h.headers.get("If-None-Match") == '"v1"':
            h.send_response(304)
            h.send_header("ETag", '"v1"')
            h.send_header("Content-Length", "0")
            h.end_headers()
        else:
            respond(h, 200, body, headers={"ETag": '"v1"', "Last-Modified": lm})

    url = server.route("/etag", handler)
    first = poll(feed(url), tmp_path)
    assert first.status.ok and first.status.events == 1
    later = NOW + timedelta(hours=1)
    second = poll(feed(url), tmp_path, now=later)
    reqs = server.hits("/etag")
    assert "If-None-Match" not in reqs[0].headers
    assert reqs[1].headers["If-None-Match"] == '"v1"' and reqs[1].headers["If-Modified-Since"] == lm
    assert second.status.ok and second.status.from_cache and second.status.events == 1
    assert second.status.last_success == later
    entry = load_cache(cache_path(tmp_path / "cache", "team"), url)
    assert entry is not None and entry.last_success == later and entry.etag == '"v1"'


def test_cache_used_after_failure_and_staleness(server, tmp_path):
    url = server.route("/flaky", sequence(static(doc(ev(), ev("b"))), static("down", 503, "text/plain")))
    good = poll(feed(url, max_age="1h", required=True), tmp_path)
    assert good.status.ok and required_failure([good.status]) is None

    soon = poll(feed(url, max_age="1h", required=True), tmp_path, now=NOW + timedelta(minutes=30))
    assert not soon.status.ok and soon.status.from_cache and not soon.status.stale
    assert soon.status.error is not None and soon.status.error.startswith("HTTP 503")
    assert [e.id for e in soon.events] == ["us-ban", "b"] and soon.status.last_success == NOW
    assert required_failure([soon.status]) is None

    late = poll(feed(url, max_age="1h", required=True), tmp_path, now=NOW + timedelta(hours=2))
    assert late.status.stale and late.status.from_cache and late.status.events == 2
    reason = required_failure([late.status])
    assert reason is not None
    assert reason.startswith("required feed 'team' is stale (last success 2025-01-10 12:00 UTC): HTTP 503")
    # Not required: stale but no reason to go UNKNOWN.
    optional = poll(feed(url, max_age="1h"), tmp_path, now=NOW + timedelta(hours=2))
    assert optional.status.stale and required_failure([optional.status]) is None


def test_required_never_fetched(tmp_path):
    f = feed("http://127.0.0.1:9/nothing", required=True, timeout=0.5)
    r = poll(f, tmp_path, offline=True)
    assert r.status.error == "offline and no cached copy"
    assert required_failure([r.status]) == ("required feed 'team' has never been fetched: offline and no cached copy")


def test_invalid_cache_does_not_poison_later_fetch(server, tmp_path):
    url = server.route("/x", sequence(static(doc(ev())), static("{not json")))
    poll(feed(url), tmp_path)
    bad = poll(feed(url), tmp_path, now=NOW + timedelta(minutes=5))
    # The broken body is not cached: the last good copy still serves.
    assert bad.status.error is not None and bad.status.error.startswith("invalid JSON")
    assert bad.status.events == 1 and bad.status.from_cache


def test_recent_poll_served_from_cache_unless_forced(server, tmp_path):
    url = server.route("/e", static(doc(ev())))
    f = feed(url, every="15m")
    poll(f, tmp_path, force=False)
    r = poll(f, tmp_path, now=NOW + timedelta(minutes=5), force=False)
    assert len(server.hits("/e")) == 1 and r.status.ok and r.status.from_cache
    poll(f, tmp_path, now=NOW + timedelta(minutes=14), force=False)  # >= 90% of every
    assert len(server.hits("/e")) == 2
    poll(f, tmp_path, now=NOW + timedelta(minutes=15), force=True)
    assert len(server.hits("/e")) == 3


def test_offline_uses_cache_only(server, tmp_path):
    url = server.route("/e", static(doc(ev())))
    poll(feed(url), tmp_path)
    r = poll(feed(url), tmp_path, now=NOW + timedelta(days=2), offline=True)
    assert len(server.hits("/e")) == 1
    assert r.status.ok and r.status.from_cache and r.status.stale and r.status.events == 1


def test_cache_for_another_url_is_ignored(server, tmp_path):
    a = server.route("/a", static(doc(ev("a"))))
    poll(feed(a), tmp_path)
    r = poll(feed(server.url("/b")), tmp_path, offline=True)
    assert r.events == () and r.status.error == "offline and no cached copy"


def test_headers_from_environment(server, tmp_path, monkeypatch):
    url = server.route("/auth", static(doc(ev())))
    f = feed(url, headers={"Authorization": "RISKMON_TEST_TOKEN"})
    monkeypatch.delenv("RISKMON_TEST_TOKEN", raising=False)
    r = poll(f, tmp_path)
    assert r.status.error == "header Authorization: environment variable RISKMON_TEST_TOKEN is not set"
    assert server.hits("/auth") == []
    monkeypatch.setenv("RISKMON_TEST_TOKEN", "Bearer s3cret")
    r = poll(f, tmp_path)
    assert r.status.ok and server.hits("/auth")[0].headers["Authorization"] == "Bearer s3cret"


def test_connection_refused_and_bad_scheme(tmp_path):
    import socket

    with socket.socket() as s:  # a port nothing listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    r = poll(feed(f"http://127.0.0.1:{port}/x"), tmp_path)
    assert r.status.error is not None and r.status.error.startswith("cannot connect")
    r = poll(feed("ftp://127.0.0.1/x", name="ftp"), tmp_path)
    assert r.status.error is not None and r.status.error.startswith("unsupported URL scheme")


def test_poll_all_is_concurrent_and_bounded_by_budget(server, tmp_path):
    hang_url = server.route("/hang", hang)
    good = server.route("/good", static(doc(ev())))
    feeds = [
        feed(hang_url, name="h1", timeout=5),
        feed(good, name="good"),
        feed(hang_url, name="h2", timeout=5),
    ]
    t0 = time.monotonic()
    results = poll_all(feeds, NOW, cache_dir=tmp_path / "cache", budget=0.6, force=True)
    elapsed = time.monotonic() - t0
    assert elapsed < 1.5
    assert [r.status.name for r in results] == ["h1", "good", "h2"]
    assert results[1].status.ok
    assert all(not r.status.ok and "timed out" in (r.status.error or "") for r in (results[0], results[2]))


# ---------------------------------------------------------------------------------------------
# Parsing: invalid events, trust, untrusted text


def test_invalid_events_are_skipped_with_reasons(server, tmp_path):
    events = [
        ev("good-1"),
        ev("bad-kind", kind="meteor"),
        "not an object",
        {"title": "no id"},
        ev("good-2", status="announced"),
        ev("good-1", title="duplicate"),
        ev("bad-date", effective="soon", probability=2),
        ev("typo", probabilty=0.5),
    ]
    url = server.route("/mixed", static(json.dumps({"events": events})))
    r = poll(feed(url), tmp_path)
    assert r.status.ok and r.status.events == 2
    assert [e.id for e in r.events] == ["good-1", "good-2"]
    skipped = r.status.skipped
    assert len(skipped) == 6
    assert skipped[0].startswith("team: event[1] (id 'bad-kind'): kind: Input should be 'ban'")
    assert skipped[1] == "team: event[2] (no id): not a table/object"
    assert skipped[2].startswith("team: event[3] (no id): id: Field required")
    assert skipped[3] == "team: event[5] (id 'good-1'): id used twice in this feed; event[0] kept"
    assert skipped[4].startswith("team: event[6] (id 'bad-date'): ")
    assert "probability: Input should be less than or equal to 1" in skipped[4]
    assert "effective: Value error, not a date" in skipped[4]
    assert skipped[5].startswith("team: event[7] (id 'typo'): probabilty: Extra inputs are not permitted")


def test_event_level_errors_name_their_field(server, tmp_path):
    """A check across an event's fields names the field it is about, as config loading does."""
    never = "FREQ=YEARLY;INTERVAL=4;BYMONTH=2;BYMONTHDAY=29"  # from 2025: no leap year
    url = server.route("/e", static(doc(ev(ends="2025-01-01"), ev("every-4", recurs=never))))
    r = poll(feed(url), tmp_path)
    assert r.status.skipped == [
        "team: event[0] (id 'us-ban'): ends: Value error, ends must be after effective",
        "team: event[1] (id 'every-4'): recurs: Value error, not a valid RFC 5545 RRULE: it never occurs from "
        "effective (2025-01-19) to 2200; check INTERVAL, BYMONTH, BYMONTHDAY, BYDAY",
    ]


def test_untrusted_feed_capped_at_rumored(server, tmp_path):
    events = [
        ev("a", status="in_effect"),
        ev("b", status="confirmed", probability=0.95),
        ev("c", status="rumored", probability=0.1),
        ev("d", status="cancelled"),
    ]
    url = server.route("/news", static(doc(*events)))
    r = poll(feed(url, trust=False), tmp_path)
    got = {e.id: (e.status, e.probability, e.p) for e in r.events}
    assert got == {
        "a": ("rumored", None, 0.25),
        "b": ("rumored", 0.25, 0.25),
        "c": ("rumored", 0.1, 0.1),
        "d": ("cancelled", None, 0.0),
    }
    assert r.status.to_json()["trust"] is False


def test_markup_and_terminal_escapes_are_cleaned(server, tmp_path):
    nasty = "\x1b]0;pwned\x07\x1b[31m[bold red]x[/] [@click=app.quit]quit[/]\x1b[0m\x07\u202e"
    events = [
        ev(
            title=nasty,
            summary="line one\n\x1b[2Jline two",
            deadlines=[{"date": "2025-01-18", "what": "Export \x1b[5mnow\x1b[0m [b]"}],
        )
    ]
    url = server.route("/nasty", static(doc(*events)))
    r = poll(feed(url), tmp_path)
    assert r.status.ok
    e = r.events[0]
    assert e.title == "[bold red]x[/] [@click=app.quit]quit[/]"
    assert e.summary == "line one\nline two"
    assert e.deadlines[0].what == "Export now [b]"
    for text in (e.title, e.summary, e.deadlines[0].what):
        assert not any(ord(ch) < 32 and ch != "\n" for ch in text)
        assert "\x1b" not in text and "\x07" not in text and "\u202e" not in text


def test_error_text_from_server_is_cleaned(server, tmp_path):
    def handler(h, _stop):
        h.send_response(500, "Bad \x1b[31mthing")
        h.send_header("Content-Length", "0")
        h.end_headers()

    url = server.route("/e", handler)
    r = poll(feed(url), tmp_path)
    assert r.status.error is not None and "\x1b" not in r.status.error


# ---------------------------------------------------------------------------------------------
# RSS / Atom

RSS = """<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0"><channel><title>Seller news</title><link>https://news.example/</link>
<item><title>TikTok Shop to stop orders in Indonesia</title><link>https://news.example/1</link>
<pubDate>Wed, 04 Oct 2023 10:00:00 GMT</pubDate></item>
<item><title>Amazon raises FBA fees &amp; more</title><link>https://news.example/2</link>
<description>Also affects Shopify apps</description>
<pubDate>Thu, 05 Oct 2023 10:00:00 GMT</pubDate></item>
<item><title>[bold]Bytedance[/] news \x1b[31m&lt;b&gt;x&lt;/b&gt;</title><link>javascript:alert(1)</link></item>
<item><title>Weather</title><link>https://news.example/4</link></item>
</channel></rss>"""

ATOM = """<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>Policy</title><id>urn:x</id>
<updated>2025-01-17T12:00:00Z</updated>
<entry><title>Supreme Court upholds TikTok law</title><id>urn:1</id>
<link href="https://policy.example/a"/><updated>2025-01-17T12:00:00Z</updated></entry>
<entry><title type="html">Etsy &lt;em&gt;payout&lt;/em&gt; changes</title><id>urn:2</id>
<link href="https://policy.example/b"/><published>2025-01-16T08:30:00Z</published></entry>
</feed>"""

KEYWORDS = {"tiktok": ["tiktok", "bytedance", "TikTok Shop"], "amazon": ["amazon", "FBA"], "shopify": ["shopify"]}


def test_rss_headlines_tagged_by_keywords(server, tmp_path):
    url = server.route("/rss", static(RSS.encode(), content_type="application/rss+xml"))
    r = poll(feed(url, type="rss", keywords=KEYWORDS), tmp_path)
    assert r.status.ok and r.status.events == 0 and r.status.headlines == 4 and r.events == ()
    by_title = {h.title: h for h in r.headlines}
    first = by_title["TikTok Shop to stop orders in Indonesia"]
    assert first.platforms == ("tiktok",) and first.link == "https://news.example/1"
    assert first.published == datetime(2023, 10, 4, 10, 0, tzinfo=UTC)
    assert by_title["Amazon raises FBA fees & more"].platforms == ("amazon", "shopify")
    odd = next(h for h in r.headlines if "Bytedance" in h.title)
    assert odd.link == "" and "\x1b" not in odd.title and "[bold]Bytedance[/]" in odd.title
    assert odd.platforms == ("tiktok",)
    assert by_title["Weather"].platforms == ()
    assert "<b>" not in odd.title
    # Newest first; undated last.
    assert r.headlines[0].title.startswith("Amazon")
    assert r.headlines[0].to_json()["published"] == "2023-10-05T10:00:00+00:00"


def test_atom_headlines(server, tmp_path):
    url = server.route("/atom", static(ATOM.encode(), content_type="application/atom+xml"))
    r = poll(feed(url, type="rss", keywords={"tiktok": ["tiktok"], "etsy": ["etsy"]}), tmp_path)
    assert r.status.ok
    assert [(h.title, h.platforms) for h in r.headlines] == [
        ("Supreme Court upholds TikTok law", ("tiktok",)),
        ("Etsy payout changes", ("etsy",)),
    ]
    assert r.headlines[1].published == datetime(2025, 1, 16, 8, 30, tzinfo=UTC)


def test_rss_feed_errors(server, tmp_path):
    html = server.route("/page", static("<!doctype html><html><body>hi</body></html>", content_type="text/html"))
    r = poll(feed(html, type="rss"), tmp_path)
    assert r.status.error == "expected an RSS/Atom feed, got an HTML page"
    js = server.route("/js", static(doc(ev())))
    r = poll(feed(js, type="rss", name="js"), tmp_path)
    assert r.status.error is not None and r.status.error.startswith("not an RSS/Atom feed")


def test_rss_served_as_text_html_still_parses(server, tmp_path):
    url = server.route("/rss", static(RSS.encode(), content_type="text/html"))
    assert poll(feed(url, type="rss"), tmp_path).status.headlines == 4


# ---------------------------------------------------------------------------------------------
# File feeds

TOML_EVENTS = """
[[events]]
id = "id-social-commerce"
title = "Indonesia bans checkout in social media"
kind = "shop_closure"
platforms = ["tiktok"]
regions = ["ID"]
status = "in_effect"
effective = 2023-10-04T17:00:00+07:00

[[events]]
id = "broken"
title = "Missing kind"
platforms = ["tiktok"]
status = "rumored"
effective = 2025-01-01
"""


def test_file_feed_toml_relative_to_config_dir(tmp_path):
    (tmp_path / "conf").mkdir()
    (tmp_path / "conf" / "shared.toml").write_text(TOML_EVENTS)
    f = feed(type="file", path="shared.toml", url=None)
    r = poll(f, tmp_path, base_dir=tmp_path / "conf")
    assert r.status.ok and r.status.events == 1
    assert r.events[0].effective == datetime(2023, 10, 4, 10, 0, tzinfo=UTC)
    assert r.status.skipped == ["team: event[1] (id 'broken'): kind: Field required"]


def test_file_feed_json_and_fallback_to_cache(tmp_path):
    p = tmp_path / "shared.json"
    p.write_text(doc(ev()))
    f = feed(type="file", path=str(p), url=None, max_age="1h")
    assert poll(f, tmp_path).status.ok
    p.write_text("{broken")
    r = poll(f, tmp_path, now=NOW + timedelta(hours=3), offline=True)
    assert r.status.error is not None and r.status.error.startswith("invalid JSON")
    assert r.status.events == 1 and r.status.from_cache and r.status.stale
    p.unlink()
    r = poll(f, tmp_path)
    assert r.status.error == f"file not found: {p}" and r.status.events == 1


def test_file_feed_by_file_url(tmp_path):
    p = tmp_path / "shared events.json"
    p.write_text(doc(ev()))
    r = poll(feed(type="file", url=p.as_uri()), tmp_path, offline=True)
    assert r.status.ok and r.status.events == 1 and not r.status.from_cache


def test_file_feed_too_big(tmp_path):
    p = tmp_path / "big.json"
    p.write_text(doc(ev(summary="x" * 3000)))
    r = poll(feed(type="file", path=str(p), url=None, max_bytes=1000), tmp_path)
    assert r.status.error is not None and "more than max_bytes (1000)" in r.status.error


def test_file_feed_over_http_as_toml(server, tmp_path):
    url = server.route("/catalog.toml", static(TOML_EVENTS, content_type="application/octet-stream"))
    r = poll(feed(url, type="file"), tmp_path)
    assert r.status.ok and r.status.events == 1


def test_offline_check_does_not_import_httpx(tmp_path):
    code = f"""
import sys
from datetime import datetime, UTC
from riskmon.sources.feeds.feeds import poll_all
from riskmon.core.settings import FeedSettings
f = FeedSettings(name="x", type="http", url="http://127.0.0.1:9/x")
r = poll_all([f], datetime.now(UTC), cache_dir=__import__("pathlib").Path({str(tmp_path)!r}), offline=True)
assert r[0].status.error == "offline and no cached copy", r
assert "httpx" not in sys.modules and "feedparser" not in sys.modules, "heavy import"
"""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, cwd=str(Path(__file__).parents[1])
    )
    assert out.returncode == 0, out.stderr


# ---------------------------------------------------------------------------------------------
# Merging


def E(id: str, source: str = "catalog", **kw: Any) -> Event:
    return validated("Event", ev(id, **kw) | {"source": source})


def result(name: str, *events: Event, trust: bool = True) -> FeedResult:
    status = FeedStatus(name, "http", True, False, NOW, None, len(events), [], False, False, trust)
    return FeedResult(status, tuple(events), ())


def test_merge_newest_updated_wins():
    cat = [E("x", status="announced", updated="2025-01-01T00:00:00Z"), E("only-cat")]
    feed_a = result("a", E("x", "a", status="rumored", updated="2025-01-05T00:00:00Z"), E("new", "a"))
    merged, conflicts = merge_events(cat, [feed_a])
    assert [e.id for e in merged] == ["x", "only-cat", "new"]
    assert merged[0].source == "a" and merged[0].status == "rumored"
    assert conflicts[0].winner == "a" and conflicts[0].loser == "catalog"
    assert conflicts[0].reason.startswith("newer updated (2025-01-05")
    assert conflicts[0].to_json()["event_id"] == "x"


def test_merge_status_breaks_missing_or_equal_updated():
    cat = [E("x", status="announced")]
    merged, conflicts = merge_events(cat, [result("a", E("x", "a", status="in_effect", updated="2025-01-05"))])
    assert merged[0].source == "a"
    assert conflicts[0].reason == "more advanced status (in_effect > announced)"
    merged, conflicts = merge_events([E("x", status="confirmed")], [result("a", E("x", "a", status="announced"))])
    assert merged[0].source == "catalog" and conflicts[0].winner == "catalog"


def test_merge_tie_keeps_catalog_and_identical_copies_are_not_conflicts():
    merged, conflicts = merge_events([E("x", title="A")], [result("a", E("x", "a", title="B"))])
    assert merged[0].title == "A"
    assert conflicts[0].reason == "same updated and status; the first source is kept"
    merged, conflicts = merge_events([E("x")], [result("a", E("x", "a")), result("b", E("x", "b"))])
    assert conflicts == [] and merged[0].source == "catalog"


def test_merge_between_feeds_and_untrusted():
    a = result("a", E("x", "a", status="announced", updated="2025-01-01"))
    b = result("b", E("x", "b", status="cancelled", updated="2025-03-01"), trust=False)
    c = result("c", E("x", "c", status="confirmed", updated="2025-02-01"))
    merged, conflicts = merge_events([], [a, b, c])
    assert merged[0].source == "c"
    assert [(k.winner, k.loser) for k in conflicts] == [("a", "b"), ("c", "a")]
    assert conflicts[0].reason == "a trusted source wins over an untrusted one"


def test_required_failure_summarises_several():
    def st(name: str, required: bool, stale: bool, last: datetime | None) -> FeedStatus:
        return FeedStatus(name, "http", False, stale, last, "HTTP 500", 0, [], required, last is not None)

    statuses = [
        st("a", True, True, None),
        st("b", True, True, NOW),
        st("c", False, True, None),
        st("d", True, False, NOW),
    ]
    assert required_failure(statuses) == (
        "required feed 'a' has never been fetched: HTTP 500 (and 1 more required feed)"
    )
