"""The label manager's own screens: the catalogue's state at a glance, the roster artist
by artist, and the export."""

from dataclasses import dataclass
from urllib.parse import urlencode

from django.http import HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone

from portal.accounts.http import AuthedRequest
from portal.catalogue.models import Artist
from portal.consent import selectors
from portal.consent.access import Party, PartyKind, party_view
from portal.consent.forms import ExportFilter
from portal.consent.selectors.batches import batches_of
from portal.consent.selectors.label import UseState
from portal.exports import csv_response

# An artist's name is at most 200 characters; a longer search cannot match.
SEARCH_MAX = 200


@party_view(PartyKind.LABELS)
def label_home(request: AuthedRequest, party: Party) -> HttpResponse:
    """Pending work first, grouped by product and use; then the roster and delegations.
    From the tallies: the same few queries for any size of catalogue."""
    assert party.label is not None
    products = selectors.products_asking(label=party.label)
    total = selectors.works_held(label=party.label)
    states = selectors.label_states(label=party.label, total=total, products=products)
    context = {
        "party": party,
        "states": states,
        "waiting_label": sum(s.waiting_label for s in states),
        "work_count": total,
        "roster_size": selectors.roster_size(label=party.label),
        "delegations": selectors.delegations_with_products(
            user=request.user, label=party.label, products=products
        ),
        "products": products,
        "batches": batches_of(party=party, now=timezone.now())[:5],
    }
    return render(request, "consent/label_home.html", context)


@dataclass(frozen=True)
class RosterLine:
    state: UseState
    href: str  # the product's works of this artist for this use


@dataclass(frozen=True)
class RosterCard:
    artist: Artist
    works: int
    lines: list[RosterLine]


@party_view(PartyKind.LABELS)
def label_roster(request: AuthedRequest, party: Party) -> HttpResponse:
    """The roster artist by artist: each one's works and, per product and use, what waits
    for the label, for the artist, what is permitted and who said no; a page of artists
    at a time, searchable by name."""
    assert party.label is not None
    q = request.GET.get("q", "").strip()[:SEARCH_MAX]
    products = selectors.products_asking(label=party.label)
    page, artists = selectors.roster_page(
        label=party.label, products=products, q=q, page=request.GET.get("page")
    )
    # Each figure links to the product page filtered (artist, use, then the figure's own
    # filter): the address up to the figure's filter, reversed once per product.
    matrix = {
        p.pk: reverse("matrix", args=[PartyKind.LABELS, party.label.pk, p.slug]) for p in products
    }
    cards = [
        RosterCard(
            row.artist,
            row.works,
            [
                RosterLine(
                    state,
                    f"{matrix[state.product.pk]}?artist={row.artist.pk}&use={state.use_type.slug}",
                )
                for state in row.states
            ],
        )
        for row in artists
    ]
    context = {
        "party": party,
        "q": q,
        "page": page,
        "artists": cards,
        "products": products,
        "query": urlencode({"q": q}) if q else "",
    }
    return render(request, "consent/roster.html", context)


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
