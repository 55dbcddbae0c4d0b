"""Admin for licensing: use types, conditions and licensees.

Licences and products feed the effective permission, so their pages are registered by
consent (`portal.consent.admin.terms`), which announces what every edit flips;
licensing, below consent, cannot. A licensee's page lists its licences and products
with links to those pages.
"""

from collections.abc import Sequence

from django.contrib import admin
from django.http import HttpRequest

from portal.catalogue.admin import ReadOnlyMixin
from portal.licensing.forms import HTTPS_URLS
from portal.licensing.models import Condition, Licence, Licensee, Product, UseType


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


@admin.register(Condition)
class ConditionAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "parameter", "position"]
    list_editable = ["position"]
    search_fields = ["name", "code"]

    def get_readonly_fields(self, request: HttpRequest, obj: Condition | None = None) -> list[str]:
        # Machines read the code (API, webhooks, receipts); what it asks for, too.
        return ["code", "parameter"] if obj is not None else []

    def get_prepopulated_fields(
        self, request: HttpRequest, obj: Condition | None = None
    ) -> dict[str, Sequence[str]]:
        return {"code": ["name"]} if obj is None else {}


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
