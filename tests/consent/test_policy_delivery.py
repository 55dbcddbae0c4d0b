"""A policy's flips reach the product like any other: numbered in its feed, queued only
after commit, and delivered to a real receiver, signed."""

from collections.abc import Iterator

import pytest

from portal.consent.models import Answer, Cause, PermissionChange, Side
from portal.consent.services import policy_add, policy_lift
from portal.delivery.services import deliveries_send_due, endpoint_create, queue
from tests.conftest import World, say
from tests.receiver import TestReceiver, receiving


@pytest.fixture
def receiver() -> Iterator[TestReceiver]:
    with receiving() as receiver:
        yield receiver


def test_adding_and_lifting_a_policy_are_delivered_to_the_product(
    world: World, receiver: TestReceiver
) -> None:
    _, secret = endpoint_create(product=world.product, url=receiver.url)
    receiver.use_secret(secret)
    say(world, Side.ARTIST, Answer.GRANTED)
    say(world, Side.RIGHTS_HOLDER, Answer.GRANTED)
    assert deliveries_send_due(product_id=world.product.pk) == 1

    policy = policy_add(actor=world.manager, label=world.label, use_type=world.training).policy
    assert deliveries_send_due(product_id=world.product.pk) == 1
    policy_lift(actor=world.manager, policy=policy)
    assert deliveries_send_due(product_id=world.product.pk) == 1

    requests = receiver.requests()
    assert all(r.verified for r in requests), [r.error for r in requests]
    changes = [c for r in requests for c in r.payload["changes"]]
    assert [(c["seq"], c["isrc"], c["use"], c["permitted"]) for c in changes] == [
        (1, world.works[0].isrc, "training", True),
        (2, world.works[0].isrc, "training", False),
        (3, world.works[0].isrc, "training", True),
    ]
    # No decision is behind a policy's flips, so they carry no decision's receipt.
    assert "receipt" in changes[0]
    assert "receipt" not in changes[1] and "receipt" not in changes[2]
    assert list(
        PermissionChange.objects.filter(product=world.product).values_list("cause", flat=True)
    ) == [Cause.DECISION, Cause.POLICY, Cause.POLICY]


def test_nothing_is_queued_before_the_policy_commits(
    world: World, django_capture_on_commit_callbacks, monkeypatch: pytest.MonkeyPatch
) -> None:
    endpoint_create(product=world.product, url="https://receiver.example/hook")
    say(world, Side.ARTIST, Answer.GRANTED)
    say(world, Side.RIGHTS_HOLDER, Answer.GRANTED)
    queued: list[int] = []
    monkeypatch.setattr(queue, "publish", lambda product_id: queued.append(product_id))

    with django_capture_on_commit_callbacks() as callbacks:
        policy_add(actor=world.manager, label=world.label, use_type=world.training)
        assert queued == []
    for callback in callbacks:
        callback()

    assert queued and set(queued) == {world.product.pk}
