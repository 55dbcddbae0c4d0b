"""A party's home: how it has answered each use of each product asking for its works."""

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet, Sum

from portal.catalogue.models import Work
from portal.consent.access import Party
from portal.consent.models import Answer, Decision
from portal.consent.models import Tally as StoredTally
from portal.licensing.models import Product


@dataclass(frozen=True)
class Tally:
    """How one party has answered one use of one product across its works."""

    granted: int
    denied: int
    waiting: int
    # Permitted now, whatever the other side and the licence: as last announced.
    permitted: int = 0

    @property
    def total(self) -> int:
        return self.granted + self.denied + self.waiting


def tallies(
    *, products: Sequence[Product], works: QuerySet[Work], side: str, artist_id: int
) -> dict[tuple[int, int], Tally]:
    """(product id, use type id) -> answers of `side` over `works` (the artist's), and
    how many of them are permitted now: three queries in all."""
    total = works.count()
    permitted = {
        (row["product_id"], row["use_type_id"]): row["permitted"]
        for row in StoredTally.objects.filter(artist_id=artist_id, product__in=products)
        .values("product_id", "use_type_id")
        .annotate(permitted=Sum("permitted"))
        .order_by()
    }
    counts: dict[tuple[int, int], dict[str, int]] = defaultdict(dict)
    rows = (
        Decision.objects.filter(product__in=products, side=side, work__in=works)
        .values("product_id", "use_type_id")
        .annotate(
            granted=Count("pk", filter=Q(answer=Answer.GRANTED)),
            denied=Count("pk", filter=Q(answer=Answer.DENIED)),
        )
    )
    for row in rows:
        counts[(row["product_id"], row["use_type_id"])] = row
    result = {}
    for product in products:
        for product_use in product.uses.all():
            row = counts.get((product.pk, product_use.use_type_id), {})
            granted, denied = row.get("granted", 0), row.get("denied", 0)
            key = (product.pk, product_use.use_type_id)
            result[key] = Tally(granted, denied, total - granted - denied, permitted.get(key, 0))
    return result


def label_ids_of(*, party: Party) -> set[int]:
    if party.label is not None:
        return {party.label.pk}
    return set(party.works().order_by().values_list("label_id", flat=True).distinct())
