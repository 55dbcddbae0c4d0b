"""A label's overview: where its catalogue stands, its roster, the delegations it holds."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce

from portal.accounts.models import User
from portal.catalogue.models import Artist, Label, Work
from portal.consent.access import delegation_party_of, delegations_to
from portal.consent.models import AnnouncedPermission, Answer, Decision, Delegation, Side
from portal.licensing.models import Product, UseType


@dataclass(frozen=True)
class UseState:
    """Where a label's catalogue stands for one use of one product."""

    product: Product
    use_type: UseType
    works: int
    permitted: int
    waiting_label: int
    waiting_artist: int
    denied: int


def label_states(
    *, label: Label, total: int, products: Sequence[Product], now: datetime
) -> list[UseState]:
    """Per product and use: permitted, waiting for the label, waiting for the artist,
    denied by either side, of the label's `total` works. Grouped queries in the database;
    three whatever the size."""
    decisions = Decision.objects.filter(product__in=products, work__label=label)
    answered = {
        (row["product_id"], row["use_type_id"]): row
        for row in decisions.values("product_id", "use_type_id").annotate(
            label_answered=Count("pk", filter=Q(side=Side.RIGHTS_HOLDER)),
            artist_answered=Count("pk", filter=Q(side=Side.ARTIST)),
            denied=Count("pk", filter=Q(answer=Answer.DENIED)),
        )
    }
    # A work both sides refused counts once. Refusals are few, so this join is small; a
    # COUNT(DISTINCT) over every answer instead sorts the whole catalogue's answers.
    both_denied = {
        (row["product_id"], row["use_type_id"]): row["n"]
        for row in decisions.filter(side=Side.RIGHTS_HOLDER, answer=Answer.DENIED)
        .filter(
            Exists(
                Decision.objects.filter(
                    product=OuterRef("product"),
                    use_type=OuterRef("use_type"),
                    work=OuterRef("work"),
                    side=Side.ARTIST,
                    answer=Answer.DENIED,
                )
            )
        )
        .values("product_id", "use_type_id")
        .annotate(n=Count("pk"))
    }
    permitted = {
        (row["product_id"], row["use_type_id"]): row["n"]
        for row in AnnouncedPermission.objects.filter(
            product__in=products, work__label=label, permitted=True
        )
        .filter(Q(lapses_at__isnull=True) | Q(lapses_at__gt=now))
        .values("product_id", "use_type_id")
        .annotate(n=Count("pk"))
    }
    states = []
    for product in products:
        for product_use in product.uses.all():
            key = (product.pk, product_use.use_type_id)
            row = answered.get(key, {})
            states.append(
                UseState(
                    product=product,
                    use_type=product_use.use_type,
                    works=total,
                    permitted=permitted.get(key, 0),
                    waiting_label=total - row.get("label_answered", 0),
                    waiting_artist=total - row.get("artist_answered", 0),
                    denied=row.get("denied", 0) - both_denied.get(key, 0),
                )
            )
    return states


def roster(*, label: Label) -> QuerySet[Artist]:
    """The label's artists with how many of their works it holds and how many of those are
    permitted for at least one use. Two subqueries, one query."""
    permitted = (
        AnnouncedPermission.objects.filter(
            work__primary_artist=OuterRef("pk"), work__label=label, permitted=True
        )
        .order_by()
        .values("work__primary_artist")
        .annotate(n=Count("work", distinct=True))
        .values("n")
    )
    held = (
        Work.objects.filter(primary_artist=OuterRef("pk"), label=label)
        .order_by()
        .values("primary_artist")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return (
        Artist.objects.filter(label=label)
        .annotate(
            work_count=Coalesce(Subquery(held), 0),
            permitted_count=Coalesce(Subquery(permitted), 0),
        )
        .order_by("name")
    )


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
        Work.objects.filter(label=label, primary_artist__in=[d.artist_id for d in delegations])
        .values_list("primary_artist_id", flat=True)
        .distinct()
    )
    delegated: list[tuple[Delegation, list[Product]]] = []
    for delegation in delegations:
        party = delegation_party_of(delegation)
        covered = [p for p in products if party.covers(p)]
        delegated.append((delegation, covered if delegation.artist_id in with_works else []))
    return delegated
