"""An artist's earnings: the page, its CSV export and the report lines behind every figure.

Every view reaches the artist through `party_view`, so anyone not on the artist's team
gets a 404. Figures come from the summary tables, grouped in the database, so each page
costs the same few queries whatever the size of the catalogue.
"""

import math
from collections.abc import Mapping
from dataclasses import asdict, replace
from datetime import date
from typing import Any, TypedDict
from urllib.parse import urlencode

from django.contrib import messages
from django.core.paginator import Page, Paginator
from django.http import HttpResponse, QueryDict
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils.text import slugify
from django.views.decorators.http import require_POST

from portal.accounts.http import AuthedRequest
from portal.catalogue.models import Work
from portal.consent.access import Party, PartyKind, party_view
from portal.earnings import formats
from portal.earnings.chart import month_chart
from portal.earnings.currencies import MINOR_UNITS
from portal.earnings.flags import FLAGGED_SHOWN, flagged_use, flags_seen
from portal.earnings.models import Compliance
from portal.earnings.selectors import (
    FLAGGED,
    LineFilter,
    Period,
    WorkOrder,
    artist_work,
    breakdown,
    currencies,
    earning_choices,
    earning_lines,
    earnings_rows,
    latest_month,
    month_param,
    months_of,
    months_span,
    period_from,
    work_earnings,
    works_earning,
)
from portal.exports import csv_response

WORKS_PER_PAGE = 25
LINES_PER_PAGE = 50


# --- the earnings page ----------------------------------------------------------------------


@party_view(PartyKind.ARTISTS)
def artist_earnings(request: AuthedRequest, party: Party) -> HttpResponse:
    """The period's total, by month (a chart and its table), by product, use and work, and
    the use reported without permission; one currency at a time, never added up."""
    scope = {"artist_id": party.pk}
    earliest, latest = months_span(scope)
    period = _period(request, latest)
    found = currencies(scope, period)
    currency = _currency(request, found)
    context: dict[str, Any] = {
        "party": party,
        "latest": latest,
        "period": period,
        "month_picks": formats.month_choices(
            earliest, latest, period.first, period.last, locale=formats.locale_of(request)
        ),
        "currencies": found,
        "currency": currency,
        "other_currencies": [code for code in found if code != currency],
        "sort": _work_order(request.GET),
        "work_orders": WorkOrder,
    }
    if currency is not None:
        context |= _figures(request, party.pk, period, currency, context["sort"])
    return render(request, "earnings/artist_earnings.html", context)


def _period(request: AuthedRequest, latest: date | None) -> Period:
    period, unusable = period_from(request.GET, latest=latest)
    if unusable:
        locale = formats.locale_of(request)
        messages.warning(
            request,
            "That period could not be read (give months as YYYY-MM, the first no later than "
            f"the last), so this shows {formats.month(period.first, locale)} to "
            f"{formats.month(period.last, locale)}.",
        )
    return period


def _currency(request: AuthedRequest, found: list[str]) -> str | None:
    """The currency asked for if there are earnings in it, else the one most earned in."""
    asked = request.GET.get("currency", "")
    if asked in found:
        return asked
    if asked and found:
        messages.warning(
            request, f"There are no earnings in “{asked}” in this period; showing {found[0]}."
        )
    return found[0] if found else None


def _work_order(params: QueryDict) -> WorkOrder:
    asked = params.get("sort", "")
    return WorkOrder(asked) if asked in WorkOrder.values else WorkOrder.AMOUNT


def _figures(
    request: AuthedRequest, artist_id: int, period: Period, currency: str, sort: WorkOrder
) -> dict[str, Any]:
    scope = {"artist_id": artist_id}
    total = breakdown(scope, period, currency, by=[])[0]
    months = months_of(scope, period, currency)
    works = _works_page(artist_id, period, currency, sort, request.GET.get("page"))
    flagged = (
        flagged_use(artist_id=artist_id, period=period, currency=currency)
        if total["flagged_lines"]
        else []
    )
    query = f"{period.query}&currency={currency}"
    return {
        "total": total,
        "months": months,
        "chart": month_chart(months, currency, formats.locale_of(request)),
        "products": _named(
            breakdown(
                scope,
                period,
                currency,
                by=["product__slug", "product__name"],
                order=["-artist_paid", "-artist_held", "product__name"],
            ),
            "product",
        ),
        "uses": _named(
            breakdown(
                scope,
                period,
                currency,
                by=["use_type__slug", "use_type__name"],
                order=["-artist_paid", "-artist_held", "use_type__name"],
            ),
            "use_type",
        ),
        "works": works,
        "flagged": flagged[:FLAGGED_SHOWN],
        "more_flagged": len(flagged) > FLAGGED_SHOWN,
        "query": query,
        "works_query": f"{query}&sort={sort}",
    }


def _named(rows: list[dict[str, Any]], prefix: str) -> list[dict[str, Any]]:
    """Rows of a product or use breakdown with their `slug` and `name` under those keys, so
    one table template shows either."""
    return [{**row, "slug": row[f"{prefix}__slug"], "name": row[f"{prefix}__name"]} for row in rows]


class _Counted(Paginator):
    """A paginator told its count: the page's own query brought it along."""

    def __init__(self, count: int, per_page: int) -> None:
        super().__init__([], per_page)
        self.count = count


class _WorksOf(TypedDict):
    artist_id: int
    period: Period
    currency: str


def _works_page(
    artist_id: int, period: Period, currency: str, sort: WorkOrder, asked: str | None
) -> Page:
    """The asked-for page of earnings by work; the last one if asked past it, the first
    if the number is not one (as Paginator.get_page)."""
    number = (
        int(asked)
        if asked and asked.isascii() and asked.isdigit() and 0 < int(asked) < 10**6
        else 1
    )
    found: _WorksOf = {"artist_id": artist_id, "period": period, "currency": currency}
    rows, count = work_earnings(**found, order=sort, page=number, per_page=WORKS_PER_PAGE)
    if not rows and number > 1:
        number = max(1, math.ceil(works_earning(**found) / WORKS_PER_PAGE))
        rows, count = work_earnings(**found, order=sort, page=number, per_page=WORKS_PER_PAGE)
    return Page(rows, number, _Counted(count, WORKS_PER_PAGE))


# --- the CSV export --------------------------------------------------------------------------

CSV_HEADER = [
    "month",
    "currency",
    "product",
    "product_name",
    "use",
    "use_name",
    "units",
    "gross",
    "artist_paid",
    "artist_held",
    "flagged_lines",
]


@party_view(PartyKind.ARTISTS)
def artist_earnings_csv(request: AuthedRequest, party: Party) -> HttpResponseBase:
    """The period's earnings, every currency, one row per month, product and use: plain
    decimals in the currency's minor units and ISO months, for spreadsheets and accounts."""
    scope = {"artist_id": party.pk}
    period, _ = period_from(request.GET, latest=latest_month(scope))
    filename = (
        f"{slugify(party.name) or 'artist'}-earnings-{period.first:%Y-%m}-{period.last:%Y-%m}"
    )
    return csv_response(
        CSV_HEADER,
        (
            [
                row["month"].isoformat()[:7],
                row["currency"],
                row["product__slug"],
                row["product__name"],
                row["use_type__slug"],
                row["use_type__name"],
                row["units"],
                *(
                    f"{row[key]:.{MINOR_UNITS.get(row['currency'], 2)}f}"
                    for key in ("gross", "artist_paid", "artist_held")
                ),
                row["flagged_lines"],
            ]
            for row in earnings_rows(scope, period)
        ),
        f"{filename}.csv",
    )


# --- the report lines ------------------------------------------------------------------------

COMPLIANCE_CHOICES = [
    (Compliance.PERMITTED.value, "Permitted: paid"),
    (FLAGGED, "Held: not permitted for all of the period, or against a condition"),
    (Compliance.PARTLY.value, "Permitted for only part of the period: held"),
    (Compliance.UNPERMITTED.value, "Not permitted: held"),
    (Compliance.BREACHED.value, "Used against a condition: held"),
]


@party_view(PartyKind.ARTISTS)
def artist_earning_lines(request: AuthedRequest, party: Party) -> HttpResponse:
    """The allocated report lines behind a figure, filtered by month range, currency,
    product, use, work and compliance. Filters that cannot be used are dropped, and the
    reader is told which and why, rather than shown an error."""
    choices = earning_choices(artist_id=party.pk)
    where, work, problems = _line_filter(request.GET, choices, party.pk)
    for problem in problems:
        messages.warning(request, problem)
    lines = Paginator(earning_lines(artist_id=party.pk, where=where), LINES_PER_PAGE).get_page(
        request.GET.get("page")
    )
    context = {
        "party": party,
        "where": where,
        "work": work,
        "lines": lines,
        "page": lines,
        "query": _filter_query(where),
        "every_work_query": _filter_query(replace(where, work_id=None)),
        "unfiltered": where == LineFilter(),
        "currencies": sorted({c["currency"] for c in choices}),
        "products": _distinct(choices, "product__slug", "product__name"),
        "uses": _distinct(choices, "use_type__slug", "use_type__name"),
        "compliance_choices": COMPLIANCE_CHOICES,
        "month_picks": formats.month_choices(
            min((c["first"] for c in choices), default=None),
            max((c["last"] for c in choices), default=None),
            where.first,
            where.last,
            locale=formats.locale_of(request),
        ),
    }
    return render(request, "earnings/artist_earning_lines.html", context)


def _distinct(choices: list[Mapping[str, Any]], slug: str, name: str) -> list[tuple[str, str]]:
    return sorted({(c[slug], c[name]) for c in choices}, key=lambda pair: pair[1])


def _chosen(
    params: QueryDict, key: str, allowed: set[str], what: str, problems: list[str]
) -> str | None:
    value = params.get(key, "")
    if not value:
        return None
    if value in allowed:
        return value
    problems.append(f"“{value[:40]}” is not {what}, so that filter was left out.")
    return None


def _months(params: QueryDict, problems: list[str]) -> tuple[date | None, date | None]:
    first, last = (month_param(params.get(key)) for key in ("from", "to"))
    for key, found in (("from", first), ("to", last)):
        if params.get(key) and found is None:
            problems.append(f"“{params[key][:40]}” is not a month (YYYY-MM), so it was left out.")
    if first and last and last < first:
        problems.append("The period ended before it began, so every month is shown.")
        return None, None
    return first, last


def _work(params: QueryDict, artist_id: int, problems: list[str]) -> Work | None:
    value = params.get("work", "")
    if not value:
        return None
    digits = value.isascii() and value.isdigit() and len(value) < 19
    work = artist_work(artist_id=artist_id, work_id=int(value)) if digits else None
    if work is None:
        problems.append("That work is not in this catalogue, so lines of every work are shown.")
    return work


def _line_filter(
    params: QueryDict, choices: list[Mapping[str, Any]], artist_id: int
) -> tuple[LineFilter, Work | None, list[str]]:
    problems: list[str] = []
    first, last = _months(params, problems)
    work = _work(params, artist_id, problems)
    compliance = {value for value, _ in COMPLIANCE_CHOICES}
    where = LineFilter(
        first=first,
        last=last,
        currency=_chosen(
            params,
            "currency",
            {c["currency"] for c in choices},
            "a currency you earned in",
            problems,
        ),
        product=_chosen(
            params,
            "product",
            {c["product__slug"] for c in choices},
            "a product that reported your works",
            problems,
        ),
        use=_chosen(
            params,
            "use",
            {c["use_type__slug"] for c in choices},
            "a use reported for your works",
            problems,
        ),
        work_id=work.pk if work else None,
        compliance=_chosen(params, "compliance", compliance, "a status", problems),
    )
    return where, work, problems


def _filter_query(where: LineFilter) -> str:
    """The filter as URL parameters, for the pages of the same list."""
    params = {
        "from": f"{where.first:%Y-%m}" if where.first else None,
        "to": f"{where.last:%Y-%m}" if where.last else None,
        "work": where.work_id,
        **{
            key: value
            for key, value in asdict(where).items()
            if key in ("currency", "product", "use", "compliance")
        },
    }
    return urlencode({key: value for key, value in params.items() if value is not None})


@require_POST
@party_view(PartyKind.ARTISTS)
def artist_flags_seen(request: AuthedRequest, party: Party) -> HttpResponse:
    """Take the flags the reader was shown (`up_to`: the latest one's id) off the home's
    banner; any member of the team may. Flags that came in since stay."""
    up_to = request.POST.get("up_to", "")
    if up_to.isascii() and up_to.isdigit() and len(up_to) < 19:
        seen = flags_seen(actor=request.user, artist_id=party.pk, up_to=int(up_to))
        if seen:
            messages.success(request, "Marked as seen. The earnings page keeps every held line.")
    else:
        messages.error(request, "Nothing was marked as seen: reload the page and try again.")
    return redirect("artist_home", artist_id=party.pk)
