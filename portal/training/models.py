"""What went into a product's models, and whether withdrawals reached them.

A manifest is a product's own account of which works (and for which use) went into one
model version, trained at a given time. An obligation is not stored: it is a permission
change that withdrew a use whose withdrawal must reach the next model (a use type that
`obliges_exclusion`), until the product's next completed manifest settles it
(`ObligationOutcome`): left out, honoured; still in, a breach; permitted again before
that model was trained, lapsed.
"""

from django.db import models

from portal.catalogue.models import Work
from portal.consent.models import PermissionChange
from portal.licensing.models import Product, UseType


class Manifest(models.Model):
    """One model version's training set, as the product declared it; sent whole or in
    parts, then completed, when it is checked."""

    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="manifests")
    model = models.CharField(max_length=200)
    version = models.CharField(max_length=100)
    trained_at = models.DateTimeField()
    received_at = models.DateTimeField()
    completed_at = models.DateTimeField(null=True, blank=True)
    items = models.PositiveBigIntegerField(default=0)
    unpermitted = models.PositiveBigIntegerField(default=0)
    breaches = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["product", "model", "version"], name="one_manifest_per_model_version"
            )
        ]

    def __str__(self) -> str:
        return f"{self.model} {self.version}"


class ManifestItem(models.Model):
    """A work and a use that went into the manifest's model."""

    manifest = models.ForeignKey(Manifest, on_delete=models.PROTECT, related_name="+")
    work = models.ForeignKey(Work, on_delete=models.PROTECT, related_name="+")
    use_type = models.ForeignKey(UseType, on_delete=models.PROTECT, related_name="+")
    # Set on completion: the use was not permitted when the model was trained.
    unpermitted = models.BooleanField(default=False)

    class Meta:
        indexes = [
            models.Index(fields=["manifest", "work", "use_type"], name="manifest_item"),
            # A work's history lists the models it went into.
            models.Index(fields=["work"], name="manifest_item_work"),
        ]

    def __str__(self) -> str:
        return f"{self.manifest_id}: {self.work_id}/{self.use_type_id}"


class ObligationOutcome(models.Model):
    """How a product's next model settled an obligation opened by a withdrawal."""

    class Outcome(models.TextChoices):
        HONOURED = "honoured", "Left out of the next model"
        BREACHED = "breached", "Still in the next model: a breach"
        LAPSED = "lapsed", "Permitted again before the next model"

    change = models.OneToOneField(
        PermissionChange, on_delete=models.PROTECT, primary_key=True, related_name="+"
    )
    manifest = models.ForeignKey(Manifest, on_delete=models.PROTECT, related_name="outcomes")
    outcome = models.CharField(max_length=10, choices=Outcome.choices)
    at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.change_id}: {self.outcome}"
