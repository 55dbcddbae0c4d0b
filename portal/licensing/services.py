"""Writes for licensing that reach consent: a licence or a product's uses changed.

Licences and products are edited by staff (admin). The effective permission depends on
both, so after any such edit the affected permissions are re-evaluated and every flip is
announced through `portal.consent.services.permissions_refresh`, never written here.
"""

from collections import defaultdict
from collections.abc import Iterable

from django.db import transaction

from portal.catalogue.models import Work
from portal.consent.models import Cause
from portal.consent.services import permissions_refresh, product_requests_notify
from portal.licensing.models import Licence, Product


def _parties_refresh(parties: Iterable[tuple[int, int]]) -> int:
    """Re-evaluate every product of each licensee over the works of its paired labels."""
    labels_by_licensee: dict[int, set[int]] = defaultdict(set)
    for licensee_id, label_id in parties:
        labels_by_licensee[licensee_id].add(label_id)
    flipped = 0
    # Products in id order, across all licensees: the consent services' lock order for
    # change counters, so this cannot deadlock with a decision being written.
    products = Product.objects.filter(licensee_id__in=labels_by_licensee).order_by("pk")
    for product in products:
        works = Work.objects.filter(label_id__in=labels_by_licensee[product.licensee_id])
        flipped += permissions_refresh(product=product, cause=Cause.LICENCE, works=works)
    return flipped


@transaction.atomic
def licence_changed(
    *,
    licence: Licence,
    previous_licensee_id: int | None = None,
    previous_label_id: int | None = None,
    created: bool = False,
) -> int:
    """Announce what flipped after `licence` was created, edited or deleted.

    Call it after the licence's use types are saved (the rule reads them from the
    database) and, for a deletion, after the row is gone: only the licence's licensee
    and label ids are read. When the edit moved the licence to another licensee or
    label, pass the previous ids, since permissions there may have rested on it too.
    Returns the number of permissions that flipped. A new licence also tells the
    label's artists that the licensee's products now ask for their catalogue.
    """
    if created:
        for product in Product.objects.filter(licensee_id=licence.licensee_id):
            product_requests_notify(product=product, label_ids=[licence.label_id])
    parties = {(licence.licensee_id, licence.label_id)}
    if previous_licensee_id is not None or previous_label_id is not None:
        parties.add(
            (previous_licensee_id or licence.licensee_id, previous_label_id or licence.label_id)
        )
    return _parties_refresh(parties)


@transaction.atomic
def licences_deleted(*, licences: Iterable[Licence]) -> int:
    """Announce what flipped after several licences were deleted at once."""
    return _parties_refresh({(licence.licensee_id, licence.label_id) for licence in licences})


def product_changed(*, product: Product) -> int:
    """Announce what flipped after the use types a product asks for, or its licensee,
    changed. Call it after the product's uses are saved. Returns the number of flips."""
    # Re-read whole: the rule reads the requested uses through `product.uses`, and a
    # prefetched copy from before the edit would announce nothing.
    product.refresh_from_db()
    return permissions_refresh(product=product, cause=Cause.PRODUCT)
