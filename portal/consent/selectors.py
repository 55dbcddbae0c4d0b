"""Reads for consent: facts for the rule, matrix rows, counts, history."""

from collections import defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime

from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce

from portal.accounts.models import User
from portal.catalogue.models import Artist, Label, Work
from portal.catalogue.selectors import works_search
from portal.consent.facts import licence_terms, requested_use_type_ids, side_answers, verdicts_for
from portal.consent.models import Answer, Decision, Delegation, LedgerEntry, Permission, Side
from portal.consent.permissions import Party, delegation_party_of, delegations_to
from portal.consent.rules import Reason, Verdict, licence_covers
from portal.licensing.models import Product, UseType


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
        .prefetch_related("uses__use_type", "licensee__licences__label")
        .order_by("name")
    )


def history_for(*, work: Work) -> QuerySet[LedgerEntry]:
    return (
        LedgerEntry.objects.filter(work=work)
        .select_related("product", "use_type")
        .order_by("-position")
    )


def use_types_of(*, product: Product) -> list[UseType]:
    """The use types the product asks for, in display order (free when prefetched)."""
    uses = product.uses.all()
    if not hasattr(product, "_prefetched_objects_cache"):
        uses = uses.select_related("use_type")
    return [product_use.use_type for product_use in uses]


def works_matching(
    *,
    works: QuerySet[Work],
    product: Product,
    side: str,
    use_type_ids: Sequence[int],
    q: str = "",
    state: str = "",
    now: datetime,
) -> QuerySet[Work]:
    """Filter a party's works by title or ISRC and by their state for this product."""
    works = works_search(works, q)
    if state == "waiting":
        answered = (
            Decision.objects.filter(
                product=product, side=side, work=OuterRef("pk"), use_type_id__in=use_type_ids
            )
            .values("work")
            .annotate(n=Count("pk"))
            .values("n")
        )
        works = works.annotate(answered=Coalesce(Subquery(answered), 0)).filter(
            answered__lt=len(use_type_ids)
        )
    elif state in ("permitted", "not_permitted"):
        permitted = (
            Permission.objects.filter(
                product=product, work=OuterRef("pk"), permitted=True, use_type_id__in=use_type_ids
            )
            .filter(Q(lapses_at__isnull=True) | Q(lapses_at__gt=now))
            .values("work")
            .annotate(n=Count("pk"))
            .values("n")
        )
        works = works.annotate(permitted_uses=Coalesce(Subquery(permitted), 0))
        if state == "permitted":
            works = works.filter(permitted_uses__gt=0)
        else:
            works = works.filter(permitted_uses__lt=len(use_type_ids))
    return works


@dataclass(frozen=True)
class Cell:
    """One decision cell: the viewer's own answer and the effective permission in words."""

    work: Work
    use_type: UseType
    answer: str | None
    verdict: Verdict
    message: str
    # Whether the product has the latest change of this cell: "Delivered to Tunesmith 14:02".
    delivery: str = ""


@dataclass(frozen=True)
class Row:
    work: Work
    cells: list[Cell]


PRODUCT_OR_LICENCE = {
    Reason.PRODUCT_NOT_LAUNCHED: "{product} has not launched",
    Reason.PRODUCT_SUSPENDED: "{product} is suspended",
    Reason.PRODUCT_RETIRED: "{product} is retired",
    Reason.USE_NOT_REQUESTED: "{product} does not ask for this use",
    Reason.NO_LICENCE: "no licence with {label}",
    Reason.LICENCE_NOT_STARTED: "the licence has not started",
    Reason.LICENCE_ENDED: "the licence has ended",
    Reason.LICENCE_EXCLUDES_USE: "the licence does not cover this use",
}
OWN = {
    "undecided": "Waiting for you",
    "denied": "Not permitted: you said no",
    "expired": "Not permitted: your yes has expired",
}
OWN_DELEGATED = {
    "undecided": "Waiting for an answer",
    "denied": "Not permitted: said no",
    "expired": "Not permitted: the yes has expired",
}
OTHER = {
    "undecided": "Waiting for {other}",
    "denied": "Not permitted: {other} said no",
    "expired": "Not permitted: {other}'s yes has expired",
}


def explain(
    verdict: Verdict,
    *,
    side: str,
    product: Product,
    work: Work,
    label_name: str,
    delegated: bool = False,
) -> str:
    """The effective permission in words, from the viewer's side. The most useful reason first:
    what overrides everything (product, licence), then what the viewer can do, then the other side.
    """
    if verdict.permitted:
        if verdict.lapses_at:
            return f"Permitted until {verdict.lapses_at:%-d %b %Y}"
        return "Permitted"
    names = {"product": product.name, "label": label_name}
    for reason in verdict.reasons:
        if reason in PRODUCT_OR_LICENCE:
            return "Not permitted: " + PRODUCT_OR_LICENCE[Reason(reason)].format(**names)
    own, other = ("artist", "rights_holder") if side == Side.ARTIST else ("rights_holder", "artist")
    other_name = label_name if side == Side.ARTIST else work.primary_artist.name
    for prefix, wording in ((own, OWN_DELEGATED if delegated else OWN), (other, OTHER)):
        for reason in verdict.reasons:
            if reason.startswith(prefix + "_"):
                return wording[reason.removeprefix(prefix + "_")].format(other=other_name)
    return "Not permitted"


def matrix_rows(
    *,
    product: Product,
    side: str,
    works: Sequence[Work],
    use_types: Sequence[UseType],
    now: datetime,
    delegated: bool = False,
) -> list[Row]:
    """The decision cells for a page of works: four queries whatever the page size.

    `works` must come with primary_artist and label selected.
    """
    use_ids = [u.pk for u in use_types]
    answers = side_answers(product=product, use_type_ids=use_ids, works=[w.pk for w in works])
    verdicts = verdicts_for(
        product=product,
        works=[(w.pk, w.label_id) for w in works],
        use_type_ids=use_ids,
        now=now,
        answers=answers,
    )
    rows = []
    for work in works:
        cells = []
        for use_type in use_types:
            verdict = verdicts[(work.pk, use_type.pk)]
            own = answers.get((work.pk, use_type.pk, side))
            cells.append(
                Cell(
                    work=work,
                    use_type=use_type,
                    answer=own.answer if own else None,
                    verdict=verdict,
                    message=explain(
                        verdict,
                        side=side,
                        product=product,
                        work=work,
                        label_name=work.label.name,
                        delegated=delegated,
                    ),
                )
            )
        rows.append(Row(work=work, cells=cells))
    return rows


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
            Permission.objects.filter(
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
    return (
        works_where_other_side_granted(
            works=works, product=product, use_type=use_type, side=side, now=now
        )
        .filter(label_id__in=covered)
        .exclude(Exists(_granted(product=product, use_type=use_type, side=side, now=now)))
        .order_by()
        .count()
    )


def label_ids_of(*, party: "Party") -> set[int]:
    if party.label is not None:
        return {party.label.pk}
    return set(party.works().order_by().values_list("label_id", flat=True).distinct())


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
        for row in Permission.objects.filter(
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
        Permission.objects.filter(
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


def activity_for(*, works: QuerySet[Work]) -> QuerySet[LedgerEntry]:
    """Every decision on these works, newest first."""
    return (
        LedgerEntry.objects.filter(work__in=works)
        .select_related("product", "use_type", "work")
        .order_by("-position")
    )


EXPORT_COLUMNS = [
    "isrc",
    "title",
    "artist",
    "product",
    "use",
    "artist_answer",
    "label_answer",
    "permitted",
    "reasons",
]
EXPORT_CHUNK = 2000


def export_rows(
    *,
    party: "Party",
    products: Sequence[Product],
    use_type: UseType | None,
    q: str,
    state: str,
    now: datetime,
) -> Iterator[list[str]]:
    """One row per work, product and use, read in chunks so memory stays flat."""
    for product in products:
        use_types = [u for u in use_types_of(product=product) if use_type in (None, u)]
        use_ids = [u.pk for u in use_types]
        works = works_matching(
            works=party.works(),
            product=product,
            side=party.side,
            use_type_ids=use_ids,
            q=q,
            state=state,
            now=now,
        ).order_by("pk")
        last = 0
        while chunk := list(
            works.filter(pk__gt=last).values_list(
                "pk", "isrc", "title", "primary_artist__name", "label_id"
            )[:EXPORT_CHUNK]
        ):
            last = chunk[-1][0]
            answers = side_answers(
                product=product, use_type_ids=use_ids, works=[c[0] for c in chunk]
            )
            verdicts = verdicts_for(
                product=product,
                works=[(c[0], c[4]) for c in chunk],
                use_type_ids=use_ids,
                now=now,
                answers=answers,
            )
            for work_id, isrc, title, artist_name, _ in chunk:
                for use in use_types:
                    artist = answers.get((work_id, use.pk, Side.ARTIST))
                    label = answers.get((work_id, use.pk, Side.RIGHTS_HOLDER))
                    verdict = verdicts[(work_id, use.pk)]
                    yield [
                        isrc,
                        title,
                        artist_name,
                        product.slug,
                        use.slug,
                        artist.answer if artist else "",
                        label.answer if label else "",
                        "yes" if verdict.permitted else "no",
                        " ".join(verdict.reasons),
                    ]


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
