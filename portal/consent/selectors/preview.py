"""What a bulk answer, or stopping everything, would change: counted before it is written."""

from datetime import datetime

from django.db.models import Exists, OuterRef, Q, QuerySet

from portal.catalogue.models import Work
from portal.consent.facts import licence_terms, policies_in_force, requested_use_type_ids
from portal.consent.models import AnnouncedPermission, Answer, Decision, Side
from portal.consent.rules import licence_covers
from portal.licensing.models import Product, UseType


def answer_counts(
    *, product: Product, use_type: UseType, side: str, works: QuerySet[Work], answer: str
) -> tuple[int, int]:
    """For a bulk preview: (works in scope, works already so answered). Two queries."""
    total = works.count()
    already = Decision.objects.filter(
        product=product, use_type=use_type, side=side, answer=answer, work__in=works
    ).count()
    return total, already


def granted_count(*, artist_id: int) -> tuple[int, int]:
    """(artist-side yes answers, products they span) for the stop-everything confirmation."""
    granted = Decision.objects.filter(
        side=Side.ARTIST, answer=Answer.GRANTED, work__primary_artist_id=artist_id
    )
    return granted.count(), granted.values("product").distinct().count()


def other_side(side: str) -> str:
    return Side.RIGHTS_HOLDER if side == Side.ARTIST else Side.ARTIST


def _granted(
    *, product: Product, use_type: UseType, side: str, now: datetime
) -> QuerySet[Decision]:
    """Unexpired yes answers of one side, for one work each (correlated on OuterRef)."""
    return Decision.objects.filter(
        product=product,
        use_type=use_type,
        side=side,
        answer=Answer.GRANTED,
        work=OuterRef("pk"),
    ).filter(Q(expires_at__isnull=True) | Q(expires_at__gt=now))


def works_where_other_side_granted(
    *, works: QuerySet[Work], product: Product, use_type: UseType, side: str, now: datetime
) -> QuerySet[Work]:
    # EXISTS, not IN: a semi-join whose plan does not depend on fresh statistics.
    return works.filter(
        Exists(_granted(product=product, use_type=use_type, side=other_side(side), now=now))
    )


def flips_if(
    *,
    product: Product,
    use_type: UseType,
    side: str,
    answer: str,
    works: QuerySet[Work],
    now: datetime,
) -> int:
    """How many effective permissions an answer for `works` would flip. A few queries."""
    if answer == Answer.DENIED:
        return (
            AnnouncedPermission.objects.filter(
                product=product, use_type=use_type, permitted=True, work__in=works
            )
            .filter(Q(lapses_at__isnull=True) | Q(lapses_at__gt=now))
            .count()
        )
    if product.status != Product.Status.ACTIVE or use_type.pk not in requested_use_type_ids(
        product=product
    ):
        return 0
    label_ids = set(works.order_by().values_list("label_id", flat=True).distinct())
    terms = licence_terms(licensee_id=product.licensee_id, label_ids=label_ids)
    covered = [lb for lb in label_ids if licence_covers(terms.get(lb, ()), use_type.pk, now)]
    # A label's policy caps what any answer does: its works stay as they are.
    capped = Q(pk__isnull=True)  # none yet
    for label_id, caps in policies_in_force(label_ids=covered).items():
        for cap in caps:
            if cap.use_type_id not in (None, use_type.pk) or cap.product_id not in (
                None,
                product.pk,
            ):
                continue
            reached = Q(label_id=label_id)
            if cap.released_before is not None:
                reached &= Q(release_date__gte=cap.released_before) | Q(release_date__isnull=True)
            capped |= reached
    return (
        works_where_other_side_granted(
            works=works, product=product, use_type=use_type, side=side, now=now
        )
        .filter(label_id__in=covered)
        .exclude(capped)
        .exclude(Exists(_granted(product=product, use_type=use_type, side=side, now=now)))
        .order_by()
        .count()
    )
