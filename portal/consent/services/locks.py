"""The products' change counters, locked: what numbers each product's changes without
gaps, and what every writer of a product's permissions and tallies queues on."""

from collections.abc import Iterable

from portal.consent.models import ChangeCounter


def counters_lock(product_ids: Iterable[int]) -> dict[int, ChangeCounter]:
    """Lock these products' change counters in id order, creating any missing, until the
    transaction ends: what numbers their changes without gaps."""
    ids = sorted(set(product_ids))
    ChangeCounter.objects.bulk_create(
        [ChangeCounter(product_id=pk) for pk in ids], ignore_conflicts=True
    )
    return {
        counter.product_id: counter
        for counter in ChangeCounter.objects.select_for_update()
        .filter(product_id__in=ids)
        .order_by("product_id")
    }
