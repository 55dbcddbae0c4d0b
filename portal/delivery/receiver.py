"""A webhook receiver on loopback, as a product would run one: it verifies every request
with the `standardwebhooks` library and records what it got.

Used by `manage.py demo_receiver` and, through `tests/receiver.py`, by the tests. It
serves each request on its own thread; `reply` decides the reply (the demo always says
200 to a good signature and 401 to a bad one).
"""

import json
import threading
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from standardwebhooks.webhooks import Webhook, WebhookVerificationError

MAX_BODY = 10 * 1024 * 1024


@dataclass
class Received:
    """One request as the receiver saw it."""

    webhook_id: str
    timestamp: str
    signature: str
    verified: bool
    error: str
    payload: Any
    raw: str
    at: float = field(default_factory=time.time)
    answered: int | None = None
    # Seconds the answer was held back; a held answer may reach a sender that gave up.
    held: float = 0.0

    @property
    def seqs(self) -> list[int]:
        if not isinstance(self.payload, dict):
            return []
        return [change["seq"] for change in self.payload.get("changes", [])]

    def as_json(self) -> dict[str, Any]:
        data = asdict(self)
        data.pop("raw")
        data["seqs"] = self.seqs
        return data


@dataclass(frozen=True)
class Reply:
    """A reply: status, extra headers, and how long to wait before sending it."""

    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0
    body: str = ""


def standard_reply(received: Received) -> Reply:
    if not received.verified:
        return Reply(401, body=json.dumps({"error": received.error}))
    return Reply(200, body=json.dumps({"ok": True}))


class Receiver:
    """Serve on 127.0.0.1 (`port=0` picks a free port) until `stop()`."""

    def __init__(
        self,
        *,
        secret: str | None,
        port: int = 0,
        reply: Callable[[Received], Reply] = standard_reply,
        on_receive: Callable[[Received], None] | None = None,
    ) -> None:
        self.webhook = Webhook(secret) if secret else None
        self.reply = reply
        self.on_receive = on_receive
        self.received: list[Received] = []
        self.lock = threading.Lock()
        self.server = ThreadingHTTPServer(("127.0.0.1", port), self._handler())
        self.server.daemon_threads = True
        self.thread: threading.Thread | None = None

    @property
    def port(self) -> int:
        return int(self.server.server_address[1])

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/hooks"

    def start(self) -> "Receiver":
        # A short poll, so that stop() returns at once (tests start and stop many).
        self.thread = threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self.thread.start()
        return self

    def serve_forever(self) -> None:
        self.server.serve_forever()

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def verify(self, raw: str, headers: dict[str, str]) -> tuple[bool, str, Any]:
        if self.webhook is None:
            return False, "No secret to verify with", _json_or_none(raw)
        try:
            return True, "", self.webhook.verify(raw, headers)
        except WebhookVerificationError as exc:
            return False, str(exc), _json_or_none(raw)

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = min(int(self.headers.get("Content-Length") or 0), MAX_BODY)
                raw = self.rfile.read(length).decode("utf-8", "replace")
                headers = {key.lower(): value for key, value in self.headers.items()}
                verified, error, payload = receiver.verify(raw, headers)
                received = Received(
                    webhook_id=headers.get("webhook-id", ""),
                    timestamp=headers.get("webhook-timestamp", ""),
                    signature=headers.get("webhook-signature", ""),
                    verified=verified,
                    error=error,
                    payload=payload,
                    raw=raw,
                )
                with receiver.lock:
                    receiver.received.append(received)
                reply = receiver.reply(received)
                received.held = reply.delay
                if reply.delay:
                    time.sleep(reply.delay)
                received.answered = reply.status
                body = reply.body.encode()
                try:
                    self.send_response(reply.status)
                    for name, value in reply.headers.items():
                        self.send_header(name, value)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body)
                except OSError:
                    pass  # the sender gave up (timed out) before we answered
                if receiver.on_receive:
                    receiver.on_receive(received)

            def do_GET(self) -> None:
                with receiver.lock:
                    data = [r.as_json() for r in receiver.received]
                body = json.dumps({"received": data}, indent=2).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format: str, *args: Any) -> None:
                pass  # the command prints its own summary

        return Handler


def _json_or_none(raw: str) -> Any:
    try:
        return json.loads(raw)
    except ValueError:
        return None
