"""The label manager's own screens: the roster's state at a glance, and the export."""

from django.http import HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.utils import timezone

from portal.accounts.http import AuthedRequest
from portal.consent import selectors
from portal.consent.access import Party, PartyKind, party_view
from portal.consent.forms import ExportFilter
from portal.exports import csv_response


@party_view(PartyKind.LABELS)
def label_home(request: AuthedRequest, party: Party) -> HttpResponse:
    """Pending work first, grouped by product and use; then the roster and delegations."""
    assert party.label is not None
    works = party.works()
    products = selectors.products_requesting(works=works)
    total = works.count()
    states = selectors.label_states(
        label=party.label, total=total, products=products, now=timezone.now()
    )
    context = {
        "party": party,
        "states": states,
        "waiting_label": sum(s.waiting_label for s in states),
        "work_count": total,
        "roster": selectors.roster(label=party.label),
        "delegations": selectors.delegations_with_products(
            user=request.user, label=party.label, products=products
        ),
        "products": products,
    }
    return render(request, "consent/label_home.html", context)


@party_view(PartyKind.LABELS)
def label_export(request: AuthedRequest, party: Party) -> HttpResponseBase:
    """The roster's consent state as CSV, streamed: one row per work, product and use.

    Filterable like the page: a product, a use, a search term and a state."""
    products = selectors.products_requesting(works=party.works())
    form = ExportFilter(request.GET, products=products)
    if not form.is_valid():
        return HttpResponse(
            "The export could not be made: "
            + " ".join(str(e) for errs in form.errors.values() for e in errs),
            status=400,
            content_type="text/plain; charset=utf-8",
        )
    rows = selectors.export_rows(
        party=party,
        products=(form.cleaned_data["product"] and [form.cleaned_data["product"]]) or products,
        use_type=form.cleaned_data["use"],
        q=form.cleaned_data["q"],
        state=form.cleaned_data["state"],
        now=timezone.now(),
    )
    assert party.label is not None
    filename = f"consent-{party.label.pk}-{timezone.now():%Y%m%d-%H%M}.csv"
    return csv_response(selectors.EXPORT_COLUMNS, rows, filename)
