"""Staff read what products declared about their models, and how each manifest settled
the obligations before it: a record, never edited here."""

from django.contrib import admin

from portal.catalogue.admin import ReadOnlyMixin
from portal.training.models import Manifest, ObligationOutcome


class OutcomeInline(ReadOnlyMixin, admin.TabularInline):
    model = ObligationOutcome
    fields = ["change", "outcome", "at"]
    readonly_fields = ["change", "outcome", "at"]
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
