"""grants_withdraw_all: an artist's "stop everything" turns every yes of theirs into a no."""

import pytest

from portal.catalogue.models import Work
from portal.consent import ledger
from portal.consent.models import (
    AnnouncedPermission,
    Answer,
    Decision,
    LedgerEntry,
    PermissionChange,
    Side,
)
from portal.consent.rules import Reason
from portal.consent.services import Outcome, decision_set, decisions, grants_withdraw_all
from portal.licensing.models import Product, ProductUse, UseType
from tests import factories as f
from tests.conftest import World


def decide(
    world: World, product: Product, work: Work, use: UseType, side: str, answer: str
) -> None:
    artist_side = (
        world.artist_user if work.primary_artist_id == world.artist.pk else world.other_artist_user
    )
    decision_set(
        actor=artist_side if side == Side.ARTIST else world.manager,
        product=product,
        work=work,
        use_type=use,
        side=side,
        answer=answer,
    )


def both_grant(world: World, product: Product, work: Work, use: UseType) -> None:
    decide(world, product, work, use, Side.ARTIST, Answer.GRANTED)
    decide(world, product, work, use, Side.RIGHTS_HOLDER, Answer.GRANTED)


@pytest.fixture
def stemify(world: World) -> Product:
    """A second product, of another licensee, asking for lyrics under its own licence."""
    product = f.ProductFactory(slug="stemify", name="Stemify")
    f.ProductUseFactory(product=product, use_type=world.lyrics)
    f.LicenceFactory(licensee=product.licensee, label=world.label, use_types=[world.lyrics])
    return product


@pytest.fixture
def granted(world: World, stemify: Product) -> Work:
    """Ada granted five pairs on two products and refused one; Bo granted one. Returns Bo's work."""
    w0, w1, w2 = world.works
    for work in (w0, w1, w2):
        both_grant(world, world.product, work, world.training)
    both_grant(world, world.product, w0, world.style)
    decide(world, world.product, w1, world.style, Side.ARTIST, Answer.DENIED)
    both_grant(world, stemify, w1, world.lyrics)
    bos_work = Work.objects.get(primary_artist=world.other_artist)
    both_grant(world, world.product, bos_work, world.training)
    return bos_work


def test_stop_everything_withdraws_every_grant_of_the_artist_across_products(
    world: World, stemify: Product, granted: Work
) -> None:
    outcome = grants_withdraw_all(actor=world.artist_user, artist=world.artist)

    assert outcome == Outcome(changed=5, flipped=5)
    adas = Decision.objects.filter(side=Side.ARTIST, work__primary_artist=world.artist)
    assert adas.count() == 6
    assert set(adas.values_list("answer", flat=True)) == {Answer.DENIED}
    assert not AnnouncedPermission.objects.filter(
        work__primary_artist=world.artist, permitted=True
    ).exists()


def test_stop_everything_announces_each_withdrawn_permit_in_each_products_sequence(
    world: World, stemify: Product, granted: Work
) -> None:
    grants_withdraw_all(actor=world.artist_user, artist=world.artist)

    tunesmith = PermissionChange.objects.filter(product=world.product).order_by("seq")
    assert list(tunesmith.values_list("seq", "permitted")) == [
        (1, True),
        (2, True),
        (3, True),
        (4, True),
        (5, True),
        (6, False),
        (7, False),
        (8, False),
        (9, False),
    ]
    assert [c.reasons for c in tunesmith.filter(permitted=False)] == [[Reason.ARTIST_DENIED]] * 4
    assert list(
        PermissionChange.objects.filter(product=stemify).values_list("seq", "permitted")
    ) == [(1, True), (2, False)]


def test_stop_everything_is_in_the_ledger_with_who_and_why(
    world: World, stemify: Product, granted: Work
) -> None:
    before = LedgerEntry.objects.count()

    grants_withdraw_all(actor=world.artist_user, artist=world.artist, note="Taking a break")

    new = LedgerEntry.objects.filter(position__gt=before)
    assert new.count() == 5
    assert {(e.actor, e.side, e.acting_for, e.previous, e.answer, e.note) for e in new} == {
        (
            world.artist_user,
            Side.ARTIST,
            "Ada Lane",
            Answer.GRANTED,
            Answer.DENIED,
            "Taking a break",
        )
    }
    assert ledger.verify() == (before + 5, None)


def test_stop_everything_has_a_default_note(world: World, granted: Work) -> None:
    grants_withdraw_all(actor=world.artist_user, artist=world.artist)

    assert LedgerEntry.objects.order_by("position").last().note == "Stopped everything"  # type: ignore[union-attr]


def test_stop_everything_leaves_other_artists_and_the_label_side_alone(
    world: World, stemify: Product, granted: Work
) -> None:
    label_side = set(
        Decision.objects.filter(side=Side.RIGHTS_HOLDER).values_list("pk", "answer", "decided_at")
    )

    grants_withdraw_all(actor=world.artist_user, artist=world.artist)

    bos = Decision.objects.get(work=granted, side=Side.ARTIST)
    assert bos.answer == Answer.GRANTED
    assert AnnouncedPermission.objects.get(work=granted).permitted is True
    assert (
        set(
            Decision.objects.filter(side=Side.RIGHTS_HOLDER).values_list(
                "pk", "answer", "decided_at"
            )
        )
        == label_side
    )


def test_stop_everything_withdraws_grants_for_uses_no_longer_requested(world: World) -> None:
    # "No" means no everywhere, even for a use the product has since stopped asking for.
    decide(world, world.product, world.works[0], world.style, Side.ARTIST, Answer.GRANTED)
    ProductUse.objects.filter(product=world.product, use_type=world.style).delete()

    outcome = grants_withdraw_all(actor=world.artist_user, artist=world.artist)

    assert outcome == Outcome(changed=1)
    assert Decision.objects.get().answer == Answer.DENIED


def test_stop_everything_with_nothing_granted_writes_nothing(world: World) -> None:
    decide(world, world.product, world.works[0], world.training, Side.ARTIST, Answer.DENIED)

    assert grants_withdraw_all(actor=world.artist_user, artist=world.artist) == Outcome()
    assert LedgerEntry.objects.count() == 1


def test_stop_everything_is_one_transaction(
    world: World, stemify: Product, granted: Work, monkeypatch: pytest.MonkeyPatch
) -> None:
    entries = LedgerEntry.objects.count()
    changes = PermissionChange.objects.count()
    announce = decisions.changes_announce
    calls = 0

    def fail_on_the_second_group(**kwargs: object) -> int:
        nonlocal calls
        calls += 1
        if calls == 2:
            raise RuntimeError("the database went away")
        return announce(**kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(decisions, "changes_announce", fail_on_the_second_group)
    with pytest.raises(RuntimeError):
        grants_withdraw_all(actor=world.artist_user, artist=world.artist)

    assert Decision.objects.filter(side=Side.ARTIST, answer=Answer.GRANTED).count() == 6
    assert LedgerEntry.objects.count() == entries
    assert PermissionChange.objects.count() == changes
    assert ledger.verify() == (entries, None)
