"""Admin for notifications: staff can see what was sent to whom, for support.

Nobody writes notifications here: they are made by `notify`, with the email that goes
with them. Deleting one (a notification sent by mistake) is allowed.
"""

from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest

from portal.notifications.models import Notification


class ReadFilter(admin.SimpleListFilter):
    title = "read"
    parameter_name = "read"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return [("yes", "Read"), ("no", "Unread")]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        if self.value() in ("yes", "no"):
            return queryset.filter(read_at__isnull=self.value() == "no")
        return queryset


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ["created_at", "user", "kind", "short_message", "read", "emailed_at"]
    list_select_related = ["user"]
    list_filter = ["kind", ReadFilter]
    search_fields = ["user__email", "user__name"]
    ordering = ["-pk"]
    show_full_result_count = False
    readonly_fields = [
        "user",
        "kind",
        "message",
        "url",
        "created_at",
        "read_at",
        "emailed_at",
    ]

    @admin.display(description="message")
    def short_message(self, notification: Notification) -> str:
        return notification.message[:80]

    @admin.display(boolean=True, description="read", ordering="read_at")
    def read(self, notification: Notification) -> bool:
        return notification.is_read

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
