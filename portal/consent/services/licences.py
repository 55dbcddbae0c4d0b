"""Licences: saving or deleting one, and announcing every permission that flips.

The effective permission reads a licence's licensee, label, term and use types, so a
licence is written here, with its announcement, in one transaction: nothing that saves
a licence can forget to announce. Licensing sits below consent and knows nothing of
this; staff's licence page (`portal.consent.admin.terms`) calls these services.
"""

from collections import defaultdict
from collections.abc import Iterable
from datetime import date

from django.db import transaction
from django.db.models import QuerySet

from portal.catalogue.models import Work
from portal.consent.models import Cause
from portal.consent.services.announce import permissions_refresh
from portal.consent.services.products import product_requests_notify
from portal.licensing.models import Licence, Product, UseType

# What the rule reads from a licence: licensee id, label id, start, end, use type ids.
Terms = tuple[int, int, date, date | None, frozenset[int]]


def _terms_stored(licence_id: int) -> Terms | None:
    stored = (
        Licence.objects.filter(pk=licence_id)
        .values_list("licensee_id", "label_id", "starts_on", "ends_on")
        .first()
    )
    if stored is None:
        return None
    uses = Licence.use_types.through.objects.filter(licence_id=licence_id)
    return (*stored, frozenset(uses.values_list("usetype_id", flat=True)))


@transaction.atomic
def licence_save(*, licence: Licence, use_types: Iterable[UseType]) -> int:
    """Save `licence`, new or edited, with the use types it covers, and announce every
    permission that flips. Returns the number of flips.

    An edit that leaves what the rule reads as it was (a new reference, new shares)
    announces nothing. One that moves the licence to another licensee or label
    re-evaluates both pairs. A new licence also tells the label's artists that the
    licensee's products now ask for their catalogue.
    """
    use_types = list(use_types)
    before = _terms_stored(licence.pk) if licence.pk else None
    licence.save()
    licence.use_types.set(use_types)
    after = (
        licence.licensee_id,
        licence.label_id,
        licence.starts_on,
        licence.ends_on,
        frozenset(use.pk for use in use_types),
    )
    if before == after:
        return 0
    return licence_announce(
        licence=licence,
        previous_licensee_id=before[0] if before else None,
        previous_label_id=before[1] if before else None,
        created=before is None,
    )


@transaction.atomic
def licence_delete(*, licence: Licence) -> int:
    """Delete `licence` and announce what rested on it. Returns the number of flips."""
    licence.delete()
    return licence_announce(licence=licence)


@transaction.atomic
def licences_delete(*, licences: QuerySet[Licence]) -> int:
    """Delete these licences at once and announce what rested on them, together."""
    deleted = list(licences)
    licences.delete()
    return licences_announce(licences=deleted)


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
def licence_announce(
    *,
    licence: Licence,
    previous_licensee_id: int | None = None,
    previous_label_id: int | None = None,
    created: bool = False,
) -> int:
    """Announce what flipped after `licence` was created, edited or deleted, when it was
    written some other way than `licence_save` or `licence_delete` (which call this).

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
def licences_announce(*, licences: Iterable[Licence]) -> int:
    """Announce what flipped after several licences were deleted at once."""
    return _parties_refresh({(licence.licensee_id, licence.label_id) for licence in licences})
