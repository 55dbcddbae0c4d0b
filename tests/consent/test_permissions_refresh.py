"""permissions_refresh and product_set_status: flips caused by something other than a decision
(the product's status, a licence, the clock) are announced like any other."""

from datetime import datetime, timedelta

import pytest
from django.utils import timezone

from portal.catalogue.models import Work
from portal.consent.models import (
    AnnouncedPermission,
    Answer,
    Cause,
    Decision,
    PermissionChange,
    Side,
)
from portal.consent.rules import Reason, end_of
from portal.consent.services import (
    ConsentError,
    decision_set,
    permissions_refresh,
    product_set_status,
)
from portal.licensing.models import Product, ProductUse, UseType
from tests.conftest import World


def grant(
    world: World,
    side: str,
    work: Work,
    use: UseType,
    expires_at: datetime | None = None,
) -> None:
    decision_set(
        actor=world.artist_user if side == Side.ARTIST else world.manager,
        product=world.product,
        work=work,
        use_type=use,
        side=side,
        answer=Answer.GRANTED,
        expires_at=expires_at,
    )


def both_grant(world: World, work: Work, use: UseType) -> None:
    grant(world, Side.ARTIST, work, use)
    grant(world, Side.RIGHTS_HOLDER, work, use)


@pytest.fixture
def permitted(world: World) -> int:
    """Four permitted pairs, and one the label has not answered yet."""
    for work in world.works:
        both_grant(world, work, world.training)
    both_grant(world, world.works[0], world.style)
    grant(world, Side.ARTIST, world.works[1], world.style)
    assert AnnouncedPermission.objects.filter(permitted=True).count() == 4
    return 4


def changes_since(seq: int) -> list[PermissionChange]:
    return list(PermissionChange.objects.filter(seq__gt=seq).order_by("seq"))


def seqs() -> list[int]:
    return list(PermissionChange.objects.order_by("seq").values_list("seq", flat=True))


@pytest.mark.parametrize(
    ("status", "reason"),
    [
        (Product.Status.SUSPENDED, Reason.PRODUCT_SUSPENDED),
        (Product.Status.RETIRED, Reason.PRODUCT_RETIRED),
        (Product.Status.DRAFT, Reason.PRODUCT_NOT_LAUNCHED),
    ],
)
def test_stopping_a_product_announces_every_permitted_pair_as_not_permitted(
    world: World, permitted: int, status: str, reason: str
) -> None:
    flipped = product_set_status(product=world.product, status=status)

    assert flipped == permitted
    new = changes_since(permitted)
    assert [c.seq for c in new] == [5, 6, 7, 8]
    assert {(c.permitted, c.cause) for c in new} == {(False, Cause.PRODUCT)}
    assert all(c.reasons == [reason] for c in new)
    assert not AnnouncedPermission.objects.filter(permitted=True).exists()
    world.product.refresh_from_db()
    assert world.product.status == status
    assert world.product.status_changed_at is not None


def test_reactivating_a_product_announces_the_same_pairs_permitted_again(
    world: World, permitted: int
) -> None:
    product_set_status(product=world.product, status=Product.Status.SUSPENDED)

    flipped = product_set_status(product=world.product, status=Product.Status.ACTIVE)

    assert flipped == permitted
    assert {(c.permitted, c.cause) for c in changes_since(8)} == {(True, Cause.PRODUCT)}
    assert seqs() == list(range(1, 13))
    assert AnnouncedPermission.objects.filter(permitted=True).count() == permitted


def test_suspending_a_product_with_nothing_permitted_announces_nothing(world: World) -> None:
    grant(world, Side.ARTIST, world.works[0], world.training)

    assert product_set_status(product=world.product, status=Product.Status.SUSPENDED) == 0
    assert not PermissionChange.objects.exists()


def test_setting_the_status_a_product_already_has_announces_nothing(
    world: World, permitted: int
) -> None:
    product_set_status(product=world.product, status=Product.Status.SUSPENDED)
    world.product.refresh_from_db()
    since = world.product.status_changed_at

    assert product_set_status(product=world.product, status=Product.Status.SUSPENDED) == 0
    world.product.refresh_from_db()
    assert world.product.status_changed_at == since
    assert len(seqs()) == 8


def test_an_unknown_status_is_rejected_and_changes_nothing(world: World, permitted: int) -> None:
    with pytest.raises(ConsentError):
        product_set_status(product=world.product, status="paused")

    world.product.refresh_from_db()
    assert world.product.status == Product.Status.ACTIVE
    assert len(seqs()) == permitted


def test_a_licence_edited_to_end_in_the_past_flips_on_refresh(world: World, permitted: int) -> None:
    world.licence.ends_on = timezone.now().date() - timedelta(days=1)
    world.licence.save()

    flipped = permissions_refresh(product=world.product, cause=Cause.LICENCE)

    assert flipped == permitted
    new = changes_since(permitted)
    assert {(c.permitted, c.cause) for c in new} == {(False, Cause.LICENCE)}
    assert all(c.reasons == [Reason.LICENCE_ENDED] for c in new)
    assert permissions_refresh(product=world.product, cause=Cause.LICENCE) == 0


def test_a_licence_extended_again_permits_again_on_refresh(world: World, permitted: int) -> None:
    world.licence.ends_on = timezone.now().date() - timedelta(days=1)
    world.licence.save()
    permissions_refresh(product=world.product, cause=Cause.LICENCE)

    world.licence.ends_on = None
    world.licence.save()

    assert permissions_refresh(product=world.product, cause=Cause.LICENCE) == permitted
    assert AnnouncedPermission.objects.filter(permitted=True, lapses_at=None).count() == permitted


def test_a_licence_no_longer_covering_a_use_flips_only_that_use(
    world: World, permitted: int
) -> None:
    world.licence.use_types.remove(world.style)

    assert permissions_refresh(product=world.product, cause=Cause.LICENCE) == 1
    change = changes_since(permitted)[0]
    assert (change.work, change.use_type, change.reasons) == (
        world.works[0],
        world.style,
        [Reason.LICENCE_EXCLUDES_USE],
    )
    assert AnnouncedPermission.objects.filter(use_type=world.training, permitted=True).count() == 3


def test_a_use_the_product_stops_asking_for_flips_on_refresh(world: World, permitted: int) -> None:
    ProductUse.objects.filter(product=world.product, use_type=world.style).delete()

    assert permissions_refresh(product=world.product, cause=Cause.PRODUCT) == 1
    assert changes_since(permitted)[0].reasons == [Reason.USE_NOT_REQUESTED]


def test_an_expired_grant_flips_on_the_expiry_sweep(world: World) -> None:
    until = timezone.now() + timedelta(hours=1)
    grant(world, Side.ARTIST, world.works[0], world.training, expires_at=until)
    grant(world, Side.RIGHTS_HOLDER, world.works[0], world.training)
    assert AnnouncedPermission.objects.get().lapses_at == until
    # Move the clock: the grant's expiry is now behind us.
    Decision.objects.filter(side=Side.ARTIST).update(
        expires_at=timezone.now() - timedelta(seconds=1)
    )

    assert permissions_refresh(product=world.product, cause=Cause.EXPIRY) == 1

    change = PermissionChange.objects.get(seq=2)
    assert (change.permitted, change.cause, change.reasons) == (
        False,
        Cause.EXPIRY,
        [Reason.ARTIST_EXPIRED],
    )
    row = AnnouncedPermission.objects.get()
    assert (row.permitted, row.lapses_at) == (False, None)
    assert permissions_refresh(product=world.product, cause=Cause.EXPIRY) == 0


def test_a_grant_not_yet_expired_survives_the_expiry_sweep(world: World) -> None:
    grant(world, Side.ARTIST, world.works[0], world.training, timezone.now() + timedelta(hours=1))
    grant(world, Side.RIGHTS_HOLDER, world.works[0], world.training)

    assert permissions_refresh(product=world.product, cause=Cause.EXPIRY) == 0
    assert AnnouncedPermission.objects.get().permitted is True


def test_permission_rows_carry_the_earliest_of_the_expiries_and_the_licence_end(
    world: World,
) -> None:
    ends_on = timezone.now().date() + timedelta(days=10)
    world.licence.ends_on = ends_on
    world.licence.save()
    label_until = timezone.now() + timedelta(days=5)
    grant(world, Side.ARTIST, world.works[0], world.training, timezone.now() + timedelta(days=20))
    grant(world, Side.RIGHTS_HOLDER, world.works[0], world.training, label_until)
    assert AnnouncedPermission.objects.get().lapses_at == label_until

    # The label extends its yes past the licence: now the licence's end comes first.
    grant(
        world, Side.RIGHTS_HOLDER, world.works[0], world.training, label_until + timedelta(days=30)
    )

    row = AnnouncedPermission.objects.get()
    assert (row.permitted, row.lapses_at) == (True, end_of(ends_on))
    assert PermissionChange.objects.count() == 1


def test_a_licence_end_set_later_moves_lapses_at_without_a_flip(
    world: World, permitted: int
) -> None:
    ends_on = timezone.now().date() + timedelta(days=90)
    world.licence.ends_on = ends_on
    world.licence.save()

    assert permissions_refresh(product=world.product, cause=Cause.LICENCE) == 0
    assert (
        list(AnnouncedPermission.objects.values_list("permitted", "lapses_at"))
        == [(True, end_of(ends_on))] * permitted
    )


def test_a_refresh_limited_to_some_works_leaves_the_others(world: World, permitted: int) -> None:
    Product.objects.filter(pk=world.product.pk).update(status=Product.Status.SUSPENDED)

    flipped = permissions_refresh(
        product=world.product, cause=Cause.PRODUCT, works=Work.objects.filter(pk=world.works[1].pk)
    )

    assert flipped == 1
    assert AnnouncedPermission.objects.filter(permitted=True).count() == permitted - 1


def test_a_refresh_reads_the_products_status_from_the_database(
    world: World, permitted: int
) -> None:
    stale = Product.objects.get(pk=world.product.pk)
    Product.objects.filter(pk=world.product.pk).update(status=Product.Status.SUSPENDED)

    assert permissions_refresh(product=stale, cause=Cause.PRODUCT) == permitted


def test_a_refresh_with_nothing_changed_announces_nothing(world: World, permitted: int) -> None:
    for cause in Cause.values:
        assert permissions_refresh(product=world.product, cause=cause) == 0
    assert seqs() == [1, 2, 3, 4]
