from decimal import Decimal
from typing import TypedDict

from django.conf import settings
from django.db import models

from portal.catalogue.models import Artist, Label, Work
from portal.licensing.models import Licence, Product, UseType


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
    context = models.JSONField(
        default=dict, blank=True, help_text="How the use was made, as the product said it."
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


class Compliance(models.TextChoices):
    """Whether the product was permitted the use of the work for the reported period."""

    PERMITTED = "permitted", "Permitted"
    PARTLY = "partly", "Permitted for part of the period"
    UNPERMITTED = "unpermitted", "Not permitted"
    # Permitted, but under conditions the use broke (or did not show it kept).
    BREACHED = "breached", "Used against a condition"


class MoneyArgs(TypedDict):
    max_digits: int
    decimal_places: int


MONEY: MoneyArgs = {"max_digits": 14, "decimal_places": 2}


_rest = models.F("gross") - models.F("label_amount") - models.F("platform_amount")


class Allocation(models.Model):
    """What the portal made of one usage line: who gets what, and whether the use was
    permitted. Derived, so it can be recomputed from the line, the licence and the
    permission history; the line itself is never changed.

    Lines that were not permitted for the whole period are flagged: their money is held,
    not paid as normal. A line no licence covered has no split at all (amounts empty).
    The keys are copied from the line, its report and its work so that earnings are
    summed without joins.
    """

    line = models.OneToOneField(
        UsageLine, on_delete=models.PROTECT, primary_key=True, related_name="allocation"
    )
    report = models.ForeignKey(UsageReport, on_delete=models.PROTECT, related_name="+")
    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="+")
    work = models.ForeignKey(Work, on_delete=models.PROTECT, related_name="+")
    artist = models.ForeignKey(Artist, on_delete=models.PROTECT, related_name="+")
    label = models.ForeignKey(Label, on_delete=models.PROTECT, related_name="+")
    use_type = models.ForeignKey(UseType, on_delete=models.PROTECT, related_name="+")
    licence = models.ForeignKey(Licence, on_delete=models.PROTECT, null=True, related_name="+")
    month = models.DateField(help_text="First day of the month the reported period ends in.")
    currency = models.CharField(max_length=3)
    units = models.PositiveBigIntegerField()
    gross = models.DecimalField(**MONEY)
    artist_amount = models.DecimalField(**MONEY, null=True)
    label_amount = models.DecimalField(**MONEY, null=True)
    platform_amount = models.DecimalField(**MONEY, null=True)
    compliance = models.CharField(max_length=12, choices=Compliance.choices)
    # For a line that broke a condition: which, and how, in words (`conditions.Breach`).
    breach = models.JSONField(null=True, blank=True)

    class Meta:
        ordering = ["report", "line"]
        indexes = [
            models.Index(fields=["artist", "month"], name="allocation_artist_month"),
            models.Index(fields=["label", "month"], name="allocation_label_month"),
            models.Index(fields=["work", "month"], name="allocation_work_month"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(
                    licence__isnull=True,
                    artist_amount__isnull=True,
                    label_amount__isnull=True,
                    platform_amount__isnull=True,
                )
                | models.Q(
                    licence__isnull=False,
                    artist_amount__isnull=False,
                    label_amount__isnull=False,
                    platform_amount__isnull=False,
                    # Within a tenth of a cent: exact for two-decimal amounts, and
                    # untroubled by SQLite's binary floats (make run's database).
                    artist_amount__range=(
                        _rest - Decimal("0.001"),
                        _rest + Decimal("0.001"),
                    ),
                ),
                name="allocation_sums_to_gross",
            ),
        ]

    def __str__(self) -> str:
        return f"line {self.line_id}: {self.compliance}"

    @property
    def flagged(self) -> bool:
        return self.compliance != Compliance.PERMITTED


class MonthlyEarning(models.Model):
    """Allocations summed per artist, product, use, month, currency and compliance:
    maintained by the ingest in the same transaction, so earnings pages read a few
    hundred rows instead of every line. Rebuildable from Allocation."""

    artist = models.ForeignKey(Artist, on_delete=models.PROTECT, related_name="+")
    label = models.ForeignKey(Label, on_delete=models.PROTECT, related_name="+")
    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="+")
    use_type = models.ForeignKey(UseType, on_delete=models.PROTECT, related_name="+")
    month = models.DateField()
    currency = models.CharField(max_length=3)
    compliance = models.CharField(max_length=12, choices=Compliance.choices)
    lines = models.PositiveIntegerField()
    units = models.PositiveBigIntegerField()
    gross = models.DecimalField(max_digits=24, decimal_places=2)
    artist_amount = models.DecimalField(max_digits=24, decimal_places=2)
    label_amount = models.DecimalField(max_digits=24, decimal_places=2)
    platform_amount = models.DecimalField(max_digits=24, decimal_places=2)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=[
                    *("artist", "label", "product", "use_type"),
                    *("month", "currency", "compliance"),
                ],
                name="one_monthly_earning_per_key",
            )
        ]
        indexes = [models.Index(fields=["label", "month"], name="monthly_label_month")]

    def __str__(self) -> str:
        return f"{self.artist_id} {self.product_id}/{self.use_type_id} {self.month:%Y-%m}"


class WorkMonthEarning(models.Model):
    """Allocations summed per work, month and currency, for earnings by work."""

    work = models.ForeignKey(Work, on_delete=models.PROTECT, related_name="+")
    artist = models.ForeignKey(Artist, on_delete=models.PROTECT, related_name="+")
    label = models.ForeignKey(Label, on_delete=models.PROTECT, related_name="+")
    month = models.DateField()
    currency = models.CharField(max_length=3)
    lines = models.PositiveIntegerField()
    units = models.PositiveBigIntegerField()
    gross = models.DecimalField(max_digits=24, decimal_places=2)
    artist_amount = models.DecimalField(
        max_digits=24, decimal_places=2, help_text="Permitted use only."
    )
    artist_held = models.DecimalField(
        max_digits=24, decimal_places=2, help_text="The artist's share of flagged use."
    )
    flagged_lines = models.PositiveIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["work", "artist", "label", "month", "currency"],
                name="one_work_month_earning_per_key",
            )
        ]
        indexes = [
            models.Index(
                fields=["artist", "currency", "month"],
                include=["work", "artist_amount", "artist_held", "units"],
                name="work_month_artist",
            ),
            # An artist's earnings per work over a period, summed in work order from the
            # index alone (the by-work table; the works most held, for the flagged use):
            # at 10,000 works a year, hashing the work-months instead spilled to disk.
            models.Index(
                fields=["artist", "currency", "work", "month"],
                include=["units", "artist_amount", "artist_held", "flagged_lines"],
                name="work_month_by_work",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.work_id} {self.month:%Y-%m}"


class FlaggedUse(models.Model):
    """One usage report's use of one artist's works that was not permitted or broke a
    condition, summed: what the artist's team is told when the report arrives, and what
    the artist's home shows until someone of the team has seen it. Written with the
    report's allocation (`earnings.flags.flags_record`), in its transaction."""

    report = models.ForeignKey(UsageReport, on_delete=models.PROTECT, related_name="+")
    artist = models.ForeignKey(Artist, on_delete=models.PROTECT, related_name="+")
    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="+")
    # The first of the works, by id: named in the words when it is the only one.
    work = models.ForeignKey(Work, on_delete=models.PROTECT, related_name="+")
    works = models.PositiveIntegerField()
    units = models.PositiveBigIntegerField()
    breached_units = models.PositiveBigIntegerField(
        help_text="Of the units, those permitted but used against a condition."
    )
    currency = models.CharField(max_length=3)
    artist_held = models.DecimalField(max_digits=24, decimal_places=2)
    seen_at = models.DateTimeField(null=True, blank=True)
    seen_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["report", "artist"], name="one_flagged_use_per_report_artist"
            )
        ]
        indexes = [
            # The home's banner: the artist's flags no one has seen yet.
            models.Index(
                fields=["artist", "id"],
                condition=models.Q(seen_at__isnull=True),
                name="flagged_use_unseen",
            )
        ]

    def __str__(self) -> str:
        return f"report {self.report_id}, artist {self.artist_id}: {self.units} units"
