"""Catalogue imports in admin: the list of every label's imports, the upload of files for
a label, and an import's page with its progress and report. Imports are made by their
services and never edited or deleted here: reports are kept.

The artists and works lists get what imports add to them: a filter for the artists an
import created (for staff to review) and one for withdrawn works. Their pages are
catalogue's, extended by the apps above it (teams adds the team); imports extends
whichever page is registered, so each app's additions are kept.
"""

from typing import Any

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse

from portal.accounts.http import user_of
from portal.catalogue.admin import ArtistAdmin, WorkAdmin
from portal.catalogue.models import Artist, Work
from portal.imports import selectors
from portal.imports.forms import ImportAddForm
from portal.imports.models import CatalogueImport
from portal.imports.services.start import ImportRefused, import_requeue, import_start


@admin.register(CatalogueImport)
class CatalogueImportAdmin(admin.ModelAdmin):
    list_display = [
        "created_at",
        "label",
        "status",
        "works_created",
        "works_updated",
        "works_withdrawn",
        "rejected",
        "requested_by",
        "source",
    ]
    list_display_links = ["created_at"]
    list_select_related = ["label", "requested_by"]
    list_filter = ["status", "label", "source"]
    search_fields = ["label__name", "files__name"]
    date_hierarchy = "created_at"
    actions = ["requeue"]

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def add_view(
        self, request: HttpRequest, form_url: str = "", extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        """Files for a label: stored, and the import queued for a worker."""
        if not self.has_add_permission(request):
            raise PermissionDenied
        form = ImportAddForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            try:
                started = import_start(
                    label=form.cleaned_data["label"],
                    uploads=form.cleaned_data["uploads"],
                    requested_by=user_of(request),
                    source=CatalogueImport.Source.ADMIN,
                )
            except ImportRefused as exc:
                form.add_error("uploads", exc.message)
            else:
                names = ", ".join(f.name for f in started.files.all())
                self.log_addition(request, started, f"Uploaded {names}.")
                self.message_user(
                    request, f"Import of {names} for {started.label} queued.", messages.SUCCESS
                )
                return HttpResponseRedirect(
                    reverse("admin:imports_catalogueimport_change", args=[started.pk])
                )
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": "Import catalogue files",
            "form": form,
        }
        return TemplateResponse(
            request, "imports/admin/add.html", context, status=422 if form.errors else 200
        )

    def change_view(
        self,
        request: HttpRequest,
        object_id: str,
        form_url: str = "",
        extra_context: dict[str, Any] | None = None,
    ) -> HttpResponse:
        """The import's progress while it runs (htmx polls the `progress` fragment), then
        its report."""
        catalogue_import = self.get_object(request, object_id)
        if catalogue_import is None:
            raise Http404
        if not self.has_view_permission(request, catalogue_import):
            raise PermissionDenied
        state = selectors.import_state(
            catalogue_import=catalogue_import,
            kind=request.GET.get("kind", ""),
            page=request.GET.get("page"),
        )
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": str(catalogue_import),
            "state": state,
            "original": catalogue_import,
        }
        if getattr(request, "htmx", False):
            response = TemplateResponse(request, "imports/admin/import.html#progress", context)
            if catalogue_import.finished:
                response["HX-Refresh"] = "true"
            return response
        return TemplateResponse(request, "imports/admin/import.html", context)

    def get_queryset(self, request: HttpRequest) -> QuerySet[CatalogueImport]:
        return super().get_queryset(request).select_related("label", "requested_by")

    @admin.action(description="Run again the imports that have not finished")
    def requeue(self, request: HttpRequest, queryset: QuerySet[CatalogueImport]) -> None:
        queued = sum(import_requeue(catalogue_import=i) for i in queryset)
        self.message_user(
            request,
            f"{queued} import{'s' if queued != 1 else ''} queued again; "
            "each goes on from its first file not yet imported.",
            messages.SUCCESS if queued else messages.WARNING,
        )


class WithdrawnFilter(admin.SimpleListFilter):
    title = "withdrawn"
    parameter_name = "withdrawn"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return [("yes", "Withdrawn by the label"), ("no", "Live")]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Work]) -> QuerySet[Work]:
        if self.value() == "yes":
            return queryset.filter(withdrawn_at__isnull=False)
        if self.value() == "no":
            return queryset.filter(withdrawn_at__isnull=True)
        return queryset


def _add_filter(model: type[Any], page: type[admin.ModelAdmin], list_filter: Any) -> None:
    """Register `model`'s page as the one registered now (catalogue's `page`, extended by
    the apps above it), with one more filter."""
    registered = type(admin.site.get_model_admin(model))
    assert issubclass(registered, page), registered
    filters = [*registered.list_filter, list_filter]
    admin.site.unregister(model)
    admin.site.register(
        model, type(f"{registered.__name__}WithImports", (registered,), {"list_filter": filters})
    )


_add_filter(Artist, ArtistAdmin, "created_by_import")
_add_filter(Work, WorkAdmin, WithdrawnFilter)
