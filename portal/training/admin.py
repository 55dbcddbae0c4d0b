"""Staff read what products declared about their models, and how each manifest settled
the obligations before it: a record, never edited here. The product's own page lists
its manifests and their breaches too."""

from django.contrib import admin

from portal.catalogue.admin import ReadOnlyMixin
from portal.consent.admin.terms import ProductAdmin
from portal.training.models import Manifest, ObligationOutcome


class OutcomeInline(ReadOnlyMixin, admin.TabularInline):
    model = ObligationOutcome
    fields = readonly_fields = ("change", "outcome", "at")
    extra = 0
    verbose_name_plural = "Obligations it settled"


@admin.register(Manifest)
class ManifestAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = [
        "product",
        "model",
        "version",
        "trained_at",
        "items",
        "unpermitted",
        "breaches",
        "completed_at",
    ]
    list_filter = ["product"]
    list_select_related = ["product"]
    search_fields = ["model", "version", "product__name"]
    inlines = [OutcomeInline]


class ManifestInline(ReadOnlyMixin, admin.TabularInline):
    model = Manifest
    fields = readonly_fields = (
        "model",
        "version",
        "trained_at",
        "items",
        "unpermitted",
        "breaches",
        "completed_at",
    )
    extra = 0
    show_change_link = True
    verbose_name_plural = "Training manifests (breaches: withdrawn works still in a model)"


# The product's page is consent's (and delivery adds to it); training adds its manifests.
ProductAdmin.inlines = [*ProductAdmin.inlines, ManifestInline]
