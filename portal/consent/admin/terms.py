"""Staff's pages for what the rule reads from licensing: licences, and products' uses
and status.

Licensing sits below consent and cannot announce what an edit flips, so these pages
are registered here and every save goes through consent's services: a licence with
`licence_save`, `licence_delete` and `licences_delete`, which write it and announce
together; a product's status only through the actions, with `product_set_status`; its
uses, saved by the page's inline, with `product_announce` in the same transaction.
Delivery adds its webhook's state to the product page (`portal.delivery.admin`).
"""

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.db.models import QuerySet
from django.forms.formsets import BaseFormSet
from django.http import HttpRequest
from django.utils import timezone

from portal.consent.services.licences import licence_delete, licence_save, licences_delete
from portal.consent.services.products import product_announce, product_set_status
from portal.licensing.forms import HTTPS_URLS, SHARES, LicenceAdminForm
from portal.licensing.models import Licence, LicenceShare, Product, ProductUse
from portal.words import counted


def _flipped_message(flipped: int) -> str:
    return f"{counted(flipped, 'permission')} flipped as a result."


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

    def save_model(
        self, request: HttpRequest, obj: Licence, form: forms.ModelForm, change: bool
    ) -> None:
        # The licence, the use types it covers and what they flip are one write.
        flipped = licence_save(licence=obj, use_types=form.cleaned_data["use_types"])
        if flipped:
            self.message_user(request, _flipped_message(flipped), messages.WARNING)

    def save_related(
        self, request: HttpRequest, form: forms.ModelForm, formsets: Any, change: bool
    ) -> None:
        # The use types were saved with the licence; only the shares by use are left.
        for formset in formsets:
            self.save_formset(request, form, formset, change=change)

    def delete_model(self, request: HttpRequest, obj: Licence) -> None:
        flipped = licence_delete(licence=obj)
        if flipped:
            self.message_user(request, _flipped_message(flipped), messages.WARNING)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Licence]) -> None:
        flipped = licences_delete(licences=queryset)
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
            "Conditions",
            {
                "description": "The conditions of a yes this product can honour. Artists "
                "read them on its card.",
                "fields": ["conditions_honoured"],
            },
        ),
        (
            "Status",
            {
                "description": "Once the product exists, its status changes only through the "
                "Suspend, Reactivate and Retire actions on the product list, which announce "
                "every permission that flips.",
                "fields": ["status", "status_changed_at"],
            },
        ),
    ]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Product]:
        return super().get_queryset(request).prefetch_related("uses__use_type")

    def formfield_for_manytomany(
        self, db_field: Any, request: HttpRequest, **kwargs: Any
    ) -> forms.ModelMultipleChoiceField | None:
        if db_field.name == "conditions_honoured":
            kwargs["widget"] = forms.CheckboxSelectMultiple
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    def get_readonly_fields(self, request: HttpRequest, obj: Product | None = None) -> list[str]:
        return ["status", "status_changed_at"] if obj is not None else ["status_changed_at"]

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
        if change and (
            uses_changed or {"licensee", "conditions_honoured"} & set(form.changed_data)
        ):
            flipped = product_announce(product=form.instance)
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
