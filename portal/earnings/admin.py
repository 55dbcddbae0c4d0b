"""Usage reports are what products sent: staff read them, nobody edits them."""

from typing import Any

from django.contrib import admin
from django.db.models import Count, QuerySet, Sum
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html

from portal.earnings.models import UsageLine, UsageReport


class _ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(UsageReport)
class UsageReportAdmin(_ReadOnly):
    list_display = [
        "reference",
        "product",
        "period_start",
        "period_end",
        "currency",
        "line_count",
        "gross_total",
        "received_at",
    ]
    list_select_related = ["product"]
    list_filter = ["product", "currency"]
    search_fields = ["reference", "product__name"]
    date_hierarchy = "period_start"
    fields = [
        "product",
        "reference",
        "period_start",
        "period_end",
        "currency",
        "received_at",
        "body_hash",
        "lines_link",
    ]
    readonly_fields = fields

    def get_queryset(self, request: HttpRequest) -> QuerySet[UsageReport]:
        return (
            super()
            .get_queryset(request)
            .annotate(line_count=Count("lines"), gross_total=Sum("lines__gross"))
        )

    @admin.display(description="lines")
    def lines_link(self, report: UsageReport) -> str:
        # A link, not an inline: a report can have tens of thousands of lines.
        url = reverse("admin:earnings_usageline_changelist") + f"?report__id__exact={report.pk}"
        return format_html('<a href="{}">{} lines</a>', url, report.line_count)  # type: ignore[attr-defined]

    @admin.display(description="lines", ordering="line_count")
    def line_count(self, report: UsageReport) -> int:
        return report.line_count  # type: ignore[attr-defined]

    @admin.display(description="gross", ordering="gross_total")
    def gross_total(self, report: UsageReport) -> str:
        return f"{report.gross_total or 0:.2f} {report.currency}"  # type: ignore[attr-defined]


@admin.register(UsageLine)
class UsageLineAdmin(_ReadOnly):
    list_display = ["report", "work", "use_type", "units", "gross", "credit"]
    list_select_related = ["report", "work", "use_type"]
    list_filter = ["use_type", "report__product"]
    search_fields = ["work__isrc", "work__title", "report__reference", "credit"]
    show_full_result_count = False
