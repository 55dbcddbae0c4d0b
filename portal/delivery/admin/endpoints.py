"""Endpoints in admin: each one's state and lag.

Staff act through `portal.delivery.services.endpoints`: add an endpoint (its first secret is
shown once), rotate a secret (shown once; the old one keeps verifying for a day),
re-enable, retry now, and replay a range of changes as new deliveries.
"""

from datetime import timedelta
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse
from django.utils import timezone
from django.utils.html import format_html

from portal.accounts.http import user_of
from portal.delivery.forms import EndpointAddForm, EndpointChangeForm, ReplayForm
from portal.delivery.models import Endpoint, EndpointSecret
from portal.delivery.selectors import delivery_lag, with_backlog
from portal.delivery.services.alerts import duration_text
from portal.delivery.services.endpoints import (
    DeliveryError,
    deliveries_replay,
    endpoint_create,
    endpoint_enable,
    endpoint_retry_now,
    endpoint_secret_rotate,
    endpoint_url_set,
)
from portal.words import counted

NEW_SECRETS = "_delivery_new_secrets"
# Set on the request when the service refused a URL the form had accepted (its host
# resolved to somewhere else the second time): nothing was saved, and admin must not
# say or log that it was.
URL_REFUSED = "_delivery_url_refused"


def lag_text(lag: timedelta | None) -> str:
    return "up to date" if lag is None else f"{duration_text(lag)} behind"


class SecretInline(admin.TabularInline):
    model = EndpointSecret
    extra = 0
    fields = ("created_at", "expires_at", "in_force")
    readonly_fields = fields
    verbose_name = "signing secret"
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    @admin.display(boolean=True, description="signs now")
    def in_force(self, secret: EndpointSecret) -> bool:
        return secret.expires_at is None or secret.expires_at > timezone.now()


@admin.register(Endpoint)
class EndpointAdmin(admin.ModelAdmin):
    list_display = [
        "product",
        "url",
        "status_shown",
        "lag",
        "progress",
        "next_attempt_at",
        "disabled_reason",
    ]
    list_filter = ["status"]
    search_fields = ["product__name", "product__slug", "url"]
    autocomplete_fields = ["product"]
    inlines = [SecretInline]
    actions = ["enable", "retry_now", "rotate_secret"]
    readonly_fields = [
        "product",
        "status",
        "lag",
        "progress",
        "failures",
        "failing_since",
        "next_attempt_at",
        "disabled_at",
        "disabled_reason",
        "lease_until",
        "created_at",
        "links",
    ]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Endpoint]:
        return with_backlog(super().get_queryset(request)).select_related("product")

    def get_form(
        self, request: HttpRequest, obj: Endpoint | None = None, change: bool = False, **kwargs: Any
    ) -> type[forms.ModelForm]:
        kwargs["form"] = EndpointChangeForm if obj is not None else EndpointAddForm
        return super().get_form(request, obj, change, **kwargs)

    def get_readonly_fields(self, request: HttpRequest, obj: Endpoint | None = None) -> list[str]:
        return self.readonly_fields if obj is not None else []

    def get_fields(self, request: HttpRequest, obj: Endpoint | None = None) -> tuple[str, ...]:
        if obj is None:
            return ("product", "url")
        return ("product", "url", *[f for f in self.readonly_fields if f != "product"])

    def get_inlines(self, request: HttpRequest, obj: Endpoint | None = None) -> list[Any]:
        return self.inlines if obj is not None else []

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    # --- columns ------------------------------------------------------------------
    @admin.display(description="status", ordering="status")
    def status_shown(self, endpoint: Endpoint) -> str:
        if endpoint.status == Endpoint.Status.FAILING and endpoint.failing_since:
            return f"Failing since {endpoint.failing_since:%Y-%m-%d %H:%M} UTC"
        return endpoint.get_status_display()

    @admin.display(description="delivery lag")
    def lag(self, endpoint: Endpoint) -> str:
        at = getattr(endpoint, "oldest_undelivered_at", None)
        if at is None and not hasattr(endpoint, "oldest_undelivered_at"):
            return lag_text(delivery_lag(endpoint=endpoint, now=timezone.now()))
        return lag_text(None if at is None else max(timedelta(0), timezone.now() - at))

    @admin.display(description="acknowledged")
    def progress(self, endpoint: Endpoint) -> str:
        last = getattr(endpoint, "last_seq", None)
        return (
            f"{endpoint.delivered_seq} of {last}"
            if last is not None
            else str(endpoint.delivered_seq)
        )

    @admin.display(description="")
    def links(self, endpoint: Endpoint) -> str:
        deliveries = (
            reverse("admin:delivery_delivery_changelist") + f"?endpoint__id__exact={endpoint.pk}"
        )
        replay = reverse("admin:delivery_endpoint_replay", args=[endpoint.pk])
        return format_html(
            '<a href="{}">Its deliveries</a> · <a href="{}">Replay a range of changes</a>',
            deliveries,
            replay,
        )

    # --- adding and editing go through the services ----------------------------------
    def save_model(
        self, request: HttpRequest, obj: Endpoint, form: forms.ModelForm, change: bool
    ) -> None:
        if change:
            try:
                endpoint_url_set(endpoint=obj, url=form.cleaned_data["url"])
            except DeliveryError as exc:
                setattr(request, URL_REFUSED, True)
                self.message_user(request, f"The URL was not changed: {exc}", messages.ERROR)
            return
        endpoint, secret = endpoint_create(
            product=form.cleaned_data["product"], url=form.cleaned_data["url"]
        )
        obj.pk = endpoint.pk
        setattr(request, NEW_SECRETS, [(endpoint, secret)])

    def log_change(self, request: HttpRequest, obj: Endpoint, message: Any) -> Any:
        if getattr(request, URL_REFUSED, False):
            return None
        return super().log_change(request, obj, message)

    def response_change(self, request: HttpRequest, obj: Endpoint) -> HttpResponse:
        if getattr(request, URL_REFUSED, False):
            return HttpResponseRedirect(request.path)
        return super().response_change(request, obj)

    def response_add(
        self, request: HttpRequest, obj: Endpoint, post_url_continue: str | None = None
    ) -> HttpResponse:
        return self._show_secrets(request, getattr(request, NEW_SECRETS))

    def _show_secrets(
        self, request: HttpRequest, secrets: list[tuple[Endpoint, str]]
    ) -> TemplateResponse:
        response = TemplateResponse(
            request,
            "admin/delivery/endpoint/secrets.html",
            {
                **self.admin_site.each_context(request),
                "opts": self.model._meta,
                "title": "New signing secrets",
                "secrets": secrets,
            },
        )
        response["Cache-Control"] = "no-store"
        return response

    # --- actions --------------------------------------------------------------------
    @admin.action(
        description="Re-enable selected endpoints (resume where each left off)",
        permissions=["change"],
    )
    def enable(self, request: HttpRequest, queryset: QuerySet[Endpoint]) -> None:
        endpoints = list(queryset.order_by("pk"))
        for endpoint in endpoints:
            endpoint_enable(endpoint=endpoint)
            self.log_change(request, endpoint, "Re-enabled.")
        self.message_user(
            request, f"Re-enabled {counted(len(endpoints), 'endpoint')}.", messages.SUCCESS
        )

    @admin.action(description="Retry selected endpoints now", permissions=["change"])
    def retry_now(self, request: HttpRequest, queryset: QuerySet[Endpoint]) -> None:
        done = 0
        for endpoint in queryset.select_related("product").order_by("pk"):
            try:
                endpoint_retry_now(endpoint=endpoint)
                self.log_change(request, endpoint, "Retried now.")
                done += 1
            except DeliveryError as exc:
                self.message_user(request, str(exc), messages.WARNING)
        if done:
            self.message_user(request, f"Retrying {counted(done, 'endpoint')} now.")

    @admin.action(
        description="Rotate the signing secret (the old one works for 24 hours)",
        permissions=["change"],
    )
    def rotate_secret(self, request: HttpRequest, queryset: QuerySet[Endpoint]) -> HttpResponse:
        secrets = [
            (endpoint, endpoint_secret_rotate(endpoint=endpoint))
            for endpoint in queryset.select_related("product").order_by("pk")
        ]
        for endpoint, _ in secrets:
            self.log_change(request, endpoint, "Signing secret rotated.")
        return self._show_secrets(request, secrets)

    # --- replay ---------------------------------------------------------------------
    def get_urls(self) -> list[URLPattern]:
        replay = path(
            "<int:pk>/replay/",
            self.admin_site.admin_view(self.replay_view),
            name="delivery_endpoint_replay",
        )
        return [replay, *super().get_urls()]

    def replay_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        if not self.has_change_permission(request):
            return HttpResponseRedirect(reverse("admin:index"))
        endpoint = get_object_or_404(Endpoint.objects.select_related("product"), pk=pk)
        form = ReplayForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                deliveries = deliveries_replay(
                    endpoint=endpoint,
                    first_seq=form.cleaned_data["first_seq"],
                    last_seq=form.cleaned_data["last_seq"],
                    actor=user_of(request),
                )
            except DeliveryError as exc:
                form.add_error(None, str(exc))
            else:
                first, last = form.cleaned_data["first_seq"], form.cleaned_data["last_seq"]
                self.log_change(request, endpoint, f"Replayed changes {first}–{last}.")
                self.message_user(
                    request,
                    f"Replaying changes {form.cleaned_data['first_seq']}–"
                    f"{form.cleaned_data['last_seq']} to {endpoint.product} as "
                    f"{counted(len(deliveries), 'new delivery', 'new deliveries')}.",
                    messages.SUCCESS,
                )
                return HttpResponseRedirect(
                    reverse("admin:delivery_delivery_changelist")
                    + f"?endpoint__id__exact={endpoint.pk}"
                )
        return TemplateResponse(
            request,
            "admin/delivery/endpoint/replay.html",
            {
                **self.admin_site.each_context(request),
                "opts": self.model._meta,
                "original": endpoint,
                "title": f"Replay changes to {endpoint.product}",
                "form": form,
            },
        )
