"""The clock: what stopped or started being permitted with nobody clicking."""

from django.db.models import Q
from django.utils import timezone

from portal.catalogue.models import Work
from portal.consent.models import AnnouncedPermission, Cause
from portal.consent.services.announce import permissions_refresh
from portal.licensing.models import Licence, Product


def lapses_announce() -> int:
    """Announce what stopped or started being permitted by the clock alone: grants and
    licences that expired, licences that began. Run every minute by beat; idempotent.

    Checks never wait for this: a permission past its `lapses_at` already reads as not
    permitted. This only tells the products.
    """
    now = timezone.now()
    lapsed = AnnouncedPermission.objects.filter(permitted=True, lapses_at__lte=now)
    starting = Licence.objects.filter(starts_on=now.date())
    flipped = 0
    for product in Product.objects.filter(
        Q(pk__in=lapsed.values("product_id"))
        | Q(licensee__in=starting.values("licensee_id"), status=Product.Status.ACTIVE)
    ).order_by("pk"):
        works = Work.objects.filter(
            Q(pk__in=lapsed.filter(product=product).values("work_id"))
            | Q(label__in=starting.filter(licensee_id=product.licensee_id).values("label_id"))
        )
        flipped += permissions_refresh(product=product, cause=Cause.EXPIRY, works=works)
    return flipped
