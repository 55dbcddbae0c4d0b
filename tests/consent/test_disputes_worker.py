"""A dispute's flip reaches the product end to end: a real Celery worker (in its own
process, Redis as the broker) signs and sends it to a receiver on loopback that verifies
it, in order after the yes it stops."""

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis
from django.conf import settings
from django.db import connection

from portal.consent.models import Answer, DisputeReason, Side
from portal.consent.services import dispute_raise
from portal.delivery.services import endpoint_create
from tests.conftest import World, say
from tests.delivery.test_worker import Workers
from tests.receiver import TestReceiver, receiving

pytestmark = [
    pytest.mark.skipif(
        not os.environ.get("REDIS_URL") or connection.vendor != "postgresql",
        reason="a real worker needs Redis (REDIS_URL) and a database it can share (PostgreSQL)",
    ),
    pytest.mark.django_db(transaction=True),
]


@pytest.fixture(scope="module", autouse=True)
def _own_queue_is_removed_afterwards() -> Iterator[None]:
    yield
    queue = settings.WEBHOOK_QUEUE
    redis.Redis.from_url(os.environ["REDIS_URL"]).delete(queue, f"_kombu.binding.{queue}")


@pytest.fixture
def workers(transactional_db: None, tmp_path: Path) -> Iterator[Workers]:
    started = Workers(tmp_path)
    yield started
    started.stop_all()


@pytest.fixture
def receiver() -> Iterator[TestReceiver]:
    with receiving() as receiver:
        yield receiver


def test_the_dispute_reaches_the_products_webhook_through_a_real_worker(
    world: World, workers: Workers, receiver: TestReceiver
) -> None:
    work = world.works[0]
    _, secret = endpoint_create(product=world.product, url=receiver.url)
    receiver.use_secret(secret)
    workers.start()
    say(world, Side.ARTIST, Answer.GRANTED, work=work)
    say(world, Side.RIGHTS_HOLDER, Answer.GRANTED, work=work)
    assert receiver.wait_for(lambda r: r.delivered_seqs() == [1]), workers.logs()

    dispute_raise(
        actor=world.manager, work=work, reason=DisputeReason.WRONG_LABEL, note="Not ours."
    )

    assert receiver.wait_for(lambda r: r.delivered_seqs() == [1, 2]), workers.logs()
    last = receiver.acknowledged()[-1]
    assert last.verified, last.error
    [change] = last.payload["changes"]
    assert (change["seq"], change["isrc"], change["use"], change["permitted"]) == (
        2,
        work.isrc,
        "training",
        False,
    )
    assert "receipt" not in change  # nobody answered: no decision's receipt
