"""A real webhook receiver for tests: HTTP on 127.0.0.1 in a thread, verifying every
request with the `standardwebhooks` library, answering from a script.

    with receiving() as receiver:
        receiver.then(fail(500), slow(3), gone())   # then 200 for ever
        ...
        receiver.wait_for(lambda r: r.delivered_seqs() == [1, 2])

It is `portal.delivery.receiver.Receiver` (what `manage.py demo_receiver` serves) with
a script of answers and helpers to wait for and read what arrived.
"""

import threading
import time
from collections import deque
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from standardwebhooks.webhooks import Webhook

from portal.delivery.receiver import Received, Receiver, Reply


def ok() -> Reply:
    return Reply(200, body='{"ok":true}')


def fail(status: int = 500, retry_after: str | None = None) -> Reply:
    headers = {"Retry-After": retry_after} if retry_after is not None else {}
    return Reply(status, headers=headers, body='{"error":"try later"}')


def gone() -> Reply:
    return Reply(410, body='{"error":"gone"}')


def redirect(to: str, status: int = 302) -> Reply:
    return Reply(status, headers={"Location": to})


def slow(seconds: float) -> Reply:
    """Answer 200, but only after `seconds`: past the sender's timeout, it never sees it."""
    return Reply(200, delay=seconds, body='{"ok":true}')


class TestReceiver(Receiver):
    __test__ = False  # not a test class, whatever pytest thinks of the name

    def __init__(self, secret: str | None = None) -> None:
        self.script: deque[Reply] = deque()
        self.arrived = threading.Condition()
        super().__init__(secret=secret, reply=self._reply, on_receive=self._notify)

    def use_secret(self, secret: str) -> None:
        self.webhook = Webhook(secret)

    def then(self, *replies: Reply) -> "TestReceiver":
        """Answer the next requests with these, in order; 200 after them."""
        with self.lock:
            self.script.extend(replies)
        return self

    def _reply(self, received: Received) -> Reply:
        with self.lock:
            scripted = self.script.popleft() if self.script else None
        if scripted is not None:
            return scripted
        return ok() if received.verified else Reply(401, body=received.error)

    def _notify(self, received: Received) -> None:
        with self.arrived:
            self.arrived.notify_all()

    def requests(self) -> list[Received]:
        with self.lock:
            return list(self.received)

    def acknowledged(self) -> list[Received]:
        """Requests answered 2xx in time, once per webhook-id (what a de-duplicating
        receiver keeps). A held answer is taken to have missed the sender's deadline."""
        seen: dict[str, Received] = {}
        for received in self.requests():
            answered = received.answered
            if answered is not None and 200 <= answered < 300 and not received.held:
                seen.setdefault(received.webhook_id, received)
        return list(seen.values())

    def delivered_seqs(self) -> list[int]:
        """Every change acknowledged, in the order it arrived."""
        return [seq for received in self.acknowledged() for seq in received.seqs]

    def wait_for(self, condition: Callable[["TestReceiver"], bool], timeout: float = 20.0) -> bool:
        deadline = time.monotonic() + timeout
        with self.arrived:
            while not condition(self):
                left = deadline - time.monotonic()
                if left <= 0:
                    return False
                # Answers are recorded after the reply is sent, so poll as well.
                self.arrived.wait(min(left, 0.05))
        return True


@contextmanager
def receiving(secret: str | None = None) -> Iterator[TestReceiver]:
    receiver = TestReceiver(secret).start()
    try:
        yield receiver  # type: ignore[misc]
    finally:
        receiver.stop()
