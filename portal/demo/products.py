"""The demo's AI products, their licensees and the licences with each label."""

from datetime import date, datetime

from django.utils import timezone

from portal.catalogue.models import Label
from portal.demo.specs import ProductSpec
from portal.licensing.models import Condition, Licence, Licensee, Product, ProductUse, UseType


def product_seed(
    *, spec: ProductSpec, use_types: dict[str, UseType], launched: datetime
) -> tuple[Product, bool]:
    """The product, and whether it was created now. A new product starts active, as it
    launched; the status of its spec (suspended) comes later in the history."""
    licensee, _ = Licensee.objects.get_or_create(
        name=spec.licensee, defaults={"website": spec.website}
    )
    product, created = Product.objects.get_or_create(
        slug=spec.slug,
        defaults={
            "licensee": licensee,
            "name": spec.name,
            "summary": spec.summary,
            "description": spec.description,
            "status": Product.Status.ACTIVE,
            "status_changed_at": launched,
        },
    )
    for slug, purpose in spec.uses:
        ProductUse.objects.get_or_create(
            product=product, use_type=use_types[slug], defaults={"purpose": purpose}
        )
    if created:
        product.conditions_honoured.set(Condition.objects.filter(code__in=spec.honours))
    return product, created


def licence_seed(
    *, spec: ProductSpec, product: Product, label: Label, label_code: str, starts_on: date
) -> Licence:
    """The licence between the product's licensee and the label, covering what the product
    uses when it is created; one that exists is left as it is."""
    today = timezone.now().date()
    artist_share, label_share, platform_share = spec.shares
    licence, created = Licence.objects.get_or_create(
        licensee=product.licensee,
        label=label,
        reference=f"{spec.code}-{label_code}-001",
        defaults={
            "starts_on": starts_on,
            "ends_on": date(max(2027, today.year + 1), 12, 31),
            "artist_share": artist_share,
            "label_share": label_share,
            "platform_share": platform_share,
        },
    )
    if created:
        licence.use_types.set(product.use_types.all())
    return licence
