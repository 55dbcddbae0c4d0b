"""Allocations are what the portal made of each reported line: where its money went, and
whether its use was permitted. Staff read them here; nobody edits them."""

from datetime import date
from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest

from portal.catalogue.admin import IsrcSearchMixin, ReadOnlyMixin
from portal.earnings.admin.common import FLAGGED, money_text
from portal.earnings.models import Allocation, Compliance, MonthlyEarning


class ComplianceFilter(admin.SimpleListFilter):
    title = "compliance"
    parameter_name = "compliance"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return [("flagged", "Flagged: money held"), *Compliance.choices]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Allocation]) -> QuerySet[Any]:
        if self.value() == "flagged":
            return queryset.filter(FLAGGED)
        if self.value() in Compliance.values:
            return queryset.filter(compliance=self.value())
        return queryset


class MonthFilter(admin.SimpleListFilter):
    """The months with any allocation, read from the summary table (a few rows), not
    from the allocations (every line ever reported)."""

    title = "month"
    parameter_name = "month"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        months = MonthlyEarning.objects.dates("month", "month", order="DESC")
        # isoformat, not strftime: %Y leaves a year before 1000 unpadded ("999-12").
        return [(month.isoformat()[:7], f"{month:%B %Y}") for month in months]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Allocation]) -> QuerySet[Any]:
        try:
            month = date.fromisoformat(f"{self.value()}-01")
        except ValueError:
            return queryset
        return queryset.filter(month=month)


@admin.register(Allocation)
class AllocationAdmin(ReadOnlyMixin, IsrcSearchMixin, admin.ModelAdmin):
    """Where each reported line's money went, and whether its use was permitted."""

    isrc_lookup = "work__isrc"
    list_display = [
        "line_id",
        "product",
        "artist",
        "work",
        "use_type",
        "month_shown",
        "gross_shown",
        "artist_shown",
        "label_shown",
        "platform_shown",
        "compliance",
    ]
    list_display_links = ["line_id"]
    list_select_related = ["product", "artist", "work", "use_type"]
    list_filter = [ComplianceFilter, "product", MonthFilter]
    search_fields = ["^work__isrc", "work__title", "report__reference"]
    show_full_result_count = False  # one row per line ever reported
    ordering = ["-report_id", "line_id"]
    fields = (
        "line",
        "report",
        "product",
        "work",
        "artist",
        "label",
        "use_type",
        "licence",
        "month",
        "currency",
        "units",
        "gross",
        "artist_amount",
        "label_amount",
        "platform_amount",
        "compliance",
    )
    readonly_fields = fields

    @admin.display(description="line", ordering="line_id")
    def line_id(self, allocation: Allocation) -> int:
        return allocation.line_id

    @admin.display(description="month", ordering="month")
    def month_shown(self, allocation: Allocation) -> str:
        return f"{allocation.month:%Y-%m}"

    @admin.display(description="gross", ordering="gross")
    def gross_shown(self, allocation: Allocation) -> str:
        return money_text(allocation.gross, allocation.currency)

    @admin.display(description="artist's")
    def artist_shown(self, allocation: Allocation) -> str:
        return money_text(allocation.artist_amount, allocation.currency)

    @admin.display(description="label's")
    def label_shown(self, allocation: Allocation) -> str:
        return money_text(allocation.label_amount, allocation.currency)

    @admin.display(description="platform's")
    def platform_shown(self, allocation: Allocation) -> str:
        return money_text(allocation.platform_amount, allocation.currency)
