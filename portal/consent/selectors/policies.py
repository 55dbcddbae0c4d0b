"""A label's standing policies: the list, what a policy can reach, and the exact preview of
what adding or lifting one would flip, before anything is saved."""

from collections import Counter
from datetime import date, datetime

from django.db.models import Exists, OuterRef, Q, QuerySet

from portal.catalogue.models import Label, Work
from portal.consent.facts import policies_in_force, verdicts_for_pairs
from portal.consent.models import AnnouncedPermission, Answer, Decision, LabelPolicy, Side
from portal.consent.wording import policy_words
from portal.licensing.models import Product, UseType

# Pairs judged per round of a lift's preview: memory stays flat for any catalogue.
PREVIEW_CHUNK = 5000


def policies_of(*, label: Label) -> tuple[list[LabelPolicy], list[LabelPolicy]]:
    """The label's policies in force (newest first) and those lifted (latest first)."""
    policies = list(
        LabelPolicy.objects.filter(label=label).select_related(
            "use_type", "product", "added_by", "lifted_by"
        )
    )
    in_force = [p for p in policies if p.lifted_at is None]
    lifted = sorted(
        (p for p in policies if p.lifted_at is not None),
        key=lambda p: p.lifted_at,  # type: ignore[arg-type,return-value]
        reverse=True,
    )
    return in_force, lifted


def policy_products(*, label_id: int, product_id: int | None = None) -> QuerySet[Product]:
    """The products whose permissions a policy of the label can flip: those of licensees
    with a licence with the label (nothing is permitted without one), or just the one
    product a policy names."""
    products = Product.objects.filter(licensee__licences__label_id=label_id)
    if product_id is not None:
        products = products.filter(pk=product_id)
    return products.distinct().order_by("pk")


def policy_works(*, label_id: int, released_before: date | None = None) -> QuerySet[Work]:
    """The label's works a policy can reach: all of them, or those released on or after
    its date and those without a release date (opt-in: nobody can show they are older)."""
    works = Work.objects.filter(label_id=label_id)
    if released_before is not None:
        works = works.filter(Q(release_date__gte=released_before) | Q(release_date__isnull=True))
    return works


def policy_add_preview(
    *,
    label: Label,
    use_type: UseType | None,
    product: Product | None,
    released_before: date | None,
    now: datetime,
) -> dict[str, int]:
    """What adding this policy would stop: the permitted uses it matches, by product name.
    Exact, since a policy only ever takes permission away: every pair announced permitted
    now that it matches flips, and no other. One query for the products, one per product
    the label licenses (a handful, whatever the catalogue)."""
    works = policy_works(label_id=label.pk, released_before=released_before)
    permitted = AnnouncedPermission.objects.permitted_at(now)
    if use_type is not None:
        permitted = permitted.filter(use_type=use_type)
    stops: dict[str, int] = {}
    for each in policy_products(label_id=label.pk, product_id=product.pk if product else None):
        # Product by product, so the work is found by the permission's unique key (product,
        # work, use), whatever the planner's statistics (a catalogue just imported has none).
        n = permitted.filter(product=each, work__in=works).count()
        if n:
            stops[each.name] = n
    return dict(sorted(stops.items()))


def policy_lift_preview(*, policy: LabelPolicy, now: datetime) -> dict[str, int]:
    """What lifting this policy would permit again, by product name: the pairs the policy
    reaches where the label said yes, judged by the rule as if it were lifted (the label's
    other policies still apply), less those permitted already. A few queries per product
    and per 5,000 pairs."""
    others = policies_in_force(label_ids=[policy.label_id], without=policy.pk)
    works = policy_works(label_id=policy.label_id, released_before=policy.released_before)
    flips: Counter[str] = Counter()
    for product in policy_products(label_id=policy.label_id, product_id=policy.product_id):
        said_yes = Decision.objects.filter(
            Exists(works.filter(pk=OuterRef("work_id"))),
            product=product,
            side=Side.RIGHTS_HOLDER,
            answer=Answer.GRANTED,
        )
        if policy.use_type_id is not None:
            said_yes = said_yes.filter(use_type_id=policy.use_type_id)
        last = 0
        while rows := list(
            said_yes.filter(pk__gt=last)
            .order_by("pk")
            .values_list("pk", "work_id", "use_type_id")[:PREVIEW_CHUNK]
        ):
            last = rows[-1][0]
            chunk = [(work_id, use_id) for _, work_id, use_id in rows]
            verdicts = verdicts_for_pairs(
                product=product,
                pairs=chunk,
                labels={work_id: policy.label_id for work_id, _ in chunk},
                now=now,
                policies=others,
            )
            already = set(
                AnnouncedPermission.objects.filter(
                    product=product,
                    permitted=True,
                    work_id__in={w for w, _ in chunk},
                ).values_list("work_id", "use_type_id")
            )
            flips[product.name] += sum(
                1 for pair, verdict in verdicts.items() if verdict.permitted and pair not in already
            )
    return {name: n for name, n in sorted(flips.items()) if n}


def policies_reaching(*, work: Work) -> list[str]:
    """What the label's policies in force do not allow of this work, in words: "voice
    likeness", "any use for Tunesmith", "any use for works released from 2020 or without
    a release date". One query."""
    caps = policies_in_force(label_ids=[work.label_id])[work.label_id]
    return [
        policy_words(cap, undated=work.release_date is None)
        for cap in caps
        if cap.released_before is None
        or work.release_date is None
        or work.release_date >= cap.released_before
    ]
