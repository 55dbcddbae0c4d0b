"""Consent says when products have new changes (`changes_recorded`); delivery listens and
sends them after commit. Consent never imports delivery."""

from collections.abc import Iterator
from typing import Any

import pytest
from django.db import connection, transaction

from portal.consent.models import Answer, Side
from portal.consent.signals import changes_recorded
from portal.delivery.services import endpoint_create, queue
from tests.conftest import World, say
from tests.receiver import receiving


@pytest.fixture
def heard() -> Iterator[list[tuple[list[int], bool]]]:
    """What `changes_recorded` carried, and whether it came inside a transaction."""
    calls: list[tuple[list[int], bool]] = []

    def listener(sender: Any, *, product_ids: list[int], **kwargs: Any) -> None:
        calls.append((list(product_ids), connection.in_atomic_block))

    changes_recorded.connect(listener, dispatch_uid="test-listener")
    yield calls
    changes_recorded.disconnect(dispatch_uid="test-listener")


@pytest.fixture
def queued(world: World, monkeypatch: pytest.MonkeyPatch) -> Iterator[list[int]]:
    """Products whose send was queued; the product has an endpoint."""
    sent: list[int] = []
    monkeypatch.setattr(queue, "publish", lambda product_id: sent.append(product_id))
    with receiving() as receiver:
        endpoint_create(product=world.product, url=receiver.url)
        yield sent


def test_a_flip_is_announced_once_inside_the_transaction_that_records_it(
    world: World, heard: list[tuple[list[int], bool]]
) -> None:
    say(world, Side.ARTIST, Answer.GRANTED)
    assert heard == []  # one side's yes flips nothing

    say(world, Side.RIGHTS_HOLDER, Answer.GRANTED)

    assert heard == [([world.product.pk], True)]


def test_delivery_queues_the_change_only_once_it_commits(
    world: World, queued: list[int], django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks() as callbacks:
        say(world, Side.ARTIST, Answer.GRANTED)
        say(world, Side.RIGHTS_HOLDER, Answer.GRANTED)
        assert queued == []
    for callback in callbacks:
        callback()

    assert queued == [world.product.pk]


def test_a_change_that_rolls_back_is_never_queued(
    world: World, queued: list[int], django_capture_on_commit_callbacks: Any
) -> None:
    with (
        django_capture_on_commit_callbacks(execute=True),
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        say(world, Side.ARTIST, Answer.GRANTED)
        say(world, Side.RIGHTS_HOLDER, Answer.GRANTED)
        raise RuntimeError("rolled back")

    assert queued == []
