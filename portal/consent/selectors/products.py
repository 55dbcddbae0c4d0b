"""Which products ask for a party's works, and for which uses."""

from django.db.models import QuerySet

from portal.catalogue.models import Work
from portal.licensing.models import Product, UseType


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


def use_types_of(*, product: Product) -> list[UseType]:
    """The use types the product asks for, in display order (free when prefetched)."""
    uses = product.uses.all()
    if not hasattr(product, "_prefetched_objects_cache"):
        uses = uses.select_related("use_type")
    return [product_use.use_type for product_use in uses]
