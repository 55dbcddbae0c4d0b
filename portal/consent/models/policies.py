"""A label's standing policies and their entries in the ledger's chain."""

import pgtrigger
from django.conf import settings
from django.db import models

from portal.catalogue.models import Label
from portal.consent.models.common import append_only
from portal.licensing.models import Product, UseType


class LabelPolicy(models.Model):
    """A label's standing rule that caps what any answer can do: no use of its works
    matching every condition set (a use type, a product, works released on or after a
    date) is permitted, whoever said yes. At least one condition; a work without a release
    date counts as released on or after any date (opt-in: unknown is not allowed).

    Written only by `portal.consent.services.policies`, which records adding and lifting in
    the ledger. Lifting keeps the row (who lifted it and when), as revoking a delegation does.
    """

    label = models.ForeignKey(Label, on_delete=models.PROTECT, related_name="policies")
    use_type = models.ForeignKey(
        UseType, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    product = models.ForeignKey(
        Product, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    released_before = models.DateField(
        null=True, blank=True, help_text="Only works released before this day may be used."
    )
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    added_at = models.DateTimeField()
    lifted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    lifted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-added_at", "-pk"]
        verbose_name_plural = "label policies"
        constraints = [
            models.CheckConstraint(
                condition=models.Q(use_type__isnull=False)
                | models.Q(product__isnull=False)
                | models.Q(released_before__isnull=False),
                name="label_policy_has_a_condition",
                violation_error_message=(
                    "Choose what the policy stops: a use, a product, or works released from a date."
                ),
            )
        ]
        indexes = [
            models.Index(
                fields=["label"], condition=models.Q(lifted_at__isnull=True), name="policy_active"
            )
        ]

    def __str__(self) -> str:
        state = "lifted" if self.lifted_at else "in force"
        return f"{self.label} policy #{self.pk} ({state})"

    @property
    def active(self) -> bool:
        return self.lifted_at is None


class PolicyEvent(models.TextChoices):
    ADDED = "added", "Added"
    LIFTED = "lifted", "Lifted"


@pgtrigger.register(*append_only("policy_ledger"))
class PolicyLedgerEntry(models.Model):
    """A label policy added or lifted: a link of the ledger's one chain, as answers are.

    Its `position` is taken from the same head as `LedgerEntry`'s, so the two tables
    together hold the chain, every position once; its digest covers the policy's whole
    content (`ledger.digest.POLICY_HASHED`). Kept apart so every reader of answers keeps
    reading answers only.
    """

    position = models.PositiveBigIntegerField(unique=True)
    at = models.DateTimeField()
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    actor_name = models.CharField(max_length=200)
    event = models.CharField(max_length=10, choices=PolicyEvent.choices)
    policy = models.ForeignKey(LabelPolicy, on_delete=models.PROTECT, related_name="entries")
    label = models.ForeignKey(Label, on_delete=models.PROTECT, related_name="+")
    use_type = models.ForeignKey(
        UseType, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    product = models.ForeignKey(
        Product, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    released_before = models.DateField(null=True, blank=True)
    previous_digest = models.CharField(max_length=64)
    digest = models.CharField(max_length=64)

    class Meta:
        ordering = ["position"]
        verbose_name_plural = "policy ledger entries"

    def __str__(self) -> str:
        return f"#{self.position} {self.actor_name}: policy #{self.policy_id} {self.event}"
