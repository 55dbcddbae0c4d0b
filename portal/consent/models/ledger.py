"""The append-only, hash-chained ledger of decisions and its head."""

import pgtrigger
from django.conf import settings
from django.db import models

from portal.catalogue.models import Work
from portal.consent.models.common import Answer, Side, append_only
from portal.consent.models.decisions import Delegation
from portal.licensing.models import Product, UseType


@pgtrigger.register(*append_only("ledger"))
class LedgerEntry(models.Model):
    """The append-only, hash-chained history of every decision.

    `digest` is SHA-256 over the entry's canonical content and the previous entry's
    digest, so changing or removing any entry breaks every digest after it.
    """

    position = models.PositiveBigIntegerField(unique=True)
    at = models.DateTimeField()
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    actor_name = models.CharField(max_length=200)
    side = models.CharField(max_length=20, choices=Side.choices)
    acting_for = models.CharField(max_length=200, help_text="The artist or label decided for.")
    delegation = models.ForeignKey(
        Delegation,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="Set when the label decided the artist side under the artist's delegation.",
    )
    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="+")
    work = models.ForeignKey(Work, on_delete=models.PROTECT, related_name="ledger_entries")
    use_type = models.ForeignKey(UseType, on_delete=models.PROTECT, related_name="+")
    previous = models.CharField(max_length=10, choices=Answer.choices, blank=True)
    answer = models.CharField(max_length=10, choices=Answer.choices)
    expires_at = models.DateTimeField(null=True, blank=True)
    conditions = models.JSONField(default=list, blank=True)
    for_version = models.PositiveIntegerField(default=1)
    later_versions = models.BooleanField(default=False)
    note = models.TextField(blank=True)
    previous_digest = models.CharField(max_length=64)
    digest = models.CharField(max_length=64)

    class Meta:
        ordering = ["position"]
        verbose_name_plural = "ledger entries"
        indexes = [models.Index(fields=["work", "-position"], name="ledger_work_position")]

    def __str__(self) -> str:
        return f"#{self.position} {self.actor_name}: {self.previous or 'none'} → {self.answer}"


class LedgerHead(models.Model):
    """A single row: the chain's tip. Locking it serialises appends so the chain cannot fork."""

    position = models.PositiveBigIntegerField(default=0)
    digest = models.CharField(max_length=64)

    def __str__(self) -> str:
        return f"ledger head #{self.position}"
