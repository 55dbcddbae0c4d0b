"""Licence and product edits announce every permission they flip, and only those: the
services that write a licence with its announcement, and the announcements alone."""

from datetime import timedelta

from django.utils import timezone

from portal.catalogue.models import Work
from portal.consent.models import AnnouncedPermission, Answer, Cause, PermissionChange, Side
from portal.consent.services import decision_set
from portal.consent.services.licences import (
    licence_announce,
    licence_delete,
    licence_save,
    licences_announce,
    licences_delete,
)
from portal.consent.services.products import product_announce
from portal.licensing.models import Licence, Product, UseType
from tests import factories as f
from tests.conftest import World, decider


def grant_both_sides(world: World, work: Work, use_type: UseType, product: Product) -> None:
    for side in (Side.ARTIST, Side.RIGHTS_HOLDER):
        decision_set(
            actor=decider(world, side, work),
            product=product,
            work=work,
            use_type=use_type,
            side=side,
            answer=Answer.GRANTED,
        )


def permitted(product: Product, work: Work, use_type: UseType) -> bool:
    row = AnnouncedPermission.objects.filter(product=product, work=work, use_type=use_type).first()
    return bool(row and row.permitted)


def changes(product: Product, cause: str) -> set[tuple[int, int, bool]]:
    return set(
        PermissionChange.objects.filter(product=product, cause=cause).values_list(
            "work_id", "use_type_id", "permitted"
        )
    )


def test_a_licence_that_ended_withdraws_its_labels_permissions(world: World):
    work = world.works[0]
    grant_both_sides(world, work, world.training, world.product)
    world.licence.ends_on = timezone.now().date() - timedelta(days=1)
    world.licence.save()

    assert licence_announce(licence=world.licence) == 1

    assert not permitted(world.product, work, world.training)
    assert changes(world.product, Cause.LICENCE) == {(work.pk, world.training.pk, False)}
    change = PermissionChange.objects.get(product=world.product, cause=Cause.LICENCE)
    assert change.reasons == ["licence_ended"]


def test_every_product_of_the_licensee_is_refreshed(world: World):
    sibling = f.ProductFactory(licensee=world.product.licensee, slug="sibling")
    f.ProductUseFactory(product=sibling, use_type=world.training)
    grant_both_sides(world, world.works[0], world.training, world.product)
    grant_both_sides(world, world.works[1], world.training, sibling)
    world.licence.use_types.set([world.style])

    assert licence_announce(licence=world.licence) == 2

    assert not permitted(world.product, world.works[0], world.training)
    assert not permitted(sibling, world.works[1], world.training)


def test_other_labels_works_are_untouched(world: World):
    outsider_work = world.outsider_works[0]
    grant_both_sides(world, world.works[0], world.training, world.product)
    grant_both_sides(world, outsider_work, world.training, world.product)
    world.licence.use_types.clear()

    assert licence_announce(licence=world.licence) == 1

    assert not permitted(world.product, world.works[0], world.training)
    assert permitted(world.product, outsider_work, world.training)


def test_a_licence_moved_to_another_label_refreshes_both_labels(world: World):
    grant_both_sides(world, world.works[0], world.training, world.product)
    previous_label_id = world.licence.label_id
    world.licence.label = f.LabelFactory(name="Elsewhere")
    world.licence.save()

    flipped = licence_announce(licence=world.licence, previous_label_id=previous_label_id)

    assert flipped == 1
    assert not permitted(world.product, world.works[0], world.training)


def test_a_deleted_licence_withdraws_what_rested_on_it(world: World):
    grant_both_sides(world, world.works[0], world.training, world.product)
    licence = world.licence
    licence.delete()

    assert licence_announce(licence=licence) == 1
    assert not permitted(world.product, world.works[0], world.training)


def test_licences_deleted_together_are_announced_together(world: World):
    grant_both_sides(world, world.works[0], world.training, world.product)
    grant_both_sides(world, world.outsider_works[0], world.training, world.product)
    licences = list(Licence.objects.filter(licensee=world.product.licensee))
    assert len(licences) == 2
    Licence.objects.filter(pk__in=[licence.pk for licence in licences]).delete()

    assert licences_announce(licences=licences) == 2
    assert not permitted(world.product, world.works[0], world.training)
    assert not permitted(world.product, world.outsider_works[0], world.training)


def test_a_new_licence_permits_what_both_sides_had_granted(world: World):
    grant_both_sides(world, world.works[0], world.training, world.product)
    world.licence.delete()
    licence_announce(licence=world.licence)
    assert not permitted(world.product, world.works[0], world.training)

    licence = f.LicenceFactory(
        licensee=world.product.licensee, label=world.label, use_types=[world.training]
    )

    assert licence_announce(licence=licence) == 1
    assert permitted(world.product, world.works[0], world.training)


def test_an_unchanged_licence_announces_nothing(world: World):
    grant_both_sides(world, world.works[0], world.training, world.product)
    before = PermissionChange.objects.count()

    assert licence_announce(licence=world.licence) == 0
    assert PermissionChange.objects.count() == before


def test_a_product_that_stops_asking_for_a_use_loses_it(world: World):
    grant_both_sides(world, world.works[0], world.training, world.product)
    grant_both_sides(world, world.works[0], world.style, world.product)
    product = Product.objects.prefetch_related("uses").get(pk=world.product.pk)
    list(product.uses.all())  # a copy from before the edit, as admin's change view holds
    product.uses.filter(use_type=world.training).delete()

    assert product_announce(product=product) == 1

    assert not permitted(world.product, world.works[0], world.training)
    assert permitted(world.product, world.works[0], world.style)
    assert changes(world.product, Cause.PRODUCT) == {(world.works[0].pk, world.training.pk, False)}


def test_saving_a_licence_writes_it_and_announces_what_flips(world: World):
    grant_both_sides(world, world.works[0], world.training, world.product)
    world.licence.ends_on = timezone.now().date() - timedelta(days=1)

    assert licence_save(licence=world.licence, use_types=[world.training]) == 1

    world.licence.refresh_from_db()
    assert world.licence.ends_on == timezone.now().date() - timedelta(days=1)
    assert not permitted(world.product, world.works[0], world.training)
    assert changes(world.product, Cause.LICENCE) == {(world.works[0].pk, world.training.pk, False)}


def test_saving_a_licence_with_its_terms_unchanged_announces_nothing(world: World):
    grant_both_sides(world, world.works[0], world.training, world.product)
    before = PermissionChange.objects.count()
    world.licence.reference = "NLR-2026-02"
    uses = list(world.licence.use_types.all())

    assert licence_save(licence=world.licence, use_types=uses) == 0

    assert Licence.objects.get(pk=world.licence.pk).reference == "NLR-2026-02"
    assert PermissionChange.objects.count() == before


def test_saving_a_licence_that_takes_a_use_away_saves_its_uses(world: World):
    grant_both_sides(world, world.works[0], world.training, world.product)

    assert licence_save(licence=world.licence, use_types=[world.style]) == 1

    assert list(world.licence.use_types.all()) == [world.style]
    assert not permitted(world.product, world.works[0], world.training)


def test_saving_a_licence_moved_to_another_label_refreshes_both_labels(world: World):
    grant_both_sides(world, world.works[0], world.training, world.product)
    world.licence.label = f.LabelFactory(name="Elsewhere")

    assert licence_save(licence=world.licence, use_types=[world.training]) == 1

    assert not permitted(world.product, world.works[0], world.training)


def test_a_new_licence_saved_permits_what_both_sides_had_granted(world: World):
    grant_both_sides(world, world.works[0], world.training, world.product)
    licence_delete(licence=world.licence)
    assert not permitted(world.product, world.works[0], world.training)
    licence = Licence(
        licensee=world.product.licensee,
        label=world.label,
        reference="NLR-NEW",
        starts_on=world.licence.starts_on,
        artist_share=world.licence.artist_share,
        label_share=world.licence.label_share,
        platform_share=world.licence.platform_share,
    )

    assert licence_save(licence=licence, use_types=[world.training]) == 1

    assert permitted(world.product, world.works[0], world.training)


def test_deleting_licences_together_announces_them_together(world: World):
    grant_both_sides(world, world.works[0], world.training, world.product)
    grant_both_sides(world, world.outsider_works[0], world.training, world.product)

    assert licences_delete(licences=Licence.objects.filter(licensee=world.product.licensee)) == 2

    assert not Licence.objects.filter(licensee=world.product.licensee).exists()
    assert not permitted(world.product, world.outsider_works[0], world.training)
