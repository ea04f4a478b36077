"""Fetching feeds over HTTP(S) and keeping the last good copy of each one on disk.

Fetching is defensive: TLS verified, at most 5 redirects (never from https to http; the feed's
configured `headers`, which carry its secrets, are sent to its own origin only), a hard wall-clock
deadline for the whole exchange (a server that drips one byte a second is cut off at `timeout`, not kept alive by every
byte), a size cap checked while streaming, and conditional requests (ETag / If-Modified-Since).

httpx is imported inside functions: `riskmon check --offline` must not pay for it.
"""

from __future__ import annotations

import base64
import contextlib
import json
import logging
import os
import threading
import time
from collections.abc import Callable, Mapping
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Literal, TypeVar
from urllib.parse import quote

from riskmon import __version__
from riskmon.core.record import record
from riskmon.fileio import atomic_write_bytes
from riskmon.i18n import _
from riskmon.textsafe import clean

if TYPE_CHECKING:
    import httpx

log = logging.getLogger("riskmon.sources.feeds.feeds")

MAX_REDIRECTS = 5
CACHE_MAX_BYTES = 256 * 1024 * 1024  # a cached body (a feed's max_bytes, default 2 MB) as JSON text
USER_AGENT = f"riskmon/{__version__}"
Expect = Literal["json", "feed", "events", "article"]
_ACCEPT: dict[str, str] = {
    "json": "application/json, text/json;q=0.9, */*;q=0.1",
    "feed": "application/rss+xml, application/atom+xml, application/xml;q=0.9, text/xml;q=0.9, */*;q=0.1",
    "events": "application/json, application/toml, text/plain;q=0.9, */*;q=0.1",
    "article": "text/html, application/xhtml+xml, text/plain;q=0.9, */*;q=0.1",
}
_ERROR_LEN = 300
T = TypeVar("T")


class FetchError(Exception):
    """A feed could not be fetched; the message is one clean line meant for `feeds[].error`."""


def short(text: object, limit: int = _ERROR_LEN) -> str:
    """One clean line, cut to `limit` characters (error messages carry server-controlled text)."""
    s = clean(text)
    return s if len(s) <= limit else s[: limit - 1] + "…"


def env_headers(names: Mapping[str, str]) -> dict[str, str]:
    """Header name -> value of the environment variable named in the config.

    Secrets never live in the config; a variable that is unset is an error (we would rather not
    fetch than send a request without its credentials). The error names the variable, never a value.
    """
    out: dict[str, str] = {}
    for header, var in names.items():
        value = os.environ.get(var)
        if value is None:
            raise FetchError(f"header {header}: environment variable {var} is not set")
        if "\r" in value or "\n" in value:
            raise FetchError(f"header {header}: environment variable {var} contains a line break")
        out[header] = value
    return out


@record
class Fetched:
    """The outcome of a successful exchange: a new body (200) or `not_modified` (304)."""

    not_modified: bool
    body: bytes = b""
    content_type: str = ""
    etag: str | None = None
    last_modified: str | None = None
    url: str = ""


def looks_like_html(body: bytes) -> bool:
    head = body[:1024].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if not head.startswith(b"<"):
        return False
    if head.startswith((b"<!doctype html", b"<html", b"<head", b"<body")):
        return True
    return head.startswith(b"<!--") and (b"<html" in head or b"<!doctype html" in head)


def check_kind(body: bytes, content_type: str, expect: Expect) -> None:
    """Loose Content-Type/body sniffing: mislabelled feeds pass, HTML error pages do not."""
    head = body[:64].lstrip(b"\xef\xbb\xbf \t\r\n")
    if expect == "article":  # a news article: an HTML page or text, anything goes
        return
    if expect == "feed":
        if looks_like_html(body) and not head.startswith((b"<?xml", b"<rss", b"<feed", b"<rdf")):
            raise FetchError(_("expected an RSS/Atom feed, got an HTML page"))
        return
    ctype = content_type.lower()
    if looks_like_html(body) or ("html" in ctype and not head.startswith((b"{", b"["))):
        if expect == "json":
            raise FetchError(_("expected JSON, got an HTML page"))
        raise FetchError(_("expected a JSON or TOML events file, got an HTML page"))


def run_with_deadline(fn: Callable[[], T], seconds: float, budget: float | None = None) -> T:
    """Run `fn` in a daemon thread; give up after `seconds` (the thread is abandoned).

    This is the backstop for what per-read timeouts cannot bound (e.g. headers dripped byte by
    byte); abandoned threads do not keep the process alive. `budget` is the timeout the user set,
    named in the error (the backstop itself waits a little longer than the request's own deadline).
    """
    box: dict[str, object] = {}

    def run() -> None:
        try:
            box["value"] = fn()
        except BaseException as exc:  # handed to the caller below
            box["error"] = exc

    worker = threading.Thread(target=run, name="riskmon-fetch", daemon=True)
    worker.start()
    worker.join(max(0.0, seconds))
    if worker.is_alive():
        raise FetchError(_("timed out after {seconds}s").format(seconds=f"{seconds if budget is None else budget:g}"))
    if "error" in box:
        raise box["error"]  # type: ignore[misc]
    return box["value"]  # type: ignore[return-value]


def fetch(
    url: str,
    *,
    timeout: float,
    max_bytes: int,
    expect: Expect,
    headers: Mapping[str, str] | None = None,
    etag: str | None = None,
    last_modified: str | None = None,
) -> Fetched:
    """GET `url` within `timeout` seconds in total; raise FetchError with a one-line reason."""
    if not url.lower().startswith(("http://", "https://")):
        raise FetchError(f"unsupported URL scheme (use http:// or https://): {short(url, 80)}")
    deadline = time.monotonic() + timeout
    try:
        return run_with_deadline(
            lambda: _fetch(url, timeout, deadline, max_bytes, expect, dict(headers or {}), etag, last_modified),
            timeout + 0.1,
            budget=timeout,
        )
    except FetchError:
        raise
    except Exception as exc:
        raise FetchError(_describe(exc, timeout)) from None


def _fetch(
    url: str,
    timeout: float,
    deadline: float,
    max_bytes: int,
    expect: Expect,
    headers: dict[str, str],
    etag: str | None,
    last_modified: str | None,
) -> Fetched:
    """Follow redirects by hand (httpx strips only `Authorization` when it follows them): the
    configured headers, which carry secrets such as API keys, go only to the feed's own origin."""
    import httpx

    standard = {"User-Agent": USER_AGENT, "Accept": _ACCEPT[expect]}
    if etag:
        standard["If-None-Match"] = etag
    if last_modified:
        standard["If-Modified-Since"] = last_modified
    target = httpx.URL(url)
    home = origin(target)
    secrets = headers
    with httpx.Client(verify=True, follow_redirects=False, timeout=httpx.Timeout(timeout)) as client:
        for _ in range(MAX_REDIRECTS + 1):
            with client.stream("GET", target, headers={**standard, **secrets}) as resp:
                if not resp.has_redirect_location:
                    return _receive(resp, timeout, deadline, max_bytes, expect, bool(etag or last_modified))
                target = redirect_target(target, resp.headers["location"])
            if origin(target) != home:
                secrets = {}  # once the chain has left the feed's origin, never again
    raise FetchError(f"too many redirects (more than {MAX_REDIRECTS})")


def origin(url: httpx.URL) -> tuple[str, str, int | None]:
    """(scheme, host, port) with the scheme's default port filled in: what "same site" means for
    sending credentials, as in browsers and curl."""
    default = {"http": 80, "https": 443}.get(url.scheme)
    return url.scheme, url.host, url.port or default


def redirect_target(current: httpx.URL, location: str) -> httpx.URL:
    """Where a redirect leads; FetchError for one riskmon does not follow: a scheme other than
    http(s), or https -> http (the request, and what it says about you, would travel in clear)."""
    target = current.join(location)
    if target.scheme not in ("http", "https"):
        raise FetchError(f"redirected to an unsupported URL scheme: {short(str(target), 80)}")
    if current.scheme == "https" and target.scheme == "http":
        raise FetchError(f"refused a redirect from https to plain http: {short(str(target), 80)}")
    return target


def _receive(
    resp: httpx.Response,
    timeout: float,
    deadline: float,
    max_bytes: int,
    expect: Expect,
    conditional: bool,
) -> Fetched:
    """The final (non-redirect) response: its body, read within the size cap and the deadline."""
    if resp.status_code == 304:
        if not conditional:
            raise FetchError(_("HTTP 304 Not Modified, but there is no cached copy"))
        return Fetched(not_modified=True, url=str(resp.url))
    if resp.status_code != 200:
        raise FetchError(f"HTTP {resp.status_code} {short(resp.reason_phrase, 60)}".rstrip())
    length = resp.headers.get("content-length", "")
    if length.isdigit() and int(length) > max_bytes:
        raise FetchError(
            _("body is {size} bytes, more than max_bytes ({max_bytes})").format(size=int(length), max_bytes=max_bytes)
        )
    body = bytearray()
    for chunk in resp.iter_bytes():  # decoded: a gzip bomb counts at its real size
        body += chunk
        if len(body) > max_bytes:
            raise FetchError(_("body is more than max_bytes ({max_bytes} bytes)").format(max_bytes=max_bytes))
        if time.monotonic() > deadline:
            raise FetchError(_("timed out after {seconds}s (body arriving too slowly)").format(seconds=f"{timeout:g}"))
    content_type = resp.headers.get("content-type", "")
    check_kind(bytes(body), content_type, expect)
    return Fetched(
        not_modified=False,
        body=bytes(body),
        content_type=content_type,
        etag=resp.headers.get("etag"),
        last_modified=resp.headers.get("last-modified"),
        url=str(resp.url),
    )


def _describe(exc: Exception, timeout: float) -> str:
    import httpx

    if isinstance(exc, httpx.TimeoutException):
        return _("timed out after {seconds}s").format(seconds=f"{timeout:g}")
    if isinstance(exc, httpx.ConnectError):
        return short(_("cannot connect: {reason}").format(reason=exc))
    if isinstance(exc, httpx.UnsupportedProtocol | httpx.InvalidURL):
        return short(_("bad URL: {reason}").format(reason=exc))
    text = str(exc)
    return short(f"{type(exc).__name__}: {text}" if text else type(exc).__name__)


# ---------------------------------------------------------------------------------------------
# The cache: one JSON file per feed holding the last good body and its metadata.


@record
class CacheEntry:
    source: str
    """The url or path the body came from; a cache for another source is ignored."""
    body: bytes | None = None
    content_type: str = ""
    etag: str | None = None
    last_modified: str | None = None
    last_success: datetime | None = None
    last_attempt: datetime | None = None
    last_error: str | None = None

    def to_json(self) -> dict[str, object]:
        out: dict[str, object] = {
            "version": 1,
            "source": self.source,
            "etag": self.etag,
            "last_modified": self.last_modified,
            "last_success": self.last_success.isoformat() if self.last_success else None,
            "last_attempt": self.last_attempt.isoformat() if self.last_attempt else None,
            "last_error": self.last_error,
            "content_type": self.content_type,
        }
        if self.body is not None:
            try:
                out["body"] = self.body.decode("utf-8")
            except UnicodeDecodeError:
                out["body_b64"] = base64.b64encode(self.body).decode("ascii")
        return out


def cache_path(cache_dir: Path, feed_name: str) -> Path:
    return Path(cache_dir) / f"{quote(feed_name, safe='')}.json"


def _dt(value: object) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return None
    return parsed if parsed.tzinfo else None


def load_cache(path: Path, source: str) -> CacheEntry | None:
    """The cached entry for `source`, or None if absent, unreadable or for another source."""
    from riskmon.userfile import read_bytes

    try:
        data = json.loads(read_bytes(path, CACHE_MAX_BYTES)[0].decode("utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(data, dict) or data.get("source") != source:
        return None
    body: bytes | None = None
    if isinstance(data.get("body"), str):
        body = data["body"].encode("utf-8")
    elif isinstance(data.get("body_b64"), str):
        with contextlib.suppress(ValueError):
            body = base64.b64decode(data["body_b64"], validate=True)

    def opt_str(key: str) -> str | None:
        value = data.get(key)
        return value if isinstance(value, str) else None

    return CacheEntry(
        source=source,
        body=body,
        content_type=opt_str("content_type") or "",
        etag=opt_str("etag"),
        last_modified=opt_str("last_modified"),
        last_success=_dt(data.get("last_success")),
        last_attempt=_dt(data.get("last_attempt")),
        last_error=opt_str("last_error"),
    )


def save_cache(path: Path, entry: CacheEntry) -> None:
    """Write atomically (temp + fsync + rename), mode 0600; a failure is logged, not raised."""
    try:
        data = json.dumps(entry.to_json(), ensure_ascii=False).encode("utf-8")
        atomic_write_bytes(path, data, mode=0o600)
    except OSError as exc:
        log.warning("cannot write feed cache %s: %s", path, exc)
