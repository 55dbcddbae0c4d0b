"""A product's status and uses as the rule reads them, and telling artists when a product
starts asking for their catalogue."""

from collections.abc import Iterable
from datetime import datetime

from django.db import transaction
from django.urls import reverse

from portal.accounts.models import User
from portal.catalogue.models import Artist
from portal.consent.models import Cause
from portal.consent.selectors.products import use_types_of
from portal.consent.services.announce import counters_lock, permissions_refresh
from portal.consent.services.common import ConsentError, recorded_at
from portal.licensing.models import Product
from portal.notifications.services import notify


def product_set_status(*, product: Product, status: str, now: datetime | None = None) -> int:
    """Change a product's status (suspend, reactivate, retire) and announce what flips.

    `now` dates the change in the past, as for `decisions_set`; views never pass it.
    """
    if status not in Product.Status.values:
        raise ConsentError("That is not a product status the portal knows.")
    with transaction.atomic():
        # The counter first, as every writer does: decisions hold it while their inserts
        # take a key-share lock on the product row, so locking the product first deadlocks.
        counters_lock([product.pk])
        now = recorded_at(now)
        previous = Product.objects.values_list("status", flat=True).get(pk=product.pk)
        # Setting the status it already has keeps the time it really changed.
        Product.objects.filter(pk=product.pk).exclude(status=status).update(
            status=status, status_changed_at=now
        )
        product.refresh_from_db()
        if previous == Product.Status.DRAFT and status == Product.Status.ACTIVE:
            product_requests_notify(product=product)
        return permissions_refresh(product=product, cause=Cause.PRODUCT, now=now)


def product_requests_notify(*, product: Product, label_ids: Iterable[int] | None = None) -> None:
    """Tell every artist whose catalogue a product now asks for: it launched, or a new
    licence brought their label (`label_ids`) in."""
    if product.status != Product.Status.ACTIVE:
        return
    uses = ", ".join(use.name.lower() for use in use_types_of(product=product))
    artists = Artist.objects.filter(works__label__licences__licensee_id=product.licensee_id)
    if label_ids is not None:
        artists = artists.filter(works__label_id__in=label_ids)
    artists = artists.distinct()
    for artist in artists:
        notify(
            users=User.objects.filter(artistmembership__artist=artist),
            kind="new_product",
            message=(
                f"{product.name} by {product.licensee.name} asks to use {artist.name}'s "
                f"catalogue for {uses}. Nothing is used until you say yes."
            ),
            url=reverse(
                "matrix",
                kwargs={"kind": "artists", "party_id": artist.pk, "product_slug": product.slug},
            ),
        )


def product_announce(*, product: Product) -> int:
    """Announce what flipped after the use types a product asks for, or its licensee,
    changed. Call it after the product's uses are saved. Returns the number of flips."""
    # Re-read whole: the rule reads the requested uses through `product.uses`, and a
    # prefetched copy from before the edit would announce nothing.
    product.refresh_from_db()
    return permissions_refresh(product=product, cause=Cause.PRODUCT)
