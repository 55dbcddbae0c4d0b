"""Admin for licensing: use types, licensees, licences and AI products.

Licences and a product's uses feed the effective permission, so saving or deleting them
here announces what flipped through `portal.licensing.services`; a product's status
changes only through the actions, which call `product_set_status`.
"""

from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.db import models
from django.db.models import QuerySet
from django.forms.formsets import BaseFormSet
from django.http import HttpRequest
from django.utils import timezone

from portal.catalogue.admin import ReadOnlyMixin
from portal.consent.services import product_set_status
from portal.delivery.admin import product_delivery
from portal.licensing.models import (
    Licence,
    LicenceShare,
    Licensee,
    Product,
    ProductUse,
    UseType,
)
from portal.licensing.services import licence_changed, licences_deleted, product_changed
from portal.words import counted

SHARES = ("artist_share", "label_share", "platform_share")
# What the effective permission reads from a licence.
PERMISSION_FIELDS = {"licensee", "label", "starts_on", "ends_on", "use_types"}
# Websites and webhook endpoints typed without a scheme are meant as https.
HTTPS_URLS = {models.URLField: {"assume_scheme": "https"}}


def _flipped_message(flipped: int) -> str:
    return f"{counted(flipped, 'permission')} flipped as a result."


@admin.register(UseType)
class UseTypeAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "position"]
    list_editable = ["position"]
    search_fields = ["name", "slug"]

    def get_readonly_fields(self, request: HttpRequest, obj: UseType | None = None) -> list[str]:
        # Machines see the slug (API, webhooks): renaming it would break every product.
        return ["slug"] if obj is not None else []

    def get_prepopulated_fields(
        self, request: HttpRequest, obj: UseType | None = None
    ) -> dict[str, Sequence[str]]:
        return {"slug": ["name"]} if obj is None else {}


class _ReadOnlyInline(ReadOnlyMixin, admin.TabularInline):
    """Listed for context with a link to their own page, where edits announce their effects."""

    extra = 0
    show_change_link = True


class LicenseeProductInline(_ReadOnlyInline):
    model = Product
    fields = ["name", "slug", "status"]


class LicenseeLicenceInline(_ReadOnlyInline):
    model = Licence
    fields = ["label", "reference", "starts_on", "ends_on"]


@admin.register(Licensee)
class LicenseeAdmin(admin.ModelAdmin):
    formfield_overrides = HTTPS_URLS
    list_display = ["name", "website"]
    search_fields = ["name"]
    inlines = [LicenseeProductInline, LicenseeLicenceInline]


class LicenceAdminForm(forms.ModelForm):
    class Meta:
        model = Licence
        fields = ["licensee", "label", "reference", "starts_on", "ends_on", "use_types", *SHARES]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        starts_on, ends_on = cleaned.get("starts_on"), cleaned.get("ends_on")
        if starts_on and ends_on and ends_on < starts_on:
            self.add_error("ends_on", "A licence cannot end before it starts.")
        shares: list[Decimal | None] = [cleaned.get(name) for name in SHARES]
        if all(share is not None for share in shares):
            total = sum(shares, Decimal(0))  # type: ignore[arg-type]
            if total != 100:
                artist, label, platform = shares
                # On the last share, so the database's own check is not also reported.
                self.add_error(
                    "platform_share",
                    f"The shares must add up to 100%: artist {artist} + label {label} + "
                    f"platform {platform} = {total}%.",
                )
        return cleaned


class LicenceShareInline(admin.TabularInline):
    model = LicenceShare
    extra = 0
    verbose_name = "revenue shares for one use"
    verbose_name_plural = "Revenue shares that differ by use (the licence's own apply otherwise)"


@admin.register(Licence)
class LicenceAdmin(admin.ModelAdmin):
    form = LicenceAdminForm
    inlines = [LicenceShareInline]
    list_display = [
        "licensee",
        "label",
        "reference",
        "starts_on",
        "ends_on",
        "uses",
        "shares",
    ]
    list_select_related = ["licensee", "label"]
    list_filter = ["licensee", "label", "use_types"]
    search_fields = ["reference", "licensee__name", "label__name"]
    autocomplete_fields = ["licensee", "label"]
    filter_horizontal = ["use_types"]
    date_hierarchy = "starts_on"
    fieldsets = [
        (None, {"fields": ["licensee", "label", "reference"]}),
        ("Term", {"fields": ["starts_on", "ends_on"]}),
        ("Uses covered", {"fields": ["use_types"]}),
        (
            "Revenue shares",
            {"description": "Percent of gross; the three add up to 100.", "fields": SHARES},
        ),
    ]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Licence]:
        return super().get_queryset(request).prefetch_related("use_types")

    @admin.display(description="uses")
    def uses(self, licence: Licence) -> str:
        return ", ".join(use.name for use in licence.use_types.all())

    @admin.display(description="artist / label / platform %")
    def shares(self, licence: Licence) -> str:
        return f"{licence.artist_share} / {licence.label_share} / {licence.platform_share}"

    def save_related(
        self, request: HttpRequest, form: forms.ModelForm, formsets: Any, change: bool
    ) -> None:
        super().save_related(request, form, formsets, change)
        # Only now are the use types saved, and the rule reads them from the database.
        if change and not set(form.changed_data) & PERMISSION_FIELDS:
            return  # a new reference or new shares change no permission
        flipped = licence_changed(
            licence=form.instance,
            previous_licensee_id=form.initial.get("licensee") if change else None,
            previous_label_id=form.initial.get("label") if change else None,
            created=not change,
        )
        if flipped:
            self.message_user(request, _flipped_message(flipped), messages.WARNING)

    def delete_model(self, request: HttpRequest, obj: Licence) -> None:
        super().delete_model(request, obj)
        flipped = licence_changed(licence=obj)
        if flipped:
            self.message_user(request, _flipped_message(flipped), messages.WARNING)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Licence]) -> None:
        licences = list(queryset)
        super().delete_queryset(request, queryset)
        flipped = licences_deleted(licences=licences)
        if flipped:
            self.message_user(request, _flipped_message(flipped), messages.WARNING)


class ProductUseInline(admin.StackedInline):
    model = ProductUse
    extra = 0
    fields = ["use_type", "purpose"]


@admin.register(Product)
class ProductAdmin(admin.ModelAdmin):
    formfield_overrides = HTTPS_URLS
    list_display = ["name", "slug", "licensee", "status", "status_changed_at", "uses"]
    list_select_related = ["licensee"]
    list_filter = ["status", "licensee"]
    search_fields = ["name", "slug", "licensee__name"]
    autocomplete_fields = ["licensee"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [ProductUseInline]
    actions = ["suspend", "reactivate", "retire"]
    fieldsets = [
        (None, {"fields": ["licensee", "name", "slug", "summary", "description"]}),
        (
            "Status",
            {
                "description": "Once the product exists, its status changes only through the "
                "Suspend, Reactivate and Retire actions on the product list, which announce "
                "every permission that flips.",
                "fields": ["status", "status_changed_at"],
            },
        ),
        ("Delivery", {"fields": ["delivery"]}),
    ]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Product]:
        return super().get_queryset(request).prefetch_related("uses__use_type")

    def get_readonly_fields(self, request: HttpRequest, obj: Product | None = None) -> list[str]:
        fields = ["status_changed_at", "delivery"]
        return ["status", *fields] if obj is not None else fields

    @admin.display(description="webhook delivery")
    def delivery(self, product: Product) -> str:
        # The endpoint, its secrets and its deliveries are managed under Delivery.
        return product_delivery(product) if product.pk else "Add the product first."

    @admin.display(description="uses")
    def uses(self, product: Product) -> str:
        return ", ".join(use.use_type.name for use in product.uses.all())

    def save_model(
        self, request: HttpRequest, obj: Product, form: forms.ModelForm, change: bool
    ) -> None:
        if not change and obj.status != Product.Status.DRAFT:
            obj.status_changed_at = timezone.now()
        super().save_model(request, obj, form, change)

    def save_related(
        self,
        request: HttpRequest,
        form: forms.ModelForm,
        formsets: list[BaseFormSet],
        change: bool,
    ) -> None:
        super().save_related(request, form, formsets, change)
        # A new product has no answers yet, so nothing can flip until it is edited.
        uses_changed = any(formset.has_changed() for formset in formsets)
        if change and (uses_changed or "licensee" in form.changed_data):
            flipped = product_changed(product=form.instance)
            if flipped:
                self.message_user(request, _flipped_message(flipped), messages.WARNING)

    def _set_status(
        self, request: HttpRequest, queryset: QuerySet[Product], status: str, done: str
    ) -> None:
        products = list(queryset.order_by("pk"))
        to_change = [product for product in products if product.status != status]
        flipped = 0
        for product in to_change:
            changed = product_set_status(product=product, status=status)
            flipped += changed
            self.log_change(request, product, f"{done}; {_flipped_message(changed)}")
        message = f"{done} {counted(len(to_change), 'product')}; {_flipped_message(flipped)}"
        if already := len(products) - len(to_change):
            message += f" {counted(already, 'was', 'were')} already {status}."
        self.message_user(request, message, messages.SUCCESS)

    @admin.action(description="Suspend selected products", permissions=["change"])
    def suspend(self, request: HttpRequest, queryset: QuerySet[Product]) -> None:
        self._set_status(request, queryset, Product.Status.SUSPENDED, "Suspended")

    @admin.action(description="Reactivate selected products", permissions=["change"])
    def reactivate(self, request: HttpRequest, queryset: QuerySet[Product]) -> None:
        self._set_status(request, queryset, Product.Status.ACTIVE, "Activated")

    @admin.action(description="Retire selected products", permissions=["change"])
    def retire(self, request: HttpRequest, queryset: QuerySet[Product]) -> None:
        self._set_status(request, queryset, Product.Status.RETIRED, "Retired")
