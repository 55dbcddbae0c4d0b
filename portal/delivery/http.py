"""One POST with a hard deadline, never following a redirect. The standard library only.

`http.client` applies its timeout to each socket operation, so a receiver that drips a
byte every few seconds could hold a worker for ever; a watchdog shuts the socket down
when the whole request's time is up.
"""

import contextlib
import email.utils
import http.client
import socket
import ssl
import threading
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from urllib.parse import urlsplit

EXCERPT_BYTES = 2048
USER_AGENT = "ConsentPortal-Webhooks/1"


@dataclass(frozen=True)
class Response:
    """What came back, or `error` when nothing usable did (`status` is then None)."""

    status: int | None
    latency_ms: int
    error: str = ""
    excerpt: str = ""
    retry_after: float | None = None
    location: str = ""

    @property
    def ok(self) -> bool:
        return self.status is not None and 200 <= self.status < 300


def retry_after_seconds(value: str | None, *, now: datetime | None = None) -> float | None:
    """`Retry-After` as seconds from now: either delta-seconds or an HTTP date."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())


def post(*, url: str, body: bytes, headers: dict[str, str], timeout: float) -> Response:
    """POST `body` to `url`; at most `timeout` seconds from connecting to the last byte."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return Response(status=None, latency_ms=0, error=f"Not an http(s) URL: {url[:200]}")
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    connection: http.client.HTTPConnection
    if parts.scheme == "https":
        connection = http.client.HTTPSConnection(
            parts.hostname, parts.port, timeout=timeout, context=ssl.create_default_context()
        )
    else:
        connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=timeout)
    expired = threading.Event()

    def cut() -> None:
        expired.set()
        sock = connection.sock
        if sock is not None:
            with contextlib.suppress(OSError):  # already closed: nothing to cut
                sock.shutdown(socket.SHUT_RDWR)

    watchdog = threading.Timer(timeout, cut)
    watchdog.daemon = True
    started = time.monotonic()
    watchdog.start()
    try:
        connection.request(
            "POST",
            path,
            body=body,
            headers={
                **headers,
                "Content-Type": "application/json",
                "User-Agent": USER_AGENT,
                "Content-Length": str(len(body)),
            },
        )
        answer = connection.getresponse()
        excerpt = answer.read(EXCERPT_BYTES).decode("utf-8", "replace")
        return Response(
            status=answer.status,
            latency_ms=_ms(started),
            excerpt=excerpt,
            retry_after=retry_after_seconds(answer.getheader("Retry-After")),
            location=answer.getheader("Location", "") or "",
        )
    except (OSError, http.client.HTTPException) as exc:
        if expired.is_set() or isinstance(exc, TimeoutError):
            error = f"Timed out after {timeout:g} s"
        else:
            error = f"{type(exc).__name__}: {exc}"[:300]
        return Response(status=None, latency_ms=_ms(started), error=error)
    finally:
        watchdog.cancel()
        connection.close()


def _ms(started: float) -> int:
    return round((time.monotonic() - started) * 1000)
