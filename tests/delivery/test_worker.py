"""Webhook delivery end to end, with nothing faked: a Celery worker in its own process
(with beat inside it running the sweeper every half second), Redis as the broker,
PostgreSQL, and a receiver on loopback that verifies every request with the
`standardwebhooks` library. Then the faults: a receiver failing or too slow, a worker
killed mid-request, the broker unreachable when a change commits, its queue wiped.

The worker gets this run's test database, its own queue and the test timings (tiny
backoff, timeouts of a second or two); see config/settings/test.py.
"""

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import redis
from django.conf import settings as django_settings
from django.db import connection, transaction

from portal.catalogue.models import Work
from portal.consent.models import Answer, Side
from portal.consent.services import decisions_set
from portal.delivery.models import Attempt, Delivery, Endpoint
from portal.delivery.services import deliveries_schedule, endpoint_create, endpoint_enable
from tests import factories as f
from tests.conftest import World, say
from tests.processes import ROOT, celery_worker, eventually, process_env
from tests.receiver import TestReceiver, fail, gone, receiving, redirect, slow

pytestmark = [
    pytest.mark.skipif(
        not os.environ.get("REDIS_URL") or connection.vendor != "postgresql",
        reason="a real worker needs Redis (REDIS_URL) and a database it can share (PostgreSQL)",
    ),
    pytest.mark.django_db(transaction=True),
]


class Workers:
    """Celery workers (`celery -A config worker -B`), each in a process group of its own
    so a test can SIGKILL one whole, parent and pool children together."""

    def __init__(self, tmp_path: Path) -> None:
        self.tmp_path = tmp_path
        self.procs: list[subprocess.Popen[bytes]] = []

    def start(self) -> subprocess.Popen[bytes]:
        n = len(self.procs)
        log = self.tmp_path / f"worker{n}.log"
        proc = celery_worker(
            log,
            *("--beat", "--schedule", str(self.tmp_path / f"beat{n}")),
            *("--queues", django_settings.WEBHOOK_QUEUE, "--concurrency", "2"),
            *("--hostname", f"delivery-test-{n}@%h"),
        )
        self.procs.append(proc)
        return proc

    def kill(self, proc: subprocess.Popen[bytes]) -> None:
        """SIGKILL, as a machine dying would: no clean-up, no acknowledgement."""
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)

    def logs(self) -> str:
        return "\n".join(
            path.read_text(errors="replace")[-3000:] for path in sorted(self.tmp_path.glob("*.log"))
        )

    def stop_all(self) -> None:
        for proc in self.procs:
            self.kill(proc)


@pytest.fixture(scope="module", autouse=True)
def _own_queue_is_removed_afterwards() -> Iterator[None]:
    yield
    queue = django_settings.WEBHOOK_QUEUE
    redis.Redis.from_url(os.environ["REDIS_URL"]).delete(queue, f"_kombu.binding.{queue}")


@pytest.fixture
def workers(transactional_db: None, tmp_path: Path) -> Iterator[Workers]:
    # Requests the database first, so the workers are gone before it is flushed.
    started = Workers(tmp_path)
    yield started
    started.stop_all()


@pytest.fixture
def receiver() -> Iterator[TestReceiver]:
    with receiving() as receiver:
        yield receiver


def connect(world: World, receiver: TestReceiver) -> Endpoint:
    endpoint, secret = endpoint_create(product=world.product, url=receiver.url)
    receiver.use_secret(secret)
    return endpoint


def toggle(world: World, side: str, answer: str, work: Work | None = None) -> float:
    """One answer, committed, with its delivery scheduled; returns when it committed."""
    with transaction.atomic():
        say(world, side, answer, work=work)
        deliveries_schedule(product_ids=[world.product.pk])
    return time.time()


def delivered_seq(endpoint: Endpoint) -> int:
    return Endpoint.objects.values_list("delivered_seq", flat=True).get(pk=endpoint.pk)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def get_json(url: str) -> Any:
    with urllib.request.urlopen(url, timeout=2) as response:  # noqa: S310 (loopback)
        return json.load(response)


# --- the happy path ---------------------------------------------------------------------
def test_a_change_reaches_the_demo_receiver_within_seconds_of_commit(
    world: World, workers: Workers, tmp_path: Path
) -> None:
    port = free_port()
    endpoint, _ = endpoint_create(product=world.product, url=f"http://127.0.0.1:{port}/hooks")
    record = tmp_path / "received.jsonl"
    demo = subprocess.Popen(  # noqa: S603
        [
            *(sys.executable, "manage.py", "demo_receiver", "--port", str(port)),
            *("--product", "tunesmith", "--record", str(record)),
        ],
        cwd=ROOT,
        env=process_env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        assert eventually(lambda: _answers(f"http://127.0.0.1:{port}/"), timeout=20)
        workers.start()
        say(world, Side.ARTIST, Answer.GRANTED)
        committed = toggle(world, Side.RIGHTS_HOLDER, Answer.GRANTED)

        assert eventually(lambda: record.exists() and record.read_text().strip() != ""), (
            workers.logs()
        )
        [line] = record.read_text().splitlines()
        got = json.loads(line)
        assert got["verified"] is True, got
        assert got["at"] - committed < 5.0  # the first attempt within 5 s of commit
        assert got["seqs"] == [1]
        assert got["payload"]["product"] == "tunesmith"
        assert got["payload"]["changes"][0]["permitted"] is True
        assert eventually(lambda: delivered_seq(endpoint) == 1)
        assert get_json(f"http://127.0.0.1:{port}/")["received"][0]["webhook_id"] == (
            Delivery.objects.get().webhook_id
        )
    finally:
        demo.kill()
        output = demo.communicate(timeout=10)[0].decode()
    assert "verified: seq 1–1" in output
    assert f"#1 {world.works[0].isrc} training: permitted" in output


def _answers(url: str) -> bool:
    try:
        return "received" in get_json(url)
    except OSError:
        return False


# --- the receiver misbehaves -------------------------------------------------------------
def test_a_failing_receiver_gets_every_change_in_order_once_it_recovers(
    world: World, workers: Workers, receiver: TestReceiver
) -> None:
    endpoint = connect(world, receiver)
    receiver.then(fail(500), fail(503, retry_after="1"))
    workers.start()
    say(world, Side.ARTIST, Answer.GRANTED)
    toggle(world, Side.RIGHTS_HOLDER, Answer.GRANTED)
    assert receiver.wait_for(lambda r: len(r.requests()) >= 1)
    toggle(world, Side.ARTIST, Answer.DENIED)  # while the first is failing

    assert receiver.wait_for(lambda r: r.delivered_seqs() == [1, 2]), workers.logs()

    requests = receiver.requests()
    assert [r.answered for r in requests] == [500, 503, 200, 200]
    assert requests[0].webhook_id == requests[1].webhook_id == requests[2].webhook_id
    assert requests[3].webhook_id != requests[0].webhook_id
    assert requests[2].at - requests[1].at >= 1.0  # Retry-After: 1 was honoured
    assert all(r.verified for r in requests)
    assert eventually(lambda: delivered_seq(endpoint) == 2)
    endpoint.refresh_from_db()
    assert endpoint.status == Endpoint.Status.ACTIVE
    assert list(Delivery.objects.order_by("pk").values_list("attempts", "status")) == [
        (3, "delivered"),
        (1, "delivered"),
    ]


def test_a_receiver_that_times_out_is_retried_until_it_answers(
    world: World, workers: Workers, receiver: TestReceiver, settings
) -> None:
    settings.WEBHOOK_DELIVERY = {**settings.WEBHOOK_DELIVERY, "timeout": 1.0}
    endpoint = connect(world, receiver)
    receiver.then(slow(3))
    workers.start()
    say(world, Side.ARTIST, Answer.GRANTED)
    toggle(world, Side.RIGHTS_HOLDER, Answer.GRANTED)

    assert receiver.wait_for(lambda r: r.delivered_seqs() == [1]), workers.logs()

    first, second = receiver.requests()
    assert first.webhook_id == second.webhook_id
    assert eventually(lambda: delivered_seq(endpoint) == 1)
    timed_out = Attempt.objects.order_by("at", "pk").first()
    assert timed_out.error == "Timed out after 1 s" and timed_out.status_code is None


def test_a_redirect_fails_a_410_disables_and_re_enabling_resumes_with_the_same_batch(
    world: World, workers: Workers, receiver: TestReceiver
) -> None:
    endpoint = connect(world, receiver)
    receiver.then(redirect("http://127.0.0.1:9/elsewhere"), gone())
    workers.start()
    say(world, Side.ARTIST, Answer.GRANTED)
    toggle(world, Side.RIGHTS_HOLDER, Answer.GRANTED)

    assert eventually(
        lambda: Endpoint.objects.get(pk=endpoint.pk).status == Endpoint.Status.DISABLED
    ), workers.logs()
    toggle(world, Side.ARTIST, Answer.DENIED)
    time.sleep(1.5)  # three sweeps: a disabled endpoint gets nothing
    assert [r.answered for r in receiver.requests()] == [302, 410]
    assert delivered_seq(endpoint) == 0

    endpoint_enable(endpoint=endpoint)

    assert receiver.wait_for(lambda r: r.delivered_seqs() == [1, 2]), workers.logs()
    ids = [r.webhook_id for r in receiver.requests()]
    assert ids[0] == ids[1] == ids[2] != ids[3]


# --- ordering at volume ------------------------------------------------------------------
def test_thousands_of_changes_arrive_in_order_in_batches_with_no_gaps(
    world: World, workers: Workers, receiver: TestReceiver
) -> None:
    artist = f.ArtistFactory(label=world.label)
    works = Work.objects.bulk_create(
        Work(
            isrc=f.isrc_for(60000 + i), title=f"Take {i}", primary_artist=artist, label=world.label
        )
        for i in range(2100)
    )
    # Ada's user is on the new artist's team too, so answers the artist side for it.
    f.ArtistMembershipFactory(artist=artist, user=world.artist_user)
    scope = Work.objects.filter(pk__in=[w.pk for w in works])
    endpoint = connect(world, receiver)
    workers.start()
    for side, actor in ((Side.ARTIST, world.artist_user), (Side.RIGHTS_HOLDER, world.manager)):
        with transaction.atomic():
            decisions_set(
                actor=actor,
                product=world.product,
                use_type=world.training,
                side=side,
                answer=Answer.GRANTED,
                works=scope,
            )
            deliveries_schedule(product_ids=[world.product.pk])

    assert receiver.wait_for(lambda r: len(r.delivered_seqs()) >= 2100, timeout=30), workers.logs()
    assert receiver.delivered_seqs() == list(range(1, 2101))
    assert [len(r.seqs) for r in receiver.acknowledged()] == [1000, 1000, 100]
    assert all(r.verified for r in receiver.requests())
    assert eventually(lambda: delivered_seq(endpoint) == 2100)


# --- faults -----------------------------------------------------------------------------
def test_a_batch_whose_worker_was_killed_mid_request_is_delivered_by_another(
    world: World, workers: Workers, receiver: TestReceiver, settings
) -> None:
    settings.WEBHOOK_DELIVERY = {**settings.WEBHOOK_DELIVERY, "timeout": 2.0}  # lease: 4 s
    endpoint = connect(world, receiver)
    receiver.then(slow(30))  # holds the first request until long after the kill
    first = workers.start()
    say(world, Side.ARTIST, Answer.GRANTED)
    toggle(world, Side.RIGHTS_HOLDER, Answer.GRANTED)
    assert receiver.wait_for(lambda r: len(r.requests()) == 1), workers.logs()

    workers.kill(first)
    killed_at = time.time()
    workers.start()

    assert receiver.wait_for(lambda r: r.delivered_seqs() == [1], timeout=30), workers.logs()
    held, resent = receiver.requests()
    assert held.webhook_id == resent.webhook_id  # the receiver can tell it is the same
    assert resent.at - killed_at < 15
    assert eventually(lambda: delivered_seq(endpoint) == 1)
    assert Delivery.objects.get().status == Delivery.Status.DELIVERED


def test_a_toggle_while_the_broker_is_unreachable_succeeds_and_is_delivered_by_the_sweeper(
    world: World, workers: Workers, receiver: TestReceiver
) -> None:
    endpoint = connect(world, receiver)
    workers.start()
    say(world, Side.ARTIST, Answer.GRANTED)
    snippet = f"""
import django
django.setup()
from django.db import transaction
from portal.accounts.models import User
from portal.catalogue.models import Work
from portal.consent.services import decision_set
from portal.delivery.services import deliveries_schedule
from portal.licensing.models import Product, UseType
with transaction.atomic():
    decision_set(
        actor=User.objects.get(pk={world.manager.pk}),
        product=Product.objects.get(pk={world.product.pk}),
        work=Work.objects.get(pk={world.works[0].pk}),
        use_type=UseType.objects.get(pk={world.training.pk}),
        side="rights_holder",
        answer="granted",
    )
    deliveries_schedule(product_ids=[{world.product.pk}])
print("toggled")
"""
    started = time.monotonic()
    # The artist's request, in a process whose broker is a port nobody listens on.
    done = subprocess.run(  # noqa: S603
        [sys.executable, "-c", snippet],
        cwd=ROOT,
        env=process_env(REDIS_URL="redis://127.0.0.1:9/0"),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    assert "toggled" in done.stdout
    assert "the sweeper will send it" in done.stderr
    assert time.monotonic() - started < 20  # a dead broker costs the request little

    assert receiver.wait_for(lambda r: r.delivered_seqs() == [1]), workers.logs()
    assert eventually(lambda: delivered_seq(endpoint) == 1)


def test_changes_whose_messages_were_wiped_from_redis_are_delivered_by_the_sweeper(
    world: World, workers: Workers, receiver: TestReceiver
) -> None:
    endpoint = connect(world, receiver)
    say(world, Side.ARTIST, Answer.GRANTED)
    toggle(world, Side.RIGHTS_HOLDER, Answer.GRANTED)
    toggle(world, Side.ARTIST, Answer.DENIED)
    with transaction.atomic():  # a change whose on-commit hook never ran
        say(world, Side.ARTIST, Answer.GRANTED)
    broker = redis.Redis.from_url(os.environ["REDIS_URL"])
    assert broker.llen(django_settings.WEBHOOK_QUEUE) >= 1
    broker.delete(django_settings.WEBHOOK_QUEUE)  # Redis wiped: the messages are gone

    workers.start()

    assert receiver.wait_for(lambda r: r.delivered_seqs() == [1, 2, 3]), workers.logs()
    assert eventually(lambda: delivered_seq(endpoint) == 3)
