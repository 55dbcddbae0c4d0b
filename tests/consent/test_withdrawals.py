"""A work its label withdraws: not permitted with the reason `work_withdrawn`, announced
and delivered like any other flip, and permitted again when it is released again."""

from collections.abc import Iterator
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from portal.api.services import api_key_issue
from portal.catalogue.models import Work
from portal.consent.facts import verdicts_for_pairs
from portal.consent.models import (
    AnnouncedPermission,
    Answer,
    Cause,
    LedgerEntry,
    PermissionChange,
    Side,
)
from portal.consent.rules import Reason, SideAnswer, evaluate
from portal.consent.services import ConsentError, works_reinstate, works_withdraw
from portal.consent.wording import explain
from portal.delivery.services import deliveries_send_due, endpoint_create
from portal.licensing.models import Product
from tests.conftest import World, logged_in, say
from tests.receiver import TestReceiver, receiving


@pytest.fixture
def receiver() -> Iterator[TestReceiver]:
    with receiving() as receiver:
        yield receiver


def permit(world: World, work: Work) -> None:
    say(world, Side.ARTIST, Answer.GRANTED, work=work)
    say(world, Side.RIGHTS_HOLDER, Answer.GRANTED, work=work)


def check(world: World, work: Work) -> dict[str, object]:
    """The API check's answer, as the product asks it."""
    key = api_key_issue(product=world.product, name="tests")[1]
    response = Client(headers={"Authorization": f"Bearer {key}"}).get(
        "/api/v1/permissions/check", {"isrc": work.isrc, "use": "training"}
    )
    assert response.status_code == 200, response.content
    return dict(response.json())


def test_the_rule_names_a_withdrawn_work_and_permits_nothing() -> None:
    yes = SideAnswer(Answer.GRANTED, None)
    now = timezone.now()
    verdict = evaluate(
        product_status=Product.Status.ACTIVE,
        requested=True,
        terms=[],
        use_type_id=1,
        artist=yes,
        rights_holder=yes,
        now=now,
        live=False,
    )
    assert not verdict.permitted
    assert Reason.WORK_WITHDRAWN in verdict.reasons
    assert Reason.WORK_WITHDRAWN.label == "the recording was withdrawn by the label"


def test_a_permitted_work_withdrawn_is_not_permitted_and_the_webhook_carries_it(
    world: World, receiver: TestReceiver
) -> None:
    work = world.works[0]
    _, secret = endpoint_create(product=world.product, url=receiver.url)
    receiver.use_secret(secret)
    permit(world, work)
    before = PermissionChange.objects.filter(product=world.product).count()
    ledger = LedgerEntry.objects.count()

    assert works_withdraw(work_ids=[work.pk]) == [work.pk]

    change = PermissionChange.objects.filter(product=world.product).latest("seq")
    assert change.seq == before + 1
    assert (change.work_id, change.permitted, change.cause) == (work.pk, False, Cause.WITHDRAWAL)
    assert change.reasons == [Reason.WORK_WITHDRAWN]
    # Not a decision: the answers stand and the ledger is untouched.
    assert LedgerEntry.objects.count() == ledger
    announced = AnnouncedPermission.objects.get(product=world.product, work=work)
    assert (announced.permitted, announced.reasons) == (False, [Reason.WORK_WITHDRAWN])
    answer = check(world, work)
    assert (answer["permitted"], answer["reasons"]) == (False, ["work_withdrawn"])
    assert answer["version"] == change.seq

    assert deliveries_send_due(product_id=world.product.pk) == 1
    [request] = receiver.requests()
    assert request.verified, request.error
    # The yes before it, then the withdrawal, in order.
    assert [c["seq"] for c in request.payload["changes"]] == [change.seq - 1, change.seq]
    carried = request.payload["changes"][-1]
    assert (carried["isrc"], carried["use"], carried["permitted"]) == (
        work.isrc,
        "training",
        False,
    )


def test_a_reinstated_work_is_permitted_again_with_the_next_seq(world: World) -> None:
    work = world.works[0]
    permit(world, work)
    works_withdraw(work_ids=[work.pk])
    withdrawn_seq = PermissionChange.objects.filter(product=world.product).latest("seq").seq

    assert works_reinstate(work_ids=[work.pk]) == [work.pk]

    change = PermissionChange.objects.filter(product=world.product).latest("seq")
    assert (change.seq, change.permitted, change.cause) == (
        withdrawn_seq + 1,
        True,
        Cause.WITHDRAWAL,
    )
    work.refresh_from_db()
    assert work.withdrawn_at is None
    assert check(world, work)["permitted"] is True


def test_withdrawing_twice_keeps_the_first_time_and_announces_once(world: World) -> None:
    work = world.works[0]
    permit(world, work)
    first = timezone.now() - timedelta(hours=1)
    works_withdraw(work_ids=[work.pk], at=first)
    count = PermissionChange.objects.count()

    assert works_withdraw(work_ids=[work.pk]) == []

    work.refresh_from_db()
    assert work.withdrawn_at == first
    assert PermissionChange.objects.count() == count
    assert works_reinstate(work_ids=[world.works[1].pk]) == []  # live already


def test_a_withdrawal_cannot_be_dated_in_the_future(world: World) -> None:
    with pytest.raises(ConsentError):
        works_withdraw(work_ids=[world.works[0].pk], at=timezone.now() + timedelta(days=1))
    world.works[0].refresh_from_db()
    assert world.works[0].withdrawn_at is None


def test_a_never_permitted_withdrawn_work_is_checked_with_that_reason(world: World) -> None:
    work = world.works[1]
    works_withdraw(work_ids=[work.pk])

    assert not PermissionChange.objects.exists()  # nothing was permitted: nothing flips
    verdict = verdicts_for_pairs(
        product=world.product,
        pairs=[(work.pk, world.training.pk)],
        labels={work.pk: work.label_id},
        now=timezone.now(),
    )[(work.pk, world.training.pk)]
    assert Reason.WORK_WITHDRAWN in verdict.reasons
    answer = check(world, work)
    assert answer["permitted"] is False
    assert "work_withdrawn" in answer["reasons"]  # type: ignore[operator]


def test_a_withdrawn_work_is_marked_in_the_matrix_and_explained(world: World) -> None:
    work = world.works[0]
    permit(world, work)
    works_withdraw(work_ids=[work.pk])
    work.refresh_from_db()

    response = logged_in(world.artist_user).get(
        f"/artists/{world.artist.pk}/products/{world.product.slug}/"
    )

    page = response.content.decode()
    assert response.status_code == 200
    assert "Withdrawn by the label" in page
    assert "Northern Lights Records withdrew the recording" in page
    verdict = verdicts_for_pairs(
        product=world.product,
        pairs=[(work.pk, world.training.pk)],
        labels={work.pk: work.label_id},
        now=timezone.now(),
    )[(work.pk, world.training.pk)]
    wording = explain(
        verdict, side=Side.ARTIST, product=world.product, work=work, label_name="Northern Lights"
    )
    assert wording == "Not permitted: Northern Lights withdrew the recording"
