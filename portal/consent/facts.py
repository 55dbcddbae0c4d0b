"""The one bridge from the database to the rule: the facts `rules.evaluate` judges.

Every verdict in the portal comes through here: the write path's re-evaluation, the
decision matrix, the export, and the API check's fallback that names reasons. Each
read is a constant number of queries whatever the number of works: the labels'
policies in force are one more, their works' release dates one more only when a
policy has a date, and the conditions the product honours one more only when a yes
among the answers has conditions.
"""

from collections import defaultdict
from collections.abc import Collection, Iterable, Mapping, Sequence
from datetime import date, datetime

from django.db.models import Q, QuerySet

from portal.catalogue.models import Work
from portal.consent.conditions import conditions_of
from portal.consent.models import Decision, LabelPolicy, Side
from portal.consent.rules import Cap, SideAnswer, Term, Verdict, evaluate
from portal.licensing.models import Licence, Product

# Current answers keyed by (work id, use type id, side).
Answers = dict[tuple[int, int, str], SideAnswer]


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
    # product.uses is usually prefetched by products_requesting(); then this costs nothing.
    return {product_use.use_type_id for product_use in product.uses.all()}


def _works_filter(works: QuerySet[Work] | Sequence[int]) -> dict[str, object]:
    if isinstance(works, QuerySet):
        return {"work__in": works}
    return {"work__any_of": list(works)}


def side_answers(
    *, product: Product, use_type_ids: Iterable[int], works: QuerySet[Work] | Sequence[int]
) -> Answers:
    """Current answers keyed by (work id, use type id, side)."""
    rows = Decision.objects.filter(
        product=product, use_type_id__in=list(use_type_ids), **_works_filter(works)
    ).values_list(
        "work_id",
        "use_type_id",
        "side",
        "answer",
        "expires_at",
        "conditions",
        "for_version",
        "later_versions",
    )
    return {
        (w, u, s): SideAnswer(a, e, conditions_of(c), version, later)
        for w, u, s, a, e, c, version, later in rows
    }


def honoured_codes(*, product: Product) -> frozenset[str]:
    """The codes of the conditions the product can honour (one query)."""
    return frozenset(product.conditions_honoured.values_list("code", flat=True))


def halted_work_ids(*, work_ids: Sequence[int]) -> tuple[set[int], set[int]]:
    """Those of these works their label has withdrawn, and those under dispute: what stops
    every use of a work whatever the answers (one query; none for no works)."""
    withdrawn: set[int] = set()
    disputed: set[int] = set()
    if not work_ids:
        return withdrawn, disputed
    for pk, withdrawn_at, disputed_at in Work.objects.filter(
        Q(withdrawn_at__isnull=False) | Q(disputed_at__isnull=False), pk__any_of=work_ids
    ).values_list("pk", "withdrawn_at", "disputed_at"):
        if withdrawn_at is not None:
            withdrawn.add(pk)
        if disputed_at is not None:
            disputed.add(pk)
    return withdrawn, disputed


def policies_in_force(
    *, label_ids: Iterable[int], without: int | None = None
) -> dict[int, list[Cap]]:
    """The policies in force of these labels, oldest first, by label id (one query).
    `without`: leave that policy out, as if lifted (what lifting it would permit)."""
    caps: dict[int, list[Cap]] = defaultdict(list)
    in_force = LabelPolicy.objects.filter(label_id__in=set(label_ids), lifted_at__isnull=True)
    if without is not None:
        in_force = in_force.exclude(pk=without)
    rows = in_force.order_by("added_at", "pk").values_list(
        "label_id",
        "use_type_id",
        "product_id",
        "released_before",
        "use_type__name",
        "product__name",
    )
    for label_id, use_id, product_id, released_before, use_name, product_name in rows:
        caps[label_id].append(
            Cap(use_id, product_id, released_before, use_name or "", product_name or "")
        )
    return caps


def release_dates(*, work_ids: Sequence[int]) -> dict[int, date | None]:
    """The release date of each of these works (one query; none for no works)."""
    if not work_ids:
        return {}
    return dict(Work.objects.filter(pk__any_of=work_ids).values_list("pk", "release_date"))


def _judge(
    *,
    product: Product,
    pairs: Iterable[tuple[int, int]],
    labels: Mapping[int, int],
    use_type_ids: Iterable[int],
    work_ids: Sequence[int],
    now: datetime,
    answers: Answers | None,
    withdrawn: Collection[int] | None,
    disputed: Collection[int] | None = None,
    policies: Mapping[int, list[Cap]] | None = None,
) -> dict[tuple[int, int], Verdict]:
    pairs = list(pairs)
    requested = requested_use_type_ids(product=product)
    terms = licence_terms(licensee_id=product.licensee_id, label_ids={labels[w] for w in work_ids})
    if answers is None:
        answers = side_answers(product=product, use_type_ids=use_type_ids, works=work_ids)
    if withdrawn is None or disputed is None:
        found_withdrawn, found_disputed = halted_work_ids(work_ids=work_ids)
        withdrawn = found_withdrawn if withdrawn is None else withdrawn
        disputed = found_disputed if disputed is None else disputed
    if policies is None:
        policies = policies_in_force(label_ids={labels[w] for w in work_ids})
    released: Mapping[int, date | None] = {}
    if any(cap.released_before for caps in policies.values() for cap in caps):
        # Only a date policy reads release dates; without one, no query.
        released = release_dates(work_ids=work_ids)
    honoured: frozenset[str] = frozenset()
    if any(answer.conditions for answer in answers.values()):
        # Only a yes with conditions asks what the product honours; without one, no query.
        honoured = honoured_codes(product=product)
    return {
        (work_id, use_id): evaluate(
            product_status=product.status,
            requested=use_id in requested,
            terms=terms.get(labels[work_id], ()),
            use_type_id=use_id,
            artist=answers.get((work_id, use_id, Side.ARTIST)),
            rights_holder=answers.get((work_id, use_id, Side.RIGHTS_HOLDER)),
            now=now,
            live=work_id not in withdrawn,
            disputed=work_id in disputed,
            policies=policies.get(labels[work_id], ()),
            product_id=product.pk,
            release_date=released.get(work_id),
            honoured=honoured,
            material_version=product.material_version,
        )
        for work_id, use_id in pairs
    }


def verdicts_for_pairs(
    *,
    product: Product,
    pairs: Collection[tuple[int, int]],
    labels: Mapping[int, int],
    now: datetime,
    withdrawn: Collection[int] | None = None,
    disputed: Collection[int] | None = None,
    policies: Mapping[int, list[Cap]] | None = None,
) -> dict[tuple[int, int], Verdict]:
    """The rule's verdict for exactly these (work id, use type id) pairs, in their order.

    `labels` maps each work id to its label id. Six queries whatever the number of
    pairs (one fewer when `product.uses` is prefetched, one fewer when the caller knows
    which works are `withdrawn` and `disputed`, or the labels' `policies` to judge by,
    one more when a label has a date policy); none for no pairs.
    """
    if not pairs:
        return {}
    return _judge(
        product=product,
        pairs=pairs,
        labels=labels,
        use_type_ids={u for _, u in pairs},
        work_ids=list(dict.fromkeys(w for w, _ in pairs)),
        now=now,
        answers=None,
        withdrawn=withdrawn,
        disputed=disputed,
        policies=policies,
    )


def verdicts_for(
    *,
    product: Product,
    works: Sequence[tuple[int, int]],
    use_type_ids: Sequence[int],
    now: datetime,
    answers: Answers | None = None,
    withdrawn: Collection[int] | None = None,
    disputed: Collection[int] | None = None,
) -> dict[tuple[int, int], Verdict]:
    """Every work times every use: the verdict for each (work id, use type id), from
    (work id, label id) pairs, work by work.

    A constant number of queries whatever the number of works; pass `answers`, and the
    ids of the `withdrawn` and `disputed` works among them, when the caller has loaded
    them already.
    """
    return _judge(
        product=product,
        pairs=((work_id, use_id) for work_id, _ in works for use_id in use_type_ids),
        labels=dict(works),
        use_type_ids=use_type_ids,
        work_ids=[work_id for work_id, _ in works],
        now=now,
        answers=answers,
        withdrawn=withdrawn,
        disputed=disputed,
    )
