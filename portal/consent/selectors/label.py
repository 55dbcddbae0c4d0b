"""A label's overview: where its catalogue stands, its roster, the delegations it holds.

Read from the tallies the write path keeps (`services.tallies`), so a few queries cost
the same for a label of a hundred works or of millions."""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from django.db.models import Sum

from portal.accounts.models import User
from portal.catalogue.models import Artist, Label
from portal.consent.access import delegation_party_of, delegations_to
from portal.consent.models import Delegation, Tally, WorkCount
from portal.consent.selectors.tallies import COUNTS
from portal.licensing.models import Product, UseType


@dataclass(frozen=True)
class UseState:
    """Where a label's works (or one artist's among them) stand for one use of one product,
    from the tallies: every figure is a count of works."""

    product: Product
    use_type: UseType
    works: int
    permitted: int
    waiting_label: int
    waiting_artist: int
    # Works either side refused, and of those the artist's and the label's refusals.
    denied: int
    artist_denied: int
    label_denied: int


def state_of(product: Product, use_type: UseType, works: int, tally: Mapping[str, int]) -> UseState:
    def sum_of(*cells: str) -> int:
        return sum(tally.get(c, 0) for c in cells)

    label_answered = sum_of("yes_yes", "yes_no", "no_yes", "no_no", "none_yes", "none_no")
    artist_answered = sum_of("yes_yes", "yes_no", "yes_none", "no_yes", "no_no", "no_none")
    return UseState(
        product=product,
        use_type=use_type,
        works=works,
        permitted=tally.get("permitted", 0),
        waiting_label=works - label_answered,
        waiting_artist=works - artist_answered,
        denied=sum_of("yes_no", "no_yes", "no_no", "no_none", "none_no"),
        artist_denied=sum_of("no_yes", "no_no", "no_none"),
        label_denied=sum_of("yes_no", "no_no", "none_no"),
    )


def products_asking(*, label: Label) -> list[Product]:
    """Products that ask for the label's works (a licence with the label), as
    `products_requesting` has them, found from the label alone: no look at its works.
    Their uses prefetched (three queries)."""
    return list(
        Product.objects.filter(licensee__licences__label=label)
        .exclude(status=Product.Status.DRAFT)
        .distinct()
        .select_related("licensee")
        .prefetch_related("uses__use_type")
        .order_by("name")
    )


def works_held(*, label: Label) -> int:
    """How many works the label holds (its work counts: one query)."""
    return int(WorkCount.objects.filter(label=label).aggregate(n=Sum("works"))["n"] or 0)


def label_states(*, label: Label, total: int, products: Sequence[Product]) -> list[UseState]:
    """Per product and use: permitted, waiting for the label, waiting for the artist,
    denied by either side, of the label's `total` works. One query on the tallies,
    whatever the catalogue's size; `products` with their uses prefetched."""
    sums = {name: Sum(name) for name in COUNTS}
    tallies = {
        (row.pop("product_id"), row.pop("use_type_id")): row
        for row in Tally.objects.filter(label=label, product__in=products)
        .values("product_id", "use_type_id")
        .annotate(**sums)
        .order_by()
    }
    return [
        state_of(product, use.use_type, total, tallies.get((product.pk, use.use_type_id), {}))
        for product in products
        for use in product.uses.all()
    ]


def roster_size(*, label: Label) -> int:
    return Artist.objects.filter(label=label).count()


def delegations_with_products(
    *, user: User, label: Label, products: list[Product]
) -> list[tuple[Delegation, list[Product]]]:
    """Each delegation in force that lets `user` decide for an artist as `label`, with
    the label's `products` (from `products_requesting`) it lets them decide on: those the
    delegation covers and that ask for a delegated use, when the artist has works on the
    label; exactly what the delegated matrix opens. Four queries, however many delegations.
    """
    delegations = list(
        delegations_to(user).filter(label=label).prefetch_related("products", "use_types")
    )
    with_works = set(
        WorkCount.objects.filter(
            label=label, artist__in=[d.artist_id for d in delegations], works__gt=0
        ).values_list("artist_id", flat=True)
    )
    delegated: list[tuple[Delegation, list[Product]]] = []
    for delegation in delegations:
        party = delegation_party_of(delegation)
        covered = [p for p in products if party.covers(p)]
        delegated.append((delegation, covered if delegation.artist_id in with_works else []))
    return delegated
