"""A label's imports, for its managers: the list with the upload form, and one import's
progress and report. Reached through `party_view(PartyKind.LABELS)`, so another label,
and another label's import, is a 404."""

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from portal.accounts.http import AuthedRequest
from portal.consent.access import Party, PartyKind, party_view
from portal.imports import selectors
from portal.imports.forms import ImportUploadForm
from portal.imports.models import CatalogueImport
from portal.imports.services.start import ImportRefused, import_start


@require_http_methods(["GET", "POST"])
@party_view(PartyKind.LABELS)
def label_imports(request: AuthedRequest, party: Party) -> HttpResponseBase:
    """The label's imports, newest first; a POST uploads files and starts one."""
    assert party.label is not None
    form = ImportUploadForm()
    status = 200
    if request.method == "POST":
        form = ImportUploadForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                started = import_start(
                    label=party.label,
                    uploads=form.cleaned_data["uploads"],
                    requested_by=request.user,
                    source=CatalogueImport.Source.LABEL,
                )
            except ImportRefused as exc:
                form.add_error("uploads", exc.message)
            else:
                count = len(form.cleaned_data["uploads"])
                messages.success(
                    request,
                    f"Import started: {count} file{'s' if count != 1 else ''}. "
                    "This page shows how far it is.",
                )
                return redirect("label_import", label_id=party.pk, import_id=started.pk)
        status = 422
    context = {
        "party": party,
        "form": form,
        "page": selectors.imports_page(label=party.label, number=request.GET.get("page")),
    }
    return render(request, "imports/label_imports.html", context, status=status)


@require_http_methods(["GET"])
@party_view(PartyKind.LABELS)
def label_import(request: AuthedRequest, party: Party, import_id: int) -> HttpResponse:
    """One import: its progress while it runs (htmx polls the `progress` fragment), its
    report when it has."""
    assert party.label is not None
    try:
        catalogue_import = selectors.import_of(label=party.label, import_id=import_id)
    except CatalogueImport.DoesNotExist:
        raise Http404 from None
    state = selectors.import_state(
        catalogue_import=catalogue_import,
        kind=request.GET.get("kind", ""),
        page=request.GET.get("page"),
    )
    context = {"party": party, "state": state}
    if request.htmx:
        response = render(request, "imports/label_import.html#progress", context)
        if catalogue_import.finished:
            # The report replaces the progress: the whole page, once.
            response["HX-Refresh"] = "true"
        return response
    return render(request, "imports/label_import.html", context)
