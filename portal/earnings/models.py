from django.db import models

from portal.catalogue.models import Work
from portal.licensing.models import Product, UseType


class UsageReport(models.Model):
    """What a product reports it did in a period, as it sent it: validated whole and
    stored whole. `reference` is the product's own name for the report, unique per
    product, so a resubmission is recognised; `body_hash` tells a retry of the same
    report from a different report under a reused reference."""

    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="usage_reports")
    reference = models.CharField(max_length=100)
    period_start = models.DateField()
    period_end = models.DateField()
    currency = models.CharField(max_length=3, help_text="ISO 4217.")
    received_at = models.DateTimeField()
    body_hash = models.CharField(max_length=64)

    class Meta:
        ordering = ["-received_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["product", "reference"], name="one_usage_report_per_reference"
            ),
            models.CheckConstraint(
                condition=models.Q(period_end__gte=models.F("period_start")),
                name="usage_period_ends_after_start",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.reference} ({self.period_start} – {self.period_end})"


class UsageLine(models.Model):
    """One work and use in a usage report: units and the gross amount, in the report's
    currency, exact to the minor unit."""

    report = models.ForeignKey(UsageReport, on_delete=models.PROTECT, related_name="lines")
    work = models.ForeignKey(Work, on_delete=models.PROTECT, related_name="+")
    use_type = models.ForeignKey(UseType, on_delete=models.PROTECT, related_name="+")
    units = models.PositiveBigIntegerField()
    gross = models.DecimalField(max_digits=14, decimal_places=2)
    credit = models.CharField(
        max_length=300, blank=True, help_text="How the product credited the artist."
    )

    class Meta:
        ordering = ["report", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["report", "work", "use_type"], name="one_usage_line_per_work_use"
            ),
            models.CheckConstraint(
                condition=models.Q(gross__gte=0), name="usage_gross_not_negative"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.work_id}/{self.use_type_id}: {self.units} units, {self.gross}"
