"""One POST with a hard deadline, never following a redirect, only where it may go.

`http.client` applies its timeout to each socket operation, so a receiver that drips a
byte every few seconds could hold a worker for ever; a watchdog shuts the socket down
when the whole request's time is up.

The host is resolved once and every address checked (`portal.delivery.destinations`);
the connection is then made to a checked address, not to whatever the name resolves to
a moment later, while the `Host` header, TLS SNI and certificate verification still use
the host name.
"""

import contextlib
import email.utils
import http.client
import socket
import ssl
import threading
import time
import unicodedata
from dataclasses import dataclass
from datetime import UTC, datetime

from portal.delivery.destinations import Destination, DestinationRefused, destination_resolve

# Only a glimpse of the receiver's answer is kept, to tell staff what it said: the
# answer of a misdirected request must not become a way to read another server.
EXCERPT_BYTES = 1024
EXCERPT_CHARS = 200
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


def excerpt_of(raw: bytes) -> str:
    """At most `EXCERPT_CHARS` of an answer as one line of text: control and format
    characters (newlines, escapes, bidi overrides) become spaces."""
    text = raw.decode("utf-8", "replace")
    shown = "".join(" " if unicodedata.category(c).startswith("C") else c for c in text)
    return " ".join(shown.split())[:EXCERPT_CHARS]


def _open(addresses: tuple[str, ...], port: int, deadline: float) -> socket.socket:
    """A connection to the first of the checked addresses that answers in time."""
    error: OSError = TimeoutError("no time left to connect")
    for address in addresses:
        left = deadline - time.monotonic()
        if left <= 0:
            break
        try:
            sock = socket.create_connection((address, port), timeout=left)
        except OSError as exc:
            error = exc
            continue
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        return sock
    raise error


class _Pinned(http.client.HTTPConnection):
    """Plain HTTP to a checked address, naming the host in `Host`."""

    def __init__(self, destination: Destination, *, timeout: float, deadline: float) -> None:
        super().__init__(destination.host, destination.port, timeout=timeout)
        self.addresses = destination.addresses
        self.deadline = deadline

    def connect(self) -> None:
        self.sock = _open(self.addresses, self.port, self.deadline)
        self.sock.settimeout(self.timeout)


class _PinnedTLS(http.client.HTTPSConnection):
    """HTTPS to a checked address, with SNI and the certificate checked for the host name."""

    def __init__(self, destination: Destination, *, timeout: float, deadline: float) -> None:
        self.tls = ssl.create_default_context()
        super().__init__(destination.host, destination.port, timeout=timeout, context=self.tls)
        self.addresses = destination.addresses
        self.deadline = deadline

    def connect(self) -> None:
        # The plain socket is held first, so the watchdog can cut a stalled handshake too.
        self.sock = _open(self.addresses, self.port, self.deadline)
        self.sock.settimeout(self.timeout)
        self.sock = self.tls.wrap_socket(self.sock, server_hostname=self.host)


def post(
    *,
    url: str,
    body: bytes,
    headers: dict[str, str],
    timeout: float,
    allow_private: bool = False,
) -> Response:
    """POST `body` to `url`; at most `timeout` seconds from connecting to the last byte.

    Refused without a request (`error` says why) when the URL or any address its host
    resolves to may not be sent to (`portal.delivery.destinations`)."""
    started = time.monotonic()
    try:
        destination = destination_resolve(url, allow_private=allow_private)
    except DestinationRefused as exc:
        return Response(status=None, latency_ms=_ms(started), error=f"Refused: {exc}"[:300])
    deadline = time.monotonic() + timeout
    connection: http.client.HTTPConnection
    if destination.scheme == "https":
        connection = _PinnedTLS(destination, timeout=timeout, deadline=deadline)
    else:
        connection = _Pinned(destination, timeout=timeout, deadline=deadline)
    expired = threading.Event()

    def cut() -> None:
        expired.set()
        sock = connection.sock
        if sock is not None:
            with contextlib.suppress(OSError):  # already closed: nothing to cut
                sock.shutdown(socket.SHUT_RDWR)

    watchdog = threading.Timer(max(0.0, deadline - time.monotonic()), cut)
    watchdog.daemon = True
    watchdog.start()
    try:
        connection.request(
            "POST",
            destination.target,
            body=body,
            headers={
                **headers,
                "Content-Type": "application/json",
                "User-Agent": USER_AGENT,
                "Content-Length": str(len(body)),
            },
        )
        answer = connection.getresponse()
        return Response(
            status=answer.status,
            latency_ms=_ms(started),
            excerpt=excerpt_of(answer.read(EXCERPT_BYTES)),
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
