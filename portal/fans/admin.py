"""Staff's view of the public pages and of fans' misuse reports.

Reports are filed by fans (`misuse_report_file`) and read here; staff mark them handled
(the action calls the service) and do not edit what a fan wrote.
"""

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest

from portal.fans.crypto import contact_decrypt
from portal.fans.models import FanPage, MisuseReport
from portal.fans.services import misuse_reports_mark_handled


@admin.register(FanPage)
class FanPageAdmin(admin.ModelAdmin):
    list_display = ["slug", "artist", "published", "published_at", "changed_at"]
    list_filter = ["published"]
    list_select_related = ["artist"]
    search_fields = ["slug", "artist__name"]
    # Published and moved by the artist's team on their settings page, which says what
    # an address change breaks; staff see it here.
    readonly_fields = ["artist", "slug", "published", "published_at", "changed_at", "changed_by"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False


@admin.register(MisuseReport)
class MisuseReportAdmin(admin.ModelAdmin):
    list_display = ["created_at", "artist", "kind", "url", "status"]
    list_filter = ["status", "kind", "artist"]
    list_select_related = ["artist"]
    search_fields = ["url", "artist__name"]
    ordering = ["-created_at", "-pk"]
    actions = ["mark_handled"]
    readonly_fields = [
        "artist",
        "url",
        "kind",
        "description",
        "contact",
        "ip_hash",
        "status",
        "created_at",
        "handled_at",
        "handled_by",
    ]
    exclude = ["contact_encrypted"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    @admin.display(description="contact")
    def contact(self, report: MisuseReport) -> str:
        return contact_decrypt(report.contact_encrypted)

    @admin.action(description="Mark handled")
    def mark_handled(self, request: HttpRequest, queryset: QuerySet[MisuseReport]) -> None:
        changed = misuse_reports_mark_handled(actor=request.user, reports=list(queryset))  # type: ignore[arg-type]  # admin's user is ours
        self.message_user(request, f"{changed} report(s) marked handled.", messages.SUCCESS)
