"""Reads for earnings. Pages read the summary tables (a few hundred rows per artist
whatever the catalogue), grouped in the database; report lines are read only a page at
a time."""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.db.models import Count, Max, Q, Sum
from django.http import QueryDict
from django.utils import timezone

from portal.earnings.models import Compliance, MonthlyEarning, UsageReport

PERMITTED = Q(compliance=Compliance.PERMITTED)


def usage_report_of(*, product_id: int, report_id: int) -> UsageReport | None:
    """The product's own report with its line count and gross total; None for anyone
    else's (the caller answers 404)."""
    if not 0 < report_id < 2**63:
        return None
    return (
        UsageReport.objects.filter(product_id=product_id, pk=report_id)
        .annotate(line_count=Count("lines"), gross_total=Sum("lines__gross", default=Decimal(0)))
        .first()
    )


# --- periods -------------------------------------------------------------------------------


def _add_months(month: date, n: int) -> date:
    index = month.year * 12 + month.month - 1 + n
    return date(index // 12, index % 12 + 1, 1)


@dataclass(frozen=True)
class Period:
    """Whole months, first and last inclusive, each given as its first day."""

    first: date
    last: date

    @property
    def months(self) -> list[date]:
        count = (self.last.year - self.first.year) * 12 + self.last.month - self.first.month
        return [_add_months(self.first, i) for i in range(count + 1)]

    @property
    def query(self) -> str:
        """The period as URL parameters: from=2026-01&to=2026-12."""
        return f"from={self.first:%Y-%m}&to={self.last:%Y-%m}"


def _month_param(value: str | None) -> date | None:
    try:
        year, month = (value or "").split("-")
        return date(int(year), int(month), 1) if len(year) == 4 else None
    except ValueError:
        return None


def period_from(params: QueryDict, *, latest: date | None) -> tuple[Period, bool]:
    """The period asked for by ?from=YYYY-MM&to=YYYY-MM, else the twelve months ending
    with `latest` (the last month with earnings) or this month. The flag says whether
    what was asked for was unusable (the caller says so and shows the default); a
    period of more than ten years is cut to its last ten."""
    default_last = latest or timezone.now().date().replace(day=1)
    first, last = _month_param(params.get("from")), _month_param(params.get("to"))
    asked = "from" in params or "to" in params
    if first is None or last is None or last < first:
        return Period(_add_months(default_last, -11), default_last), asked
    return Period(max(first, _add_months(last, -119)), last), False


# --- breakdowns -------------------------------------------------------------------------------


def latest_month(scope: dict[str, Any]) -> date | None:
    """The last month with any earnings in scope (artist_id=... or label_id=...)."""
    return MonthlyEarning.objects.filter(**scope).aggregate(last=Max("month"))["last"]


def currencies(scope: dict[str, Any], period: Period) -> list[str]:
    """The currencies earned in, most earned first (each is shown on its own)."""
    return list(
        MonthlyEarning.objects.filter(**scope, month__range=(period.first, period.last))
        .values("currency")
        .annotate(total=Sum("gross"))
        .order_by("-total", "currency")
        .values_list("currency", flat=True)
    )


def breakdown(
    scope: dict[str, Any], period: Period, currency: str, by: list[str]
) -> list[dict[str, Any]]:
    """Earnings in scope summed by the given fields (none: the total), one grouped query.

    Each row has lines, units, gross, and for each party (artist, label) the amount
    `paid` (permitted use) and `held` (flagged use), plus `flagged_lines` and
    `flagged_units`.
    """
    zero = Decimal(0)
    sums = {
        "lines_total": Sum("lines", default=0),
        "units_total": Sum("units", default=0),
        "gross_total": Sum("gross", default=zero),
        "artist_paid": Sum("artist_amount", filter=PERMITTED, default=zero),
        "artist_held": Sum("artist_amount", filter=~PERMITTED, default=zero),
        "label_paid": Sum("label_amount", filter=PERMITTED, default=zero),
        "label_held": Sum("label_amount", filter=~PERMITTED, default=zero),
        "flagged_lines": Sum("lines", filter=~PERMITTED, default=0),
        "flagged_units": Sum("units", filter=~PERMITTED, default=0),
    }
    found = MonthlyEarning.objects.filter(
        **scope, currency=currency, month__range=(period.first, period.last)
    )
    rows = found.values(*by).annotate(**sums).order_by(*by) if by else [found.aggregate(**sums)]
    return [
        {
            **{key: row[key] for key in by},
            "lines": row["lines_total"],
            "units": row["units_total"],
            "gross": row["gross_total"],
            **{
                key: row[key]
                for key in (
                    "artist_paid",
                    "artist_held",
                    "label_paid",
                    "label_held",
                    "flagged_lines",
                    "flagged_units",
                )
            },
        }
        for row in rows
    ]
