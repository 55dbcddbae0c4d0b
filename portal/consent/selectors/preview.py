"""What a bulk answer, or stopping everything, would change: counted before it is written."""

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db.models import Count, Exists, FilteredRelation, OuterRef, Q, QuerySet

from portal.catalogue.models import Work
from portal.consent.conditions import Conditions, conditions_json
from portal.consent.facts import licence_terms, policies_in_force, requested_use_type_ids
from portal.consent.models import AnnouncedPermission, Answer, Decision, Side
from portal.consent.rules import licence_covers
from portal.licensing.models import Product, UseType


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


@dataclass(frozen=True)
class Preview:
    """What a bulk answer would do: the works in scope, those already so answered (which
    it leaves alone), and the effective permissions it would flip."""

    total: int
    already: int
    flipping: int

    @property
    def changing(self) -> int:
        return self.total - self.already


def _with_answers(
    works: QuerySet[Work], *, product: Product, use_type: UseType, side: str
) -> QuerySet[Work]:
    """`works`, each joined to its answer from this side (`this`) and from the other
    (`other`) for one use: at most one row each, as answers are unique."""

    def answers(side: str) -> FilteredRelation:
        condition = Q(decisions__product=product, decisions__use_type=use_type)
        return FilteredRelation("decisions", condition=condition & Q(decisions__side=side))

    return works.alias(this=answers(side), other=answers(other_side(side)))


def _yes_in_force(alias: str, now: datetime) -> Q:
    return Q(**{f"{alias}__answer": Answer.GRANTED}) & (
        Q(**{f"{alias}__expires_at__isnull": True}) | Q(**{f"{alias}__expires_at__gt": now})
    )


def _same_answer(answer: str, conditions: Conditions, later: bool, product: Product) -> Q:
    """The works whose answer a bulk answer leaves as it is (`decisions_set` alike)."""
    if answer == Answer.DENIED:
        return Q(this__answer=answer)
    same = Q(
        this__answer=answer,
        this__expires_at__isnull=True,
        this__conditions=conditions_json(conditions),
        this__later_versions=later,
    )
    return same if later else same & Q(this__for_version__gte=product.material_version)


def bulk_preview(
    *,
    product: Product,
    use_type: UseType,
    side: str,
    answer: str,
    works: QuerySet[Work],
    now: datetime,
    conditions: Conditions = (),
    later_versions: bool = False,
) -> Preview:
    """Count what answering `answer` for `works` would do, exactly as `decisions_set`
    would do it. One pass over the works, grouped by label, counts all three; a label's
    licence and policies then decide whether its yes answers can permit, and a label
    whose policy caps part of its works (by release date) costs one more count. A no
    counts the permissions in force it would end in one more query."""
    counts: dict[str, Any] = {
        "total": Count("pk"),
        # Bulk answers carry no expiry, and the party's default conditions and reach: a
        # yes with an expiry (lapsed or not), other conditions or another reach, or for
        # an earlier version only, is replaced.
        "already": Count("pk", filter=_same_answer(answer, conditions, later_versions, product)),
    }
    if answer == Answer.GRANTED:
        # The other side's yes is in force and this side's is not: a yes would permit it,
        # its licence and its label's policies aside (below).
        counts["candidates"] = Count(
            "pk",
            filter=Q(withdrawn_at__isnull=True)
            & _yes_in_force("other", now)
            & (
                Q(this__answer__isnull=True)
                | Q(this__answer=Answer.DENIED)
                | Q(this__expires_at__lte=now)
            ),
        )
    # One pass: each work joined to its two answers (a hash join, where an EXISTS per
    # count would probe the answers once per work and count).
    by_label = {
        row["label_id"]: row
        for row in _with_answers(works.order_by(), product=product, use_type=use_type, side=side)
        .values("label_id")
        .annotate(**counts)
    }
    total = sum(row["total"] for row in by_label.values())
    answered = sum(row["already"] for row in by_label.values())
    if answer == Answer.DENIED:
        # A no ends every permission in force, announced: licence and policies allowed it.
        flipping = (
            AnnouncedPermission.objects.permitted_at(now)
            .filter(product=product, use_type=use_type, work__in=works)
            .count()
        )
        return Preview(total, answered, flipping)
    if product.status != Product.Status.ACTIVE or use_type.pk not in requested_use_type_ids(
        product=product
    ):
        return Preview(total, answered, 0)
    terms = licence_terms(licensee_id=product.licensee_id, label_ids=by_label)
    covered = [lb for lb in by_label if licence_covers(terms.get(lb, ()), use_type.pk, now)]
    caps = policies_in_force(label_ids=covered)
    flipping = 0
    for label_id in covered:
        capping = [
            cap
            for cap in caps.get(label_id, ())
            if cap.use_type_id in (None, use_type.pk) and cap.product_id in (None, product.pk)
        ]
        if not capping:
            flipping += by_label[label_id]["candidates"]
        elif all(cap.released_before is not None for cap in capping):
            # Capped from a release date on (and undated works): the older ones can flip.
            before = min(cap.released_before for cap in capping if cap.released_before)
            older = works.filter(label_id=label_id, release_date__lt=before)
            joined = _with_answers(older, product=product, use_type=use_type, side=side)
            flipping += joined.aggregate(n=counts["candidates"])["n"]
    return Preview(total, answered, flipping)
