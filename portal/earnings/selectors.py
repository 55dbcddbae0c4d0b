"""Reads for earnings. Pages read the summary tables (a few hundred rows per artist
whatever the catalogue), grouped in the database; report lines are read only a page at
a time."""

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.db import models
from django.db.models import Count, Max, Min, Q, QuerySet, Sum, Window
from django.http import QueryDict
from django.utils import timezone

from portal.catalogue.models import Work
from portal.earnings.models import (
    Allocation,
    Compliance,
    MonthlyEarning,
    UsageReport,
    WorkMonthEarning,
)

PERMITTED = Q(compliance=Compliance.PERMITTED)
FLAGGED_LINE = ~Q(lines__allocation__compliance=Compliance.PERMITTED)


def usage_report_of(*, product_id: int, report_id: int) -> UsageReport | None:
    """The product's own report with its line count and gross total; None for anyone
    else's (the caller answers 404)."""
    if not 0 < report_id < 2**63:
        return None
    return (
        UsageReport.objects.filter(product_id=product_id, pk=report_id)
        .annotate(
            line_count=Count("lines"),
            gross_total=Sum("lines__gross", default=Decimal(0)),
            flagged_lines=Count("lines", filter=FLAGGED_LINE),
            flagged_gross=Sum("lines__gross", filter=FLAGGED_LINE, default=Decimal(0)),
        )
        .first()
    )


# --- periods -------------------------------------------------------------------------------


def add_months(month: date, n: int) -> date:
    """The first day of the month `n` months after `month` (before, if negative), held
    within the months a date can name: a year of earnings ending in a report stored for
    0001-01 starts there, not in a year 0 that cannot be shown."""
    index = month.year * 12 + month.month - 1 + n
    index = min(max(index, date.min.year * 12), date.max.year * 12 + 11)
    return date(index // 12, index % 12 + 1, 1)


@dataclass(frozen=True)
class Period:
    """Whole months, first and last inclusive, each given as its first day."""

    first: date
    last: date

    @property
    def months(self) -> list[date]:
        count = (self.last.year - self.first.year) * 12 + self.last.month - self.first.month
        return [add_months(self.first, i) for i in range(count + 1)]

    @property
    def query(self) -> str:
        """The period as URL parameters: from=2026-01&to=2026-12."""
        return f"from={self.first.isoformat()[:7]}&to={self.last.isoformat()[:7]}"


def month_param(value: str | None) -> date | None:
    """The month in a URL parameter such as 2026-10, as its first day; None if it is not one."""
    try:
        year, month = (value or "").split("-")
        # From year 1000: a period reaches back ten years from its last month.
        return date(int(year), int(month), 1) if len(year) == 4 and year >= "1000" else None
    except ValueError:
        return None


def period_from(params: QueryDict, *, latest: date | None) -> tuple[Period, bool]:
    """The period asked for by ?from=YYYY-MM&to=YYYY-MM, else the twelve months ending
    with `latest` (the last month with earnings) or this month. The flag says whether
    what was asked for was unusable (the caller says so and shows the default); a
    period of more than ten years is cut to its last ten."""
    default_last = latest or timezone.now().date().replace(day=1)
    first, last = month_param(params.get("from")), month_param(params.get("to"))
    asked = "from" in params or "to" in params
    if first is None or last is None or last < first:
        return Period(add_months(default_last, -11), default_last), asked
    return Period(max(first, add_months(last, -119)), last), False


# --- breakdowns -------------------------------------------------------------------------------


def latest_month(scope: dict[str, Any]) -> date | None:
    """The last month with any earnings in scope (artist_id=... or label_id=...)."""
    last: date | None = MonthlyEarning.objects.filter(**scope).aggregate(last=Max("month"))["last"]
    return last


def months_span(scope: dict[str, Any]) -> tuple[date | None, date | None]:
    """The first and the last month with any earnings in scope, in one query."""
    span = MonthlyEarning.objects.filter(**scope).aggregate(first=Min("month"), last=Max("month"))
    return span["first"], span["last"]


def currencies(scope: dict[str, Any], period: Period) -> list[str]:
    """The currencies earned in, most earned first (each is shown on its own)."""
    return list(
        MonthlyEarning.objects.filter(**scope, month__range=(period.first, period.last))
        .values("currency")
        .annotate(total=Sum("gross"))
        .order_by("-total", "currency")
        .values_list("currency", flat=True)
    )


ZERO = Decimal(0)
_FIGURES = (
    "artist_paid",
    "artist_held",
    "label_paid",
    "label_held",
    "flagged_lines",
    "flagged_units",
)
# Output names whose aggregate is named differently (an annotation may not shadow a field).
_AGGREGATE_OF = {"lines": "lines_total", "units": "units_total", "gross": "gross_total"}


def _sums() -> dict[str, Sum]:
    return {
        "lines_total": Sum("lines", default=0),
        "units_total": Sum("units", default=0),
        "gross_total": Sum("gross", default=ZERO),
        "artist_paid": Sum("artist_amount", filter=PERMITTED, default=ZERO),
        "artist_held": Sum("artist_amount", filter=~PERMITTED, default=ZERO),
        "label_paid": Sum("label_amount", filter=PERMITTED, default=ZERO),
        "label_held": Sum("label_amount", filter=~PERMITTED, default=ZERO),
        "flagged_lines": Sum("lines", filter=~PERMITTED, default=0),
        "flagged_units": Sum("units", filter=~PERMITTED, default=0),
    }


def _shaped(row: dict[str, Any], by: list[str]) -> dict[str, Any]:
    return {
        **{key: row[key] for key in by},
        "lines": row["lines_total"],
        "units": row["units_total"],
        "gross": row["gross_total"],
        **{key: row[key] for key in _FIGURES},
    }


def breakdown(
    scope: dict[str, Any],
    period: Period,
    currency: str,
    by: list[str],
    order: list[str] | None = None,
) -> list[dict[str, Any]]:
    """Earnings in scope summed by the given fields (none: the total), one grouped query.

    Each row has lines, units, gross, and for each party (artist, label) the amount
    `paid` (permitted use) and `held` (flagged use), plus `flagged_lines` and
    `flagged_units`. Rows come in the order of `by` unless `order` names output keys
    (a leading "-" for descending), e.g. ["-artist_paid", "product__name"].
    """
    found = MonthlyEarning.objects.filter(
        **scope, currency=currency, month__range=(period.first, period.last)
    )
    if not by:
        return [_shaped(found.aggregate(**_sums()), by)]
    ordering = [
        ("-" if key.startswith("-") else "") + _AGGREGATE_OF.get(key.lstrip("-"), key.lstrip("-"))
        for key in order or by
    ]
    rows = found.values(*by).annotate(**_sums()).order_by(*ordering)
    return [_shaped(row, by) for row in rows]


def earnings_rows(scope: dict[str, Any], period: Period) -> list[dict[str, Any]]:
    """Every currency's earnings per month, product and use, for exports (one query)."""
    by = ["month", "currency", "product__slug", "product__name", "use_type__slug"]
    rows = (
        MonthlyEarning.objects.filter(**scope, month__range=(period.first, period.last))
        .values(*by, "use_type__name")
        .annotate(**_sums())
        .order_by(*by)
    )
    return [_shaped(row, [*by, "use_type__name"]) for row in rows]


def months_of(scope: dict[str, Any], period: Period, currency: str) -> list[dict[str, Any]]:
    """Every month of the period with its earnings, months without any as zeros, so a
    chart and its table show the whole period."""
    found = {row["month"]: row for row in breakdown(scope, period, currency, by=["month"])}
    empty = _shaped({key: 0 for key in [*_AGGREGATE_OF.values(), *_FIGURES]}, [])
    return [found.get(month, {**empty, "month": month}) for month in period.months]


# --- an artist's earnings -------------------------------------------------------------------


class WorkOrder(models.TextChoices):
    """How the by-work table may be sorted: the most earned, by title, the most used."""

    AMOUNT = "amount", "Paid to you"
    TITLE = "title", "Title"
    UNITS = "units", "Uses"


def work_earnings(
    *, artist_id: int, period: Period, currency: str, order: WorkOrder, page: int, per_page: int
) -> tuple[list[dict[str, Any]], int]:
    """One page of the artist's earnings per work (work_id, title, isrc, uses, paid, held,
    flagged lines), and how many works earned in the period; [] past the last page.

    Two queries whatever the catalogue: the page's ids with the count alongside (a window
    over the grouped rows, so the period is summed once, not again to count it), then
    the rest of the page's rows. WorkMonthEarning is read by artist, currency and month
    range, its index; titles are joined only for the rows shown, unless sorting by them.
    """
    in_period = WorkMonthEarning.objects.filter(
        artist_id=artist_id, currency=currency, month__range=(period.first, period.last)
    )
    sums = {
        "uses": Sum("units"),
        "paid": Sum("artist_amount"),
        "held": Sum("artist_held"),
        "flagged": Sum("flagged_lines"),
    }
    window = slice((page - 1) * per_page, page * per_page)
    counted = {"works": Window(Count("*"))}
    if order == WorkOrder.TITLE:
        works = list(
            Work.objects.filter(pk__in=in_period.values("work_id"))
            .annotate(works=counted["works"])
            .order_by("title", "pk")
            .values("pk", "title", "isrc", "works")[window]
        )
        figures = {
            row["work_id"]: row
            for row in in_period.filter(work_id__in=[w["pk"] for w in works])
            .values("work_id")
            .annotate(**sums)
        }
    else:
        ordering = ["-paid", "-held"] if order == WorkOrder.AMOUNT else ["-uses"]
        figures_page = list(
            in_period.values("work_id")
            .annotate(**sums, **counted)
            .order_by(*ordering, "work_id")[window]
        )
        figures = {row["work_id"]: row for row in figures_page}
        named = {
            work["pk"]: work
            for work in Work.objects.filter(pk__in=list(figures)).values("pk", "title", "isrc")
        }
        works = [{**named[row["work_id"]], "works": row["works"]} for row in figures_page]
    rows = [{**figures[w["pk"]], "title": w["title"], "isrc": w["isrc"]} for w in works]
    return rows, works[0]["works"] if works else 0


def works_earning(*, artist_id: int, period: Period, currency: str) -> int:
    """How many works earned in the period (for a page asked for past the last)."""
    return (
        WorkMonthEarning.objects.filter(
            artist_id=artist_id, currency=currency, month__range=(period.first, period.last)
        )
        .values("work_id")
        .distinct()
        .count()
    )


@dataclass(frozen=True)
class LineFilter:
    """Which report lines to show; every part optional (None: any)."""

    first: date | None = None
    last: date | None = None
    currency: str | None = None
    product: str | None = None
    use: str | None = None
    work_id: int | None = None
    compliance: str | None = None


FLAGGED = "flagged"


def earning_lines(*, artist_id: int, where: LineFilter) -> QuerySet[Allocation]:
    """The artist's allocated report lines matching `where`, newest month first, with
    everything a row shows joined in (constant queries per page). `compliance` may also
    be FLAGGED: partly or not permitted."""
    found = Allocation.objects.filter(artist_id=artist_id)
    exact = {
        "month__gte": where.first,
        "month__lte": where.last,
        "currency": where.currency,
        "product__slug": where.product,
        "use_type__slug": where.use,
        "work_id": where.work_id,
    }
    found = found.filter(**{key: value for key, value in exact.items() if value is not None})
    if where.compliance == FLAGGED:
        found = found.exclude(PERMITTED)
    elif where.compliance is not None:
        found = found.filter(compliance=where.compliance)
    return found.select_related("report", "product", "work", "use_type").order_by(
        "-month", "report_id", "line_id"
    )


def artist_work(*, artist_id: int, work_id: int) -> Work | None:
    """One of the artist's own works; None for anyone else's or none at all."""
    if not 0 < work_id < 2**63:
        return None
    return Work.objects.filter(pk=work_id, primary_artist_id=artist_id).first()


def earning_choices(*, artist_id: int) -> list[Mapping[str, Any]]:
    """The (currency, product, use) combinations the artist has earnings in, each with its
    `first` and `last` month: the choices a filter of their report lines offers (one query
    over the summaries)."""
    return list(
        MonthlyEarning.objects.filter(artist_id=artist_id)
        .values("currency", "product__slug", "product__name", "use_type__slug", "use_type__name")
        .annotate(first=Min("month"), last=Max("month"))
        .order_by("currency", "product__name", "use_type__name")
    )
