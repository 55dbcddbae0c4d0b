"""How an artist is credited, and the monthly statements of artists and labels: printable
pages that reconcile to the usage reports behind them, and every line of them as CSV."""

from datetime import date
from urllib.parse import urlencode

from django.core.paginator import Paginator
from django.http import HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.utils import timezone

from portal.accounts.http import AuthedRequest
from portal.consent.access import Party, PartyKind, party_view
from portal.earnings import statements
from portal.earnings.forms import CreditsSearch
from portal.exports import csv_response

WORKS_PER_PAGE = 25


@party_view(PartyKind.ARTISTS)
def artist_credits(request: AuthedRequest, party: Party) -> HttpResponse:
    """Per product, the credit lines shown with the artist's works; then work by work,
    who contributed and how each product credited it."""
    search = CreditsSearch(request.GET)
    # A search that cannot be run (too long, a control character) is named on the page,
    # which lists every work meanwhile.
    q = search.cleaned_data["q"] if search.is_valid() else ""
    works = statements.works_for_credits(artist_id=party.pk, q=q)
    page = Paginator(works, WORKS_PER_PAGE).get_page(request.GET.get("page"))
    context = {
        "party": party,
        "products": statements.credits_by_product(artist_id=party.pk, artist_name=party.name),
        "page": page,
        "works": statements.credits_of_works(artist_id=party.pk, works=page.object_list),
        "q": q,
        "query": urlencode({"q": q}) if q else "",
        "search": search,
    }
    status = 200 if search.is_valid() else 400
    return render(request, "earnings/credits.html", context, status=status)


@party_view(PartyKind.ARTISTS)
def artist_statements(request: AuthedRequest, party: Party) -> HttpResponse:
    """Every month with earnings, newest first, each linking to its statement."""
    months = statements.statement_months(scope={"artist_id": party.pk})
    return render(request, "earnings/statements.html", {"party": party, "months": months})


@party_view(PartyKind.ARTISTS)
def artist_statement(request: AuthedRequest, party: Party, month: str) -> HttpResponse:
    """The month's statement, one row per usage report; a month without earnings says so."""
    first = statements.month_from(month)
    sections = statements.statement_sections(scope={"artist_id": party.pk}, month=first)
    return render(request, "earnings/statement.html", _statement(party, first, sections))


@party_view(PartyKind.ARTISTS)
def artist_statement_csv(request: AuthedRequest, party: Party, month: str) -> HttpResponseBase:
    """The lines behind the statement, for the artist's own books: one row per allocation."""
    first = statements.month_from(month)
    rows = statements.statement_lines(scope={"artist_id": party.pk}, month=first)
    return csv_response(statements.CSV_COLUMNS, rows, f"statement-artist-{party.pk}-{month}.csv")


@party_view(PartyKind.LABELS)
def label_statements(request: AuthedRequest, party: Party) -> HttpResponse:
    """Every month with earnings on the label's works, newest first."""
    months = statements.statement_months(scope={"label_id": party.pk})
    return render(request, "earnings/label_statements.html", {"party": party, "months": months})


@party_view(PartyKind.LABELS)
def label_statement(request: AuthedRequest, party: Party, month: str) -> HttpResponse:
    """The month's statement for the label's works, one row per usage report and artist."""
    first = statements.month_from(month)
    sections = statements.statement_sections(
        scope={"label_id": party.pk}, month=first, per_artist=True
    )
    return render(request, "earnings/label_statement.html", _statement(party, first, sections))


@party_view(PartyKind.LABELS)
def label_statement_csv(request: AuthedRequest, party: Party, month: str) -> HttpResponseBase:
    """The lines behind the label's statement, with the artist of each."""
    first = statements.month_from(month)
    rows = statements.statement_lines(scope={"label_id": party.pk}, month=first, with_artist=True)
    filename = f"statement-label-{party.pk}-{month}.csv"
    return csv_response(statements.LABEL_CSV_COLUMNS, rows, filename)


def _statement(party: Party, month: date, sections: list[statements.Section]) -> dict[str, object]:
    # The time it was made: reports received later for periods ending in the month
    # are added to it, so a printed copy says what it included.
    return {"party": party, "month": month, "sections": sections, "made_at": timezone.now()}
