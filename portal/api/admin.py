"""Staff issue and revoke API keys here. A new key is shown once, on the page that
follows "Save"; only its hash is stored, so it can never be shown again."""

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse

from portal.api.models import ApiKey, IdempotencyRecord
from portal.api.services import api_key_issue, api_key_revoke


class RevokedFilter(admin.SimpleListFilter):
    title = "state"
    parameter_name = "state"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return [("active", "Active"), ("revoked", "Revoked")]

    def queryset(self, request: HttpRequest, queryset: QuerySet[ApiKey]) -> QuerySet[ApiKey]:
        if self.value() == "active":
            return queryset.filter(revoked_at__isnull=True)
        if self.value() == "revoked":
            return queryset.filter(revoked_at__isnull=False)
        return queryset


class IssueKeyForm(forms.ModelForm):
    class Meta:
        model = ApiKey
        fields = ["product", "name"]


@admin.register(ApiKey)
class ApiKeyAdmin(admin.ModelAdmin):
    list_display = ["prefix_display", "product", "name", "created_at", "last_used_at", "state"]
    list_select_related = ["product"]
    list_filter = [RevokedFilter, "product"]
    search_fields = ["prefix", "name", "product__name", "product__slug"]
    actions = ["revoke"]
    readonly_fields = ("product", "prefix_display", "created_at", "last_used_at", "revoked_at")
    fields = ("product", "name", "prefix_display", "created_at", "last_used_at", "revoked_at")

    def get_form(
        self, request: HttpRequest, obj: ApiKey | None = None, change: bool = False, **kwargs: Any
    ) -> type[forms.ModelForm]:
        if obj is None:
            kwargs["form"] = IssueKeyForm
            kwargs["fields"] = ["product", "name"]
        return super().get_form(request, obj, change=change, **kwargs)

    def get_fields(self, request: HttpRequest, obj: ApiKey | None = None) -> tuple[str, ...]:
        return ("product", "name") if obj is None else self.fields

    def get_readonly_fields(
        self, request: HttpRequest, obj: ApiKey | None = None
    ) -> tuple[str, ...]:
        return () if obj is None else self.readonly_fields

    def has_delete_permission(self, request: HttpRequest, obj: ApiKey | None = None) -> bool:
        return False  # revoked, never deleted: the record of who had access stays

    @admin.display(description="key")
    def prefix_display(self, key: ApiKey) -> str:
        return f"{key.prefix}…"

    @admin.display(description="state")
    def state(self, key: ApiKey) -> str:
        return f"revoked {key.revoked_at:%Y-%m-%d %H:%M}" if key.revoked_at else "active"

    def save_form(self, request: HttpRequest, form: forms.ModelForm, change: bool) -> ApiKey:
        if change:
            saved: ApiKey = super().save_form(request, form, change)
            return saved
        # Issued through the service, which alone sees the key; it is kept on the request
        # just long enough for response_add to show it.
        key, raw = api_key_issue(
            product=form.cleaned_data["product"], name=form.cleaned_data["name"]
        )
        request._issued_api_key = raw  # type: ignore[attr-defined]
        return key

    def save_model(self, request: HttpRequest, obj: ApiKey, form: Any, change: bool) -> None:
        if change:
            super().save_model(request, obj, form, change)

    def save_related(
        self, request: HttpRequest, form: forms.ModelForm, formsets: Any, change: bool
    ) -> None:
        if change:  # a new key has nothing related; its form was never saved
            super().save_related(request, form, formsets, change)

    def response_add(
        self, request: HttpRequest, obj: ApiKey, post_url_continue: str | None = None
    ) -> HttpResponse:
        # Admin views are never cached, so the key stays on this one page.
        return TemplateResponse(
            request,
            "api/admin_key_issued.html",
            {
                **self.admin_site.each_context(request),
                "title": "API key issued",
                "opts": self.opts,
                "key": obj,
                "raw_key": request._issued_api_key,  # type: ignore[attr-defined]
            },
        )

    @admin.action(description="Revoke selected keys", permissions=["change"])
    def revoke(self, request: HttpRequest, queryset: QuerySet[ApiKey]) -> None:
        revoked = 0
        for key in queryset:
            if api_key_revoke(key=key):
                revoked += 1
                self.log_change(request, key, "Revoked.")
        self.message_user(
            request,
            f"Revoked {revoked} key{'s' if revoked != 1 else ''}; they stop working at once.",
            messages.SUCCESS,
        )


@admin.register(IdempotencyRecord)
class IdempotencyRecordAdmin(admin.ModelAdmin):
    list_display = ["key", "product", "status", "created_at"]
    list_select_related = ["product"]
    list_filter = ["product"]
    search_fields = ["key"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
