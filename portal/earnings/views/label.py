"""A label manager's window onto money: what the roster earned, and the use products
reported without permission (money held).

Every read is scoped by the label reached through `party_view` (a 404 for anyone who
does not manage it), and sums are made in the database from the summary tables; only
the flags page reads allocation lines, a page at a time.
"""

from collections.abc import Iterator
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import HttpResponse, QueryDict
from django.http.response import HttpResponseBase
from django.shortcuts import render

from portal.accounts.http import AuthedRequest
from portal.consent.access import Party, PartyKind, party_view
from portal.earnings.currencies import MINOR_UNITS
from portal.earnings.formats import locale_of, month_choices
from portal.earnings.models import Allocation, Compliance, MonthlyEarning
from portal.earnings.selectors import (
    Period,
    breakdown,
    currencies,
    latest_month,
    months_span,
    period_from,
)
from portal.exports import csv_response
from portal.licensing.models import Product

ARTISTS_PER_PAGE = 25
# Artists sort by name A-Z, or by a figure, largest first.
ARTIST_SORTS = {
    "artist": "Artist",
    "gross": "Gross",
    "artist_paid": "Paid to the artist",
    "label_paid": "Paid to the label",
    "held": "Held",
}
DEFAULT_SORT = "gross"
CSV_COLUMNS = [
    "month",
    "currency",
    "artist",
    "product",
    "use",
    "lines",
    "units",
    "gross",
    "artist_paid",
    "label_paid",
    "held",
    "flagged_lines",
]


def _with_held(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Each row with `held`: the artist's and the label's shares of flagged use, the
    money the label and its roster would have been paid had the use been permitted."""
    return [{**row, "held": row["artist_held"] + row["label_held"]} for row in rows]


def _chosen_currency(params: QueryDict, found: list[str]) -> str | None:
    """The currency asked for if there are earnings in it, else the most earned one."""
    asked = params.get("currency")
    return asked if asked in found else (found[0] if found else None)


def _grouped(
    scope: dict[str, Any], period: Period, currency: str, by: tuple[str, str]
) -> list[dict[str, Any]]:
    """Earnings grouped by an (id, name) pair such as ("artist_id", "artist__name"), each
    row with its `name` and `held`."""
    rows = _with_held(breakdown(scope, period, currency, by=list(by)))
    return [{**row, "name": row[by[1]]} for row in rows]


def _sorted_artists(rows: list[dict[str, Any]], sort: str) -> list[dict[str, Any]]:
    """By name A-Z, or by a figure, largest first and ties by name. In Python: a row per
    artist who earned in the period, already summed by the database."""
    by_name = sorted(rows, key=lambda row: (row["name"].casefold(), row["artist_id"]))
    if sort == "artist":
        return by_name
    return sorted(by_name, key=lambda row: row[sort], reverse=True)


def _figures(
    scope: dict[str, Any], period: Period, currency: str, params: QueryDict
) -> dict[str, Any]:
    """The totals and the breakdowns by artist (sorted, a page of them), product and
    use: four grouped queries whatever the size of the roster."""
    sort = params.get("sort", DEFAULT_SORT)
    sort = sort if sort in ARTIST_SORTS else DEFAULT_SORT
    artists = _sorted_artists(
        _grouped(scope, period, currency, ("artist_id", "artist__name")), sort
    )
    period_query = f"{period.query}&{urlencode({'currency': currency})}"
    return {
        "totals": _with_held(breakdown(scope, period, currency, by=[]))[0],
        "sort": sort,
        "sorts": ARTIST_SORTS,
        "sort_name": ARTIST_SORTS[sort],
        "page": Paginator(artists, ARTISTS_PER_PAGE).get_page(params.get("page")),
        "by_product": _grouped(scope, period, currency, ("product_id", "product__name")),
        "by_use": _grouped(scope, period, currency, ("use_type_id", "use_type__name")),
        "period_query": period_query,
        "query": f"{period_query}&{urlencode({'sort': sort})}",
    }


@party_view(PartyKind.LABELS)
def label_earnings(request: AuthedRequest, party: Party) -> HttpResponse:
    """Earnings across the roster for a period, one currency at a time: totals, then by
    artist, product and use."""
    scope = {"label_id": party.pk}
    earliest, latest = months_span(scope)
    period, unusable = period_from(request.GET, latest=latest)
    found = currencies(scope, period)
    currency = _chosen_currency(request.GET, found)
    context = {
        "party": party,
        "period": period,
        "unusable_period": unusable,
        "latest": latest,
        "month_picks": month_choices(
            earliest, latest, period.first, period.last, locale=locale_of(request)
        ),
        "currencies": found,
        "currency": currency,
    }
    if currency is not None:
        context |= _figures(scope, period, currency, request.GET)
    return render(request, "earnings/label_earnings.html", context)


def _plain(amount: Any, currency: str) -> str:
    """An amount as a plain decimal in the currency's own minor units: 12.50, 1200."""
    return f"{amount:.{MINOR_UNITS.get(currency, 2)}f}"


def _csv_rows(scope: dict[str, Any], period: Period, found: list[str]) -> Iterator[list[Any]]:
    by = [
        "month",
        "artist__name",
        "artist_id",
        "product__slug",
        "use_type__slug",
    ]
    for currency in found:
        for row in _with_held(breakdown(scope, period, currency, by=by)):
            yield [
                row["month"].isoformat()[:7],
                currency,
                row["artist__name"],
                row["product__slug"],
                row["use_type__slug"],
                row["lines"],
                row["units"],
                *(
                    _plain(row[key], currency)
                    for key in ("gross", "artist_paid", "label_paid", "held")
                ),
                row["flagged_lines"],
            ]


@party_view(PartyKind.LABELS)
def label_earnings_csv(request: AuthedRequest, party: Party) -> HttpResponseBase:
    """The period's earnings as CSV, streamed: one row per month, artist, product and
    use, in each currency earned (or the one asked for), as plain decimals and ISO
    months for spreadsheets and accounts."""
    scope = {"label_id": party.pk}
    period, _ = period_from(request.GET, latest=latest_month(scope))
    found = currencies(scope, period)
    if request.GET.get("currency") in found:
        found = [request.GET["currency"]]
    filename = f"earnings-{party.pk}-{period.first:%Y-%m}-{period.last:%Y-%m}.csv"
    return csv_response(CSV_COLUMNS, _csv_rows(scope, period, found), filename)


# --- use reported without permission ---------------------------------------------------

FLAG_STATUSES = {
    Compliance.PARTLY: "Permitted for only part of the period",
    Compliance.UNPERMITTED: "Not permitted at any time in the period",
    Compliance.BREACHED: "Used against a condition of the yes",
}


def _flagged_products(label_id: int) -> QuerySet[Product]:
    """Products with any flagged use of the label's works, from the summary table."""
    flagged = MonthlyEarning.objects.filter(label_id=label_id).exclude(
        compliance=Compliance.PERMITTED
    )
    return Product.objects.filter(pk__in=flagged.values("product_id")).order_by("name")


def _flags(label_id: int, product: Product | None, status: str) -> QuerySet[Allocation]:
    """The label's flagged lines (of one product, in one status, if given), newest
    report first."""
    flags = Allocation.objects.filter(label_id=label_id).exclude(compliance=Compliance.PERMITTED)
    if product is not None:
        flags = flags.filter(product=product)
    if status:
        flags = flags.filter(compliance=status)
    return flags.select_related("product", "work", "artist", "use_type", "report").order_by(
        "-report__received_at", "-report_id", "line_id"
    )


@party_view(PartyKind.LABELS)
def label_usage_flags(request: AuthedRequest, party: Party) -> HttpResponse:
    """Use of the roster's works that products reported without permission for the whole
    period, newest report first, filterable by product and status: its money is held.
    A filter that names no such product or status is dropped, and the page says so."""
    products = list(_flagged_products(party.pk))
    slug, status = request.GET.get("product", ""), request.GET.get("status", "")
    product = next((p for p in products if p.slug == slug), None)
    dropped = bool(slug and product is None) or bool(status and status not in FLAG_STATUSES)
    status = status if status in FLAG_STATUSES else ""
    flags = _flags(party.pk, product, status)
    page = Paginator(flags, settings.PORTAL_PAGE_SIZE).get_page(request.GET.get("page"))
    filters = {"product": product.slug if product else "", "status": status}
    context = {
        "party": party,
        "products": products,
        "statuses": FLAG_STATUSES,
        "filters": filters,
        "dropped_filter": dropped,
        "page": page,
        "query": urlencode({key: value for key, value in filters.items() if value}),
    }
    return render(request, "earnings/label_usage_flags.html", context)
