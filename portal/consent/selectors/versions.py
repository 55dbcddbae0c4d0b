"""A product's versions as artists read them, and the yes answers a material version
asks again."""

from collections.abc import Sequence
from dataclasses import dataclass, replace

from django.db.models import Count, F, QuerySet
from django.utils import timezone

from portal.catalogue.models import Work
from portal.consent.facts import side_answers, verdicts_for
from portal.consent.models import Answer, Decision
from portal.licensing.models import Product, ProductVersion


def needing_renewal(*, product: Product, side: str) -> QuerySet[Decision]:
    """The side's yes answers (in force) given for an earlier version only."""
    return Decision.objects.filter(
        product=product,
        side=side,
        answer=Answer.GRANTED,
        later_versions=False,
        for_version__lt=product.material_version,
    ).exclude(expires_at__lte=timezone.now())


def versions_of(*, product: Product) -> list[ProductVersion]:
    """Every published version, newest first (one query)."""
    return list(ProductVersion.objects.filter(product=product).order_by("-number"))


@dataclass(frozen=True)
class KeepPreview:
    """What keeping a party's answers for the current version would do: how many yes
    answers it renews, and how many uses that makes permitted again."""

    answers: int
    permitted: int


def keep_preview(
    *, product: Product, side: str, works: QuerySet[Work], use_type_ids: list[int]
) -> KeepPreview:
    """Exactly what `answers_keep` would do: the rule judges each pair with this side's
    yes kept for the current version (a constant number of queries)."""
    rows = list(
        needing_renewal(product=product, side=side)
        .filter(work__in=works, use_type_id__in=use_type_ids)
        .values_list("work_id", "work__label_id", "use_type_id")
    )
    if not rows:
        return KeepPreview(0, 0)
    work_ids = list(dict.fromkeys(w for w, _, _ in rows))
    use_ids = list({u for _, _, u in rows})
    answers = side_answers(product=product, use_type_ids=use_ids, works=work_ids)
    for work_id, _, use_id in rows:
        kept = answers[(work_id, use_id, side)]
        answers[(work_id, use_id, side)] = replace(kept, for_version=product.material_version)
    labels = dict((w, label) for w, label, _ in rows)
    verdicts = verdicts_for(
        product=product,
        works=list(labels.items()),
        use_type_ids=use_ids,
        now=timezone.now(),
        answers=answers,
    )
    return KeepPreview(len(rows), sum(1 for w, _, u in rows if verdicts[(w, u)].permitted))


@dataclass(frozen=True)
class MaterialChange:
    version: ProductVersion
    asked: int


def material_changes(
    *, products: Sequence[Product], side: str, works: QuerySet[Work]
) -> dict[int, MaterialChange]:
    """For each product that changed what it does since it launched: the version that
    did, and how many of the side's yes answers on these works it asks again. Nothing,
    and no query, when none has (two queries otherwise)."""
    changed = [p for p in products if p.material_version > 1]
    if not changed:
        return {}
    found = ProductVersion.objects.filter(
        product__in=changed, number=F("product__material_version")
    )
    asked = dict(
        Decision.objects.filter(
            product__in=changed,
            side=side,
            answer=Answer.GRANTED,
            later_versions=False,
            for_version__lt=F("product__material_version"),
            work__in=works,
        )
        .exclude(expires_at__lte=timezone.now())
        .values("product_id")
        .annotate(n=Count("pk"))
        .values_list("product_id", "n")
    )
    return {v.product_id: MaterialChange(v, asked.get(v.product_id, 0)) for v in found}
