"""Consent with terms and products that change, end to end on PostgreSQL, Redis and a
real worker: the webhook that says the use is permitted carries the conditions and the
receipt that records them, a change of the conditions alone is delivered as a change of
its own, and a material version's reconsent_needed reaches the product."""

import pytest
from django.db import transaction
from django.test import Client

from portal.api.services import api_key_issue
from portal.consent.conditions import Given
from portal.consent.models import Answer, Side
from portal.consent.services.versions import version_publish
from portal.delivery.services import deliveries_schedule
from portal.licensing.models import Condition
from portal.receipts.signing import receipt_verify
from tests.conftest import World, say
from tests.delivery.test_worker import (  # noqa: F401 (fixtures)
    Workers,
    _own_queue_is_removed_afterwards,
    connect,
    pytestmark,
    receiver,
    workers,
)
from tests.receiver import TestReceiver

CREDITED = {"code": "credit_required", "credit": "Ada Lane"}
NON_COMMERCIAL = {"code": "non_commercial"}


def answer(world: World, side: str, *conditions: Given) -> None:
    with transaction.atomic():
        say(world, side, Answer.GRANTED, conditions=conditions)
        deliveries_schedule(product_ids=[world.product.pk])


@pytest.mark.usefixtures("transactional_db")
def test_the_conditions_reach_the_product_by_webhook_check_and_receipt(
    world: World,
    workers: Workers,  # noqa: F811 (the fixture)
    receiver: TestReceiver,  # noqa: F811 (the fixture)
) -> None:
    world.product.conditions_honoured.set(
        Condition.objects.filter(code__in=["credit_required", "non_commercial"])
    )
    connect(world, receiver)
    workers.start()
    answer(world, Side.ARTIST, Given("credit_required", "Ada Lane"), Given("non_commercial"))
    answer(world, Side.RIGHTS_HOLDER)
    assert receiver.wait_for(lambda r: r.delivered_seqs() == [1]), workers.logs()

    answer(world, Side.ARTIST, Given("credit_required", "Ada Lane"))
    assert receiver.wait_for(lambda r: r.delivered_seqs() == [1, 2]), workers.logs()

    changes = [c for r in receiver.acknowledged() for c in r.payload["changes"]]
    assert [(c["seq"], c["permitted"], c["conditions"]) for c in changes] == [
        (1, True, [CREDITED, NON_COMMERCIAL]),
        (2, True, [CREDITED]),
    ]
    # The first change was caused by the label's yes, the second by the artist's: each
    # receipt records the conditions its own party set.
    assert [receipt_verify(c["receipt"])["conditions"] for c in changes] == [[], [CREDITED]]

    raw = api_key_issue(product=world.product, name="check")[1]
    checked = Client(headers={"Authorization": f"Bearer {raw}"}).get(
        "/api/v1/permissions/check", {"isrc": world.works[0].isrc, "use": "training"}
    )
    assert checked.json()["conditions"] == [CREDITED]


@pytest.mark.usefixtures("transactional_db")
def test_a_material_version_reaches_the_product_as_reconsent_needed(
    world: World,
    workers: Workers,  # noqa: F811 (the fixture)
    receiver: TestReceiver,  # noqa: F811 (the fixture)
) -> None:
    connect(world, receiver)
    workers.start()
    answer(world, Side.ARTIST)
    answer(world, Side.RIGHTS_HOLDER)
    assert receiver.wait_for(lambda r: r.delivered_seqs() == [1]), workers.logs()

    with transaction.atomic():
        version_publish(
            actor=world.staff,
            product=world.product,
            name="2.0",
            summary="New model.",
            material=True,
        )
        deliveries_schedule(product_ids=[world.product.pk])
    assert receiver.wait_for(lambda r: r.delivered_seqs() == [1, 2]), workers.logs()
    [last] = [c for r in receiver.acknowledged() for c in r.payload["changes"] if c["seq"] == 2]
    assert (last["permitted"], last["conditions"]) == (False, [])
    assert "receipt" not in last  # a version, not a decision, caused it

    raw = api_key_issue(product=world.product, name="check")[1]
    checked = Client(headers={"Authorization": f"Bearer {raw}"}).get(
        "/api/v1/permissions/check", {"isrc": world.works[0].isrc, "use": "training"}
    )
    assert checked.json()["reasons"] == ["reconsent_needed"]
