"""What makes the portal tell artists something: a new product asking, a label acting."""

from django.urls import reverse

from portal.consent.services import product_set_status
from portal.consent.services.licences import licence_announce
from portal.licensing.models import Product
from portal.notifications.models import Notification
from tests import factories as f
from tests.conftest import World


def test_a_product_that_launches_tells_the_artists_it_asks(world: World) -> None:
    draft = f.ProductFactory(
        licensee=world.product.licensee, status=Product.Status.DRAFT, name="Lyricist"
    )
    f.ProductUseFactory(product=draft, use_type=world.lyrics)
    product_set_status(product=draft, status=Product.Status.ACTIVE)
    notice = Notification.objects.get(user=world.artist_user)
    assert notice.kind == "new_product"
    assert "Lyricist by" in notice.message and "Ada Lane's catalogue for lyrics" in notice.message
    assert notice.url == reverse(
        "matrix",
        kwargs={"kind": "artists", "party_id": world.artist.pk, "product_slug": draft.slug},
    )
    # The outsider's label has a licence with the same licensee: told too, about their own.
    assert Notification.objects.filter(
        user=world.outsider_user, message__contains="Cy Moss"
    ).exists()
    # Reactivating after a suspension is not news.
    product_set_status(product=draft, status=Product.Status.SUSPENDED)
    product_set_status(product=draft, status=Product.Status.ACTIVE)
    assert Notification.objects.filter(user=world.artist_user).count() == 1


def test_a_new_licence_tells_that_labels_artists_only(world: World) -> None:
    label = f.LabelFactory(name="Third Label")
    newcomer = f.ArtistMembershipFactory(artist__label=label, artist__name="Di Vo")
    f.WorkFactory(primary_artist=newcomer.artist)
    licence = f.LicenceFactory(
        licensee=world.product.licensee, label=label, use_types=[world.training]
    )
    licence_announce(licence=licence, created=True)
    assert list(Notification.objects.values_list("user", flat=True)) == [newcomer.user_id]
    assert "Tunesmith by" in Notification.objects.get().message
