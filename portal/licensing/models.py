from datetime import date
from decimal import Decimal
from typing import TypedDict

from django.conf import settings
from django.core.validators import BaseValidator, MaxValueValidator, MinValueValidator
from django.db import models

from portal.catalogue.models import Label
from portal.text import validate_name


class UseType(models.Model):
    """A kind of AI use. Staff can add more; the slug is what machines see."""

    slug = models.SlugField(max_length=40, unique=True)
    name = models.CharField(max_length=80, validators=[validate_name])
    explanation = models.TextField(
        help_text="Plain language for artists: what this use means in practice."
    )
    position = models.PositiveSmallIntegerField(default=0)
    obliges_exclusion = models.BooleanField(
        default=False,
        help_text="Withdrawing it obliges the product to leave the work out of its next "
        "model version (training).",
    )

    class Meta:
        ordering = ["position", "name"]

    def __str__(self) -> str:
        return self.name


class Licensee(models.Model):
    """A company that builds AI products."""

    name = models.CharField(max_length=200, unique=True, validators=[validate_name])
    website = models.URLField(blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class PercentArgs(TypedDict):
    max_digits: int
    decimal_places: int
    validators: list[BaseValidator]


PERCENT: PercentArgs = {
    "max_digits": 5,
    "decimal_places": 2,
    "validators": [MinValueValidator(Decimal(0)), MaxValueValidator(Decimal(100))],
}


def shares_constraints(prefix: str) -> list[models.CheckConstraint]:
    """The database's own refusal of shares that are negative or do not add up to 100,
    whoever writes them: allocation cannot split money by such terms. (Each at most 100
    follows.) Messages go through %-formatting by Django, so a percent sign is doubled."""
    return [
        models.CheckConstraint(
            condition=models.Q(
                artist_share=Decimal(100) - models.F("label_share") - models.F("platform_share")
            ),
            name=f"{prefix}_sum_to_100",
            violation_error_message="The shares must add up to 100%%.",
        ),
        models.CheckConstraint(
            condition=models.Q(artist_share__gte=0, label_share__gte=0, platform_share__gte=0),
            name=f"{prefix}_not_negative",
            violation_error_message="A share cannot be negative.",
        ),
    ]


class Licence(models.Model):
    """An agreement between a licensee and a label, covering some use types for a term.

    The term is inclusive: a licence ending on 31 Dec covers the whole of 31 Dec (UTC).
    """

    licensee = models.ForeignKey(Licensee, on_delete=models.PROTECT, related_name="licences")
    label = models.ForeignKey(Label, on_delete=models.PROTECT, related_name="licences")
    reference = models.CharField(max_length=60, blank=True)
    starts_on = models.DateField()
    ends_on = models.DateField(null=True, blank=True, help_text="Empty: open-ended.")
    use_types = models.ManyToManyField(UseType, related_name="licences")
    artist_share = models.DecimalField(**PERCENT, help_text="Percent of gross to the artist.")
    label_share = models.DecimalField(**PERCENT, help_text="Percent of gross to the label.")
    platform_share = models.DecimalField(**PERCENT, help_text="Percent kept by the platform.")

    class Meta:
        ordering = ["licensee", "label", "-starts_on"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_on__isnull=True)
                | models.Q(ends_on__gte=models.F("starts_on")),
                name="licence_ends_after_start",
                violation_error_message="A licence cannot end before it starts.",
            ),
            *shares_constraints("licence_shares"),
        ]

    def __str__(self) -> str:
        return f"{self.licensee} × {self.label} ({self.term_display})"

    @property
    def term_display(self) -> str:
        until = self.ends_on.strftime("%-d %b %Y") if self.ends_on else "open-ended"
        return f"{self.starts_on:%-d %b %Y} – {until}"

    def in_force_on(self, day: date) -> bool:
        return self.starts_on <= day and (self.ends_on is None or day <= self.ends_on)

    def artist_share_for(self, use_type_id: int) -> Decimal:
        """The artist's percent of what the product pays for one use: the use's own share
        where the licence sets one apart (read from `shares`, prefetched or not)."""
        for share in self.shares.all():
            if share.use_type_id == use_type_id:
                return share.artist_share
        return self.artist_share


class LicenceShare(models.Model):
    """Shares for one use type where the licence sets them apart from its own."""

    licence = models.ForeignKey(Licence, on_delete=models.CASCADE, related_name="shares")
    use_type = models.ForeignKey(UseType, on_delete=models.PROTECT, related_name="+")
    artist_share = models.DecimalField(**PERCENT)
    label_share = models.DecimalField(**PERCENT)
    platform_share = models.DecimalField(**PERCENT)

    class Meta:
        ordering = ["licence", "use_type"]
        constraints = [
            models.UniqueConstraint(fields=["licence", "use_type"], name="one_share_per_use"),
            *shares_constraints("licence_use_shares"),
        ]

    def __str__(self) -> str:
        return f"{self.use_type}: {self.artist_share}/{self.label_share}/{self.platform_share}"


class Condition(models.Model):
    """A condition a yes can carry ("yes, if it credits me"), from a vocabulary staff
    manage. What it asks of a product is in plain words here; products declare which they
    can honour. `code` is what machines read (API, webhooks, receipts), so it never
    changes; `parameter` is what the person giving the yes fills in, if anything."""

    class Parameter(models.TextChoices):
        NONE = "none", "Nothing to fill in"
        CREDIT = "credit", "A credit line"
        TERRITORIES = "territories", "The countries allowed (ISO 3166-1)"

    code = models.SlugField(max_length=40, unique=True)
    name = models.CharField(max_length=80, validators=[validate_name])
    explanation = models.TextField(
        help_text="What it asks of a product, in plain words, for artists."
    )
    parameter = models.CharField(max_length=12, choices=Parameter.choices, default=Parameter.NONE)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "name"]

    def __str__(self) -> str:
        return self.name


class Product(models.Model):
    """An AI product made by a licensee. Only an active product may use anything."""

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        ACTIVE = "active", "Active"
        SUSPENDED = "suspended", "Suspended"
        RETIRED = "retired", "Retired"

    licensee = models.ForeignKey(Licensee, on_delete=models.PROTECT, related_name="products")
    slug = models.SlugField(max_length=40, unique=True)
    name = models.CharField(max_length=120, validators=[validate_name])
    summary = models.CharField(max_length=200, help_text="One line: what the product does.")
    description = models.TextField(blank=True, help_text="Plain language, for artists.")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    status_changed_at = models.DateTimeField(null=True, blank=True)
    use_types: "models.ManyToManyField[UseType, ProductUse]" = models.ManyToManyField(
        UseType, through="ProductUse", related_name="products"
    )
    conditions_honoured = models.ManyToManyField(
        Condition,
        blank=True,
        related_name="products",
        help_text="The conditions this product can honour, shown to artists on its card.",
    )
    # Written only by publishing a version (`consent.services.versions`): the number of
    # the version in force, and of the last one that changed what the product does. A
    # yes for "this version only" given before that one permits nothing any more.
    version = models.PositiveIntegerField(default=1)
    material_version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class ProductVersion(models.Model):
    """A published version of a product: what it does, the uses it asks for, the
    conditions it honours and the model it concerns, as they were that day. Kept for
    ever; a material change (a new use, a changed purpose, a new model generation) asks
    everyone whose yes was for an earlier version only to answer again."""

    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveIntegerField(help_text="1 for the first, then one more each time.")
    name = models.CharField(max_length=40, validators=[validate_name], help_text='"2.0"')
    model = models.CharField(
        max_length=120, blank=True, help_text="The model's name and version it concerns."
    )
    summary = models.TextField(help_text="What changed, in plain words, for artists.")
    material = models.BooleanField(
        help_text="It changes what the product does: yes answers for earlier versions only "
        "stop permitting and are asked again."
    )
    uses = models.JSONField(default=list, help_text="The use types it asks for (slugs).")
    conditions = models.JSONField(default=list, help_text="The conditions it honours (codes).")
    published_at = models.DateTimeField()
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )

    class Meta:
        ordering = ["product", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["product", "number"], name="one_version_per_number")
        ]

    def __str__(self) -> str:
        return f"{self.product} {self.name}"


class ProductUse(models.Model):
    """A use type a product requests, and what it does with it, in its own words."""

    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="uses")
    use_type = models.ForeignKey(UseType, on_delete=models.PROTECT)
    purpose = models.TextField(help_text="What the product does with this use, for artists.")

    class Meta:
        ordering = ["use_type__position", "use_type__name"]
        constraints = [
            models.UniqueConstraint(fields=["product", "use_type"], name="one_row_per_product_use")
        ]

    def __str__(self) -> str:
        return f"{self.product}: {self.use_type}"
