"""Deliveries and their attempts in admin: a record, so nothing here edits or deletes them;
staff may replay a delivery's changes as new deliveries."""

from django.contrib import admin, messages
from django.db.models import OuterRef, QuerySet, Subquery
from django.http import HttpRequest

from portal.accounts.http import user_of
from portal.catalogue.admin import ReadOnlyMixin
from portal.delivery.models import Attempt, Delivery
from portal.delivery.services.endpoints import deliveries_replay
from portal.words import counted


class AttemptInline(ReadOnlyMixin, admin.TabularInline):
    model = Attempt
    extra = 0
    fields = ("at", "url", "status_code", "latency_ms", "error", "response_excerpt")
    readonly_fields = fields


@admin.register(Delivery)
class DeliveryAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = [
        "webhook_id",
        "product",
        "kind",
        "changes",
        "status",
        "attempts",
        "last_status_code",
        "last_latency",
        "last_error",
        "next_attempt_at",
        "created_at",
        "delivered_at",
    ]
    list_filter = ["status", "kind", "endpoint__product"]
    search_fields = ["=webhook_id", "endpoint__product__slug"]
    inlines = [AttemptInline]
    actions = ["replay"]
    show_full_result_count = False  # one row per batch, for ever
    fields = (
        "endpoint",
        "kind",
        "webhook_id",
        "changes",
        "status",
        "attempts",
        "next_attempt_at",
        "last_status_code",
        "last_error",
        "created_at",
        "delivered_at",
        "requested_by",
    )
    readonly_fields = fields

    def get_queryset(self, request: HttpRequest) -> QuerySet[Delivery]:
        latest = Attempt.objects.filter(delivery=OuterRef("pk")).order_by("-at", "-pk")
        deliveries: QuerySet[Delivery] = super().get_queryset(request)
        return deliveries.select_related("endpoint__product").annotate(
            latency=Subquery(latest.values("latency_ms")[:1])
        )

    @admin.display(description="product", ordering="endpoint__product__name")
    def product(self, delivery: Delivery) -> str:
        return str(delivery.endpoint.product)

    @admin.display(description="changes")
    def changes(self, delivery: Delivery) -> str:
        return f"{delivery.first_seq}–{delivery.last_seq} ({delivery.size})"

    @admin.display(description="latency (ms)")
    def last_latency(self, delivery: Delivery) -> int | None:
        return getattr(delivery, "latency", None)

    def has_replay_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("delivery.change_endpoint")

    @admin.action(
        description="Replay selected deliveries (send their changes again, new ids)",
        permissions=["replay"],
    )
    def replay(self, request: HttpRequest, queryset: QuerySet[Delivery]) -> None:
        created = 0
        for delivery in queryset.select_related("endpoint__product").order_by("pk"):
            created += len(
                deliveries_replay(
                    endpoint=delivery.endpoint,
                    first_seq=delivery.first_seq,
                    last_seq=delivery.last_seq,
                    actor=user_of(request),
                )
            )
            changes = f"{delivery.first_seq}–{delivery.last_seq}"
            self.log_change(
                request, delivery.endpoint, f"Replayed delivery {delivery.pk} (changes {changes})."
            )
        self.message_user(
            request,
            f"Queued {counted(created, 'new delivery', 'new deliveries')}.",
            messages.SUCCESS,
        )
