"""Effective permissions as announced, their numbered changes and the counters."""

from datetime import datetime

import pgtrigger
from django.db import models

from portal.catalogue.models import Work
from portal.consent.models.common import Cause, append_only
from portal.licensing.models import Product, UseType


class AnnouncedPermissionQuerySet(models.QuerySet["AnnouncedPermission"]):
    def permitted_at(self, now: datetime) -> "AnnouncedPermissionQuerySet":
        """Those permitted at `now`: announced permitted and not past their lapse."""
        return self.filter(permitted=True).filter(
            models.Q(lapses_at__isnull=True) | models.Q(lapses_at__gt=now)
        )


class AnnouncedPermission(models.Model):
    """The effective permission last announced for (product, work, use type): the state
    the products were told of, which the API's check answers from and each
    `PermissionChange` moved. (Not who may see what: that is the access rules; nor
    Django's auth permissions.)

    No row means never permitted. `lapses_at` is when a permitted row stops being
    permitted by itself (an expiry or a licence's end), so a check is exact even
    before the expiry sweep has announced it.
    """

    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="+")
    work = models.ForeignKey(Work, on_delete=models.PROTECT, related_name="+")
    use_type = models.ForeignKey(UseType, on_delete=models.PROTECT, related_name="+")
    permitted = models.BooleanField()
    reasons = models.JSONField(default=list)
    lapses_at = models.DateTimeField(null=True, blank=True)
    # A permitted use's conditions (both sides' together); empty otherwise.
    conditions = models.JSONField(default=list)

    objects = AnnouncedPermissionQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["product", "work", "use_type"], name="one_permission_per_product_work_use"
            )
        ]
        indexes = [
            # Permissions with an end date are few: what the clock's sweep announces, and
            # what a count from the tallies corrects for once their end has passed.
            models.Index(
                fields=["product", "use_type", "lapses_at"],
                include=["work"],
                condition=models.Q(permitted=True, lapses_at__isnull=False),
                name="permission_lapsing",
            )
        ]

    def __str__(self) -> str:
        return f"{self.product_id}/{self.work_id}/{self.use_type_id}: {self.permitted}"


class ChangeCounter(models.Model):
    """The last permission-change sequence number used for a product."""

    product = models.OneToOneField(Product, on_delete=models.PROTECT, primary_key=True)
    last = models.PositiveBigIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.product_id} at {self.last}"


@pgtrigger.register(*append_only("changes"))
class PermissionChange(models.Model):
    """An effective permission flipped, or a permitted use's conditions changed. Numbered
    per product, gapless; never changed."""

    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="+")
    seq = models.PositiveBigIntegerField()
    work = models.ForeignKey(Work, on_delete=models.PROTECT, related_name="+")
    use_type = models.ForeignKey(UseType, on_delete=models.PROTECT, related_name="+")
    permitted = models.BooleanField()
    reasons = models.JSONField(default=list)
    # The conditions the use is permitted under from this change on. A change of them
    # alone, still permitted, is a change too.
    conditions = models.JSONField(default=list)
    cause = models.CharField(max_length=10, choices=Cause.choices)
    at = models.DateTimeField()

    class Meta:
        ordering = ["product", "seq"]
        constraints = [
            models.UniqueConstraint(fields=["product", "seq"], name="one_change_per_product_seq")
        ]
        # A work's permission history for a product: what usage reports are checked against.
        indexes = [
            models.Index(fields=["product", "work", "use_type", "at"], name="change_history")
        ]

    def __str__(self) -> str:
        return f"{self.product_id}#{self.seq} {self.work_id}/{self.use_type_id} → {self.permitted}"


# Tallies: how a label's catalogue stands, kept by the write path so the label's pages
# read a few hundred rows instead of grouping millions of answers per request.

# The cells of a tally: the artist's answer, then the label's; "none" is no answer yet,
# and an expired yes is a yes (an answer given). none/none is the works less the rest.
