"""Staff publish a product's versions here. Publishing goes through
`consent.services.versions.version_publish`, which announces what a material change
stops and asks the artists and labels concerned again; a published version is never
edited or deleted."""

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.http import HttpRequest

from portal.consent.services.versions import version_publish
from portal.licensing.models import ProductVersion
from portal.words import counted


class PublishForm(forms.ModelForm):
    class Meta:
        model = ProductVersion
        fields = ["product", "name", "model", "summary", "material"]
        help_texts = {
            "material": "Tick for a new use, a changed purpose or a new model generation: "
            "every yes given for an earlier version only stops permitting at once, and "
            "the artists and labels concerned are asked again. Leave it for a wording fix.",
        }

    def validate_unique(self) -> None:
        # The number is the next one, set when published.
        pass


@admin.register(ProductVersion)
class ProductVersionAdmin(admin.ModelAdmin):
    form = PublishForm
    list_display = ["product", "name", "number", "material", "published_at", "published_by"]
    list_filter = ["material", "product"]
    list_select_related = ["product", "published_by"]
    search_fields = ["product__name", "name", "summary"]
    autocomplete_fields = ["product"]

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # Published versions are shown, never edited: artists answered what they said.
        return False if obj is not None else super().has_change_permission(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        if obj is None:
            return []
        return [f.name for f in ProductVersion._meta.fields]

    def save_model(
        self, request: HttpRequest, obj: ProductVersion, form: forms.ModelForm, change: bool
    ) -> None:
        # The form requires a name and a summary, all the service could refuse.
        version, flipped = version_publish(
            actor=request.user,  # type: ignore[arg-type]  # staff are signed in
            product=obj.product,
            name=obj.name,
            summary=obj.summary,
            material=obj.material,
            model=obj.model,
        )
        obj.pk, obj.number, obj.published_at = version.pk, version.number, version.published_at
        if flipped:
            self.message_user(
                request, f"{counted(flipped, 'permission')} changed as a result.", messages.WARNING
            )
