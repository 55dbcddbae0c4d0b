"""Admin for consent: for audit only. Nothing here can add, change or delete anything.

Decisions change only through `portal.consent.services`, which also appends to the
ledger and announces permission changes; an edit here would bypass all three. The ledger
head and the change counters are bookkeeping and are not shown.
"""

from django.contrib import admin

from portal.catalogue.admin import IsrcSearchMixin, ReadOnlyMixin
from portal.consent.models import AnnouncedPermission, Decision, LedgerEntry, PermissionChange


class ReadOnlyAdmin(ReadOnlyMixin, IsrcSearchMixin, admin.ModelAdmin):
    """Visible to staff for audit; never added, edited or deleted from here."""

    isrc_lookup = "work__isrc"
    # These tables grow with every answer: no full count on each page.
    show_full_result_count = False


@admin.register(LedgerEntry)
class LedgerEntryAdmin(ReadOnlyAdmin):
    list_display = [
        "position",
        "at",
        "actor_name",
        "side",
        "acting_for",
        "product",
        "work",
        "use_type",
        "previous_to_answer",
    ]
    list_select_related = ["product", "work", "use_type"]
    list_filter = ["side", "product", "use_type"]
    search_fields = ["^work__isrc", "work__title", "actor_name", "acting_for"]
    ordering = ["-position"]

    @admin.display(description="previous → answer")
    def previous_to_answer(self, entry: LedgerEntry) -> str:
        previous = entry.get_previous_display() if entry.previous else "none"
        return f"{previous} → {entry.get_answer_display() or 'none'}"


@admin.register(Decision)
class DecisionAdmin(ReadOnlyAdmin):
    list_display = [
        "product",
        "work",
        "use_type",
        "side",
        "answer",
        "expires_at",
        "decided_by",
        "decided_at",
    ]
    list_select_related = ["product", "work", "use_type", "decided_by"]
    list_filter = ["side", "answer", "product", "use_type"]
    search_fields = ["^work__isrc", "work__title", "decided_by__email", "decided_by__name"]
    ordering = ["-pk"]  # newest first, by an index: these tables are large


@admin.register(AnnouncedPermission)
class AnnouncedPermissionAdmin(ReadOnlyAdmin):
    list_display = ["product", "work", "use_type", "permitted", "reasons", "lapses_at"]
    list_select_related = ["product", "work", "use_type"]
    list_filter = ["permitted", "product", "use_type"]
    search_fields = ["^work__isrc", "work__title"]
    ordering = ["-pk"]


@admin.register(PermissionChange)
class PermissionChangeAdmin(ReadOnlyAdmin):
    list_display = ["product", "seq", "at", "work", "use_type", "permitted", "cause"]
    list_select_related = ["product", "work", "use_type"]
    list_filter = ["permitted", "cause", "product", "use_type"]
    search_fields = ["^work__isrc", "work__title"]
    ordering = ["-pk"]
