"""Reads for consent: facts for the rule, matrix rows, counts, history."""

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from django.db.models import Count, Q, QuerySet

from portal.catalogue.models import Work
from portal.consent.models import Answer, Decision, LedgerEntry, Side
from portal.consent.rules import SideAnswer, Term, Verdict, evaluate
from portal.licensing.models import Licence, Product, ProductUse, UseType


def licence_terms(*, licensee_id: int, label_ids: Iterable[int]) -> dict[int, list[Term]]:
    """Every licence between the licensee and these labels, by label id (two queries)."""
    licences = list(
        Licence.objects.filter(licensee_id=licensee_id, label_id__in=set(label_ids)).only(
            "pk", "label_id", "starts_on", "ends_on"
        )
    )
    covered: dict[int, set[int]] = defaultdict(set)
    for licence_id, use_type_id in Licence.use_types.through.objects.filter(
        licence_id__in=[licence.pk for licence in licences]
    ).values_list("licence_id", "usetype_id"):
        covered[licence_id].add(use_type_id)
    terms: dict[int, list[Term]] = defaultdict(list)
    for licence in licences:
        terms[licence.label_id].append(
            Term(licence.starts_on, licence.ends_on, frozenset(covered[licence.pk]))
        )
    return terms


def requested_use_type_ids(*, product: Product) -> set[int]:
    return set(ProductUse.objects.filter(product=product).values_list("use_type_id", flat=True))


def side_answers(
    *, product: Product, use_type_ids: Iterable[int], works: QuerySet[Work] | Sequence[int]
) -> dict[tuple[int, int, str], SideAnswer]:
    """Current answers keyed by (work id, use type id, side)."""
    rows = Decision.objects.filter(
        product=product, use_type_id__in=list(use_type_ids), work_id__in=works
    ).values_list("work_id", "use_type_id", "side", "answer", "expires_at")
    return {(w, u, s): SideAnswer(a, e) for w, u, s, a, e in rows}


def verdicts_for(
    *,
    product: Product,
    works: Sequence[tuple[int, int]],
    use_type_ids: Sequence[int],
    now: datetime,
) -> dict[tuple[int, int], Verdict]:
    """Effective permission for each (work id, use type id), from (work id, label id) pairs.

    A constant number of queries whatever the number of works.
    """
    requested = requested_use_type_ids(product=product)
    terms = licence_terms(licensee_id=product.licensee_id, label_ids={lb for _, lb in works})
    answers = side_answers(product=product, use_type_ids=use_type_ids, works=[w for w, _ in works])
    return {
        (work_id, use_id): evaluate(
            product_status=product.status,
            requested=use_id in requested,
            terms=terms.get(label_id, ()),
            use_type_id=use_id,
            artist=answers.get((work_id, use_id, Side.ARTIST)),
            rights_holder=answers.get((work_id, use_id, Side.RIGHTS_HOLDER)),
            now=now,
        )
        for work_id, label_id in works
        for use_id in use_type_ids
    }


@dataclass(frozen=True)
class Tally:
    """How one party has answered one use of one product across its works."""

    granted: int
    denied: int
    waiting: int

    @property
    def total(self) -> int:
        return self.granted + self.denied + self.waiting


def tallies(
    *, products: Sequence[Product], works: QuerySet[Work], side: str
) -> dict[tuple[int, int], Tally]:
    """(product id, use type id) -> answers of `side` over `works`: two queries in all."""
    total = works.count()
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
            result[(product.pk, product_use.use_type_id)] = Tally(
                granted, denied, total - granted - denied
            )
    return result


def products_requesting(*, works: QuerySet[Work]) -> list[Product]:
    """Products that ask for these works: a licence links their licensee to a label of the works.

    Draft products are not shown to artists yet; suspended and retired ones are, so an artist
    sees that nothing is permitted while they are.
    """
    label_ids = works.values("label_id")
    return list(
        Product.objects.filter(licensee__licences__label_id__in=label_ids)
        .exclude(status=Product.Status.DRAFT)
        .distinct()
        .select_related("licensee")
        .prefetch_related("uses__use_type")
        .order_by("name")
    )


def history_for(*, work: Work) -> QuerySet[LedgerEntry]:
    return (
        LedgerEntry.objects.filter(work=work)
        .select_related("product", "use_type")
        .order_by("-position")
    )


def use_types_of(*, product: Product) -> list[UseType]:
    return [pu.use_type for pu in product.uses.select_related("use_type")]
