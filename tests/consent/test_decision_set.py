"""decision_set: one party's answer for one (product, work, use type)."""

from datetime import timedelta

import pytest
from django.utils import timezone

from portal.accounts.models import User
from portal.catalogue.models import ArtistMembership, Work
from portal.consent.models import (
    AnnouncedPermission,
    Answer,
    Cause,
    Decision,
    LedgerEntry,
    PermissionChange,
    Side,
)
from portal.consent.rules import Reason
from portal.consent.services import ConsentError, Outcome, decision_set, product_set_status
from portal.licensing.models import Product, UseType
from tests import factories as f
from tests.conftest import World


def decide(
    world: World,
    side: str,
    answer: str = Answer.GRANTED,
    *,
    work: Work | None = None,
    use: UseType | None = None,
    product: Product | None = None,
    actor: User | None = None,
    **kwargs: object,
) -> Outcome:
    return decision_set(
        actor=actor or (world.artist_user if side == Side.ARTIST else world.manager),
        product=product or world.product,
        work=work or world.works[0],
        use_type=use or world.training,
        side=side,
        answer=answer,
        **kwargs,  # type: ignore[arg-type]
    )


def permission(
    world: World, work: Work | None = None, use: UseType | None = None
) -> AnnouncedPermission:
    return AnnouncedPermission.objects.get(
        product=world.product, work=work or world.works[0], use_type=use or world.training
    )


def is_permitted(world: World, work: Work | None = None, use: UseType | None = None) -> bool:
    return AnnouncedPermission.objects.filter(
        product=world.product,
        work=work or world.works[0],
        use_type=use or world.training,
        permitted=True,
    ).exists()


@pytest.mark.parametrize("side", [Side.ARTIST, Side.RIGHTS_HOLDER])
def test_one_sides_grant_alone_never_permits(world: World, side: str) -> None:
    outcome = decide(world, side)

    assert outcome == Outcome(changed=1)
    assert Decision.objects.get().answer == Answer.GRANTED
    assert not is_permitted(world)
    assert not PermissionChange.objects.exists()


def test_a_grant_from_the_other_artist_does_not_count_for_this_work(world: World) -> None:
    # Opt-in is per work: grants on one work say nothing about another.
    decide(world, Side.ARTIST, work=world.works[1])
    decide(world, Side.RIGHTS_HOLDER, work=world.works[0])

    assert not is_permitted(world, world.works[0])
    assert not is_permitted(world, world.works[1])


def test_a_grant_for_one_use_does_not_permit_another(world: World) -> None:
    decide(world, Side.ARTIST, use=world.training)
    decide(world, Side.RIGHTS_HOLDER, use=world.style)

    assert not PermissionChange.objects.exists()


def test_both_grants_permit_and_record_exactly_one_change(world: World) -> None:
    decide(world, Side.ARTIST)
    outcome = decide(world, Side.RIGHTS_HOLDER)

    assert outcome == Outcome(changed=1, flipped=1)
    change = PermissionChange.objects.get()
    assert (change.product, change.work, change.use_type) == (
        world.product,
        world.works[0],
        world.training,
    )
    assert change.seq == 1
    assert change.permitted is True
    assert change.reasons == []
    assert change.cause == Cause.DECISION
    row = permission(world)
    assert row.permitted is True
    assert row.lapses_at is None


def test_each_change_takes_the_next_seq_of_its_product(world: World) -> None:
    other = f.ProductFactory(licensee=world.product.licensee)
    f.ProductUseFactory(product=other, use_type=world.training)
    for work in world.works:
        decide(world, Side.ARTIST, work=work)
        decide(world, Side.RIGHTS_HOLDER, work=work)
    decide(world, Side.ARTIST, product=other)
    decide(world, Side.RIGHTS_HOLDER, product=other)
    decide(world, Side.ARTIST, Answer.DENIED)

    seqs = list(
        PermissionChange.objects.filter(product=world.product)
        .order_by("seq")
        .values_list("seq", flat=True)
    )
    assert seqs == [1, 2, 3, 4]
    assert list(PermissionChange.objects.filter(product=other).values_list("seq", flat=True)) == [1]


def test_the_same_answer_twice_writes_nothing(world: World) -> None:
    decide(world, Side.ARTIST)
    decide(world, Side.RIGHTS_HOLDER)
    before = Decision.objects.get(side=Side.ARTIST)

    editor = f.ArtistMembershipFactory(artist=world.artist, role=ArtistMembership.Role.EDITOR)
    outcome = decide(world, Side.ARTIST, actor=editor.user)

    assert outcome == Outcome(unchanged=1)
    assert LedgerEntry.objects.count() == 2
    assert PermissionChange.objects.count() == 1
    after = Decision.objects.get(side=Side.ARTIST)
    assert (after.decided_by, after.decided_at) == (before.decided_by, before.decided_at)


def test_the_same_expiry_twice_writes_nothing(world: World) -> None:
    until = timezone.now() + timedelta(days=3)
    decide(world, Side.ARTIST, expires_at=until)

    assert decide(world, Side.ARTIST, expires_at=until) == Outcome(unchanged=1)
    assert LedgerEntry.objects.count() == 1


def test_a_denial_after_a_permit_flips_back(world: World) -> None:
    decide(world, Side.ARTIST)
    decide(world, Side.RIGHTS_HOLDER)

    outcome = decide(world, Side.RIGHTS_HOLDER, Answer.DENIED)

    assert outcome == Outcome(changed=1, flipped=1)
    change = PermissionChange.objects.get(seq=2)
    assert change.permitted is False
    assert change.reasons == [Reason.RIGHTS_HOLDER_DENIED]
    row = permission(world)
    assert (row.permitted, row.reasons) == (False, [Reason.RIGHTS_HOLDER_DENIED])


def test_granting_again_after_a_denial_permits_again(world: World) -> None:
    decide(world, Side.ARTIST)
    decide(world, Side.RIGHTS_HOLDER)
    decide(world, Side.ARTIST, Answer.DENIED)

    decide(world, Side.ARTIST)

    assert list(PermissionChange.objects.values_list("seq", "permitted")) == [
        (1, True),
        (2, False),
        (3, True),
    ]


def test_a_second_denial_records_no_change_but_keeps_the_reasons_current(world: World) -> None:
    decide(world, Side.ARTIST)
    decide(world, Side.RIGHTS_HOLDER)
    decide(world, Side.ARTIST, Answer.DENIED)

    outcome = decide(world, Side.RIGHTS_HOLDER, Answer.DENIED)
    assert outcome == Outcome(changed=1)
    assert permission(world).reasons == [Reason.ARTIST_DENIED, Reason.RIGHTS_HOLDER_DENIED]

    decide(world, Side.ARTIST)  # still not permitted: the label said no
    assert PermissionChange.objects.count() == 2
    assert permission(world).reasons == [Reason.RIGHTS_HOLDER_DENIED]


def test_a_use_the_product_does_not_request_raises_and_writes_nothing(world: World) -> None:
    with pytest.raises(ConsentError, match="does not ask for lyrics"):
        decide(world, Side.ARTIST, use=world.lyrics)

    assert not Decision.objects.exists()
    assert not LedgerEntry.objects.exists()


@pytest.mark.parametrize("ago", [timedelta(seconds=1), timedelta(days=2)])
def test_an_expiry_in_the_past_is_rejected_and_writes_nothing(world: World, ago: timedelta) -> None:
    with pytest.raises(ConsentError, match="expiry must be in the future"):
        decide(world, Side.ARTIST, expires_at=timezone.now() - ago)

    assert not Decision.objects.exists()
    assert not LedgerEntry.objects.exists()


@pytest.mark.parametrize(("side", "answer"), [("label", Answer.GRANTED), (Side.ARTIST, "maybe")])
def test_an_unknown_side_or_answer_is_rejected(world: World, side: str, answer: str) -> None:
    with pytest.raises(ConsentError):
        decide(world, side, answer)

    assert not Decision.objects.exists()


def test_each_answer_is_in_the_ledger_with_who_acted_and_for_whom(world: World) -> None:
    decide(world, Side.ARTIST, note="Happy to")
    decide(world, Side.RIGHTS_HOLDER)
    decide(world, Side.ARTIST, Answer.DENIED)

    first, second, third = LedgerEntry.objects.order_by("position")
    assert [e.position for e in (first, second, third)] == [1, 2, 3]
    assert (first.actor, first.actor_name, first.acting_for) == (
        world.artist_user,
        world.artist_user.display_name,
        "Ada Lane",
    )
    assert (first.previous, first.answer, first.note) == ("", Answer.GRANTED, "Happy to")
    assert (second.side, second.actor, second.acting_for) == (
        Side.RIGHTS_HOLDER,
        world.manager,
        "Northern Lights Records",
    )
    assert (third.previous, third.answer) == (Answer.GRANTED, Answer.DENIED)
    assert second.previous_digest == first.digest
    assert third.previous_digest == second.digest


def test_a_decision_without_an_actor_is_recorded_as_the_portal(world: World) -> None:
    decision_set(
        actor=None,
        product=world.product,
        work=world.works[0],
        use_type=world.training,
        side=Side.ARTIST,
        answer=Answer.GRANTED,
    )

    entry = LedgerEntry.objects.get()
    assert (entry.actor, entry.actor_name) == (None, "Consent Portal")


def test_a_grant_with_an_expiry_permits_until_then(world: World) -> None:
    until = timezone.now() + timedelta(days=7)
    decide(world, Side.ARTIST, expires_at=until)
    decide(world, Side.RIGHTS_HOLDER)

    row = permission(world)
    assert row.permitted is True
    assert row.lapses_at == until
    assert Decision.objects.get(side=Side.ARTIST).expires_at == until


def test_moving_an_expiry_is_a_new_answer_without_a_flip(world: World) -> None:
    decide(world, Side.ARTIST, expires_at=timezone.now() + timedelta(days=7))
    decide(world, Side.RIGHTS_HOLDER)
    later = timezone.now() + timedelta(days=30)

    outcome = decide(world, Side.ARTIST, expires_at=later)

    assert outcome == Outcome(changed=1)
    assert LedgerEntry.objects.count() == 3
    assert PermissionChange.objects.count() == 1
    assert permission(world).lapses_at == later


def test_grants_on_a_suspended_product_record_the_answers_but_never_permit(
    world: World,
) -> None:
    product_set_status(product=world.product, status=Product.Status.SUSPENDED)

    decide(world, Side.ARTIST)
    decide(world, Side.RIGHTS_HOLDER)

    assert Decision.objects.count() == 2
    assert not PermissionChange.objects.exists()


def test_a_stale_product_instance_cannot_permit_after_a_suspension(world: World) -> None:
    stale = Product.objects.get(pk=world.product.pk)
    decide(world, Side.ARTIST)
    product_set_status(product=world.product, status=Product.Status.SUSPENDED)

    decide(world, Side.RIGHTS_HOLDER, product=stale)

    assert not PermissionChange.objects.exists()
    assert not AnnouncedPermission.objects.filter(permitted=True).exists()


def test_grants_without_a_licence_covering_the_use_do_not_permit(world: World) -> None:
    world.licence.use_types.set([world.style])

    decide(world, Side.ARTIST)
    decide(world, Side.RIGHTS_HOLDER)

    assert not PermissionChange.objects.exists()


def test_a_decision_for_another_products_work_does_not_touch_this_product(
    world: World,
) -> None:
    other = f.ProductFactory(licensee=world.product.licensee)
    f.ProductUseFactory(product=other, use_type=world.training)
    decide(world, Side.ARTIST, product=other)
    decide(world, Side.RIGHTS_HOLDER, product=other)

    assert not PermissionChange.objects.filter(product=world.product).exists()
    assert PermissionChange.objects.filter(product=other, permitted=True).count() == 1


def test_a_no_cannot_carry_an_expiry(world: World) -> None:
    with pytest.raises(ConsentError, match="Only a yes can have an expiry"):
        decision_set(
            actor=world.artist_user,
            product=world.product,
            work=world.works[0],
            use_type=world.training,
            side=Side.ARTIST,
            answer=Answer.DENIED,
            expires_at=timezone.now() + timedelta(days=1),
        )
    assert not Decision.objects.exists()
